#!/usr/bin/python3
"""jsonschema_peer.py - validate NDJSON records with python3-jsonschema.

The peer of `schema-check --no-rules` in bench/bench-schema-check.sh: what a
data engineer writes with Debian's python3-jsonschema (Draft202012Validator,
formats as annotations, $refs resolved from the schema's directory).

usage: jsonschema_peer.py SCHEMA [file ...]

Valid records go to stdout unchanged; the counts go to stderr as JSON.
"""
import json
import os
import sys

from jsonschema import Draft202012Validator, RefResolver


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__.split("\n\n")[2])
    path = sys.argv[1]
    with open(path, encoding="utf-8") as f:
        schema = json.load(f)
    Draft202012Validator.check_schema(schema)
    resolver = RefResolver(base_uri="file://" + os.path.abspath(path),
                           referrer=schema)
    v = Draft202012Validator(schema, resolver=resolver)
    n = bad = 0
    out = sys.stdout
    for name in sys.argv[2:] or ["-"]:
        f = sys.stdin if name == "-" else open(name, encoding="utf-8")
        for line in f:
            n += 1
            if v.is_valid(json.loads(line)):
                out.write(line)
            else:
                bad += 1
        if f is not sys.stdin:
            f.close()
    json.dump({"records": n, "invalid": bad}, sys.stderr)
    sys.stderr.write("\n")


if __name__ == "__main__":
    main()
