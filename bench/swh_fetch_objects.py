#!/usr/bin/python3
"""swh_fetch_objects.py CORPUS.jsonl N DIR - N gzip objects for the
swh-fetch benchmark, laid out like the Software Heritage bucket.

Writes DIR/content/<sha1> (gzip of the file's bytes, as the bucket holds
them) and DIR/meta.jsonl (one Stack v2-style metadata record per object:
the corpus record without "content", with blob_id, content_id and
length_bytes of the object).  The corpus has fewer distinct files than N,
so after every distinct file comes a variant of it (one more newline at
the end), until there are N objects.  Standard library only.
"""
import gzip
import hashlib
import json
import os
import sys


def main():
    src, n, root = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    os.makedirs(os.path.join(root, "content"), exist_ok=True)
    recs, seen = [], set()
    with open(src, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r["blob_id"] not in seen:
                seen.add(r["blob_id"])
                recs.append(r)
    made = 0
    suffix = ""
    with open(os.path.join(root, "meta.jsonl"), "w", encoding="utf-8") as out:
        while made < n:
            for r in recs:
                if made == n:
                    break
                raw = (r["content"] + suffix).encode("utf-8")
                sha1 = hashlib.sha1(raw).hexdigest()
                if sha1 in seen and suffix:
                    continue
                seen.add(sha1)
                with open(os.path.join(root, "content", sha1), "wb") as g:
                    g.write(gzip.compress(raw, compresslevel=6, mtime=0))
                m = {k: v for k, v in r.items() if k != "content"}
                m["blob_id"] = sha1
                m["content_id"] = hashlib.sha1(
                    b"blob %d\0" % len(raw) + raw).hexdigest()
                m["length_bytes"] = len(raw)
                out.write(json.dumps(m, ensure_ascii=False,
                                     separators=(",", ":")) + "\n")
                made += 1
            suffix += "\n"


if __name__ == "__main__":
    main()
