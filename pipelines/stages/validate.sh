#!/bin/bash
# validate.sh - pipeline stage "validate": check every record against the
# JSON Schema and the quality rules, and fail the pipeline when too many
# fail (schema-check, the quality gate).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CS_STAGE=validate
CS_PROG=schema-check
CS_USAGE="usage: validate.sh [--reports DIR] [--shard ID] [--schema FILE] [--no-schema]
           [--draft VERSION] [--format-assert] [--schema-map PREFIX=DIR]
           [--rules FILE] [--no-rules] [--only IDS] [--skip IDS] [--max-fail LIMIT]
           [--mark] [--max-errors N] [--jobs N] [--max-rejects LIMIT]
           INPUT... OUTPUT
       validate.sh [--reports DIR] [--max-fail LIMIT] gate SUMMARY...

One process (the default): valid records go to OUTPUT, failing ones to the
rejects; exit 1 when more than --max-fail records fail (the gate).
  gate    the gate of a sharded run: the shards ran without --max-fail,
          their summaries are added up and checked against --max-fail

Options (params.yaml validate; '' leaves schema-check's default):
  --schema FILE, --no-schema    the JSON Schema (default: the final record's)
  --draft VERSION, --format-assert, --schema-map PREFIX=DIR
  --rules FILE, --no-rules, --only IDS, --skip IDS   the quality rules
  --max-fail LIMIT      the gate: N records or P% of them
  --mark                keep failing records, adding 'quality'
  --max-errors N        errors listed per record
  --jobs N              threads
  --max-rejects LIMIT   exit 1 above LIMIT rejects of unreadable records
The report (counts per rule and keyword) goes to the reports as
NAME.report.json."

cs_parse schema no-schema? draft format-assert? schema-map rules no-rules? \
    only skip max-fail: mark? max-errors jobs=-j max-rejects -- "$@"
set -- "${CS_REST[@]}"
max_fail=${CS_OPT[max-fail]:-}

if [ "${1:-}" = gate ]; then
	shift
	CS_STAGE=validate-gate	# no program pushes the gate's verdict: we do
	[ $# -ge 1 ] || cs_usage_error "gate needs the shards' summaries"
	cs_inputs_exist "$@"
	# failed: failed the schema or a rule, or could not be read (the
	# summary's stats.failed, as schema-check's own --max-fail counts)
	read -r in failed < <(jq -s -r '[ (map(.records.in) | add),
	    (map(.stats.failed // .records.rejected) | add) ] | @tsv' "$@")
	echo "validate.sh: gate: $failed of $in records failed in $# shards" >&2
	over=0
	if [ -z "$max_fail" ]; then
		:
	elif [[ $max_fail == *% ]]; then
		limit=${max_fail%\%}
		over=$(awk -v f="$failed" -v n="$in" -v l="$limit" \
		    'BEGIN { print (n > 0 && f * 100 > l * n) ? 1 : 0 }')
	else
		over=$(awk -v f="$failed" -v l="$max_fail" \
		    'BEGIN { print (f > l) ? 1 : 0 }')
	fi
	st=0
	if [ "$over" = 1 ]; then
		echo "validate.sh: gate failed: more than --max-fail $max_fail" >&2
		st=1
	fi
	cs_push_status "$st"	# the gate's verdict, pass or fail
	CS_PUSHED=$st
	exit "$st"
fi

[ $# -ge 2 ] || cs_usage_error "needs INPUT... and OUTPUT"
out=${!#}
inputs=("${@:1:$#-1}")
cs_inputs_exist "${inputs[@]}"
cs_outdir "$out"
prog=$(cs_prog schema-check)
cs_report_args "$(cs_name)"
CS_FARGS+=(--report "$CS_REPORTS/$(cs_name).report.json")
# a shard of a sharded run leaves the gate to 'validate.sh gate'
[ -z "$max_fail" ] || [ -n "$CS_SHARD" ] || CS_FARGS+=(--max-fail "$max_fail")
cs_run "$prog" "${CS_ARGS[@]}" "${CS_FARGS[@]}" -o "$out" -- "${inputs[@]}"
cs_finish
