#!/bin/bash
# make-sample.sh - rebuild pipelines/demo/metadata.jsonl, the demo's input.
#
# The demo input is The Stack v2 as users get it: metadata only, one record
# per file, no content (swh-fetch gets it).  It is made from the 500 real
# files of tests/fixtures/code-sample.jsonl by dropping their `content`;
# build-mirror.py makes the matching bucket from the same fixture.
# A test checks that the committed file is what this script writes.
#
# usage: make-sample.sh [FIXTURE [OUT]]
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
fixture=${1:-$top/tests/fixtures/code-sample.jsonl}
out=${2:-$top/pipelines/demo/metadata.jsonl}
tmp=$out.tmp.$$
trap 'rm -f "$tmp"' EXIT
jq -c 'del(.content)' "$fixture" > "$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "make-sample.sh: $(wc -l < "$out") records -> $out"
