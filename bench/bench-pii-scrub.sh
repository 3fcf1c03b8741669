#!/bin/bash
# bench-pii-scrub.sh [CORPUS.jsonl.zst] - pii-scrub throughput and memory on
# the real corpus with the full catalogue, beside secretlint (its
# recommended preset, through ../shared/bench/peers/secretlint_driver.mjs)
# and beside cat, in one run; then the findings per kind, and the recall
# on gitleaks' cases.
#
# secretlint is installed with npm in a scratch folder outside the repo
# (SECRETLINT_HOME, default ${BENCH_TMP:-/tmp}/codesift-secretlint); without
# node/npm or the driver the secretlint line is skipped with a note.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
f=$(corpus_file "${1:-}")
bytes=$(stat -c %s "$f")
recs=$(wc -l < "$f")
tmp=${BENCH_TMP:-/tmp}
py=/usr/bin/python3; [ -x $py ] || py=python3
# ../shared beside a clone; ../../shared beside a worktree of one
shared=${SHARED:-$BENCH_TOP/../shared}
[ -d "$shared" ] || shared=$BENCH_TOP/../../shared
driver=${SECRETLINT_DRIVER:-$shared/bench/peers/secretlint_driver.mjs}
home=${SECRETLINT_HOME:-$tmp/codesift-secretlint}

pii-scrub --no-progress --summary "$tmp/.bench-pii.json" "$f" > /dev/null
text=$(jq .stats.text_bytes "$tmp/.bench-pii.json")
echo "pii-scrub on $f: $bytes bytes, $recs records, $text bytes of content"
echo "(best of 5; MB/s of the NDJSON input; content MB/s in brackets)"

read -r t_cat m_cat < <(best_of 5 cat "$f")
read -r t_1 m_1 < <(best_of 5 pii-scrub --no-progress "$f")
read -r t_2 m_2 < <(best_of 3 pii-scrub --no-progress -j 2 "$f")
read -r t_f m_f < <(best_of 3 pii-scrub --no-progress --mode fake "$f")
cmp -s <(pii-scrub --no-progress "$f") <(pii-scrub --no-progress -j 2 "$f") ||
	{ echo "bench: -j 2 output differs from -j 1" >&2; exit 1; }

content_mbps() {
	awk -v b="$text" -v s="$1" 'BEGIN { if (s <= 0) s = 0.001
		printf "[%.1f MB/s of content]", b / s / 1e6 }'
}
echo "$(row cat "$bytes" "$t_cat" "$m_cat" "$recs")"
echo "$(row "pii-scrub (1 thread)" "$bytes" "$t_1" "$m_1" "$recs") $(content_mbps "$t_1")"
echo "$(row "pii-scrub -j 2" "$bytes" "$t_2" "$m_2" "$recs") $(content_mbps "$t_2")"
echo "$(row "pii-scrub --mode fake" "$bytes" "$t_f" "$m_f" "$recs") $(content_mbps "$t_f")"

sl_mbps=
if command -v node > /dev/null && [ -r "$driver" ]; then
	if [ ! -d "$home/node_modules/@secretlint/secretlint-rule-preset-recommend" ]; then
		mkdir -p "$home"
		(cd "$home" && npm install --silent --no-audit --no-fund \
		    secretlint@12.0.0 \
		    @secretlint/secretlint-rule-preset-recommend@12.0.0 > /dev/null)
	fi
	/usr/bin/time -f '%e %M' -o "$tmp/.bench-sl-time" \
	    env SECRETLINT_HOME="$home" node "$driver" bench "$f" > "$tmp/.bench-sl.json"
	read -r t_sl m_sl < "$tmp/.bench-sl-time"
	sl_mbps=$(jq .mb_per_s "$tmp/.bench-sl.json")
	sl_secs=$(jq .seconds "$tmp/.bench-sl.json")
	echo "$(row "secretlint (recommend preset)" "$bytes" "$t_sl" "$m_sl" "$recs") [$(printf '%.1f' "$sl_mbps") MB/s of content inside lintSource, $(jq .findings "$tmp/.bench-sl.json") findings]"
else
	echo "secretlint: skipped (needs node, npm and $driver)"
fi

echo "ratios (higher is faster):"
if [ -n "$sl_mbps" ]; then
	# content MB/s against content MB/s: secretlint timed inside the library
	awk -v t="$text" -v s="$t_1" -v sl="$sl_mbps" -v n="pii-scrub vs secretlint (content MB/s, 1 thread)" \
	    'BEGIN { printf "  %-40s %6.1fx\n", n, (t / s / 1e6) / sl }'
	ratio "pii-scrub vs secretlint (wall clock)" "$t_1" "$t_sl"
fi
awk -v a="$t_1" -v b="$t_cat" 'BEGIN { if (a <= 0) a = 0.001
	printf "  %-40s %8.3fx (cat is %.0fx faster)\n", "pii-scrub vs cat (cat = 1)", b / a, a / (b > 0 ? b : 0.001) }'

echo "findings on the corpus (tag mode):"
jq -r '.stats.found | to_entries[] | "  \(.key) \(.value)"' "$tmp/.bench-pii.json"
echo "records with findings: $(jq .stats.records_with_pii "$tmp/.bench-pii.json")"
echo "gitleaks conformance cases:"
$py "$BENCH_TOP/tests/conformance/secrets/score.py" | sed 's/^/  /'
