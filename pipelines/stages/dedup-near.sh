#!/bin/bash
# dedup-near.sh - pipeline stage "dedup-near": drop near duplicates (MinHash
# + LSH, dedup-near), in one process or as its four steps over shards.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CS_STAGE=dedup-near
CS_PROG=dedup-near
CS_USAGE="usage: dedup-near.sh [--reports DIR] [--shard ID] [--threshold T] [--perms N]
           [--bands B] [--rows R] [--ngram N] [--min-tokens N] [--keep RULE]
           [--verify exact] [--no-chain] [--clusters] [--jobs N]
           [--max-rejects LIMIT] INPUT... OUTPUT

Options (params.yaml dedup_near; '' leaves dedup-near's default):
  --threshold T         estimated Jaccard above which records are copies
  --perms N, --bands B, --rows R, --ngram N, --min-tokens N   (dedup-near(1))
  --keep first|max:FIELD  which record of a cluster stays
  --verify exact        confirm candidates with the true Jaccard
  --no-chain            compare with the kept record, not transitively
  --clusters            write the clusters to the reports
  --jobs N              threads for signatures
  --max-rejects LIMIT   exit 1 above LIMIT rejects (N or P%)"

cs_parse threshold perms bands rows ngram min-tokens keep verify no-chain? \
    clusters?: jobs=-j max-rejects -- "$@"
set -- "${CS_REST[@]}"
[ $# -ge 2 ] || cs_usage_error "needs INPUT... and OUTPUT"
out=${!#}
inputs=("${@:1:$#-1}")
cs_inputs_exist "${inputs[@]}"
prog=$(cs_prog dedup-near)
cs_report_args "$(cs_name)"
[ -z "${CS_OPT[clusters]:-}" ] ||
	CS_FARGS+=(--clusters "$CS_REPORTS/$(cs_name).clusters.jsonl")
cs_run "$prog" "${CS_ARGS[@]}" "${CS_FARGS[@]}" -o "$out" -- "${inputs[@]}"
cs_finish
