#!/bin/bash
# bench-stats-agg.sh [CORPUS.jsonl.zst] - stats-agg beside the
# straightforward Python script (bench/stats_agg_ref.py: json.loads, lists,
# exact quantiles) and beside cat, on the real corpus; then peak RSS at 1x
# and 10x the input.
#
# The corpus is decompressed once (bench/lib.sh corpus_file); the 10x
# input is that file ten times (1.7 GB, in BENCH_TMP or /tmp, removed at
# the end).  Throughput is MB of NDJSON input (10^6 bytes) per second of
# wall time, and per CPU second (user + sys: the machine is shared, so CPU
# time is the steadier per-core figure).  stats-agg and cat: best of RUNS
# (default 5); Python: one run.  Environment: RUNS, QUICK=1 skips the
# Python run at 10x (about 100 s).  Run it through bench/run-all.sh (or
# under flock /tmp/codesift-bench.lock) so benchmarks do not overlap.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
top=$BENCH_TOP
runs=${RUNS:-5}
PY=/usr/bin/python3; [ -x $PY ] || PY=python3
[ -x "$top/bin/stats-agg" ] || { echo "bench: build first (make)" >&2; exit 2; }
in=$(corpus_file "${1:-}")
corpus=${1:-${CORPUS:-$top/../shared/corpus/code-corpus.jsonl.zst}}
tmp=$(mktemp -d "${BENCH_TMP:-/tmp}/bench-stats-agg.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
bin=$top/bin
ln -s "$in" "$tmp/in.jsonl"

for i in 1 2 3 4 5 6 7 8 9 10; do cat "$tmp/in.jsonl"; done > "$tmp/in10.jsonl"
bytes=$(stat -L -c %s "$tmp/in.jsonl")
recs=$(wc -l < "$tmp/in.jsonl")

# measure NAME CMD...: best wall time of $runs; sets W (wall s), C (cpu s),
# M (peak RSS KB) of that run
measure() {
	local n=$1 i w c m
	shift
	W= C= M=
	for ((i = 0; i < n; i++)); do
		/usr/bin/time -f '%e %U %S %M' -o "$tmp/t" "$@" > /dev/null
		read -r w u s m < "$tmp/t"
		c=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
		if [ -z "$W" ] || awk -v a="$w" -v b="$W" 'BEGIN { exit !(a < b) }'; then
			W=$w C=$c M=$m
		fi
	done
}

row() {	# name bytes records
	awk -v n="$1" -v b="$2" -v r="$3" -v w="$W" -v c="$C" -v m="$M" 'BEGIN {
		w = w > 0 ? w : 0.01; c = c > 0 ? c : 0.01
		printf "%-30s %7.2f %7.2f %9.1f %9.1f %10.0f %8.1f\n", n, w, c,
		    b / 1e6 / w, b / 1e6 / c, r / w, m / 1024 }'
}

echo "input: $corpus"
printf 'decompressed: %s bytes (%.1f MB), %s records; 10x: %.1f MB\n' \
    "$bytes" "$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')" "$recs" \
    "$(awk -v b="$bytes" 'BEGIN { print b * 10 / 1e6 }')"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf '%-30s %7s %7s %9s %9s %10s %8s\n' tool wall_s cpu_s MB/s MB/s/cpu \
    records/s RSS_MB

measure "$runs" cat "$tmp/in.jsonl"
row "cat" "$bytes" "$recs"
cat_w=$W cat_c=$C

measure "$runs" "$bin/stats-agg" --no-progress --json "$tmp/r.json" \
    --html "$tmp/r.html" "$tmp/in.jsonl"
row "stats-agg (json+html)" "$bytes" "$recs"
sa_w=$W sa_c=$C sa_m=$M

measure "$runs" "$bin/stats-agg" --no-progress --json "$tmp/r.json" \
    --html "$tmp/r.html" "$corpus"
row "stats-agg (.zst input)" "$bytes" "$recs"

measure "$runs" "$bin/stats-agg" --no-progress --pass --json "$tmp/r.json" \
    "$tmp/in.jsonl"
row "stats-agg --pass" "$bytes" "$recs"

measure 1 "$PY" "$top/bench/stats_agg_ref.py" "$tmp/in.jsonl"
row "python stats_agg_ref.py" "$bytes" "$recs"
py_w=$W py_c=$C py_m=$M
"$PY" "$top/bench/stats_agg_ref.py" "$tmp/in.jsonl" > "$tmp/ref.json"

measure 1 "$bin/stats-agg" --no-progress --json "$tmp/r10.json" \
    "$tmp/in10.jsonl"
row "stats-agg 10x" $((bytes * 10)) $((recs * 10))
sa10_m=$M sa10_w=$W sa10_c=$C
py10_m= py10_w= py10_c=
if [ "${QUICK:-0}" != 1 ]; then
	measure 1 "$PY" "$top/bench/stats_agg_ref.py" "$tmp/in10.jsonl"
	row "python stats_agg_ref.py 10x" $((bytes * 10)) $((recs * 10))
	py10_m=$M py10_w=$W py10_c=$C
fi

echo
"$PY" "$top/tests/lib/stats-agg-compare.py" "$tmp/r.json" "$tmp/ref.json" |
    sed 's/^/same measures as the Python script: /'
awk -v sw="$sa_w" -v sc="$sa_c" -v pw="$py_w" -v pc="$py_c" -v cw="$cat_w" \
    -v cc="$cat_c" -v m1="$sa_m" -v m10="$sa10_m" -v p1="$py_m" \
    -v p10="$py10_m" -v sw10="$sa10_w" -v sc10="$sa10_c" -v pw10="$py10_w" \
    -v pc10="$py10_c" 'BEGIN {
	printf "ratio stats-agg / python: %.1fx faster (wall), %.1fx (cpu)\n",
	    pw / sw, pc / sc
	if (pw10 != "")
		printf "ratio stats-agg / python at 10x: %.1fx faster (wall), " \
		    "%.1fx (cpu)\n", pw10 / sw10, pc10 / sc10
	printf "ratio stats-agg / cat: %.2f of cat'"'"'s speed (wall), %.2f (cpu)\n",
	    cw / sw, (cc > 0 ? cc : 0.01) / sc
	printf "peak RSS stats-agg: %.1f MB at 1x, %.1f MB at 10x (%.2fx)\n",
	    m1 / 1024, m10 / 1024, m10 / m1
	if (p10 != "")
		printf "peak RSS python: %.1f MB at 1x, %.1f MB at 10x (%.2fx)\n",
		    p1 / 1024, p10 / 1024, p10 / p1
	else
		printf "peak RSS python: %.1f MB at 1x\n", p1 / 1024
}'
