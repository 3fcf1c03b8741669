#!/usr/bin/python3
"""swh_fetch_ref.py ENDPOINT META.jsonl [N] - the approach swh-fetch
replaces: one object at a time with boto3, as The Stack v2's builder
fetched contents (the-stack-v2 get_file_contents.py: get_object, gzip,
decode with src_encoding), plus the SHA-1 check swh-fetch makes.

Unsigned requests (the bucket is public), path-style addressing against
ENDPOINT (a local server in the benchmark).  Writes the records with
"content" to stdout; N limits the number of records.  Needs Debian's
python3-boto3.
"""
import gzip
import hashlib
import json
import sys

import boto3
from botocore import UNSIGNED
from botocore.config import Config


def main():
    endpoint, meta = sys.argv[1], sys.argv[2]
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else None
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                      config=Config(signature_version=UNSIGNED,
                                    s3={"addressing_style": "path"}))
    out = sys.stdout
    with open(meta, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if limit is not None and i >= limit:
                break
            rec = json.loads(line)
            obj = s3.get_object(Bucket="softwareheritage",
                                Key="content/" + rec["blob_id"])
            raw = gzip.decompress(obj["Body"].read())
            if hashlib.sha1(raw).hexdigest() != rec["blob_id"]:
                print("integrity: " + rec["blob_id"], file=sys.stderr)
                continue
            rec["content"] = raw.decode(rec.get("src_encoding") or "utf-8")
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
