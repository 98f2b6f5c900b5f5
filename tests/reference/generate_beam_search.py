#!/usr/bin/env python3
"""Goldens for marketlm's beam search: Hugging Face's beam search rules
(BeamSearchScorer.process / finalize, BeamHypotheses.add / is_done, top
max(2, 1 + #eos) * num_beams candidates, -1e9 initial scores for all but the
first beam) re-expressed in torch on a random trigram model. transformers is
not installed here; this is an independent implementation of those rules.
Vocabulary 10 and num_beams <= 10 / max(2, 1 + #eos) keep HF's placeholder
beams out of the result, so marketlm's one-live-beam start must agree.

Run: /usr/bin/python3 tests/reference/generate_beam_search.py > tests/generate/golden/beam_search.json
"""
import json

import torch

V = 10


def logits_for(table, hist):
    return table[hist[-2] * V + hist[-1]]


class Hyps:
    def __init__(self, n, lp, es, max_new):
        self.n, self.lp, self.es, self.max_new = n, lp, es, max_new
        self.items = []
        self.worst = 1e9

    def add(self, tokens, sum_lp, gen_len):
        score = sum_lp / (gen_len ** self.lp)
        if len(self.items) < self.n or score > self.worst:
            self.items.append((score, tokens))
            if len(self.items) > self.n:
                order = sorted((s, i) for i, (s, _) in enumerate(self.items))
                del self.items[order[0][1]]
                self.worst = order[1][0]
            else:
                self.worst = min(score, self.worst)

    def is_done(self, best_sum, gen_len):
        if len(self.items) < self.n:
            return False
        if self.es is True:
            return True
        if self.es == "never" and self.lp > 0:
            best = best_sum / self.max_new ** self.lp
        else:
            best = best_sum / gen_len ** self.lp
        return self.worst >= best


def beam_search(table, prompt, B, max_new, eos, lp, es, n_ret):
    beams = [[] for _ in range(B)]
    scores = torch.tensor([0.0] + [-1e9] * (B - 1), dtype=torch.float32)
    hyps = Hyps(B, lp, es, max_new)
    n_keep = max(2, 1 + len(eos)) * B
    done = False
    for step in range(max_new):
        rows = torch.stack([torch.log_softmax(logits_for(table, prompt + b), -1) for b in beams])
        flat = (rows + scores[:, None]).view(-1)
        top_s, top_i = torch.topk(flat, n_keep)
        nxt = []
        for rank, (s, i) in enumerate(zip(top_s.tolist(), top_i.tolist())):
            b, t = divmod(i, V)
            if t in eos:
                if rank >= B:
                    continue
                hyps.add(list(beams[b]), s, len(beams[b]) + 1)
            else:
                nxt.append((s, b, t))
            if len(nxt) == B:
                break
        done = done or hyps.is_done(top_s[0].item(), step + 1)
        beams = [beams[b] + [t] for _, b, t in nxt]
        scores = torch.tensor([s for s, _, _ in nxt], dtype=torch.float32)
        if done:
            break
    if not done:
        for b, s in zip(beams, scores.tolist()):
            hyps.add(list(b), s, len(b))
    best = sorted(hyps.items, key=lambda x: -x[0])[:n_ret]
    return [{"tokens": t, "score": s} for s, t in best]


def main():
    g = torch.Generator().manual_seed(7)
    table = torch.randn(V * V, V, generator=g) * 1.5
    cases = []
    settings = [
        # beams, max_new, eos, length_penalty, early_stopping, n_return
        (2, 6, [0], 1.0, False, 2), (3, 6, [0], 1.0, False, 3), (4, 7, [0], 1.0, True, 2),
        (4, 7, [0], 0.0, False, 4), (5, 6, [0], 2.0, "never", 3), (3, 8, [0, 1], 1.0, False, 3),
        (3, 8, [0, 1], -0.5, True, 1), (2, 5, [0, 1], 0.6, "never", 2), (4, 6, [], 1.0, False, 4),
        (5, 8, [0], 1.0, "never", 5), (5, 8, [0], 1.0, True, 5), (3, 5, [2], 1.0, False, 1),
    ]
    for p_i, prompt in enumerate([[3, 4], [5, 9, 1], [8, 8]]):
        for B, max_new, eos, lp, es, n_ret in settings:
            cases.append({"prompt": prompt, "num_beams": B, "max_new_tokens": max_new, "eos": eos,
                          "length_penalty": lp, "early_stopping": es, "num_return_sequences": n_ret,
                          "expected": beam_search(table, prompt, B, max_new, eos, lp, es, n_ret)})
    print(json.dumps({"source": "tests/reference/generate_beam_search.py", "vocab": V,
                      "table": table.view(-1).tolist(), "cases": cases}))


if __name__ == "__main__":
    main()
