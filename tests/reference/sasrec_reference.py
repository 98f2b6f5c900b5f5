#!/usr/bin/python3
"""PyTorch reference for SASRec (Kang & McAuley, "Self-Attentive Sequential
Recommendation", ICDM 2018), written from the paper, for the C++ parity test.

Model (dropout off when writing goldens):
  E      = item_emb[seq] * sqrt(d) + pos_emb[0..T-1]      seq left-padded with item 0
  E      = E * nonpad                                     padded rows zeroed
  block  x = x + Attn(LN1(x));  x = x + W2 ReLU(W1 LN2(x) + b1) + b2;  x = x * nonpad
  F      = LN_final(x)
  r(i,t) = <F_t, item_emb[i]>                              shared item embeddings
Attention is multi-head softmax(Q K^T / sqrt(d_head)) V with Q, K, V all from
LN1(x) (the paper's pre-LN form, which is what the shared nn/ block computes;
the authors' TensorFlow code normalises only the queries). Position t may
attend position s when s <= t and s is not padding (a padded row attends only
itself; its output is zeroed anyway). With that mask, a left-padded sequence of
length L gives exactly what the unpadded sequence gives with positions
T-L..T-1, i.e. plain causal attention: checked below.

Losses, averaged over non-padded target positions:
  bce = -log sigmoid(r(pos_t, t)) - log(1 - sigmoid(r(neg_t, t)))   one sampled negative per position
  ce  = cross-entropy of softmax over items 1..n_items (padding row excluded)

Writes one safetensors file (layout in docs/recsys.md) holding the config,
inputs, every parameter, forward outputs, both losses and the gradient of
each loss with respect to every parameter.

Run: /usr/bin/python3 tests/reference/sasrec_reference.py [--out PATH]
"""
import argparse
import json
import math
import struct

import torch
import torch.nn.functional as F


class SASRec(torch.nn.Module):
    def __init__(self, n_items, maxlen, d, n_blocks, n_heads, dropout=0.0, eps=1e-8):
        super().__init__()
        assert d % n_heads == 0
        self.n_items, self.maxlen, self.d, self.n_heads, self.eps = n_items, maxlen, d, n_heads, eps
        self.item_emb = torch.nn.Embedding(n_items + 1, d, padding_idx=0)
        self.pos_emb = torch.nn.Embedding(maxlen, d)
        self.drop = torch.nn.Dropout(dropout)
        self.blocks = torch.nn.ModuleList()
        for _ in range(n_blocks):
            b = torch.nn.Module()
            b.ln1 = torch.nn.LayerNorm(d, eps=eps)
            b.q = torch.nn.Linear(d, d)
            b.k = torch.nn.Linear(d, d)
            b.v = torch.nn.Linear(d, d)
            b.o = torch.nn.Linear(d, d)
            b.ln2 = torch.nn.LayerNorm(d, eps=eps)
            b.fc1 = torch.nn.Linear(d, d)
            b.fc2 = torch.nn.Linear(d, d)
            self.blocks.append(b)
        self.ln_final = torch.nn.LayerNorm(d, eps=eps)

    def attention(self, b, h, nonpad):
        B, T, C = h.shape
        NH, HS = self.n_heads, C // self.n_heads
        q = b.q(h).view(B, T, NH, HS).transpose(1, 2)
        k = b.k(h).view(B, T, NH, HS).transpose(1, 2)
        v = b.v(h).view(B, T, NH, HS).transpose(1, 2)
        att = q @ k.transpose(-1, -2) / math.sqrt(HS)              # B NH T T
        causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
        allowed = causal[None] & (nonpad[:, None, :] | torch.eye(T, dtype=torch.bool)[None])
        att = att.masked_fill(~allowed[:, None], float("-inf"))
        att = self.drop(torch.softmax(att, dim=-1))
        self.last_attention = att
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        return b.o(y)

    def hidden(self, seq, pos_offset=0):
        B, T = seq.shape
        nonpad = seq != 0
        positions = torch.arange(T) + pos_offset
        x = self.item_emb(seq) * math.sqrt(self.d) + self.pos_emb(positions)[None]
        x = self.drop(x) * nonpad[..., None]
        for b in self.blocks:
            x = x + self.drop(self.attention(b, b.ln1(x), nonpad))
            x = x + self.drop(b.fc2(self.drop(F.relu(b.fc1(b.ln2(x))))))
            x = x * nonpad[..., None]
        return self.ln_final(x)

    def losses(self, seq, pos, neg):
        out = self.hidden(seq)
        pos_logits = (out * self.item_emb(pos)).sum(-1)
        neg_logits = (out * self.item_emb(neg)).sum(-1)
        valid = pos != 0
        bce = (F.binary_cross_entropy_with_logits(pos_logits[valid], torch.ones_like(pos_logits[valid]), reduction="sum")
               + F.binary_cross_entropy_with_logits(neg_logits[valid], torch.zeros_like(neg_logits[valid]), reduction="sum")
               ) / valid.sum()
        all_logits = out @ self.item_emb.weight[1:].t()            # B T n_items (item i at column i-1)
        ce = F.cross_entropy(all_logits[valid], pos[valid] - 1)
        return out, pos_logits, neg_logits, all_logits, bce, ce


