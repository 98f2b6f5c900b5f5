#!/usr/bin/python3
"""PyTorch side of bench/sasrec: the reference SASRec (tests/reference/
sasrec_reference.py) on the same config and protocol as sasrec_bench.cpp:
maxlen 50, d 50, 2 blocks, 1 head, dropout 0.2, batch 128, BCE with one
negative, Adam(lr 1e-3, betas 0.9/0.98). Times the first BATCHES batches of
an epoch (extrapolated to the epoch) and full-ranking scoring of USERS users.

With loss=softmax the BCE is replaced by full softmax cross-entropy over all
items, computed for the non-padded positions only.

usage: sasrec_bench.py DATA [batches=40] [score_users=2048] [threads=1] [loss=bce|softmax]
"""
import json
import math
import os
import random
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "reference"))
from sasrec_reference import SASRec  # noqa: E402


def load(path):
    seqs, ids, items = {}, {}, {}
    with open(path) as f:
        lines = [l.split() for l in f if l.strip()]
    pairs = all(len(l) == 2 for l in lines)
    for l in lines:
        u, its = l[0], l[1:]
        for it in its:
            seqs.setdefault(u, []).append(items.setdefault(it, len(items) + 1))
    return list(seqs.values()), len(items)


def main():
    data = sys.argv[1]
    batches = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    score_users = int(sys.argv[3]) if len(sys.argv) > 3 else 2048
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    loss_name = sys.argv[5] if len(sys.argv) > 5 else "bce"
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    seqs, n_items = load(data)
    train = [s[:-2] if len(s) >= 3 else s for s in seqs]   # leave-one-out training part
    T = 50
    model = SASRec(n_items, T, 50, 2, 1, dropout=0.2)
    for name, p in model.named_parameters():
        if p.dim() > 1:
            torch.nn.init.xavier_normal_(p)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.98))
    users = [u for u, s in enumerate(train) if len(s) >= 2]
    random.Random(42).shuffle(users)
    n_batches = (len(users) + 127) // 128
    run = min(batches, n_batches)
    rnd = random.Random(43)
    model.train()
    t0 = time.perf_counter()
    for bi in range(run):
        bu = users[bi * 128:(bi + 1) * 128]
        seq = torch.zeros(len(bu), T, dtype=torch.int64)
        pos = torch.zeros_like(seq)
        neg = torch.zeros_like(seq)
        for r, u in enumerate(bu):
            s = train[u]
            seen = set(s)
            steps = min(len(s) - 1, T)
            for k in range(steps):
                seq[r, T - 1 - k] = s[len(s) - 2 - k]
                pos[r, T - 1 - k] = s[len(s) - 1 - k]
                while True:
                    j = rnd.randint(1, n_items)
                    if j not in seen:
                        break
                neg[r, T - 1 - k] = j
        out = model.hidden(seq)
        valid = pos != 0
        if loss_name == "softmax":
            logits = out[valid] @ model.item_emb.weight[1:].t()
            loss = torch.nn.functional.cross_entropy(logits, pos[valid] - 1)
        else:
            pl = (out * model.item_emb(pos)).sum(-1)
            nl = (out * model.item_emb(neg)).sum(-1)
            loss = -(torch.nn.functional.logsigmoid(pl[valid]).sum()
                     + torch.nn.functional.logsigmoid(-nl[valid]).sum()) / valid.sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    train_s = time.perf_counter() - t0
    model.eval()
    U = min(score_users, len(train))
    seqs_in = torch.zeros(U, T, dtype=torch.int64)
    for u in range(U):
        h = train[u][-T:]
        if h:
            seqs_in[u, T - len(h):] = torch.tensor(h)
    t1 = time.perf_counter()
    checksum = 0.0
    with torch.no_grad():
        for u0 in range(0, U, 128):
            last = model.hidden(seqs_in[u0:u0 + 128])[:, -1]
            scores = last @ model.item_emb.weight[1:].t()
            checksum += float(scores[0, 0])
    score_s = time.perf_counter() - t1
    print(json.dumps({"impl": "pytorch " + torch.__version__, "threads": threads, "loss": loss_name, "batches": run,
                      "epoch_batches": n_batches, "epoch_s": round(train_s / run * n_batches, 2),
                      "score_users_per_s": round(U / score_s, 1)}))


if __name__ == "__main__":
    main()
