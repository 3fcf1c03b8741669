#!/bin/bash
# funnel.sh - print the funnel of a pipeline run from its reports.
#
# usage: funnel.sh REPORTS_DIR
#
# Reads every REPORTS_DIR/*.summary.json (the --summary of each stage, or of
# each shard of a stage: they are added up by stage) and prints, in
# pipeline order, records and bytes in and out per stage, then what the
# stages found: PII by kind, duplicates removed, tokens, the quality gate.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: funnel.sh REPORTS_DIR" >&2; exit 2; }
dir=$1
shopt -s nullglob
files=("$dir"/*.summary.json)
[ ${#files[@]} -gt 0 ] || { echo "funnel.sh: no *.summary.json in $dir" >&2; exit 2; }

jq -s -r '
def order: ["fetch","scrub","dedup-exact-map","dedup-exact","dedup-near-sign",
    "dedup-near-bucket","dedup-near-cluster","dedup-near","tokenize",
    "validate","stats-state","stats"];
def mib: . / 1048576 | . * 100 | round / 100;
def pad(n): tostring | if length < n then . + (" " * (n - length)) else . end;
def lpad(n): tostring | if length < n then (" " * (n - length)) + . else . end;
def sumk(f): map(f // 0) | add // 0;
group_by(.stage)
| map({stage: .[0].stage, shards: length,
       in: sumk(.records.in), out: sumk(.records.out),
       dropped: sumk(.records.dropped), rejected: sumk(.records.rejected),
       bin: sumk(.bytes.in), bout: sumk(.bytes.out),
       secs: (map(.duration_seconds // 0) | max),
       status: (map(.status // 0) | max),
       stats: map(.stats // {})})
| sort_by(.stage as $st | (order | index($st)) // 99) as $s
| ("stage" | pad(20)) + ("records in" | lpad(12)) + ("out" | lpad(11))
    + ("dropped" | lpad(11)) + ("rejected" | lpad(11)) + ("MiB in" | lpad(10))
    + ("MiB out" | lpad(10)) + ("seconds" | lpad(9)),
  ($s[] | "\(.stage + (if .shards > 1 then " ×\(.shards)" else "" end) | pad(20))"
      + "\(.in | lpad(12))\(.out | lpad(11))\(.dropped | lpad(11))"
      + "\(.rejected | lpad(11))\(.bin | mib | lpad(10))\(.bout | mib | lpad(10))"
      + "\(.secs | . * 100 | round / 100 | lpad(9))"
      + (if .status != 0 then "  exit \(.status)" else "" end)),
  ""
' "${files[@]}"

# What the stages found, from their own summary "stats" where present.
jq -s -r '
def sumk(f): map(f // 0) | add // 0;
def bystage(s): map(select(.stage == s));
(bystage("scrub") | map(.stats.pii // .stats.found // {}) |
    reduce .[] as $m ({}; reduce ($m | to_entries[]) as $e (.; .[$e.key] += ($e.value | numbers))))
    as $pii
| [(bystage("dedup-exact") | select(length > 0) | "\(sumk(.records.dropped)) exact"),
   (bystage("dedup-near") | select(length > 0) | "\(sumk(.records.dropped)) near")]
  as $dups
| (bystage("tokenize") | map(.stats.tokens // .stats.n_tokens // .stats.total_tokens // empty) | add) as $tok
| (bystage("validate")) as $v
| (if ($pii | length) > 0 then
     "PII found:          " + ([$pii | to_entries[] | select(.key != "total")
         | "\(.key) \(.value)"] | join(", "))
         + (if $pii.total then " (total \($pii.total))" else "" end)
   else empty end),
  (if ($dups | length) > 0 then "duplicates removed: " + ($dups | join(", "))
   else empty end),
  (if $tok then "tokens:             \($tok)" else empty end),
  (if ($v | length) > 0 then
     "quality gate:       " + (if ($v | map(.status // 0) | max) == 0 then "passed" else "FAILED" end)
       + " (\($v | map(.stats.failed // .records.rejected // 0) | add) of \($v | sumk(.records.in)) records failed)"
   else empty end)
' "${files[@]}"
