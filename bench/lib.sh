# bench/lib.sh - helpers for the benchmark scripts (source it).
#
# best_of N CMD...: run CMD N times (stdout to /dev/null), print
# "SECONDS MAXRSS_KB" of the fastest run.  The machines are shared and
# noisy: the best of a few runs is the figure closest to the machine.

BENCH_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$BENCH_TOP/bin:$PATH"

# corpus_file: print the path of the decompressed real corpus, making it
# once under ${BENCH_TMP:-/tmp}.  $1 (optional): the .jsonl.zst to use.
corpus_file() {
	local zst=${1:-${CORPUS:-$BENCH_TOP/../shared/corpus/code-corpus.jsonl.zst}}
	local out=${BENCH_TMP:-/tmp}/codesift-corpus.jsonl
	if [ ! -s "$out" ]; then
		[ -r "$zst" ] || { echo "bench: no corpus at $zst (set CORPUS=)" >&2; return 1; }
		zstd -q -dc "$zst" > "$out.tmp" && mv "$out.tmp" "$out"
	fi
	echo "$out"
}

best_of() {
	local n=$1 i best= rss= t m
	shift
	for ((i = 0; i < n; i++)); do
		/usr/bin/time -f '%e %M' -o "${BENCH_TMP:-/tmp}/.bench-time" "$@" > /dev/null 2>/dev/null ||
			{ echo "bench: failed: $*" >&2; return 1; }
		read -r t m < "${BENCH_TMP:-/tmp}/.bench-time"
		if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then
			best=$t rss=$m
		fi
	done
	echo "$best $rss"
}

# row NAME BYTES SECONDS RSS_KB [RECORDS]: one aligned result line
row() {
	awk -v n="$1" -v b="$2" -v s="$3" -v r="$4" -v c="${5:-0}" 'BEGIN {
		if (s <= 0) s = 0.001
		printf "%-34s %9.1f MB/s %11.0f rec/s %8.1f MB peak RSS\n",
		    n, b / s / 1e6, c / s, r / 1024 }'
}

ratio() {
	awk -v a="$2" -v b="$3" -v n="$1" 'BEGIN { if (a <= 0) a = 0.001
		printf "  %-40s %6.1fx\n", n, b / a }'
}
