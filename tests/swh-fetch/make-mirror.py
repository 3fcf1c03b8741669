#!/usr/bin/python3
"""make-mirror.py IN.jsonl DIR META.jsonl - a bucket-like mirror for tests
and benchmarks (Python standard library only).

For each record of IN (records with a "content" field, like the corpus and
tests/fixtures/code-sample.jsonl), write DIR/content/<blob_id>, the gzip
(mtime 0) of the content's UTF-8 bytes, as the Software Heritage bucket
stores it, after checking that SHA-1 of those bytes is blob_id.  Write the
records without "content" to META (what The Stack v2 metadata looks like).
IN may be "-" (stdin); a repeated blob_id is written once.
"""
import gzip
import hashlib
import json
import os
import sys


def main():
    src, root, meta = sys.argv[1:4]
    os.makedirs(os.path.join(root, "content"), exist_ok=True)
    fin = sys.stdin if src == "-" else open(src, encoding="utf-8")
    seen = set()
    with open(meta, "w", encoding="utf-8") as out:
        for line in fin:
            rec = json.loads(line)
            raw = rec.pop("content").encode("utf-8")
            blob = rec["blob_id"]
            if hashlib.sha1(raw).hexdigest() != blob:
                sys.exit("make-mirror: %s: content does not match" % blob)
            if blob not in seen:
                seen.add(blob)
                path = os.path.join(root, "content", blob)
                with open(path + ".tmp", "wb") as f:
                    f.write(gzip.compress(raw, compresslevel=6, mtime=0))
                os.rename(path + ".tmp", path)
            out.write(json.dumps(rec, ensure_ascii=False,
                                 separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
