#!/usr/bin/python3
"""GPT-2 written from scratch in PyTorch (no transformers), the outside
reference marketlm's GPT is checked against.

  gpt2_reference.py goldens OUT_DIR
      Writes OUT_DIR/gpt2_tiny_params.safetensors (a tiny model, Hugging Face
      GPT-2 names) and OUT_DIR/gpt2_tiny_goldens.safetensors (inputs, targets,
      logits, loss, every parameter gradient, the losses of 10 AdamW steps).
      docs/numerics.md describes the format.
  gpt2_reference.py check-hf MODEL_DIR CHECK_FILE
      Loads MODEL_DIR (config.json + model.safetensors, by Hugging Face names,
      parsed by hand), runs the tokens in CHECK_FILE and compares with the
      logits marketlm wrote there. Exit 0 when they match, 1 when not,
      77 when torch is unavailable.

Run with Debian's /usr/bin/python3 (torch 1.13).
"""
import json
import math
import struct
import sys

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # pragma: no cover
    print("torch not available", file=sys.stderr)
    sys.exit(77)

BLOCK_NAMES = ["ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias",
               "attn.c_proj.weight", "attn.c_proj.bias", "ln_2.weight", "ln_2.bias",
               "mlp.c_fc.weight", "mlp.c_fc.bias", "mlp.c_proj.weight", "mlp.c_proj.bias"]


# ---------------------------------------------------------------- safetensors by hand
DTYPES = {"F32": (torch.float32, 4), "I32": (torch.int32, 4), "F64": (torch.float64, 8)}


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype, size = DTYPES[info["dtype"]]
        b, e = info["data_offsets"]
        count = (e - b) // size
        t = torch.frombuffer(bytearray(raw[base + b:base + e]), dtype=dtype, count=count) if count else \
            torch.zeros(0, dtype=dtype)
        out[name] = t.reshape(info["shape"]).clone()
    return out, header.get("__metadata__", {})


def write_safetensors(path, tensors, metadata=None):
    header, blobs, off = {}, [], 0
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    for name, t in tensors.items():
        t = t.detach().contiguous()
        dt = {torch.float32: "F32", torch.int32: "I32", torch.float64: "F64"}[t.dtype]
        data = t.numpy().tobytes()
        header[name] = {"dtype": dt, "shape": list(t.shape), "data_offsets": [off, off + len(data)]}
        blobs.append(data)
        off += len(data)
    h = json.dumps(header).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


# ---------------------------------------------------------------- the model
def param_shapes(cfg):
    C, V, L = cfg["n_embd"], cfg["vocab_size"], cfg["n_layer"]
    shapes = {"wte.weight": (V, C), "wpe.weight": (cfg["n_ctx"], C)}
    block = [(C,), (C,), (C, 3 * C), (3 * C,), (C, C), (C,), (C,), (C,), (C, 4 * C), (4 * C,), (4 * C, C), (C,)]
    for l in range(L):
        for name, s in zip(BLOCK_NAMES, block):
            shapes[f"h.{l}.{name}"] = s
    shapes["ln_f.weight"] = (C,)
    shapes["ln_f.bias"] = (C,)
    return shapes


def gelu_tanh(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x * x * x)))


def forward(p, cfg, idx):
    B, T = idx.shape
    C, NH, eps = cfg["n_embd"], cfg["n_head"], cfg["layer_norm_epsilon"]
    HS = C // NH
    x = p["wte.weight"][idx] + p["wpe.weight"][:T]
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
    for l in range(cfg["n_layer"]):
        w = lambda n: p[f"h.{l}.{n}"]  # noqa: E731
        h = F.layer_norm(x, (C,), w("ln_1.weight"), w("ln_1.bias"), eps)
        qkv = h @ w("attn.c_attn.weight") + w("attn.c_attn.bias")
        q, k, v = qkv.split(C, dim=2)
        q = q.view(B, T, NH, HS).transpose(1, 2)
        k = k.view(B, T, NH, HS).transpose(1, 2)
        v = v.view(B, T, NH, HS).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(HS)
        att = att.masked_fill(~causal, float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        x = x + (y @ w("attn.c_proj.weight") + w("attn.c_proj.bias"))
        h = F.layer_norm(x, (C,), w("ln_2.weight"), w("ln_2.bias"), eps)
        h = gelu_tanh(h @ w("mlp.c_fc.weight") + w("mlp.c_fc.bias"))
        x = x + (h @ w("mlp.c_proj.weight") + w("mlp.c_proj.bias"))
    x = F.layer_norm(x, (C,), p["ln_f.weight"], p["ln_f.bias"], eps)
    return x @ p["wte.weight"].t()


def loss_fn(logits, targets):
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1).long(), ignore_index=-1)


