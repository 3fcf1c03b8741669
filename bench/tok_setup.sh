# bench/tok_setup.sh - what the tok-count benchmarks share (source it after
# lib.sh): the tokenizer files, the reference libraries, one command line
# per configuration.
#
# The reference is ../shared/bench/peers/tok_ref.js (or $TOK_REF), run by
# node with npm packages tokenizers@0.23.2 and tiktoken@1.0.22 found through
# NODE_PATH (npm install them in a scratch folder outside the repository).
# Tokenizer files are derived from the repository (make_tokenizers.py and the
# vendored rank files), so both sides read the same bytes.

TOK_REF=${TOK_REF:-$BENCH_TOP/../shared/bench/peers/tok_ref.js}
CONF=$BENCH_TOP/tests/conformance/tokenizers
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
# one thread in the references too
export RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false UV_THREADPOOL_SIZE=1

# tok_files: make the tokenizer files under $TOKDIR (once)
tok_files() {
	TOKDIR=${BENCH_TMP:-/tmp}/codesift-tok-files
	if [ ! -s "$TOKDIR/tiktoken/o200k_base.tiktoken" ]; then
		rm -rf "$TOKDIR"
		"$PY" "$CONF/make_tokenizers.py" "$BENCH_TOP/configs" "$TOKDIR" || return 1
		for f in "$CONF"/tiktoken/*.tiktoken.zst; do
			zstd -q -dc "$f" > "$TOKDIR/tiktoken/$(basename "$f" .zst)"
		done
	fi
}

# need_refs: the reference libraries can be loaded, or explain and fail
need_refs() {
	if [ ! -r "$TOK_REF" ]; then
		echo "bench: no tok_ref.js at $TOK_REF (set TOK_REF=)" >&2
		return 1
	fi
	if ! node -e 'require("tokenizers"); require("tiktoken")' 2>/dev/null; then
		echo "bench: node cannot load the npm packages tokenizers and tiktoken:" >&2
		echo "  (cd /tmp/tokref && npm install tokenizers@0.23.2 tiktoken@1.0.22)" >&2
		echo "  then NODE_PATH=/tmp/tokref/node_modules $0" >&2
		return 1
	fi
}

# Configurations: NAME, tok-count arguments, tok_ref.js arguments
TOK_CONFIGS=(
	"codebert|--add-special|--backend hf --tokenizer TOKDIR/roberta.json --add-special"
	"gpt2-hf|--tokenizer TOKDIR/gpt2.json|--backend hf --tokenizer TOKDIR/gpt2.json"
	"gpt2-tiktoken|--encoding gpt2 --tokenizer-dir TOKDIR/tiktoken|--backend tiktoken --tokenizer TOKDIR/tiktoken/r50k_base.tiktoken --encoding gpt2"
	"cl100k_base|--encoding cl100k_base --tokenizer-dir TOKDIR/tiktoken|--backend tiktoken --tokenizer TOKDIR/tiktoken/cl100k_base.tiktoken"
	"o200k_base|--encoding o200k_base --tokenizer-dir TOKDIR/tiktoken|--backend tiktoken --tokenizer TOKDIR/tiktoken/o200k_base.tiktoken"
)

# cfg_split LINE: sets CFG_NAME, CFG_OURS (array), CFG_REF (array)
cfg_split() {
	local ours ref
	IFS='|' read -r CFG_NAME ours ref <<<"$1"
	read -r -a CFG_OURS <<<"${ours//TOKDIR/$TOKDIR}"
	read -r -a CFG_REF <<<"${ref//TOKDIR/$TOKDIR}"
}
