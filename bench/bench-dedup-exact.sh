#!/bin/bash
# bench-dedup-exact.sh [CORPUS.jsonl.zst] - dedup-exact throughput and
# memory on the real corpus, beside cat and the Python script of the
# system we replace (bench/dedup_exact_ref.py), in one run; then peak RSS
# on 10M synthetic distinct records (the 32 bytes/record bound).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
f=$(corpus_file "${1:-}")
bytes=$(stat -c %s "$f")
recs=$(wc -l < "$f")
py=/usr/bin/python3; [ -x $py ] || py=python3
echo "dedup-exact on $f: $bytes bytes, $recs records (best of 5; 1 thread)"

read -r t_cat m_cat < <(best_of 5 cat "$f")
read -r t_ex m_ex < <(best_of 5 dedup-exact "$f")
read -r t_fmt m_fmt < <(best_of 5 dedup-exact --normalize "$f")
read -r t_code m_code < <(best_of 3 dedup-exact --normalize=code "$f")
read -r t_py m_py < <(best_of 3 $py "$BENCH_TOP/bench/dedup_exact_ref.py" "$f")
row "cat" "$bytes" "$t_cat" "$m_cat" "$recs"
row "dedup-exact" "$bytes" "$t_ex" "$m_ex" "$recs"
row "dedup-exact --normalize" "$bytes" "$t_fmt" "$m_fmt" "$recs"
row "dedup-exact --normalize=code" "$bytes" "$t_code" "$m_code" "$recs"
row "python json+sha256+set" "$bytes" "$t_py" "$m_py" "$recs"
echo "ratios (higher is faster):"
ratio "dedup-exact vs python" "$t_ex" "$t_py"
ratio "dedup-exact --normalize vs python" "$t_fmt" "$t_py"
ratio "dedup-exact --normalize=code vs python" "$t_code" "$t_py"
ratio "dedup-exact vs cat (cat = 1)" "$t_ex" "$t_cat"
# same answer as the reference
a=$(dedup-exact "$f" | wc -l); b=$($py "$BENCH_TOP/bench/dedup_exact_ref.py" "$f" | wc -l)
echo "records kept: dedup-exact $a, python $b"

n=${SYNTH_RECORDS:-10000000}
echo "memory: $n distinct synthetic records on a pipe"
/usr/bin/time -f '%e %M' -o "${BENCH_TMP:-/tmp}/.bench-synth" bash -c "
	awk -v n=$n 'BEGIN { for (i = 0; i < n; i++)
	    printf \"{\\\"blob_id\\\":\\\"%d\\\",\\\"content\\\":\\\"file %d\\\\n\\\"}\\n\", i, i }' |
	    dedup-exact --summary '${BENCH_TMP:-/tmp}/.bench-synth.json' > /dev/null"
read -r t m < "${BENCH_TMP:-/tmp}/.bench-synth"
base=$(/usr/bin/time -f '%M' dedup-exact < /dev/null 2>&1 >/dev/null | tail -1)
ks=$(jq .stats.key_set_bytes "${BENCH_TMP:-/tmp}/.bench-synth.json")
d=$(jq .stats.distinct "${BENCH_TMP:-/tmp}/.bench-synth.json")
awk -v m="$m" -v b="$base" -v n="$d" -v ks="$ks" 'BEGIN {
	printf "  %d distinct: peak RSS %.1f MB (%.1f MB at rest): %.1f bytes/record; key set %.1f bytes/record\n",
	    n, m / 1024, b / 1024, (m - b) * 1024 / n, ks / n }'
