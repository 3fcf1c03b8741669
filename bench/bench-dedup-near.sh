#!/bin/bash
# bench-dedup-near.sh [CORPUS.jsonl.zst] - dedup-near throughput and memory
# on the real corpus, beside cat and dedup-exact in one run, and beside
# datasketch's figure on this corpus (quoted from issue 5: datasketch is
# not installable here, there is no PyPI); the staged form (4 shards, 2
# band parts) checked equal to one process; then peak RSS on 1M synthetic
# records (bench/gen-near.py; SYNTH_RECORDS= to change, 0 to skip).
#
# Each figure is the best of 3 runs (wall seconds).  "per core" divides
# the input by the user+sys seconds of that run: on a shared machine it is
# the steadier figure, and the one the 150 MB/s target is about.
# Run it through run-all.sh or under flock /tmp/codesift-bench.lock.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
f=$(corpus_file "${1:-}")
bytes=$(stat -c %s "$f")
recs=$(wc -l < "$f")
tmp=$(mktemp -d "${BENCH_TMP:-/tmp}/bench-dedup-near.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
DATASKETCH_MBPS=4	# MinHashLSH, 256 perms, 5-grams, this corpus, 1 core
py=/usr/bin/python3; [ -x $py ] || py=python3
echo "dedup-near on $f: $bytes bytes, $recs records (best of 3)"

# best3 CMD...: the fastest of 3 runs as "WALL CPU RSS_KB"
best3() {
	local i best= cpu= rss= t u s m
	for ((i = 0; i < 3; i++)); do
		/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$@" > /dev/null \
		    2> "$tmp/err" || { cat "$tmp/err" >&2; return 1; }
		read -r t u s m < "$tmp/time"
		if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then
			best=$t cpu=$(awk "BEGIN{print $u + $s}") rss=$m
		fi
	done
	echo "$best $cpu $rss"
}

percore() {
	awk -v n="$1" -v b="$bytes" -v c="$2" 'BEGIN { if (c <= 0) c = 0.001
		printf "  %-40s %6.1f MB/s per core (CPU time)\n", n, b / c / 1e6 }'
}

read -r t_cat c_cat m_cat < <(best3 cat "$f")
read -r t_ex c_ex m_ex < <(best3 dedup-exact "$f")
read -r t_n c_n m_n < <(best3 dedup-near "$f")
read -r t_j c_j m_j < <(best3 dedup-near -j 2 "$f")
read -r t_in c_in m_in < <(best3 sh -c 'dedup-near < "$1"' sh "$f")
read -r t_fa c_fa m_fa < <(best3 dedup-near --fast "$f")
read -r t_vx c_vx m_vx < <(best3 dedup-near --verify exact "$f")

# the staged form, one command after the other, on one machine
split -n l/4 -d --additional-suffix=.jsonl "$f" "$tmp/shard-"
cat > "$tmp/staged.sh" <<'EOF'
set -e
cd "$1"
for s in shard-0?.jsonl; do dedup-near sign -o "${s%.jsonl}.sign" "$s"; done
dedup-near bucket --part 1/2 -o p1.pairs shard-0?.sign
dedup-near bucket --part 2/2 -o p2.pairs shard-0?.sign
dedup-near cluster -o all.drops shard-0?.sign p?.pairs
for s in shard-0?.jsonl; do
	dedup-near filter --sign "${s%.jsonl}.sign" --drops all.drops "$s"
done
EOF
read -r t_st c_st m_st < <(best3 bash "$tmp/staged.sh" "$tmp")
bash "$tmp/staged.sh" "$tmp" > "$tmp/staged.jsonl"
dedup-near --summary "$tmp/s.json" "$f" > "$tmp/one.jsonl"
dedup-near -j 2 "$f" | cmp -s - "$tmp/one.jsonl" && same_j=yes || same_j=NO
cmp -s "$tmp/staged.jsonl" "$tmp/one.jsonl" && same_st=yes || same_st=NO

t_ds=$(awk -v b="$bytes" -v d="$DATASKETCH_MBPS" 'BEGIN { print b / 1e6 / d }')
row "cat" "$bytes" "$t_cat" "$m_cat" "$recs"
row "dedup-exact" "$bytes" "$t_ex" "$m_ex" "$recs"
row "dedup-near" "$bytes" "$t_n" "$m_n" "$recs"
row "dedup-near -j 2" "$bytes" "$t_j" "$m_j" "$recs"
row "dedup-near < stdin (spooled)" "$bytes" "$t_in" "$m_in" "$recs"
row "dedup-near --fast" "$bytes" "$t_fa" "$m_fa" "$recs"
row "dedup-near --verify exact" "$bytes" "$t_vx" "$m_vx" "$recs"
row "dedup-near staged (4 shards)" "$bytes" "$t_st" "$m_st" "$recs"
row "datasketch (quoted, not run)" "$bytes" "$t_ds" 0 "$recs"
percore "dedup-near" "$c_n"
percore "dedup-near -j 2" "$c_j"
percore "dedup-near --fast" "$c_fa"
echo "ratios (higher is faster):"
ratio "dedup-near vs datasketch (quoted)" "$t_n" "$t_ds"
ratio "dedup-near -j 2 vs datasketch (quoted)" "$t_j" "$t_ds"
ratio "dedup-near --fast vs datasketch (quoted)" "$t_fa" "$t_ds"
ratio "dedup-near -j 2 vs dedup-near" "$t_j" "$t_n"
ratio "cat vs dedup-near" "$t_cat" "$t_n"
ratio "dedup-exact vs dedup-near" "$t_ex" "$t_n"
echo "same bytes: -j 2 == -j 1: $same_j; staged == one process: $same_st"
jq -r '"dropped \(.records.dropped) of \(.records.in) in \(.stats.clusters) clusters (largest \(.stats.largest_cluster.size)); index \(.stats.index_bytes_per_record) bytes/record; kernel \(.stats.kernel)"' "$tmp/s.json"
[ "$same_j$same_st" = yesyes ]

n=${SYNTH_RECORDS:-1000000}
[ "$n" -gt 0 ] || exit 0
echo "memory: $n synthetic records (bench/gen-near.py)"
$py "$BENCH_TOP/bench/gen-near.py" -n "$n" > "$tmp/gen.jsonl"
/usr/bin/time -f '%e %M' -o "$tmp/time" dedup-near --summary "$tmp/g.json" \
    "$tmp/gen.jsonl" > /dev/null
read -r t m < "$tmp/time"
base=$(/usr/bin/time -f '%M' dedup-near < /dev/null 2>&1 > /dev/null | tail -1)
jq -r --arg m "$m" --arg b "$base" --arg t "$t" '
	"  \(.records.in) records, \(.records.dropped) dropped in \($t) s: peak RSS \($m | tonumber / 1024 | . * 10 | floor / 10) MB (\($b | tonumber / 1024 | . * 10 | floor / 10) MB at rest): \(($m | tonumber) * 1024 / .records.in | floor) bytes/record, \((($m | tonumber) - ($b | tonumber)) * 1024 / .records.in | floor) above rest; index \(.stats.index_bytes_per_record) bytes/record"' \
    "$tmp/g.json"
