#!/bin/bash
# bench-tok-count.sh [CORPUS.jsonl.zst] - tok-count beside Hugging Face
# tokenizers and tiktoken (through ../shared/bench/peers/tok_ref.js, which
# times the libraries' own encode calls, not node's start-up) and beside
# cat, in one run on the real corpus:
#   - single-thread MB/s of content and tokens/s per tokenizer, peak RSS,
#     and -j 2;
#   - vocabulary load time (o200k_base);
#   - linear time: a 10 MB single-line record, and 0.1 / 1 / 4 MB of one
#     repeated character (tiktoken's merge loop is quadratic there).
# tok-count figures are the best of 3 runs; the references run once (they
# take minutes).  Needs node and NODE_PATH (see tok_setup.sh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tok_setup.sh"
need_refs
tok_files
f=$(corpus_file "${1:-}")
work=$(mktemp -d "${BENCH_TMP:-/tmp}/bench-tok.XXXXXX")
trap 'rm -rf "$work"' EXIT
bytes=$(stat -c %s "$f")
recs=$(wc -l < "$f")
tok-count -q --no-progress --summary "$work/s.json" "$f" > /dev/null
content=$(jq .stats.text_bytes "$work/s.json")
echo "tok-count on $f: $recs records, $bytes bytes of NDJSON, $content bytes of content"
echo "MB/s are of content (the text tokenized; NDJSON MB/s in brackets), 1 thread unless said"
echo

read -r t_cat m_cat < <(best_of 3 cat "$f")
printf '%-36s %8.1f MB/s [%6.1f]\n' "cat" \
    "$(awk -v b="$content" -v t="$t_cat" 'BEGIN{print b/t/1e6}')" \
    "$(awk -v b="$bytes" -v t="$t_cat" 'BEGIN{print b/t/1e6}')"

# line NAME SECONDS TOKENS RSS_KB: one result line
line() {
	awk -v n="$1" -v t="$2" -v k="$3" -v r="$4" -v b="$content" -v nb="$bytes" 'BEGIN {
		if (t <= 0) t = 0.001
		printf "%-36s %8.1f MB/s [%6.1f] %12.0f tokens/s %8.1f MB RSS\n",
		    n, b / t / 1e6, nb / t / 1e6, k / t, r / 1024 }'
}

summary_line=()
for c in "${TOK_CONFIGS[@]}"; do
	cfg_split "$c"
	read -r t1 m1 < <(best_of 3 tok-count -q --no-progress "${CFG_OURS[@]}" \
	    --summary "$work/$CFG_NAME.json" "$f")
	read -r t2 m2 < <(best_of 3 tok-count -q --no-progress -j 2 "${CFG_OURS[@]}" "$f")
	tokens=$(jq .stats.tokens "$work/$CFG_NAME.json")
	/usr/bin/time -f '%e %M' -o "$work/ref.time" node "$TOK_REF" "${CFG_REF[@]}" \
	    --no-output < "$f" 2> "$work/ref.json" > /dev/null
	read -r rt rm < <(tail -1 "$work/ref.time")
	ref=$(grep '^{' "$work/ref.json" | tail -1)
	rname=$(jq -r .backend <<<"$ref")
	renc=$(jq .encode_s <<<"$ref")
	rtok=$(jq .tokens <<<"$ref")
	line "tok-count $CFG_NAME" "$t1" "$tokens" "$m1"
	line "tok-count $CFG_NAME -j 2" "$t2" "$tokens" "$m2"
	line "${rname% *} (encode only)" "$renc" "$rtok" "$rm"
	awk -v a="$t1" -v b="$renc" -v w="$rt" -v n="$CFG_NAME" -v t2="$t2" -v c="$t_cat" 'BEGIN {
		printf "  %-34s %6.1fx the reference (encode time), %.1fx its whole run; -j 2: %.1fx; cat is %.1fx tok-count\n",
		    n, b / a, w / a, a / t2, a / c }'
	[ "$tokens" = "$rtok" ] || echo "  WARNING: tokens differ: tok-count $tokens, reference $rtok"
	echo
done

echo "vocabulary load, o200k_base (3.6 MB of ranks; 10 runs):"
for i in 1 2 3 4 5 6 7 8 9 10; do
	tok-count -q --encoding o200k_base --tokenizer-dir "$TOKDIR/tiktoken" \
	    --summary "$work/l.json" < /dev/null
	jq .stats.load_seconds "$work/l.json"
