#!/bin/bash
# run.sh - run the codesift pipeline over one dataset, stage after stage.
#
# usage: run.sh [-p PARAMS] [-S KEY=VALUE]... [-w WORKDIR] [--from STAGE]
#               [--to STAGE] [-n] [-q] INPUT...
#
# Runs the stage scripts of pipelines/stages/ in the pipeline's order:
#
#   fetch → scrub → dedup-exact → dedup-near → tokenize → validate → stats
#
# each with its parameters from params.yaml (the section of the same name,
# '-' as '_'), passed as DVC passes them (pipelines/lib/params.py), so that
# run.sh, `dvc repro` and the Airflow DAG run the same commands.  INPUT is
# the first stage's input (Stack v2 metadata for fetch).  Files go to
# WORKDIR (default: data):
#
#   fetched.jsonl.zst  scrubbed.jsonl.zst  dedup-exact.jsonl.zst
#   dedup-near.jsonl.zst  tokenized.jsonl.zst  dataset.jsonl.zst
#   reports/<stage>.{summary.json,prom,rejects.jsonl,...}
#   reports/stats/{report.json,report.html,plots/}
#
#   -p PARAMS      parameters file (default: params.yaml of the checkout)
#   -S KEY=VALUE   override one parameter (like `dvc exp run -S`)
#   -w WORKDIR     where the files go
#   --from STAGE   start at STAGE (INPUT is then that stage's input)
#   --to STAGE     stop after STAGE
#   -n             print the commands, run nothing
#   -q             do not print the funnel at the end
#
# Set PUSHGATEWAY_URL to push every stage's metrics.  Exit status: 0, or
# the status of the stage that failed (1: a data gate, 2: usage or
# configuration, 3: fatal).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)

STAGES=(fetch scrub dedup-exact dedup-near tokenize validate stats)
declare -A OUTPUT=(
	[fetch]=fetched.jsonl.zst [scrub]=scrubbed.jsonl.zst
	[dedup-exact]=dedup-exact.jsonl.zst [dedup-near]=dedup-near.jsonl.zst
	[tokenize]=tokenized.jsonl.zst [validate]=dataset.jsonl.zst
	[stats]=reports/stats
)

usage() {
	sed -n 's/^# \{0,1\}//; 3,4p' "$0" >&2
	exit 2
}

params=$top/params.yaml sets=() work=data from=fetch to=stats quiet=0 dry=0
while [ $# -gt 0 ]; do
	case $1 in
	-p)	[ $# -ge 2 ] || usage; params=$2; shift 2 ;;
	-S)	[ $# -ge 2 ] || usage; sets+=(-S "$2"); shift 2 ;;
	-w)	[ $# -ge 2 ] || usage; work=$2; shift 2 ;;
	--from)	[ $# -ge 2 ] || usage; from=$2; shift 2 ;;
	--to)	[ $# -ge 2 ] || usage; to=$2; shift 2 ;;
	-n)	dry=1; shift ;;
	-q)	quiet=1; shift ;;
	-h|--help) sed -n 's/^# \{0,1\}//; 2,33p' "$0"; exit 0 ;;
	--)	shift; break ;;
	-*)	echo "run.sh: unknown option '$1'" >&2; usage ;;
	*)	break ;;
	esac
done
[ $# -ge 1 ] || usage
index_of() {
	local i
	for i in "${!STAGES[@]}"; do
		[ "${STAGES[i]}" != "$1" ] || { echo "$i"; return; }
	done
	echo "run.sh: unknown stage '$1' (stages: ${STAGES[*]})" >&2
	exit 2
}
first=$(index_of "$from")
last=$(index_of "$to")
[ "$first" -le "$last" ] || { echo "run.sh: --from $from comes after --to $to" >&2; exit 2; }

# PyYAML: Debian's python3 has it as python3-yaml
PY=
for p in ${CODESIFT_PYTHON:-} /usr/bin/python3 python3; do
	if "$p" -c 'import yaml' 2>/dev/null; then PY=$p; break; fi
done
[ -n "$PY" ] || { echo "run.sh: needs Python 3 with PyYAML (Debian: python3-yaml)" >&2; exit 2; }

reports=$work/reports
[ "$dry" = 1 ] || mkdir -p "$reports"
# every stage's arguments at once: ARGS_<section>=(...)
items=()
for s in "${STAGES[@]}"; do items+=("args:${s//-/_}"); done
q=$("$PY" "$here/lib/params.py" -p "$params" ${sets[@]+"${sets[@]}"} shell "${items[@]}")
eval "$q"
input=("$@")
t0=$(date +%s.%N)
for ((i = first; i <= last; i++)); do
	stage=${STAGES[i]}
	out=$work/${OUTPUT[$stage]}
	local_name=ARGS_${stage//-/_}
	declare -n args=$local_name
	cmd=("$here/stages/$stage.sh" --reports "$reports" "${args[@]}" "${input[@]}" "$out")
	if [ "$dry" = 1 ]; then
		words=("${cmd[@]#"$top/"}")
		printf '%q' "${words[0]}"
		printf ' %q' "${words[@]:1}"
		printf '\n'
		input=("$out")
		continue
	fi
	printf 'run.sh: %s:' "$stage" >&2
	printf ' %q' "${cmd[@]#"$top/"}" >&2
	printf '\n' >&2
	st=0
	"${cmd[@]}" || st=$?
	if [ "$st" -ne 0 ]; then
		case $st in
		1) why="a data gate failed" ;;
		2) why="usage or configuration error" ;;
		3) why="fatal error, output incomplete" ;;
		*) why="exit status $st" ;;
		esac
		echo "run.sh: stopped at stage $stage: $why" >&2
		exit "$st"
	fi
	input=("$out")
done
[ "$dry" = 0 ] || exit 0
secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
echo "run.sh: stages ${STAGES[first]}..${STAGES[last]} done in ${secs}s; output: $out" >&2
[ "$quiet" = 1 ] || "$here/funnel.sh" "$reports" >&2
