#!/bin/bash
# tok-parity.sh [CORPUS.jsonl.zst] - the full-corpus parity check of
# tok-count: for each configuration (CodeBERT with <s> </s>, GPT-2 as
# Hugging Face and as tiktoken, cl100k_base, o200k_base), the token ids of
# every record, compared with those of the reference library (Hugging Face
# tokenizers, tiktoken) run on the same records.  Prints the records
# compared and the mismatches (must be 0) per configuration; exits 1 on a
# mismatch.  Takes about 6 minutes (the references run at 2-5 MB/s).
#
# usage: NODE_PATH=<scratch>/node_modules bench/tok-parity.sh [CORPUS]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tok_setup.sh"
need_refs
tok_files
f=$(corpus_file "${1:-}")
work=$(mktemp -d "${BENCH_TMP:-/tmp}/tok-parity.XXXXXX")
trap 'rm -rf "$work"' EXIT
recs=$(wc -l < "$f")
echo "tok-count parity on $f ($recs records): ids, record for record"

# ids LINES: the token_ids array of each line (the last member on both sides)
ids() {
	sed -E 's/.*"token_ids":(\[[0-9,]*\])\}$/\1/'
}

bad_total=0
for c in "${TOK_CONFIGS[@]}"; do
	cfg_split "$c"
	tok-count -q --no-progress --ids "${CFG_OURS[@]}" "$f" | ids > "$work/ours"
	node "$TOK_REF" "${CFG_REF[@]}" --ids < "$f" 2> "$work/ref.err" | ids > "$work/ref"
	n_ours=$(wc -l < "$work/ours")
	n_ref=$(wc -l < "$work/ref")
	if cmp -s "$work/ours" "$work/ref"; then
		bad=0
	else
		bad=$(paste -d '\n' "$work/ours" "$work/ref" |
		    awk 'NR % 2 == 1 { a = $0; next } a != $0 { n++; if (n <= 3) print "  mismatch at record " NR / 2 > "/dev/stderr" } END { print n + 0 }')
	fi
	bad_total=$((bad_total + bad))
	tokens=$(tr ',' '\n' < "$work/ours" | grep -c '[0-9]' || true)
	printf '%-14s records compared %d (reference %d), tokens %d, mismatches %d\n' \
	    "$CFG_NAME" "$n_ours" "$n_ref" "$tokens" "$bad"
	[ "$n_ours" -eq "$recs" ] && [ "$n_ref" -eq "$recs" ] || bad_total=$((bad_total + 1))
done
[ "$bad_total" -eq 0 ]