# ---------------------------------------------------------------- goldens
TINY = {"n_layer": 2, "n_head": 4, "n_embd": 32, "n_ctx": 16, "vocab_size": 67, "layer_norm_epsilon": 1e-5}
B, T = 2, 8
ADAMW = {"lr": 1e-3, "betas": (0.9, 0.95), "eps": 1e-8, "weight_decay": 0.1, "steps": 10}


def make_params(cfg, seed):
    g = torch.Generator().manual_seed(seed)
    p = {}
    proj_std = 0.02 / math.sqrt(2 * cfg["n_layer"])
    for name, shape in param_shapes(cfg).items():
        if "ln_" in name and name.endswith(".weight"):
            t = 1.0 + 0.1 * torch.randn(shape, generator=g)  # not exactly 1, so a swapped w/b shows
        elif name.endswith(".bias"):
            t = 0.02 * torch.randn(shape, generator=g)
        elif "c_proj.weight" in name:
            t = proj_std * torch.randn(shape, generator=g)
        else:
            t = 0.02 * torch.randn(shape, generator=g)
        p[name] = t.float()
    return p


def goldens(out_dir):
    torch.set_num_threads(1)
    cfg = TINY
    p = make_params(cfg, 1234)
    g = torch.Generator().manual_seed(99)
    idx = torch.randint(0, cfg["vocab_size"], (B, T), generator=g, dtype=torch.int64)
    tgt = torch.randint(0, cfg["vocab_size"], (B, T), generator=g, dtype=torch.int64)
    tgt[0, 3] = -1
    tgt[1, 0] = -1
    tgt[1, 7] = -1
    write_safetensors(f"{out_dir}/gpt2_tiny_params.safetensors", p, {"format": "pt"})

    params = {k: v.clone().requires_grad_(True) for k, v in p.items()}
    logits = forward(params, cfg, idx)
    loss = loss_fn(logits, tgt)
    loss.backward()
    out = {"inputs": idx.int(), "targets": tgt.int(), "logits": logits.detach(),
           "loss": loss.detach().reshape(1)}
    for k, v in params.items():
        out["grad." + k] = v.grad.detach()

    # 10 AdamW steps on the same batch; weight decay on 2-D tensors only.
    params = {k: v.clone().requires_grad_(True) for k, v in p.items()}
    decay = [v for k, v in params.items() if v.dim() == 2]
    no_decay = [v for k, v in params.items() if v.dim() != 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": ADAMW["weight_decay"]},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=ADAMW["lr"], betas=ADAMW["betas"], eps=ADAMW["eps"], foreach=False)
    losses = []
    for _ in range(ADAMW["steps"]):
        opt.zero_grad()
        l = loss_fn(forward(params, cfg, idx), tgt)
        losses.append(l.item())
        l.backward()
        opt.step()
    out["adamw_losses"] = torch.tensor(losses, dtype=torch.float32)
    meta = dict(cfg)
    meta.update({"B": B, "T": T, "adamw_lr": ADAMW["lr"], "adamw_beta1": ADAMW["betas"][0],
                 "adamw_beta2": ADAMW["betas"][1], "adamw_eps": ADAMW["eps"],
                 "adamw_weight_decay": ADAMW["weight_decay"], "adamw_steps": ADAMW["steps"],
                 "torch_version": torch.__version__})
    write_safetensors(f"{out_dir}/gpt2_tiny_goldens.safetensors", out, meta)
    print(f"loss {loss.item():.6f}; adamw losses {' '.join(f'{x:.5f}' for x in losses)}")


def check_hf(model_dir, check_file):
    torch.set_num_threads(1)
    with open(f"{model_dir}/config.json") as f:
        hf = json.load(f)
    assert hf["model_type"] == "gpt2" and hf["architectures"] == ["GPT2LMHeadModel"], hf
    cfg = {"n_layer": hf["n_layer"], "n_head": hf["n_head"], "n_embd": hf["n_embd"], "n_ctx": hf["n_positions"],
           "vocab_size": hf["vocab_size"], "layer_norm_epsilon": hf["layer_norm_epsilon"]}
    tensors, _ = read_safetensors(f"{model_dir}/model.safetensors")
    p = {}
    for name, shape in param_shapes(cfg).items():
        t = tensors.get(name, tensors.get("transformer." + name))
        if t is None or tuple(t.shape) != shape:
            print(f"tensor {name}: expected {shape}, got {None if t is None else tuple(t.shape)}")
            return 1
        p[name] = t
    check, _ = read_safetensors(check_file)
    idx = check["tokens"].long()
    with torch.no_grad():
        ref = forward(p, cfg, idx)
    got = check["logits"].reshape(ref.shape)
    diff = (ref - got).abs().max().item()
    print(f"max |logits diff| = {diff:.3g} over {ref.numel()} logits")
    return 0 if diff < 1e-4 else 1


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "goldens":
        goldens(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "check-hf":
        sys.exit(check_hf(sys.argv[2], sys.argv[3]))
    else:
        print(__doc__)
        sys.exit(2)
