#!/usr/bin/env bats
# tok-count: token ids identical to Hugging Face tokenizers and tiktoken
# (golden ids made with the real libraries), options, rejects, threads.
bats_require_minimum_version 1.5.0
load helpers

CONF=$TOP/tests/conformance/tokenizers
GOLD=$CONF/golden

setup_file() {
	export GEN=$BATS_FILE_TMPDIR/gen
	"$PY" "$CONF/make_tokenizers.py" "$TOP/configs" "$GEN"
	ln -s "$CONF"/tiktoken/*.tiktoken.zst "$GEN/tiktoken/"
	cat "$CONF/edge-cases.jsonl" "$CONF/extra-cases.jsonl" > "$GEN/cases.jsonl"
}

# ids: [id, token_ids] of each line (python: jq refuses the lone surrogate
# escapes some of the texts hold)
ids() {
	"$PY" -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    print(json.dumps([r.get("blob_id", r.get("id")), r["token_ids"]]))'
}

# golden NAME ARGS...: tok-count --ids ARGS on the cases gives the ids the
# reference library gave (golden/NAME.jsonl.zst), line by line
golden() {
	local name=$1
	shift
	tok-count --no-progress --ids "$@" < "$GEN/cases.jsonl" \
	    > "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err" || {
		cat "$BATS_TEST_TMPDIR/err"
		return 1
	}
	zstd -dcq "$GOLD/$name.jsonl.zst" | ids > "$BATS_TEST_TMPDIR/want"
	ids < "$BATS_TEST_TMPDIR/out" > "$BATS_TEST_TMPDIR/got"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/want")" -eq 225 ]
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" | head -20
	cmp -s "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

TT=(--tokenizer-dir)

# ---- golden ids, per tokenizer and mode ----

@test "tok-count: golden: CodeBERT (default), added tokens matched" {
	golden hf-roberta
}

@test "tok-count: golden: CodeBERT --add-special (<s> ... </s>)" {
	golden hf-roberta-addspecial --add-special
}

@test "tok-count: golden: CodeBERT --special text" {
	golden hf-roberta-nospecial --special text
}

@test "tok-count: golden: RoBERTa tokenizer.json" {
	golden hf-roberta --tokenizer "$GEN/roberta.json"
	golden hf-roberta-addspecial --tokenizer "$GEN/roberta.json" \
	    --add-special
}

@test "tok-count: golden: GPT-2 tokenizer.json, allowed and text" {
	golden hf-gpt2 --tokenizer "$GEN/gpt2.json"
	golden hf-gpt2-nospecial --tokenizer "$GEN/gpt2.json" --special text
}

@test "tok-count: golden: GPT-2 encoder.json + vocab.bpe (--merges)" {
	golden hf-gpt2 --tokenizer "$GEN/gpt2/encoder.json" \
	    --merges "$GEN/gpt2/vocab.bpe"
}

@test "tok-count: golden: tiktoken gpt2, r50k_base (text, allowed)" {
	golden tiktoken-gpt2 --encoding gpt2 "${TT[@]}" "$GEN/tiktoken"
	golden tiktoken-gpt2-allspecial --encoding gpt2 "${TT[@]}" \
	    "$GEN/tiktoken" --special allowed
	golden tiktoken-r50k_base --encoding r50k_base "${TT[@]}" \
	    "$GEN/tiktoken"
	golden tiktoken-r50k_base-allspecial --encoding r50k_base \
	    "${TT[@]}" "$GEN/tiktoken" --special allowed
}

@test "tok-count: golden: tiktoken p50k_base, p50k_edit (text, allowed)" {
	golden tiktoken-p50k_base --encoding p50k_base "${TT[@]}" \
	    "$GEN/tiktoken"
	golden tiktoken-p50k_base-allspecial --encoding p50k_base \
	    "${TT[@]}" "$GEN/tiktoken" --special allowed
	golden tiktoken-p50k_edit --encoding p50k_edit "${TT[@]}" \
	    "$GEN/tiktoken"
	golden tiktoken-p50k_edit-allspecial --encoding p50k_edit \
	    "${TT[@]}" "$GEN/tiktoken" --special allowed
}

@test "tok-count: golden: tiktoken cl100k_base (text, allowed)" {
	golden tiktoken-cl100k_base --encoding cl100k_base "${TT[@]}" \
	    "$GEN/tiktoken"
	golden tiktoken-cl100k_base-allspecial --encoding cl100k_base \
	    "${TT[@]}" "$GEN/tiktoken" --special allowed
}

@test "tok-count: golden: tiktoken o200k_base (text, allowed)" {
	golden tiktoken-o200k_base --encoding o200k_base "${TT[@]}" \
	    "$GEN/tiktoken"
	golden tiktoken-o200k_base-allspecial --encoding o200k_base \
	    "${TT[@]}" "$GEN/tiktoken" --special allowed
}

@test "tok-count: golden: PCRE2 alone (--no-fast-scan) gives the same ids" {
	golden hf-roberta --no-fast-scan
	golden tiktoken-cl100k_base --no-fast-scan --encoding cl100k_base \
	    "${TT[@]}" "$GEN/tiktoken"
	golden tiktoken-o200k_base --no-fast-scan --encoding o200k_base \
	    "${TT[@]}" "$GEN/tiktoken"
}

# ---- tokenizer.json variants (pre-tokenizers, added tokens, templates) ----

variant() {
	local v=$1 a=()
	[ -e "$GEN/variants/$v.add-special" ] && a=(--add-special)
	golden "variant-$v" --tokenizer "$GEN/variants/$v.json" "${a[@]}"
}

@test "tok-count: variant: ByteLevel add_prefix_space" {
	variant gpt2-prefix-space
}

@test "tok-count: variant: Split cl100k regex + ByteLevel, ignore_merges" {
	variant gpt2-split-cl100k-ignore-merges
}

@test "tok-count: variant: Digits (individual; runs with prefix space)" {
	variant gpt2-digits
	variant gpt2-digits-runs-prefix
}

@test "tok-count: variant: Split behaviours and invert" {
	variant gpt2-split-merged-previous
	variant gpt2-split-merged-next
	variant gpt2-split-contiguous
	variant gpt2-split-removed
	variant gpt2-split-invert
	variant gpt2-split-literal-isolated
}

@test "tok-count: variant: added tokens lstrip, rstrip, single_word, normalized" {
	variant gpt2-added-tokens
}

@test "tok-count: variant: TemplateProcessing and BertProcessing" {
	variant gpt2-template
	variant roberta-bert-processing
}

@test "tok-count: variant: merges written as pairs" {
	variant gpt2-merges-as-pairs
}

# ---- the 313 gpt-tokenizer TestPlans triples ----

@test "tok-count: gpt-tokenizer TestPlans: 313 triples identical" {
	zstd -dcq "$CONF/gpt-tokenizer-TestPlans.txt.zst" |
	    "$PY" -c '
import json, sys
for b in sys.stdin.read().strip("\n").split("\n\n"):
    e, s, i = b.split("\n")
    print(json.dumps({"enc": e[len("EncodingName: "):],
        "content": s[len("Sample: "):],
        "ids": json.loads(i[len("Encoded: "):])}))' > "$BATS_TEST_TMPDIR/plans"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/plans")" -eq 313 ]
	local n=0 e
	for e in r50k_base p50k_base p50k_edit cl100k_base o200k_base; do
		jq -c "select(.enc == \"$e\")" "$BATS_TEST_TMPDIR/plans" \
		    > "$BATS_TEST_TMPDIR/in"
		tok-count --no-progress --ids --encoding "$e" "${TT[@]}" \
		    "$GEN/tiktoken" < "$BATS_TEST_TMPDIR/in" |
		    jq -c 'select(.ids != .token_ids) | .content'
		n=$((n + $(tok-count --no-progress --ids --encoding "$e" \
		    "${TT[@]}" "$GEN/tiktoken" < "$BATS_TEST_TMPDIR/in" |
		    jq -c 'select(.ids == .token_ids)' | wc -l)))
	done
	[ "$n" -eq 313 ]
}

# ---- a slice of the real corpus (500 files) ----

# sample CONFIG ARGS...: [n_tokens, ids_hash] of each record of the sample
sample() {
	local name=$1
	shift
	tok-count --no-progress --ids "$@" < "$SAMPLE" |
	    "$PY" "$CONF/idhash.py" > "$BATS_TEST_TMPDIR/got"
	jq -c ".\"$name\"" "$TOP/tests/fixtures/tok-count/sample-golden.jsonl" \
	    > "$BATS_TEST_TMPDIR/want"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/want")" -eq 500 ]
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" | head -10
	cmp -s "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "tok-count: corpus slice: CodeBERT and GPT-2 as Hugging Face" {
	sample hf-roberta
	sample hf-roberta-addspecial --add-special
	sample hf-gpt2 --tokenizer "$GEN/gpt2.json"
}

@test "tok-count: corpus slice: tiktoken r50k, p50k, cl100k, o200k" {
	sample tiktoken-r50k_base --encoding r50k_base "${TT[@]}" \
	    "$GEN/tiktoken"
	sample tiktoken-p50k_base --encoding p50k_base "${TT[@]}" \
	    "$GEN/tiktoken"
	sample tiktoken-cl100k_base --encoding cl100k_base "${TT[@]}" \
	    "$GEN/tiktoken"
	sample tiktoken-o200k_base-allspecial --encoding o200k_base \
	    "${TT[@]}" "$GEN/tiktoken" --special allowed
}

# ---- behaviour ----

@test "tok-count: adds n_tokens before the closing brace, other bytes kept" {
	run --separate-stderr tok-count --no-progress < "$SAMPLE"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 500 ]
	printf '%s\n' "$output" | sed -E 's/,"n_tokens":[0-9]+}$/}/' |
	    cmp - "$SAMPLE"
}

@test "tok-count: an existing n_tokens is replaced in place" {
	run --separate-stderr tok-count --no-progress \
	    <<<'{"n_tokens":99,"content":"Hello world","z":1}'
	[ "$status" -eq 0 ]
	[ "$output" = '{"n_tokens":2,"content":"Hello world","z":1}' ]
}

@test "tok-count: --add-special adds exactly 2 for CodeBERT, also for \"\"" {
	run --separate-stderr tok-count --no-progress --add-special --ids \
	    <<<$'{"content":"Hello world"}\n{"content":""}'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = '{"content":"Hello world","n_tokens":4,"token_ids":[0,31414,232,2]}' ]
	[ "${lines[1]}" = '{"content":"","n_tokens":2,"token_ids":[0,2]}' ]
}

@test "tok-count: --out-field, --ids-field and --field" {
	run --separate-stderr tok-count --no-progress --ids --field code \
	    --out-field ntok --ids-field ids \
	    <<<'{"code":"Hello world","content":"x"}'
	[ "$status" -eq 0 ]
	[ "$output" = '{"code":"Hello world","content":"x","ntok":2,"ids":[31414,232]}' ]
	run --separate-stderr tok-count --ids --out-field a --ids-field a \
	    </dev/null
	[ "$status" -eq 2 ]
}

@test "tok-count: --max-tokens rejects longer records (too-many-tokens)" {
	run --separate-stderr tok-count --no-progress --max-tokens 2 \
	    --rejects "$BATS_TEST_TMPDIR/rej" \
	    <<<$'{"content":"Hello world"}\n{"content":"Hello big world"}'
	[ "$status" -eq 0 ]
	[ "$output" = '{"content":"Hello world","n_tokens":2}' ]
	[ "$(jq -r .reason "$BATS_TEST_TMPDIR/rej")" = too-many-tokens ]
	[ "$(jq -r .line "$BATS_TEST_TMPDIR/rej")" = 2 ]
	jq -r .detail "$BATS_TEST_TMPDIR/rej" | grep -q '^3 tokens, more than --max-tokens 2$'
	jq -r .record "$BATS_TEST_TMPDIR/rej" | grep -qF 'Hello big world'
	run --separate-stderr tok-count --no-progress --max-tokens 2 \
	    --max-rejects 0 <<<'{"content":"Hello big world"}'
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"too-many-tokens 1"* ]]
}

@test "tok-count: lone surrogate escapes count as U+FFFD, like the references" {
	run --separate-stderr tok-count --no-progress --ids \
	    <<<$'{"content":"a\\ud83d b"}\n{"content":"a\\ufffd b"}\n{"content":"\\udc00x\\ud800"}\n{"content":"\\ufffdx\\ufffd"}'
	[ "$status" -eq 0 ]
	[ "${lines[0]#*\"n_tokens\"}" = "${lines[1]#*\"n_tokens\"}" ]
	[ "${lines[2]#*\"n_tokens\"}" = "${lines[3]#*\"n_tokens\"}" ]
	[ "${lines[0]#*\"n_tokens\"}" != "${lines[2]#*\"n_tokens\"}" ]
	# and the reference libraries' own answer for edge-157 ("\ud83d")
	grep '"edge-157"' "$CONF/edge-cases.jsonl" | grep -qF '\ud83d'
	zstd -dcq "$GOLD/hf-roberta.jsonl.zst" | grep '"edge-157"' | ids |
	    sed 's/^\["edge-157", //' > "$BATS_TEST_TMPDIR/want"
	grep '"edge-157"' "$CONF/edge-cases.jsonl" |
	    tok-count --no-progress --ids | ids | sed 's/^\["edge-157", //' |
	    cmp - "$BATS_TEST_TMPDIR/want"
}

@test "tok-count: bad records are rejected with a reason, nothing lost" {
	printf '%s\n' '{"content":"ok"}' 'not json' '{"text":"no content"}' \
	    '{"content":42}' '' '[1,2]' > "$BATS_TEST_TMPDIR/in"
	printf '{"content":"bad \xff utf8"}\n' >> "$BATS_TEST_TMPDIR/in"
	run --separate-stderr tok-count --no-progress \
	    --rejects "$BATS_TEST_TMPDIR/rej" --summary "$BATS_TEST_TMPDIR/sum" \
	    "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$output" = '{"content":"ok","n_tokens":1}' ]
	[ "$(jq -r .reason "$BATS_TEST_TMPDIR/rej" | tr '\n' ' ')" = \
	    "bad-json missing-field bad-field empty-line not-object bad-utf8 " ]
	[ "$(jq -r .line "$BATS_TEST_TMPDIR/rej" | tr '\n' ' ')" = "2 3 4 5 6 7 " ]
	[[ "$stderr" == *"6 of 7 records rejected"* ]]
	[ "$(jq .records.in "$BATS_TEST_TMPDIR/sum")" -eq 7 ]
	[ "$(jq .records.rejected "$BATS_TEST_TMPDIR/sum")" -eq 6 ]
}

@test "tok-count: the same bytes whatever -j (1, 2, 4)" {
	tok-count --no-progress --ids -j 1 "$SAMPLE" > "$BATS_TEST_TMPDIR/1"
	tok-count --no-progress --ids -j 2 "$SAMPLE" > "$BATS_TEST_TMPDIR/2"
	tok-count --no-progress --ids -j 4 --max-tokens 5000 \
	    --rejects "$BATS_TEST_TMPDIR/rej4" "$SAMPLE" > "$BATS_TEST_TMPDIR/4"
	tok-count --no-progress --ids -j 1 --max-tokens 5000 \
	    --rejects "$BATS_TEST_TMPDIR/rej1" "$SAMPLE" > "$BATS_TEST_TMPDIR/4b"
	cmp "$BATS_TEST_TMPDIR/1" "$BATS_TEST_TMPDIR/2"
	cmp "$BATS_TEST_TMPDIR/4" "$BATS_TEST_TMPDIR/4b"
	cmp "$BATS_TEST_TMPDIR/rej1" "$BATS_TEST_TMPDIR/rej4"
	[ -s "$BATS_TEST_TMPDIR/rej1" ]
}

@test "tok-count: a directory, compressed files and CODESIFT_DATADIR" {
	mkdir "$BATS_TEST_TMPDIR/tk"
	gzip -c "$GEN/gpt2.json" > "$BATS_TEST_TMPDIR/tk/tokenizer.json.gz"
	run --separate-stderr tok-count --no-progress \
	    --tokenizer "$BATS_TEST_TMPDIR/tk/tokenizer.json.gz" \
	    <<<'{"content":"Hello world"}'
	[ "$status" -eq 0 ]
	[ "$output" = '{"content":"Hello world","n_tokens":2}' ]
	cp "$GEN/gpt2/encoder.json" "$BATS_TEST_TMPDIR/tk/vocab.json"
	cp "$GEN/gpt2/vocab.bpe" "$BATS_TEST_TMPDIR/tk/merges.txt"
	run --separate-stderr tok-count --no-progress --ids \
	    --tokenizer "$BATS_TEST_TMPDIR/tk" <<<'{"content":"Hello world"}'
	[ "$status" -eq 0 ]
	[ "$output" = '{"content":"Hello world","n_tokens":2,"token_ids":[15496,995]}' ]
	mkdir -p "$BATS_TEST_TMPDIR/data/tokenizers/codebert-base"
	cp "$GEN/gpt2/encoder.json" "$BATS_TEST_TMPDIR/data/tokenizers/codebert-base/vocab.json"
	cp "$GEN/gpt2/vocab.bpe" "$BATS_TEST_TMPDIR/data/tokenizers/codebert-base/merges.txt"
	CODESIFT_DATADIR=$BATS_TEST_TMPDIR/data run --separate-stderr \
	    tok-count --no-progress --ids <<<'{"content":"Hello world"}'
	[ "$output" = '{"content":"Hello world","n_tokens":2,"token_ids":[15496,995]}' ]
}

@test "tok-count: --summary and --metrics report the tokens" {
	run --separate-stderr tok-count --no-progress --summary \
	    "$BATS_TEST_TMPDIR/sum" --metrics "$BATS_TEST_TMPDIR/prom" \
	    --encoding cl100k_base "${TT[@]}" "$GEN/tiktoken" "$SAMPLE"
	[ "$status" -eq 0 ]
	want=$(printf '%s\n' "$output" | jq -s 'map(.n_tokens) | add')
	[ "$(jq .stats.tokens "$BATS_TEST_TMPDIR/sum")" -eq "$want" ]
	[ "$(jq -r .params.special "$BATS_TEST_TMPDIR/sum")" = text ]
	[ "$(jq -r .params.family "$BATS_TEST_TMPDIR/sum")" = tiktoken ]
	grep -q "^codesift_tokens{.*tokenizer=\"tiktoken\".*} $want\$" \
	    "$BATS_TEST_TMPDIR/prom"
	grep -q '^codesift_tokens_per_record_bucket{.*le="+Inf".*} 500$' \
	    "$BATS_TEST_TMPDIR/prom"
	promtool_check "$BATS_TEST_TMPDIR/prom"
}

# ---- no quadratic case ----

@test "tok-count: long runs encode in linear time (1 MB of one character)" {
	local c t0 t1 e
	for c in a ' ' 1 '-'; do
		"$PY" -c "import json,sys; print(json.dumps({'content': sys.argv[1] * 1000000}))" "$c" \
		    > "$BATS_TEST_TMPDIR/big"
		for e in "" "--encoding o200k_base"; do
			t0=$(date +%s%N)
			# shellcheck disable=SC2086
			tok-count --no-progress $e ${e:+--tokenizer-dir} \
			    ${e:+$GEN/tiktoken} < "$BATS_TEST_TMPDIR/big" \
			    > "$BATS_TEST_TMPDIR/out"
			t1=$(date +%s%N)
			jq -e '.n_tokens > 0' "$BATS_TEST_TMPDIR/out" >/dev/null
			# linear: well under a second (a quadratic merge loop
			# takes minutes); 20 s leaves room for sanitizers
			[ $(( (t1 - t0) / 1000000 )) -lt 20000 ]
		done
	done
}

# ---- files tok-count cannot honour: status 2, naming what ----

# patch EXPR: a copy of the GPT-2 tokenizer.json changed by jq EXPR
patch() {
	jq -c "$1" "$GEN/gpt2.json" > "$BATS_TEST_TMPDIR/t.json"
}

unsupported() {
	run --separate-stderr tok-count --tokenizer "$BATS_TEST_TMPDIR/t.json" \
	    <<<'{"content":"x"}'
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == *"$1"* ]] || { echo "$stderr"; return 1; }
}

@test "tok-count: unsupported tokenizer files exit 2 naming the part" {
	patch '.normalizer = {"type": "NFC"}'
	unsupported "unsupported normalizer 'NFC'"
	patch '.model.type = "WordPiece"'
	unsupported "unsupported model type 'WordPiece'"
	patch '.pre_tokenizer = {"type": "Metaspace", "replacement": "_"}'
	unsupported "unsupported pre_tokenizer 'Metaspace'"
	patch '.pre_tokenizer = {"type": "Sequence", "pretokenizers": [{"type": "ByteLevel", "add_prefix_space": false}, {"type": "Digits", "individual_digits": true}]}'
	unsupported "'Digits' after ByteLevel"
	patch '.pre_tokenizer = {"type": "Digits", "individual_digits": true}'
	unsupported "no ByteLevel step"
	patch '.pre_tokenizer = null'
	unsupported "unsupported pre_tokenizer: none"
	patch '.truncation = {"max_length": 512, "strategy": "LongestFirst", "stride": 0, "direction": "Right"}'
	unsupported "unsupported truncation"
	patch '.padding = {"strategy": "BatchLongest"}'
	unsupported "unsupported padding"
	patch '.model.dropout = 0.1'
	unsupported "unsupported BPE dropout"
	patch '.model.continuing_subword_prefix = "##"'
	unsupported "subword prefix or suffix"
	patch '.pre_tokenizer = {"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "\\h+"}, "behavior": "Isolated", "invert": false}, {"type": "ByteLevel", "add_prefix_space": false, "use_regex": false}]}'
	unsupported "unsupported regex construct: \\h"
	patch '.pre_tokenizer = {"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "(unclosed"}, "behavior": "Isolated", "invert": false}, {"type": "ByteLevel", "add_prefix_space": false, "use_regex": false}]}'
	unsupported "regex does not compile"
	patch '.model.merges += ["Ġzzzq Ġyyyq"]'
	unsupported "merge 50001"
	patch '.post_processor = {"type": "Funky"}'
	run --separate-stderr tok-count --tokenizer "$BATS_TEST_TMPDIR/t.json" \
	    <<<'{"content":"x"}'
	[ "$status" -eq 0 ]
	run --separate-stderr tok-count --tokenizer "$BATS_TEST_TMPDIR/t.json" \
	    --add-special <<<'{"content":"x"}'
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"unsupported post_processor 'Funky'"* ]]
}

@test "tok-count: bad files and options exit 2 before reading input" {
	printf '{"model": ' > "$BATS_TEST_TMPDIR/t.json"
	unsupported "at byte"
	run --separate-stderr tok-count --tokenizer "$BATS_TEST_TMPDIR/none.json"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"none.json"* ]]
	run --separate-stderr tok-count --encoding cl200k "${TT[@]}" "$GEN/tiktoken"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"unknown encoding 'cl200k'"* ]]
	run --separate-stderr tok-count --encoding cl100k_base \
	    "${TT[@]}" "$BATS_TEST_TMPDIR"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"no cl100k_base.tiktoken"* ]]
	head -c 500000 "$GEN/tiktoken/r50k_base.tiktoken" > "$BATS_TEST_TMPDIR/r50k_base.tiktoken"
	run --separate-stderr tok-count --encoding r50k_base \
	    "${TT[@]}" "$BATS_TEST_TMPDIR"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"sha256"*"tiktoken pins"* ]]
	run --separate-stderr tok-count --encoding o200k_base "${TT[@]}" \
	    "$GEN/tiktoken" --add-special
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"no post-processor"* ]]
	run --separate-stderr tok-count --special maybe
	[ "$status" -eq 2 ]
	run --separate-stderr tok-count --max-tokens -1
	[ "$status" -eq 2 ]
	run --separate-stderr tok-count --encoding gpt2 --tokenizer x
	[ "$status" -eq 2 ]
	run --separate-stderr tok-count -j 0x
	[ "$status" -eq 2 ]
}

@test "tok-count: --help prints the synopsis of the man page" {
	run tok-count --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: tok-count "* ]]
	[[ "$output" == *"--max-tokens N"* ]]
	run tok-count --version
	[ "$status" -eq 0 ]
}
