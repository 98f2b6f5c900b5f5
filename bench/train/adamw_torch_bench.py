#!/usr/bin/python3
"""torch.optim.AdamW (for-loop and foreach implementations) on one flat
parameter of n floats, best of R steps: the alternative to marketlm's AdamW.

  /usr/bin/python3 bench/train/adamw_torch_bench.py --n 16300000 --threads 2 --reps 5"""
import argparse
import time

import torch

ap = argparse.ArgumentParser()
ap.add_argument("--n", type=int, default=16300000)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--reps", type=int, default=5)
a = ap.parse_args()
torch.manual_seed(1)
for threads in sorted({1, a.threads}):
    torch.set_num_threads(threads)
    for foreach in (False, True):
        p = torch.nn.Parameter(torch.randn(a.n) * 0.02)
        p.grad = torch.randn(a.n) * 1e-3
        opt = torch.optim.AdamW([p], lr=1e-3, weight_decay=0.1, foreach=foreach)
        best = 1e30
        for _ in range(a.reps):
            t0 = time.perf_counter()
            opt.step()
            best = min(best, (time.perf_counter() - t0) * 1e3)
        print(f"  torch {'foreach' if foreach else 'for-loop'} {threads} thread(s): {best:8.2f} ms")
