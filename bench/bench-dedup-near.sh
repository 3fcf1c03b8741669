#!/bin/bash
# bench-dedup-near.sh [--records N] [CORPUS] - dedup-near's throughput and
# memory, next to cat and dedup-exact on the same input in the same run,
# and next to datasketch's figure (quoted: datasketch cannot be installed
# here, there is no PyPI).
#
#   CORPUS      NDJSON (.zst/.gz fine); default $CORPUS, else
#               shared/corpus/code-corpus.jsonl.zst beside the repository
#   --records N the memory check: N synthetic records from gen-near.py
#               (default 1000000; 0 skips it)
#
# Prints per program: wall seconds, MB/s of input (wall, and per core of
# CPU time: input bytes over user+sys seconds, the fair figure on a shared
# machine), records/s, peak RSS (/usr/bin/time %M), and ratios to cat and to
# datasketch.  The input is decompressed to a temporary file first, so the
# figures are the programs', not zstd's.  Takes /tmp/codesift-bench.lock so
# that benchmarks do not overlap.
set -euo pipefail
if [ -z "${CODESIFT_BENCH_LOCKED:-}" ]; then
	export CODESIFT_BENCH_LOCKED=1
	exec flock /tmp/codesift-bench.lock "$0" "$@"
fi
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${CODESIFT_BIN:-$top/bin}
records=1000000
if [ "${1:-}" = --records ]; then
	records=$2
	shift 2
fi
corpus=${1:-${CORPUS:-}}
if [ -z "$corpus" ]; then	# a clone beside shared/, or a worktree under wt/
	for d in "$top/../shared" "$top/../../shared"; do
		[ -f "$d/corpus/code-corpus.jsonl.zst" ] &&
		    corpus=$d/corpus/code-corpus.jsonl.zst && break
	done
fi
[ -f "${corpus:-}" ] || { echo "bench: no corpus (give a path or CORPUS=)" >&2; exit 2; }
DATASKETCH_MBPS=4	# MinHashLSH, 256 perms, 5-grams, on this corpus (issue 5)
PY=/usr/bin/python3

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-dedup-near.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
case $corpus in
*.zst) zstd -dqc "$corpus" > "$tmp/in.jsonl" ;;
*.gz) gzip -dc "$corpus" > "$tmp/in.jsonl" ;;
*) cp "$corpus" "$tmp/in.jsonl" ;;
esac
bytes=$(stat -c %s "$tmp/in.jsonl")
recs=$(wc -l < "$tmp/in.jsonl")
mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
echo "input: $corpus: $recs records, $mb MB; $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %7s %8s %9s %10s %8s %7s %9s\n' program wall_s MB/s \
    MB/s/core records/s RSS_MB vs_cat vs_dsk

cat_mbps=
# row NAME SECONDS USER SYS RSS_KB
row() {
	awk -v n="$1" -v w="$2" -v u="$3" -v s="$4" -v m="$5" -v b="$bytes" \
	    -v r="$recs" -v c="${cat_mbps:-0}" -v d="$DATASKETCH_MBPS" 'BEGIN {
		if (w < 0.001) w = 0.001
		cpu = u + s; if (cpu < 0.001) cpu = 0.001
		mbps = b / 1e6 / w
		vc = c > 0 ? sprintf("%.2fx", mbps / c) : "1.00x"
		vd = sprintf("%.0fx", mbps / d)
		printf "%-34s %7.2f %8.1f %9.1f %10.0f %8.1f %7s %9s\n", n, w, mbps, b / 1e6 / cpu, r / w, m / 1024, vc, vd
	}'
}

# timed NAME CMD...: run CMD (input and output are its business)
timed() {
	local name=$1
	shift
	/usr/bin/time -f '%e %U %S %M' -o "$tmp/t" "$@"
	read -r w u s m < "$tmp/t"
	row "$name" "$w" "$u" "$s" "$m"
	[ -n "$cat_mbps" ] || cat_mbps=$(awk -v b="$bytes" -v w="$w" \
	    'BEGIN { if (w < 0.001) w = 0.001; print b / 1e6 / w }')
}

cd "$tmp"
timed "cat" sh -c 'cat in.jsonl > out.jsonl'
timed "dedup-exact" "$bin/dedup-exact" -o out.jsonl in.jsonl
timed "dedup-near" "$bin/dedup-near" -o out.jsonl --summary s1.json in.jsonl
timed "dedup-near -j 2" "$bin/dedup-near" -j 2 -o out2.jsonl in.jsonl
cmp -s out.jsonl out2.jsonl || { echo "bench: -j 2 output differs" >&2; exit 1; }
timed "dedup-near (stdin, spooled)" sh -c "'$bin/dedup-near' < in.jsonl > out3.jsonl"
timed "dedup-near --fast" "$bin/dedup-near" --fast -o out4.jsonl in.jsonl
timed "dedup-near --verify exact" "$bin/dedup-near" --verify exact -o out5.jsonl in.jsonl

# the staged form, one process after the other: 4 shards, 2 band parts
split -n l/4 -d --additional-suffix=.jsonl in.jsonl shard-
staged() {
	local f
	for f in shard-0?.jsonl; do
		"$bin/dedup-near" sign -q -o "${f%.jsonl}.sign" "$f"
	done
	"$bin/dedup-near" bucket -q --part 1/2 -o p1.pairs shard-0?.sign
	"$bin/dedup-near" bucket -q --part 2/2 -o p2.pairs shard-0?.sign
	"$bin/dedup-near" cluster -q -o all.drops shard-0?.sign p?.pairs
	for f in shard-0?.jsonl; do
		"$bin/dedup-near" filter -q --sign "${f%.jsonl}.sign" \
		    --drops all.drops "$f"
	done > staged.jsonl
}
export -f staged
export bin
timed "dedup-near staged (4 shards)" bash -c staged
if cmp -s out.jsonl staged.jsonl; then
	echo "staged output == one-process output: yes"
else
	echo "staged output == one-process output: NO" >&2
	exit 1
fi
row "datasketch (quoted, not run)" "$(awk -v b="$bytes" -v d="$DATASKETCH_MBPS" \
    'BEGIN { print b / 1e6 / d }')" "$(awk -v b="$bytes" -v d="$DATASKETCH_MBPS" \
    'BEGIN { print b / 1e6 / d }')" 0 0
jq -r '"dedup-near: \(.records.dropped) of \(.records.in) dropped, \(.stats.clusters) clusters (largest \(.stats.largest_cluster.size)), index \(.stats.index_bytes_per_record) B/record, kernel \(.stats.kernel)"' s1.json

if [ "$records" -gt 0 ]; then
	echo
	echo "memory: $records synthetic records (bench/gen-near.py)"
	"$PY" "$top/bench/gen-near.py" -n "$records" > gen.jsonl
	/usr/bin/time -f '%e %U %S %M' -o t "$bin/dedup-near" --summary g.json \
	    -o gen.out gen.jsonl
	read -r w u s m < t
	jq -r --arg rss "$m" '"dedup-near: \(.records.in) records in '"$w"' s, \(.records.dropped) dropped; peak RSS \($rss | tonumber / 1024 | floor) MB = \(($rss | tonumber) * 1024 / .records.in | floor) bytes/record (index \(.stats.index_bytes_per_record))"' g.json
fi