def write_safetensors(path, tensors, metadata):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        dtype = {torch.float32: "F32", torch.int64: "I64", torch.int32: "I32"}[t.dtype]
        raw = t.numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for raw in blobs:
            f.write(raw)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="tests/reference/goldens/sasrec_tiny.safetensors")
    ap.add_argument("--seed", type=int, default=1234)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    cfg = dict(n_items=20, maxlen=8, d=16, n_blocks=2, n_heads=2, eps=1e-8)
    model = SASRec(cfg["n_items"], cfg["maxlen"], cfg["d"], cfg["n_blocks"], cfg["n_heads"], eps=cfg["eps"])
    with torch.no_grad():
        # Xavier-normal matrices (as common SASRec ports do), padding row zero,
        # small random biases and non-trivial LayerNorm parameters so the test
        # sees every parameter.
        for name, p in model.named_parameters():
            if p.dim() > 1:
                torch.nn.init.xavier_normal_(p)
            elif name.endswith("bias"):
                p.copy_(0.05 * torch.randn_like(p))
        model.item_emb.weight[0].zero_()
        for m in model.modules():
            if isinstance(m, torch.nn.LayerNorm):
                m.weight.add_(0.1 * torch.randn_like(m.weight))
                m.bias.add_(0.1 * torch.randn_like(m.bias))
    model.eval()
    T = cfg["maxlen"]
    # Three users' histories, left-padded: lengths 8 (full), 5 and 2.
    histories = [[3, 7, 1, 12, 5, 9, 20, 2], [4, 4, 11, 6, 15], [18, 10]]
    next_items = [[7, 1, 12, 5, 9, 20, 2, 14], [4, 11, 6, 15, 8], [10, 13]]
    seq = torch.zeros(3, T, dtype=torch.int64)
    pos = torch.zeros(3, T, dtype=torch.int64)
    neg = torch.zeros(3, T, dtype=torch.int64)
    g = torch.Generator().manual_seed(args.seed + 1)
    for b, (h, nx) in enumerate(zip(histories, next_items)):
        L = len(h)
        seq[b, T - L:] = torch.tensor(h)
        pos[b, T - L:] = torch.tensor(nx)
        seen = set(h) | set(nx)
        for t in range(T - L, T):
            while True:
                j = int(torch.randint(1, cfg["n_items"] + 1, (1,), generator=g))
                if j not in seen:
                    break
            neg[b, t] = j

    out, pos_logits, neg_logits, all_logits, bce, ce = model.losses(seq, pos, neg)
    attention_last_block = model.last_attention  # B NH T T, before the checks below overwrite it

    # Padding check: the left-padded row equals the unpadded sequence run with
    # positions T-L..T-1 and plain causal attention.
    for b, h in enumerate(histories):
        L = len(h)
        alone = model.hidden(torch.tensor([h]), pos_offset=T - L)
        assert torch.allclose(alone[0], out[b, T - L:], atol=1e-5), "padding leaks into real positions"
    # BCE check against a hand-written formula.
    valid = pos != 0
    manual = -(F.logsigmoid(pos_logits[valid]).sum() + F.logsigmoid(-neg_logits[valid]).sum()) / valid.sum()
    assert torch.allclose(manual, bce)

    tensors = {"input.seq": seq, "input.pos": pos, "input.neg": neg,
               "out.hidden": out, "out.pos_logits": pos_logits, "out.neg_logits": neg_logits,
               "out.all_logits": all_logits, "out.attention_last_block": attention_last_block,
               "loss.bce": bce.reshape(1), "loss.ce": ce.reshape(1)}
    params = dict(model.named_parameters())
    for name, p in params.items():
        tensors["param." + name] = p
    for loss_name, loss in (("bce", bce), ("ce", ce)):
        grads = torch.autograd.grad(loss, list(params.values()), retain_graph=True)
        for name, gr in zip(params, grads):
            tensors[f"grad.{loss_name}.{name}"] = gr
    meta = {"config": json.dumps(cfg), "torch": torch.__version__,
            "generator": "tests/reference/sasrec_reference.py", "seed": str(args.seed),
            "attention": "pre-LN on Q,K,V; causal + key padding mask",
            "linear_layout": "weight [out, in], y = x W^T + b"}
    write_safetensors(args.out, tensors, meta)
    print(f"wrote {args.out}: {len(tensors)} tensors, bce {bce.item():.6f}, ce {ce.item():.6f}")


if __name__ == "__main__":
    main()
