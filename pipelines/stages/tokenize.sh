#!/bin/bash
# tokenize.sh - pipeline stage "tokenize": add each record's exact token
# count (tok-count).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CS_STAGE=tokenize
CS_PROG=tok-count
CS_USAGE="usage: tokenize.sh [--reports DIR] [--shard ID] [--tokenizer FILE]
           [--merges FILE] [--encoding NAME] [--tokenizer-dir DIR] [--special text|allowed]
           [--add-special] [--max-tokens N] [--ids] [--jobs N]
           [--max-rejects LIMIT] INPUT... OUTPUT

Options (params.yaml tokenize; '' leaves tok-count's default, CodeBERT):
  --tokenizer FILE      a Hugging Face tokenizer.json (or vocab.json, with
                        --merges FILE)
  --encoding NAME       a tiktoken encoding (cl100k_base...) read from
                        --tokenizer-dir DIR
  --special text|allowed, --add-special   special tokens (tok-count(1))
  --max-tokens N        reject records with more tokens (context length)
  --ids                 also add token_ids
  --jobs N              worker threads
  --max-rejects LIMIT   exit 1 above LIMIT rejects (N or P%)"

cs_parse tokenizer merges encoding tokenizer-dir special add-special? max-tokens \
    ids? jobs=-j max-rejects -- "$@"
set -- "${CS_REST[@]}"
[ $# -ge 2 ] || cs_usage_error "needs INPUT... and OUTPUT"
out=${!#}
inputs=("${@:1:$#-1}")
cs_inputs_exist "${inputs[@]}"
cs_outdir "$out"
prog=$(cs_prog tok-count)
cs_report_args "$(cs_name)"
cs_run "$prog" "${CS_ARGS[@]}" "${CS_FARGS[@]}" -o "$out" -- "${inputs[@]}"
cs_finish
