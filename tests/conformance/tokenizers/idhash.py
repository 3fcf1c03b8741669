#!/usr/bin/env python3
"""idhash.py [FIELD] < records.jsonl: for each JSON line with token_ids (tok-count
--ids or tok_ref.js --ids output), print [n_tokens, ids_hash], where ids_hash is
the first 16 hex digits of SHA-256 over the ids as little-endian uint32 (the form
of ../shared/tokenizers/testdata/golden/code-corpus.tokens.jsonl)."""
import hashlib
import json
import struct
import sys

field = sys.argv[1] if len(sys.argv) > 1 else "token_ids"
for line in sys.stdin:
    ids = json.loads(line)[field]
    h = hashlib.sha256(struct.pack("<%dI" % len(ids), *ids)).hexdigest()[:16]
    print(json.dumps([len(ids), h], separators=(",", ":")))
