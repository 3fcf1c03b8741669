#!/bin/bash
# demo.sh - `make demo`: the whole pipeline on the sample shipped in the
# repository, offline.
#
# usage: demo.sh [OUTDIR]     (default: demo-out in the checkout)
#
# The input is pipelines/demo/metadata.jsonl: 500 real files from 18
# permissively licensed repositories as The Stack v2 metadata (no content).
# The contents come from a local copy of the Software Heritage bucket that
# pipelines/demo/build-mirror.py makes from tests/fixtures/code-sample.jsonl
# (OUTDIR/mirror/content/<blob_id>, gzip, as on S3), so nothing touches the
# network.  Then pipelines/run.sh runs the seven stages with params.yaml
# (fetch.mirror pointing at the local bucket) and the funnel, the dataset
# and the HTML report are printed.  With PUSHGATEWAY_URL set, every stage
# pushes its metrics there.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
out=${1:-demo-out}
mkdir -p "$out"
echo "demo: building the local bucket from tests/fixtures/code-sample.jsonl" >&2
python3 pipelines/demo/build-mirror.py tests/fixtures/code-sample.jsonl "$out/mirror" >&2
rm -rf "$out/reports"
echo "demo: running the pipeline on pipelines/demo/metadata.jsonl" >&2
pipelines/run.sh -q -w "$out" -S fetch.mirror="$out/mirror" \
    pipelines/demo/metadata.jsonl
echo
pipelines/funnel.sh "$out/reports"
echo
echo "dataset:     $out/dataset.jsonl.zst ($(zstd -dc "$out/dataset.jsonl.zst" | wc -l) records)"
echo "HTML report: $out/reports/stats/report.html"
echo "JSON report: $out/reports/stats/report.json"
echo "rejects:     $out/reports/*.rejects.jsonl"
