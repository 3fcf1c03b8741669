#!/bin/bash
# slurm.sh - submit the sharded pipeline to Slurm as job arrays.
#
# usage: slurm.sh [-p PARAMS] [-S KEY=VALUE]... [-n] -w WORKDIR INPUT
#                 [-- SBATCH-OPTION...]
#
# Submits the steps of step.sh, each an array of codesift.sbatch jobs that
# starts when the one before it succeeded (--dependency=afterok):
#
#   split -> shard[0..N-1] -> reduce[0..P-1] -> sign[0..N-1]
#         -> bucket[1..K] -> cluster -> finish-shard[0..N-1] -> finish
#
# N, P and K come from params.yaml (scale.shards, dedup_exact.partitions,
# dedup_near.bucket-parts).  WORKDIR must be on a filesystem every node
# sees; so must the checkout (CODESIFT_HOME, exported to the jobs).
# SBATCH-OPTIONs (--partition=..., --account=..., --mem=...) go to every
# sbatch call.  -n prints the sbatch commands instead (job ids shown as
# $JOB_<step>).  Prints the job id of the last step.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
usage() { sed -n 's/^# \{0,1\}//; 4,5p' "$0" >&2; exit 2; }

pargs=() dry=0 work=
while [ $# -gt 0 ]; do
	case $1 in
	-p|-S)	[ $# -ge 2 ] || usage; pargs+=("$1" "$2"); shift 2 ;;
	-w)	[ $# -ge 2 ] || usage; work=$2; shift 2 ;;
	-n)	dry=1; shift ;;
	-h|--help) sed -n 's/^# \{0,1\}//; 2,21p' "$0"; exit 0 ;;
	-*)	echo "slurm.sh: unknown option '$1'" >&2; usage ;;
	*)	break ;;
	esac
done
[ -n "$work" ] && [ $# -ge 1 ] || usage
input=$1
shift
if [ $# -gt 0 ]; then
	[ "$1" = -- ] || usage
	shift
fi
sbopts=("$@")
[ "$dry" = 1 ] || command -v sbatch > /dev/null ||
	{ echo "slurm.sh: sbatch not found (Slurm client; Debian: slurm-client)" >&2; exit 2; }
[[ $work == /* ]] || work=$PWD/$work
[[ $input == /* ]] || input=$PWD/$input

step=("$here/step.sh" ${pargs[@]+"${pargs[@]}"} -w "$work")
n=$("${step[@]}" list shards | wc -l)
p=$("${step[@]}" list partitions | wc -l)
k=$("${step[@]}" list ranges | wc -l)

# submit NAME DEPENDENCY ARRAY STEP [ARG]: sbatch one step; sets JOB
submit() {
	local name=$1 dep=$2 array=$3
	shift 3
	local cmd=(sbatch --parsable --job-name="codesift-$name"
	    --export="ALL,CODESIFT_HOME=$top" ${sbopts[@]+"${sbopts[@]}"})
	[ -z "$dep" ] || cmd+=(--dependency="afterok:$dep")
	[ -z "$array" ] || cmd+=(--array="$array")
	cmd+=("$here/codesift.sbatch" ${pargs[@]+"${pargs[@]}"} -w "$work" "$@")
	if [ "$dry" = 1 ]; then
		printf '%q' "${cmd[0]}"
		printf ' %q' "${cmd[@]:1}"
		printf '\n'
		JOB="\$JOB_${name//-/_}"
	else
		JOB=$("${cmd[@]}")
		JOB=${JOB%%;*}
		echo "slurm.sh: $name: job $JOB" >&2
	fi
}

submit split "" "" split "$input"
submit shard "$JOB" "0-$((n - 1))" shard
submit reduce "$JOB" "0-$((p - 1))" reduce
submit sign "$JOB" "0-$((n - 1))" sign
submit bucket "$JOB" "1-$k" bucket
submit cluster "$JOB" "" cluster
submit finish-shard "$JOB" "0-$((n - 1))" finish-shard
submit finish "$JOB" "" finish
[ "$dry" = 1 ] || echo "$JOB"
