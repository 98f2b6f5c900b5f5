#!/usr/bin/python3
"""Reference segmentations from Debian's python3-jieba, for the C++ segmenter test.

Prints one JSON object per line, {"text": ..., "words": [...]}, where words is
jieba.lcut(text, HMM=False), or jieba.lcut(text) with --hmm. The sentences are real text from ../shared/data:
every ADGEN ad copy (summary) and attribute string (content), and every k-th
review of online_shopping_10_cats (all ten categories), up to --n sentences.
Nothing is written to disk; tests/apps/adcopy/segmenter_data_test.cpp runs this
at test time and compares.

Usage: /usr/bin/python3 scripts/data/jieba_reference.py [--n 3000] [--hmm] [--data ../shared/data]
"""
import argparse
import csv
import io
import json
import logging
import os
import sys
import zipfile

import jieba


def sentences(data_dir, n):
    out = []
    with open(os.path.join(data_dir, "advertisegen", "dev.json"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                row = json.loads(line)
                out.append(row["summary"])
                out.append(row["content"])
    zpath = os.path.join(data_dir, "chinese_reviews", "online_shopping_10_cats.zip")
    with zipfile.ZipFile(zpath) as z:
        name = z.namelist()[0]
        text = z.read(name).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))[1:]
    need = max(0, n - len(out))
    step = max(1, len(rows) // max(1, need))
    for i in range(0, len(rows), step):
        if len(out) >= n:
            break
        if len(rows[i]) >= 3 and rows[i][2].strip():
            out.append(rows[i][2])
    return out[:n]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--hmm", action="store_true", help="jieba.lcut(s) with the HMM (default: HMM=False)")
    ap.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data"))
    args = ap.parse_args()
    jieba.setLogLevel(logging.WARNING)
    for s in sentences(args.data, args.n):
        sys.stdout.write(json.dumps({"text": s, "words": jieba.lcut(s, HMM=args.hmm)}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
