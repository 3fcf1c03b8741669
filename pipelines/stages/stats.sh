#!/bin/bash
# stats.sh - pipeline stage "stats": the dataset's statistics, anomalies,
# the funnel of the whole run, as JSON, CSV, Prometheus metrics and an HTML
# page (stats-agg).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CS_STAGE=stats
CS_PROG=stats-agg
CS_USAGE="usage: stats.sh [--reports DIR] [--shard ID] [--z Z] [--expect FILE]
           INPUT... OUTDIR

Writes OUTDIR/report.json, OUTDIR/report.html and OUTDIR/plots/*.csv.  The
funnel comes from the summaries the earlier stages left in the reports
directory (REPORTS/<stage>.summary.json), in pipeline order.

Options (params.yaml stats; '' leaves stats-agg's default):
  --z Z            robust z-score above which a record is an outlier
  --expect FILE    expected language shares (JSON)"

STAGES_BEFORE=(fetch scrub dedup-exact dedup-near tokenize validate)

cs_parse z expect -- "$@"
set -- "${CS_REST[@]}"
[ $# -ge 2 ] || cs_usage_error "needs INPUT... and OUTDIR"
out=${!#}
inputs=("${@:1:$#-1}")
cs_inputs_exist "${inputs[@]}"
prog=$(cs_prog stats-agg)
cs_report_args "$(cs_name)"
for s in "${STAGES_BEFORE[@]}"; do
	f=$CS_REPORTS/$s.summary.json
	[ ! -f "$f" ] || CS_FARGS+=(--stage-summary "$f")
done
mkdir -p "$out/plots"
cs_run "$prog" "${CS_ARGS[@]}" "${CS_FARGS[@]}" --json "$out/report.json" \
    --html "$out/report.html" --csv "$out/plots" -- "${inputs[@]}"
cs_finish
