#!/usr/bin/python3
"""PyTorch side of the GPT training-step benchmark: the same model and batch
as bench/gpt_train_bench.cpp (GPT-2 small B=4 T=64, or the tiny 4x256 config
B=8 T=128), forward+backward per step, fp32 and bf16 autocast, 2 threads.

  /usr/bin/python3 bench/gpt_train_bench.py --config small|tiny [--steps N] [--threads 2]
"""
import argparse
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "reference"))
import gpt2_reference as ref  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="small", choices=["small", "tiny"])
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cfg = {"n_layer": 12, "n_head": 12, "n_embd": 768, "n_ctx": 1024, "vocab_size": 50257,
           "layer_norm_epsilon": 1e-5}
    B, T = 4, 64
    if args.config == "tiny":
        cfg.update({"n_layer": 4, "n_head": 4, "n_embd": 256})
        B, T = 8, 128
    params = {k: v.requires_grad_(True) for k, v in ref.make_params(cfg, 1).items()}
    n_params = sum(p.numel() for p in params.values())
    g = torch.Generator().manual_seed(2)
    idx = torch.randint(0, cfg["vocab_size"], (B, T), generator=g)
    tgt = torch.randint(0, cfg["vocab_size"], (B, T), generator=g)
    print(f"torch {torch.__version__}, {args.threads} threads, config {args.config}: {n_params / 1e6:.1f}M params, "
          f"B={B} T={T}")
    for mode in ["fp32", "bf16"]:
        def step():
            for p in params.values():
                p.grad = None
            if mode == "bf16":
                with torch.autocast("cpu", dtype=torch.bfloat16):
                    loss = ref.loss_fn(ref.forward(params, cfg, idx), tgt)
            else:
                loss = ref.loss_fn(ref.forward(params, cfg, idx), tgt)
            loss.backward()
            return loss.item()
        step()  # warm-up
        times = []
        cpu0 = time.process_time()
        for _ in range(args.steps):
            t0 = time.perf_counter()
            loss = step()
            times.append((time.perf_counter() - t0) * 1e3)
        cpu = (time.process_time() - cpu0) * 1e3 / args.steps
        med = statistics.median(times)
        print(f"pytorch {mode}: median {med:.1f} ms/step, best {min(times):.1f} ms, tokens/s {B * T / med * 1e3:.0f}, "
              f"loss {loss:.4f}")
        print(f"pytorch {mode}: CPU time per step (all threads) {cpu:.1f} ms")
        print(f"RESULT pytorch_{mode}_ms_per_step={med:.1f}")
        print(f"RESULT pytorch_{mode}_cpu_ms_per_step={cpu:.1f}")


if __name__ == "__main__":
    main()
