#!/usr/bin/python3
"""Greedy generation with the from-scratch PyTorch GPT-2 of gpt2_reference.py,
the outside reference for marketlm's GptDecoder + generate().

  gpt2_greedy_reference.py MODEL_DIR PROMPT_IDS MAX_NEW_TOKENS [EOS_ID]
      MODEL_DIR: config.json + model.safetensors (Hugging Face GPT-2 names).
      PROMPT_IDS: comma-separated token ids. Prints one JSON object:
      {"token_ids": [...], "margins": [...]} where token_ids are the new
      tokens (full recomputation each step, no cache, argmax with the lowest
      id winning ties; stops before EOS_ID when given) and margins the gap
      between the best and second-best logit at each step (a tiny margin means
      float rounding could legitimately pick the other token).
      Exit 77 when torch is unavailable.

Run with Debian's /usr/bin/python3 (torch 1.13).
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import torch
except ImportError:  # pragma: no cover
    print("torch not available", file=sys.stderr)
    sys.exit(77)
import gpt2_reference as ref  # noqa: E402


def load(model_dir):
    with open(os.path.join(model_dir, "config.json")) as f:
        hf = json.load(f)
    cfg = {"n_layer": hf["n_layer"], "n_head": hf["n_head"], "n_embd": hf["n_embd"], "n_ctx": hf["n_positions"],
           "vocab_size": hf["vocab_size"], "layer_norm_epsilon": hf["layer_norm_epsilon"]}
    tensors, _ = ref.read_safetensors(os.path.join(model_dir, "model.safetensors"))
    p = {name: tensors.get(name, tensors.get("transformer." + name)) for name in ref.param_shapes(cfg)}
    return p, cfg


def greedy(p, cfg, prompt, max_new, eos):
    ids = list(prompt)
    new, margins = [], []
    with torch.no_grad():
        for _ in range(max_new):
            logits = ref.forward(p, cfg, torch.tensor([ids]))[0, -1].double()
            top2 = torch.topk(logits, 2).values
            # argmax with the lowest index winning exact ties
            best = int(torch.nonzero(logits == logits.max())[0, 0])
            margins.append(float(top2[0] - top2[1]))
            if eos is not None and best == eos:
                break
            new.append(best)
            ids.append(best)
    return new, margins


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        print(__doc__)
        sys.exit(2)
    torch.set_num_threads(1)
    params, config = load(sys.argv[1])
    prompt_ids = [int(x) for x in sys.argv[2].split(",") if x.strip()]
    eos_id = int(sys.argv[4]) if len(sys.argv) == 5 else None
    tokens, gaps = greedy(params, config, prompt_ids, int(sys.argv[3]), eos_id)
    print(json.dumps({"token_ids": tokens, "margins": gaps}))
