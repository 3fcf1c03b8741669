#!/bin/bash
# make_golden.sh - regenerate the golden token ids with the reference libraries.
#
# usage: NODE_PATH=<scratch>/node_modules make_golden.sh TOK_REF_JS
#   (npm install tokenizers@0.23.2 tiktoken@1.0.22 in <scratch>; TOK_REF_JS is
#   ../shared/bench/peers/tok_ref.js)
#
# Writes golden/<config>.jsonl.zst: the ids of edge-cases.jsonl + extra-cases.jsonl
# per tokenizer and mode, and ../../fixtures/tok-count/sample-golden.jsonl:
# [n_tokens, ids_hash] per record of tests/fixtures/code-sample.jsonl per
# configuration.  Review the diff before committing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
ref=${1:?usage: make_golden.sh TOK_REF_JS}
gen=$(mktemp -d)
trap 'rm -rf "$gen"' EXIT
py=/usr/bin/python3

"$py" "$here/make_tokenizers.py" "$top/configs" "$gen"
for f in "$here"/tiktoken/*.zst; do
	zstd -dcq "$f" > "$gen/tiktoken/$(basename "$f" .zst)"
done
cat "$here/edge-cases.jsonl" "$here/extra-cases.jsonl" > "$gen/cases.jsonl"
sample=$top/tests/fixtures/code-sample.jsonl

# name, then tok_ref.js arguments
configs() {
	echo "hf-roberta --backend hf --tokenizer $gen/roberta.json"
	echo "hf-roberta-addspecial --backend hf --tokenizer $gen/roberta.json --add-special"
	echo "hf-roberta-nospecial --backend hf --tokenizer $gen/roberta.json --special none"
	echo "hf-gpt2 --backend hf --tokenizer $gen/gpt2.json"
	echo "hf-gpt2-nospecial --backend hf --tokenizer $gen/gpt2.json --special none"
	for e in gpt2 r50k_base p50k_base p50k_edit cl100k_base o200k_base; do
		r=$e
		case $e in gpt2) r=r50k_base ;; p50k_edit) r=p50k_base ;; esac
		echo "tiktoken-$e --backend tiktoken --tokenizer $gen/tiktoken/$r.tiktoken --encoding $e"
		echo "tiktoken-$e-allspecial --backend tiktoken --tokenizer $gen/tiktoken/$r.tiktoken --encoding $e --special all"
	done
	for v in "$gen"/variants/*.json; do
		n=$(basename "$v" .json)
		a=
		[ -e "$gen/variants/$n.add-special" ] && a=--add-special
		echo "variant-$n --backend hf --tokenizer $v $a"
	done
}

mkdir -p "$here/golden" "$top/tests/fixtures/tok-count"
: > "$gen/sample"
configs | while read -r name args; do
	# shellcheck disable=SC2086
	node "$ref" $args --ids < "$gen/cases.jsonl" 2>/dev/null |
	    zstd -19 -q > "$here/golden/$name.jsonl.zst"
	case $name in
	variant-*) ;;
	*)	# shellcheck disable=SC2086
		node "$ref" $args --ids < "$sample" 2>/dev/null |
		    "$py" "$here/idhash.py" > "$gen/s.$name"
		echo "$name" >> "$gen/sample" ;;
	esac
	echo "make_golden: $name" >&2
done
# one line per sample record: {"line": i, "<config>": [n, hash], ...}
"$py" - "$gen" "$top/tests/fixtures/tok-count/sample-golden.jsonl" <<'PY'
import json, sys
gen, out = sys.argv[1], sys.argv[2]
names = open(gen + "/sample").read().split()
cols = {n: [json.loads(l) for l in open(gen + "/s." + n)] for n in names}
rows = len(cols[names[0]])
with open(out, "w") as f:
    for i in range(rows):
        r = {"line": i + 1}
        for n in names:
            r[n] = cols[n][i]
        f.write(json.dumps(r) + "\n")
PY
