#!/usr/bin/python3
"""gen-near.py - synthetic records with known near duplicates, for
dedup-near's memory and scale benchmarks.

usage: gen-near.py [-n RECORDS] [--seed N] [--tokens MIN:MAX] [--dups P]
                   [--copies P] > records.jsonl

Each record is {"blob_id": sha1 of the content, "path", "stars", "content"}
where content is a code-like text of MIN to MAX tokens drawn from a fixed
vocabulary.  A share P of the records (--dups, default 0.10) are near
duplicates of an earlier record (1% of its tokens, at least one, replaced:
Jaccard 0.78 to 0.95), --copies
(default 0.02) exact copies.  The same arguments give the same bytes.
Uses only the standard library; about 60k records a second.
"""
import argparse
import hashlib
import json
import random
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=1000000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tokens", default="40:120")
    ap.add_argument("--dups", type=float, default=0.10)
    ap.add_argument("--copies", type=float, default=0.02)
    a = ap.parse_args()
    lo, hi = (int(x) for x in a.tokens.split(":"))
    rnd = random.Random(a.seed)
    vocab = ["%s%d" % (w, i) for i, w in enumerate(
        ["get", "set", "value", "index", "buf", "len", "node", "next",
         "count", "item", "key", "size", "data", "ptr", "err", "res"] * 250)]
    punct = [" = ", "(", ");\n", ", ", " + ", "->", "; ", " {\n", "}\n"]
    recent = []        # token lists of recent records, for duplicates
    out = sys.stdout
    for i in range(a.n):
        r = rnd.random()
        if recent and r < a.copies:
            toks = list(rnd.choice(recent))
        elif recent and r < a.copies + a.dups:
            toks = list(rnd.choice(recent))
            for _ in range(max(1, len(toks) // 100)):
                toks[rnd.randrange(len(toks))] = rnd.choice(vocab)
        else:
            toks = [rnd.choice(vocab) for _ in range(rnd.randint(lo, hi))]
        if len(recent) < 10000:
            recent.append(toks)
        else:
            recent[rnd.randrange(10000)] = toks
        text = "".join(t + punct[k % len(punct)] for k, t in enumerate(toks))
        out.write(json.dumps({
            "blob_id": hashlib.sha1(text.encode()).hexdigest(),
            "path": "/src/f%d.c" % i,
            "stars": rnd.randrange(1000),
            "content": text}, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
