#!/usr/bin/env python3
"""Goldens for marketlm's sampler-chain stages, computed with PyTorch the way
Hugging Face transformers' LogitsProcessor/LogitsWarper classes compute them
(ascending-sort top-p, argsort min-p, entropy-shifted typical-p, topk top-k,
gather/scatter repetition penalty, n-gram table no-repeat). transformers itself
is not installed here, so this re-expresses those algorithms in torch ops, an
implementation independent of the C++ one.

Run: /usr/bin/python3 tests/reference/generate_processors.py > tests/generate/golden/processors.json
"""
import json
import math

import torch

NEG = float("-inf")


def top_k(s, k, keep):
    k = min(max(k, keep), s.shape[-1])
    kth = torch.topk(s, k)[0][-1]
    return s.masked_fill(s < kth, NEG)


def top_p(s, p, keep):
    if p >= 1.0:
        return s
    sorted_s, idx = torch.sort(s, descending=False)
    cum = sorted_s.softmax(-1).cumsum(-1)
    rm = cum <= (1 - p)
    rm[-keep:] = False
    mask = torch.zeros_like(rm).scatter(0, idx, rm)
    return s.masked_fill(mask, NEG)


def min_p(s, p, keep):
    probs = s.softmax(-1)
    rm = probs < p * probs.max()
    idx = torch.argsort(s, descending=True)
    srm = rm.gather(0, idx)
    srm[:keep] = False
    mask = torch.zeros_like(srm).scatter(0, idx, srm)
    return s.masked_fill(mask, NEG)


def typical_p(s, mass, keep):
    if mass >= 1.0:
        return s
    norm = torch.log_softmax(s, -1)
    p = norm.exp()
    ent = -(norm * p).nansum()
    shifted = torch.abs(-norm - ent)
    sorted_sh, idx = torch.sort(shifted, descending=False)
    cum = s.gather(0, idx).softmax(-1).cumsum(-1)
    last = min(int((cum < mass).sum()), s.shape[-1] - 1)
    srm = sorted_sh > sorted_sh[last]
    srm[:keep] = False
    mask = torch.zeros_like(srm).scatter(0, idx, srm)
    return s.masked_fill(mask, NEG)


def repetition(s, ids, penalty):
    if not ids:
        return s
    t = torch.tensor(ids)
    g = s.gather(0, t)
    g = torch.where(g < 0, g * penalty, g / penalty)
    return s.scatter(0, t, g)


def no_repeat(s, ids, n):
    s = s.clone()
    if len(ids) + 1 < n:
        return s
    table = {}
    for i in range(len(ids) - n + 1):
        table.setdefault(tuple(ids[i:i + n - 1]), []).append(ids[i + n - 1])
    for t in table.get(tuple(ids[len(ids) - n + 1:]) if n > 1 else (), []):
        s[t] = NEG
    return s


def enc(t):
    return [None if math.isinf(x) else x for x in t.tolist()]


def main():
    g = torch.Generator().manual_seed(20261129)
    cases = []
    v = 12
    for i in range(60):
        s = (torch.randn(v, generator=g, dtype=torch.float64) * 2.0).to(torch.float32)
        if i % 3 == 0:  # some rows arrive with tokens already removed
            s[torch.randperm(v, generator=g)[:3]] = NEG
        keep = 1 + (i % 2)
        k = [1, 3, 5, 0][i % 4]
        p = [0.3, 0.6, 0.9, 1.0][(i // 2) % 4]
        mp = [0.05, 0.2, 0.5, 0.0][(i // 3) % 4]
        tp = [0.2, 0.5, 0.9, 1.0][(i // 5) % 4]
        temp = [0.7, 1.0, 1.3][i % 3]
        ids = torch.randint(0, v, (6,), generator=g).tolist()
        pen = [1.3, 0.8][i % 2]
        ngram = [1, 2, 3][i % 3]
        chain = s / temp
        if k > 0:
            chain = top_k(chain, k, keep)
        chain = top_p(chain, p, keep)
        if mp > 0:
            chain = min_p(chain, mp, keep)
        chain = typical_p(chain, tp, keep)
        cases.append({
            "scores": enc(s), "min_keep": keep, "top_k": k, "top_p": p, "min_p": mp, "typical_p": tp,
            "temperature": temp, "ids": ids, "penalty": pen, "ngram": ngram,
            "out_top_k": enc(top_k(s, max(k, 1), keep)),
            "out_top_p": enc(top_p(s, p, keep)),
            "out_min_p": enc(min_p(s, max(mp, 0.05), keep)),
            "out_typical_p": enc(typical_p(s, tp, keep)),
            "out_repetition": enc(repetition(s, ids, pen)),
            "out_no_repeat": enc(no_repeat(s, ids, ngram)),
            "out_chain": enc(chain),
        })
    print(json.dumps({"source": "tests/reference/generate_processors.py", "cases": cases}))


if __name__ == "__main__":
    main()
