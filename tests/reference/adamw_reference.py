#!/usr/bin/python3
"""Golden values for marketlm's AdamW: torch.optim.AdamW on two parameter
groups (weight decay 0.1 and 0.0), 4 steps with a changing learning rate.

Run from the repository root:  /usr/bin/python3 tests/reference/adamw_reference.py
Writes tests/reference/goldens/adamw_torch.json (checked in)."""
import json

import torch

torch.manual_seed(1234)
w = torch.randn(37, dtype=torch.float32)  # decayed group ("weight")
b = torch.randn(11, dtype=torch.float32)  # no-decay group ("bias")
w0, b0 = w.clone(), b.clone()
grads = [(torch.randn(37), torch.randn(11)) for _ in range(4)]
lrs = [1e-3, 2e-3, 1.5e-3, 5e-4]

pw, pb = torch.nn.Parameter(w), torch.nn.Parameter(b)
opt = torch.optim.AdamW([{"params": [pw], "weight_decay": 0.1}, {"params": [pb], "weight_decay": 0.0}],
                        lr=lrs[0], betas=(0.9, 0.95), eps=1e-8)
after = []
for (gw, gb), lr in zip(grads, lrs):
    for group in opt.param_groups:
        group["lr"] = lr
    pw.grad, pb.grad = gw.clone(), gb.clone()
    opt.step()
    after.append(torch.cat([pw.detach(), pb.detach()]).tolist())

out = {
    "torch_version": torch.__version__,
    "beta1": 0.9, "beta2": 0.95, "eps": 1e-8, "weight_decay": 0.1,
    "n_weight": 37, "n_bias": 11, "lrs": lrs,
    "params0": torch.cat([w0, b0]).tolist(),
    "grads": [torch.cat([gw, gb]).tolist() for gw, gb in grads],
    "params_after_step": after,
}
with open("tests/reference/goldens/adamw_torch.json", "w") as f:
    json.dump(out, f)
print("wrote tests/reference/goldens/adamw_torch.json")
