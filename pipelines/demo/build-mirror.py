#!/usr/bin/env python3
"""build-mirror.py - make a local Software Heritage bucket for the demo.

usage: build-mirror.py [FIXTURE] MIRROR

Reads records that carry their file's `content` (by default the 500 real
files of tests/fixtures/code-sample.jsonl) and writes each file as the
Software Heritage S3 bucket stores it: MIRROR/content/<blob_id> holds the
gzip of the raw bytes, and blob_id is the SHA-1 of those bytes.  swh-fetch
--mirror MIRROR then reads it exactly as it reads s3://softwareheritage/,
with no network.

The raw bytes are the content encoded back to its `src_encoding` (UTF-8 when
absent); a record whose bytes do not hash to its blob_id stops the build,
since swh-fetch would reject it.  Objects are written atomically and
reproducibly (gzip mtime 0); an object already there and correct is kept,
so a second run is cheap.  Standard library only.
"""

import gzip
import hashlib
import json
import os
import sys
import tempfile

def raw_bytes(rec, where):
    # The Stack v2 decoded with Python's codec of that name (cchardet's
    # spelling, which Python accepts), so encoding back gives the bytes.
    enc = rec.get("src_encoding") or "UTF-8"
    try:
        return rec["content"].encode(enc)
    except (LookupError, UnicodeError) as e:
        sys.exit(f"build-mirror.py: {where}: cannot encode content as {enc}: {e}")


def object_ok(path, blob_id):
    try:
        with gzip.open(path, "rb") as f:
            return hashlib.sha1(f.read()).hexdigest() == blob_id
    except (OSError, EOFError):
        return False


def main(argv):
    if len(argv) == 2:
        fixture, mirror = argv
    elif len(argv) == 1:
        top = os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__))))
        fixture = os.path.join(top, "tests", "fixtures", "code-sample.jsonl")
        mirror = argv[0]
    else:
        sys.exit("usage: build-mirror.py [FIXTURE] MIRROR")
    objdir = os.path.join(mirror, "content")
    os.makedirs(objdir, exist_ok=True)
    records = written = kept = 0
    seen = set()
    with open(fixture, "rb") as f:
        for n, line in enumerate(f, 1):
            where = f"{fixture}:{n}"
            try:
                rec = json.loads(line)
                blob_id = rec["blob_id"]
                rec["content"]
            except (ValueError, KeyError, TypeError) as e:
                sys.exit(f"build-mirror.py: {where}: not a record with "
                         f"blob_id and content: {e}")
            records += 1
            if blob_id in seen:
                continue
            seen.add(blob_id)
            raw = raw_bytes(rec, where)
            if hashlib.sha1(raw).hexdigest() != blob_id:
                sys.exit(f"build-mirror.py: {where}: sha1 of the content is "
                         f"not blob_id {blob_id}")
            path = os.path.join(objdir, blob_id)
            if object_ok(path, blob_id):
                kept += 1
                continue
            fd, tmp = tempfile.mkstemp(dir=objdir, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as out:
                    # mtime=0 and no file name: the same bytes on every run
                    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0,
                                       filename="") as gz:
                        gz.write(raw)
                os.replace(tmp, path)
            except BaseException:
                os.unlink(tmp)
                raise
            written += 1
    print(f"build-mirror.py: {records} records, {len(seen)} objects "
          f"({written} written, {kept} already there) in {objdir}")


if __name__ == "__main__":
    main(sys.argv[1:])
