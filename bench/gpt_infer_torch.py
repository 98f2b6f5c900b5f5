#!/usr/bin/python3
"""PyTorch side of bench/gpt_infer_bench.cpp: the same GPT-2 shapes with a KV
cache (the from-scratch model of tests/reference/gpt2_reference.py), prompt
tokens/s and decode tokens/s at batch 1 and 8, in fp32 and bf16.
  /usr/bin/python3 bench/gpt_infer_torch.py tiny|124m [threads] [prompt] [steps]
"""
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "reference"))
from gpt2_reference import gelu_tanh, make_params  # noqa: E402


def step(p, cfg, idx, pos0, cache):
    """idx [B, T] at positions pos0..; cache: per layer [k, v] of [B, NH, t, HS] (appended)."""
    B, T = idx.shape
    C, NH, eps = cfg["n_embd"], cfg["n_head"], cfg["layer_norm_epsilon"]
    HS = C // NH
    x = p["wte.weight"][idx] + p["wpe.weight"][pos0:pos0 + T]
    for l in range(cfg["n_layer"]):
        w = lambda n: p[f"h.{l}.{n}"]  # noqa: E731
        h = F.layer_norm(x, (C,), w("ln_1.weight"), w("ln_1.bias"), eps)
        q, k, v = torch.addmm(w("attn.c_attn.bias"), h.view(B * T, C), w("attn.c_attn.weight")).view(B, T, 3 * C).split(C, dim=2)
        q = q.view(B, T, NH, HS).transpose(1, 2)
        k = k.view(B, T, NH, HS).transpose(1, 2)
        v = v.view(B, T, NH, HS).transpose(1, 2)
        if cache[l] is not None:
            k = torch.cat([cache[l][0], k], dim=2)
            v = torch.cat([cache[l][1], v], dim=2)
        cache[l] = (k, v)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(HS)
        S = k.shape[2]
        mask = torch.ones(T, S, dtype=torch.bool).tril(diagonal=S - T)
        att = att.masked_fill(~mask, float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B * T, C)
        x = x + torch.addmm(w("attn.c_proj.bias"), y, w("attn.c_proj.weight")).view(B, T, C)
        h = F.layer_norm(x, (C,), w("ln_2.weight"), w("ln_2.bias"), eps).view(B * T, C)
        h = gelu_tanh(torch.addmm(w("mlp.c_fc.bias"), h, w("mlp.c_fc.weight")))
        x = x + torch.addmm(w("mlp.c_proj.bias"), h, w("mlp.c_proj.weight")).view(B, T, C)
    x = F.layer_norm(x[:, -1], (C,), p["ln_f.weight"], p["ln_f.bias"], eps)
    return x @ p["wte.weight"].t()


def main():
    which = sys.argv[1] if len(sys.argv) > 1 else "tiny"
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    prompt = int(sys.argv[3]) if len(sys.argv) > 3 else 128
    steps = int(sys.argv[4]) if len(sys.argv) > 4 else 32
    torch.set_num_threads(threads)
    cfg = {"n_layer": 12, "n_head": 12, "n_embd": 768, "n_ctx": 1024, "vocab_size": 50257, "layer_norm_epsilon": 1e-5}
    if which == "tiny":
        cfg.update(n_layer=4, n_head=4, n_embd=256)
    p32 = make_params(cfg, 1)
    print(f"# torch {torch.__version__} {which}: {threads} threads, prompt {prompt}, {steps} decode steps")
    print(f"{'format':6} {'prompt t/s':>12} {'decode b1':>12} {'decode b8':>12}")
    V = cfg["vocab_size"]
    for name, dt in (("f32", torch.float32), ("bf16", torch.bfloat16)):
        p = {k: v.to(dt) for k, v in p32.items()}
        with torch.inference_mode():
            toks = torch.tensor([[(i * 7919) % V for i in range(prompt)]])
            step(p, cfg, toks[:, :8], 0, [None] * cfg["n_layer"])  # warm-up
            cache = [None] * cfg["n_layer"]
            t0 = time.perf_counter()
            step(p, cfg, toks, 0, cache)
            pp = prompt / (time.perf_counter() - t0)
            cache = [None] * cfg["n_layer"]  # decode after a 16-token prompt, as for batch 8
            step(p, cfg, toks[:, :16], 0, cache)
            t0 = time.perf_counter()
            for s in range(steps):
                step(p, cfg, torch.tensor([[(s * 31) % V]]), 16 + s, cache)
            tg1 = steps / (time.perf_counter() - t0)
            cache = [None] * cfg["n_layer"]
            step(p, cfg, toks[:, :16].repeat(8, 1), 0, cache)
            t0 = time.perf_counter()
            for s in range(steps):
                step(p, cfg, torch.tensor([[(s * 31 + b) % V] for b in range(8)]), 16 + s, cache)
            tg8 = 8 * steps / (time.perf_counter() - t0)
        print(f"{name:6} {pp:12.1f} {tg1:12.1f} {tg8:12.1f}", flush=True)


if __name__ == "__main__":
    main()
