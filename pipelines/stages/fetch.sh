#!/bin/bash
# fetch.sh - pipeline stage "fetch": add each file's content from the
# Software Heritage bucket, or from a local mirror of it (swh-fetch).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CS_STAGE=fetch
CS_PROG=swh-fetch
CS_USAGE="usage: fetch.sh [--reports DIR] [--shard ID] [--mirror DIR] [--endpoint URL]
           [--bucket NAME] [--region NAME] [--addressing MODE] [--profile NAME]
           [--no-sign-request] [--jobs N] [--retries N] [--timeout SECONDS]
           [--connect-timeout SECONDS] [--cache DIR] [--max-bytes SIZE]
           [--max-rejects LIMIT] INPUT... OUTPUT

Options (params.yaml fetch; '' leaves swh-fetch's default):
  --mirror DIR        read DIR/content/<blob_id> instead of S3 (no network)
  --endpoint URL, --bucket NAME, --region NAME, --addressing MODE
                      the S3 bucket
  --profile NAME      sign with this profile of ~/.aws/credentials
  --no-sign-request   anonymous requests even if AWS_* keys are set
  --jobs N            transfers in flight
  --retries N, --timeout SECONDS, --connect-timeout SECONDS
                      fault handling
  --cache DIR         keep verified objects there (a rerun fetches only
                      what is missing)
  --max-bytes SIZE    reject larger files
  --max-rejects LIMIT exit 1 above LIMIT rejects (N or P%)
AWS credentials, if any, come from the environment (swh-fetch(1))."

cs_parse mirror endpoint bucket region addressing profile no-sign-request? \
    jobs=-j retries timeout connect-timeout cache max-bytes max-rejects -- "$@"
set -- "${CS_REST[@]}"
[ $# -ge 2 ] || cs_usage_error "needs INPUT... and OUTPUT"
out=${!#}
inputs=("${@:1:$#-1}")
cs_inputs_exist "${inputs[@]}"
cs_outdir "$out"
prog=$(cs_prog swh-fetch)
cs_report_args "$(cs_name)"
cs_run "$prog" "${CS_ARGS[@]}" "${CS_FARGS[@]}" -o "$out" -- "${inputs[@]}"
cs_finish
