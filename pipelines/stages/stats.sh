#!/bin/bash
# stats.sh - pipeline stage "stats": the dataset's statistics, anomalies and
# the funnel of the whole run, as JSON, CSV, Prometheus metrics and an HTML
# page (stats-agg); in one pass, or as per-shard states and their merge.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CS_STAGE=stats
CS_PROG=stats-agg
CS_USAGE="usage: stats.sh [--reports DIR] [options] INPUT... OUTDIR
       stats.sh [options] --shard ID state INPUT... STATE
       stats.sh [--reports DIR] [options] merge STATE... OUTDIR

Writes OUTDIR/report.json, OUTDIR/report.html and OUTDIR/plots/*.csv.  The
funnel comes from the summaries the stages left in the reports directory
(REPORTS/<stage>.summary.json, or <stage>.<shard>.summary.json for each
shard), in pipeline order.
  state   the partial state of one shard (sharded runs)
  merge   merge every shard's state into the report

Options (params.yaml stats; '' leaves stats-agg's default):
  --z Z             robust z-score above which a value is an outlier
  --expect FILE     expected language shares (JSON {\"lang\": share})
  --outliers N      outliers listed per language and metric
  --top N           rows of the repository, extension and licence lists
  --repo-capacity N repositories counted exactly"

FUNNEL=(fetch scrub dedup-exact dedup-near tokenize validate)

cs_parse z expect outliers top repo-capacity -- "$@"
set -- "${CS_REST[@]}"
step=run
case ${1:-} in
state|merge) step=$1; shift ;;
esac
[ $# -ge 2 ] || cs_usage_error "needs INPUT... and its output"
out=${!#}
inputs=("${@:1:$#-1}")
cs_inputs_exist "${inputs[@]}"
prog=$(cs_prog stats-agg)

report_args() {
	local s f
	shopt -s nullglob
	for s in "${FUNNEL[@]}"; do
		for f in "$CS_REPORTS/$s.summary.json" "$CS_REPORTS/$s".*.summary.json; do
			[ ! -f "$f" ] || CS_FARGS+=(--stage-summary "$f")
		done
	done
	shopt -u nullglob
	mkdir -p "$out/plots"
	CS_FARGS+=(--json "$out/report.json" --html "$out/report.html"
	    --csv "$out/plots")
}

case $step in
run)
	cs_report_args "$(cs_name)"
	report_args
	cs_run "$prog" "${CS_ARGS[@]}" "${CS_FARGS[@]}" -- "${inputs[@]}" ;;
state)
	[ -n "$CS_SHARD" ] || cs_usage_error "state needs --shard ID"
	CS_STAGE=stats-state
	cs_report_args "$(cs_name)"
	mkdir -p "$(dirname "$out")"
	cs_run "$prog" "${CS_ARGS[@]}" "${CS_FARGS[@]}" --state "$out" -- "${inputs[@]}" ;;
merge)
	cs_report_args "$(cs_name)" norejects
	report_args
	cs_run "$prog" --merge "${CS_ARGS[@]}" "${CS_FARGS[@]}" -- "${inputs[@]}" ;;
esac
cs_finish
