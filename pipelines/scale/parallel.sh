#!/bin/bash
# parallel.sh - the pipeline over N shards with GNU parallel, on this
# machine or across hosts.
#
# usage: parallel.sh [-p PARAMS] [-S KEY=VALUE]... [-j JOBS]
#                    [--sshlogin HOSTS] [-n] -w WORKDIR INPUT
#
# Cuts INPUT into scale.shards shards (params.yaml, or -S scale.shards=N)
# and runs the steps of step.sh: the per-shard and per-partition ones as
# parallel jobs, each reduce after the jobs it needs:
#
#   split -> shard x N -> reduce x P -> sign x N -> bucket x K -> cluster
#         -> finish-shard x N -> finish
#
# WORKDIR/dataset.jsonl.zst is then the one-process dataset (run.sh), record
# for record and in order; the reports and the funnel are in
# WORKDIR/reports/.
#
#   -j JOBS           jobs at once per host (default: one per CPU)
#   --sshlogin HOSTS  run the jobs on these hosts too (GNU parallel -S:
#                     "host1,4/host2,:" for 4 jobs on host2 and some here);
#                     the checkout and WORKDIR must be at the same path on
#                     every host (a shared filesystem), PATH must find the
#                     programs there or set CODESIFT_BIN
#   -n                print the commands, run nothing
#   -p, -S            parameters, as for run.sh
#
# PUSHGATEWAY_URL, CODESIFT_BIN and AWS_* travel with the jobs.  The first
# failing job stops the run (GNU parallel --halt now,fail=1) with its exit
# status.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

usage() { sed -n 's/^# \{0,1\}//; 4,5p' "$0" >&2; exit 2; }

pargs=() jobs= hosts= dry=0 work=
while [ $# -gt 0 ]; do
	case $1 in
	-p|-S)	[ $# -ge 2 ] || usage; pargs+=("$1" "$2"); shift 2 ;;
	-j)	[ $# -ge 2 ] || usage; jobs=$2; shift 2 ;;
	--sshlogin) [ $# -ge 2 ] || usage; hosts=$2; shift 2 ;;
	-w)	[ $# -ge 2 ] || usage; work=$2; shift 2 ;;
	-n)	dry=1; shift ;;
	-h|--help) sed -n 's/^# \{0,1\}//; 2,30p' "$0"; exit 0 ;;
	-*)	echo "parallel.sh: unknown option '$1'" >&2; usage ;;
	*)	break ;;
	esac
done
[ -n "$work" ] && [ $# -eq 1 ] || usage
input=$1
command -v parallel > /dev/null && parallel --version 2>/dev/null | grep -q 'GNU parallel' ||
	{ echo "parallel.sh: needs GNU parallel (Debian: apt-get install parallel)" >&2; exit 2; }
mkdir -p "$work"
work=$(cd "$work" && pwd)
[ "$dry" = 1 ] || [ -f "$input" ] || { echo "parallel.sh: no such file: $input" >&2; exit 2; }
[[ $input == /* ]] || input=$PWD/$input

step=("$here/step.sh" ${pargs[@]+"${pargs[@]}"} -w "$work")
[ "$dry" = 0 ] || step+=(-n)

par=(parallel --will-cite --halt now,fail=1 --line-buffer --tag)
[ -z "$jobs" ] || par+=(-j "$jobs")
if [ -n "$hosts" ]; then
	par+=(-S "$hosts" --workdir "$PWD")
	for v in PUSHGATEWAY_URL CODESIFT_BIN CODESIFT_PYTHON AWS_ACCESS_KEY_ID \
	    AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE; do
		[ -z "${!v:-}" ] || par+=(--env "$v")
	done
fi

# mapped STEP LIST: run STEP for every index LIST prints
mapped() {
	local what=$1 idx
	idx=$("${step[@]}" list "$2")
	echo "parallel.sh: $what x $(wc -l <<<"$idx")" >&2
	printf '%s\n' "$idx" | "${par[@]}" "$(printf '%q ' "${step[@]}")" "$what" '{}'
}

t0=$(date +%s)
"${step[@]}" split "$input"
mapped shard shards
mapped reduce partitions
mapped sign shards
mapped bucket ranges
"${step[@]}" cluster
mapped finish-shard shards
"${step[@]}" finish
[ "$dry" = 1 ] ||
	echo "parallel.sh: done in $(( $(date +%s) - t0 ))s: $work/dataset.jsonl.zst" >&2
