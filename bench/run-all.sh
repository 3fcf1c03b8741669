#!/bin/bash
# run-all.sh [CORPUS.jsonl.zst] - run every bench/bench-*.sh in turn.
# The corpus defaults to ../shared/corpus/code-corpus.jsonl.zst (or $CORPUS).
set -uo pipefail
cd "$(dirname "$0")/.."
st=0
for b in bench/bench-*.sh; do
	echo "=== $b"
	CODESIFT_BENCH_LOCKED=1 flock /tmp/codesift-bench.lock bash "$b" "$@" || st=1
done
exit $st
