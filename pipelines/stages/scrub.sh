#!/bin/bash
# scrub.sh - pipeline stage "scrub": find and redact PII and secrets
# (pii-scrub).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CS_STAGE=scrub
CS_PROG=pii-scrub
CS_USAGE="usage: scrub.sh [--reports DIR] [--shard ID] [--mode tag|fake] [--seed N]
           [--rules FILE] [--only KINDS] [--skip KINDS] [--redact-private-ips]
           [--spans] [--audit] [--jobs N] [--max-rejects LIMIT] INPUT... OUTPUT

Options (params.yaml scrub; '' leaves pii-scrub's default):
  --mode tag|fake       typed placeholders or format-preserving fakes
  --seed N              key of the fakes
  --rules FILE          rule catalogue (default: configs/pii-rules.json)
  --only KINDS, --skip KINDS   comma-separated kinds
  --redact-private-ips  also private, loopback... addresses
  --spans               add pii_spans to each record
  --audit               write one line per finding (hashes, never values)
                        to the reports as NAME.audit.jsonl
  --jobs N              worker threads
  --max-rejects LIMIT   exit 1 above LIMIT rejects (N or P%)"

cs_parse mode seed rules only skip redact-private-ips? spans? audit?: \
    jobs=-j max-rejects -- "$@"
set -- "${CS_REST[@]}"
[ $# -ge 2 ] || cs_usage_error "needs INPUT... and OUTPUT"
out=${!#}
inputs=("${@:1:$#-1}")
cs_inputs_exist "${inputs[@]}"
cs_outdir "$out"
prog=$(cs_prog pii-scrub)
cs_report_args "$(cs_name)"
[ -z "${CS_OPT[audit]:-}" ] ||
	CS_FARGS+=(--audit "$CS_REPORTS/$(cs_name).audit.jsonl")
cs_run "$prog" "${CS_ARGS[@]}" "${CS_FARGS[@]}" -o "$out" -- "${inputs[@]}"
cs_finish