done | sort -n | awk '{ v[NR] = $1 } END {
	printf "  tok-count load: min %.1f ms, median %.1f ms\n", v[1] * 1000, v[int((NR + 1) / 2)] * 1000 }'
read -r t_empty m_empty < <(best_of 5 tok-count -q --encoding o200k_base \
    --tokenizer-dir "$TOKDIR/tiktoken" /dev/null)
echo "  tok-count whole process on empty input: $(awk -v t="$t_empty" 'BEGIN{printf "%.0f", t*1000}') ms, $(awk -v m="$m_empty" 'BEGIN{printf "%.1f", m/1024}') MB RSS"
node "$TOK_REF" --backend tiktoken --tokenizer "$TOKDIR/tiktoken/o200k_base.tiktoken" \
    --no-output < /dev/null 2> "$work/ref.json" > /dev/null || true
echo "  tiktoken (wasm) load: $(grep '^{' "$work/ref.json" | jq '.load_s * 1000') ms"
echo

echo "linear time:"
# a 10 MB single-line record: corpus files joined
"$PY" - "$f" "$work/line10.jsonl" <<'PY'
import json, sys
parts, n = [], 0
for l in open(sys.argv[1], encoding="utf-8"):
    c = json.loads(l)["content"]
    parts.append(c)
    n += len(c.encode())
    if n >= 10_000_000:
        break
s = "".join(parts).encode()[:10_000_000].decode("utf-8", "ignore")
json.dump({"content": s}, open(sys.argv[2], "w"))
open(sys.argv[2], "a").write("\n")
PY
for cfg in "codebert|--add-special|--backend hf --tokenizer TOKDIR/roberta.json --add-special" \
    "o200k_base|--encoding o200k_base --tokenizer-dir TOKDIR/tiktoken|--backend tiktoken --tokenizer TOKDIR/tiktoken/o200k_base.tiktoken"; do
	cfg_split "$cfg"
	read -r t m < <(best_of 3 tok-count -q --no-progress "${CFG_OURS[@]}" "$work/line10.jsonl")
	node "$TOK_REF" "${CFG_REF[@]}" --no-output < "$work/line10.jsonl" 2> "$work/ref.json" > /dev/null
	r=$(grep '^{' "$work/ref.json" | tail -1)
	awk -v t="$t" -v m="$m" -v n="$CFG_NAME" -v rs="$(jq .encode_s <<<"$r")" -v rb="$(jq -r .backend <<<"$r")" 'BEGIN {
		printf "  10 MB single line, %-10s tok-count %.2f s (%.1f MB/s, %.0f MB RSS); %s %.2f s\n",
		    n, t, 10 / t, m / 1024, rb, rs }'
done
# one character repeated: tok-count at 0.1, 1 and 4 MB; tiktoken at 10-40 KB
for ch in a ' '; do
	for size in 100000 1000000 4000000; do
		"$PY" -c 'import json,sys; print(json.dumps({"content": sys.argv[1] * int(sys.argv[2])}))' \
		    "$ch" "$size" > "$work/rep.jsonl"
		for cfg in "codebert|--add-special|" "o200k_base|--encoding o200k_base --tokenizer-dir TOKDIR/tiktoken|"; do
			cfg_split "$cfg"
			read -r t m < <(best_of 3 tok-count -q --no-progress "${CFG_OURS[@]}" "$work/rep.jsonl")
			awk -v t="$t" -v s="$size" -v n="$CFG_NAME" -v c="'$ch'" 'BEGIN {
				printf "  %s x %7d, %-10s tok-count %6.3f s (%6.1f MB/s)\n", c, s, n, t, s / t / 1e6 }'
		done
	done
done
for size in 10000 20000 40000; do
	"$PY" -c 'import json,sys; print(json.dumps({"content": "a" * int(sys.argv[1])}))' \
	    "$size" > "$work/rep.jsonl"
	node "$TOK_REF" --backend tiktoken --tokenizer "$TOKDIR/tiktoken/o200k_base.tiktoken" \
	    --no-output < "$work/rep.jsonl" 2> "$work/ref.json" > /dev/null
	echo "  'a' x $size, tiktoken o200k_base: $(grep '^{' "$work/ref.json" | jq .encode_s) s (quadratic: x4 per doubling)"
done
