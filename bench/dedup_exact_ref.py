#!/usr/bin/env python3
"""What the system we replace did for exact dedup: json.loads every line,
sha256 of the content, a set of digests; print the first record of each.
Reads NDJSON on stdin (or a file argument), writes kept lines to stdout."""
import hashlib
import json
import sys


def main():
    src = open(sys.argv[1], "rb") if len(sys.argv) > 1 else sys.stdin.buffer
    out = sys.stdout.buffer
    seen = set()
    for line in src:
        rec = json.loads(line)
        digest = hashlib.sha256(rec["content"].encode("utf-8")).digest()
        if digest in seen:
            continue
        seen.add(digest)
        out.write(line)


if __name__ == "__main__":
    main()
