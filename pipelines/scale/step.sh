#!/bin/bash
# step.sh - one step of the sharded pipeline, for any scheduler.
#
# usage: step.sh [-p PARAMS] [-S KEY=VALUE]... -w WORKDIR [-n] STEP [INDEX]
#
# The pipeline over N shards is a sequence of steps; the mapped ones run
# once per shard (S = 00000, 00001...), per dedup-exact partition (P =
# 00000...) or per dedup-near band range (I = 1..K), in any order and on any
# host that sees WORKDIR (a shared filesystem); each waits for the step
# before it.  GNU parallel (parallel.sh), Slurm (slurm.sh) and the Airflow
# DAG run these steps, and each calls the stage scripts of pipelines/stages/.
#
#   split INPUT      cut INPUT into scale.shards shards, in order
#   shard S          fetch, scrub, dedup-exact map: shard S
#   reduce P         dedup-exact reduce: partition P over every shard
#   sign S           dedup-exact merge, dedup-near sign: shard S
#   bucket I         dedup-near bucket: band range I over every shard
#   cluster          dedup-near cluster: the near duplicates to drop
#   finish-shard S   dedup-near filter, tokenize, validate, stats state: shard S
#   finish           quality gate, dataset, stats report, funnel
#   list shards|partitions|ranges   the INDEXes of a mapped step
#
# Parameters come from params.yaml as for run.sh (scale.shards,
# dedup_exact.partitions, dedup_near.bucket-parts set the widths).  -n
# prints the commands instead of running them.  The result,
# WORKDIR/dataset.jsonl.zst, is the one-process run's dataset, record for
# record and in order; reports go to WORKDIR/reports/.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
ST=$top/pipelines/stages

usage() { sed -n 's/^# \{0,1\}//; 3p' "$0" >&2; exit 2; }

params=$top/params.yaml sets=() work= dry=0
while [ $# -gt 0 ]; do
	case $1 in
	-p)	[ $# -ge 2 ] || usage; params=$2; shift 2 ;;
	-S)	[ $# -ge 2 ] || usage; sets+=(-S "$2"); shift 2 ;;
	-w)	[ $# -ge 2 ] || usage; work=$2; shift 2 ;;
	-n)	dry=1; shift ;;
	-h|--help) sed -n 's/^# \{0,1\}//; 2,28p' "$0"; exit 0 ;;
	-*)	echo "step.sh: unknown option '$1'" >&2; usage ;;
	*)	break ;;
	esac
done
[ -n "$work" ] && [ $# -ge 1 ] || usage
step=$1
shift

PY=
for p in ${CODESIFT_PYTHON:-} /usr/bin/python3 python3; do
	if "$p" -c 'import yaml' 2>/dev/null; then PY=$p; break; fi
done
[ -n "$PY" ] || { echo "step.sh: needs Python 3 with PyYAML (Debian: python3-yaml)" >&2; exit 2; }
# every parameter at once: ARGS_<section>=(...) as DVC and run.sh pass them
q=$("$PY" "$top/pipelines/lib/params.py" -p "$params" ${sets[@]+"${sets[@]}"} \
    shell args:fetch args:scrub args:dedup_exact args:dedup_near \
    args:tokenize args:validate args:stats get:scale.shards=shards \
    get:dedup_exact.partitions=partitions get:dedup_near.bucket-parts=ranges)
eval "$q"
stage_args() {		# stage_args SECTION: STAGE_ARGS=(ARGS_SECTION)
	local -n a=ARGS_$1
	STAGE_ARGS=("${a[@]}")
}

W=$work
R=$W/reports

# run CMD...: print it (-n) or run it; a failure ends the step with its status
run() {
	if [ "$dry" = 1 ]; then
		local words=("${@#"$top/"}")
		printf '%q' "${words[0]}"
		printf ' %q' "${words[@]:1}"
		printf '\n'
		return
	fi
	local st=0
	"$@" || st=$?
	if [ "$st" -ne 0 ]; then
		echo "step.sh: $step${index:+ $index}: '${1#"$top/"}' exited with status $st" >&2
		exit "$st"
	fi
}

need_index() {		# need_index KIND PATTERN
	[ $# -ge 3 ] && [[ $3 =~ $2 ]] ||
		{ echo "step.sh: $step needs a $1" >&2; exit 2; }
	index=$3
}
ids() {			# ids COUNT: 00000 .. COUNT-1
	local i
	for ((i = 0; i < $1; i++)); do printf '%05d\n' "$i"; done
}
shard_ids() {		# the shards split made (before it: the ones it will)
	if [ -d "$W/shards" ]; then
		ls "$W/shards" | sed -n 's/\.jsonl$//p'
	else
		ids "$shards"
	fi
}
index=

case $step in
list)
	case ${1:-} in
	shards) shard_ids ;;
	partitions) ids "$partitions" ;;
	ranges) seq 1 "$ranges" ;;
	*) usage ;;
	esac ;;
split)
	[ $# -eq 1 ] || { echo "step.sh: split needs INPUT" >&2; exit 2; }
	in=$1
	[ -f "$in" ] || { echo "step.sh: split: no such file: $in" >&2; exit 2; }
	[[ $shards =~ ^[1-9][0-9]*$ ]] && [ "$shards" -le 99999 ] ||
		{ echo "step.sh: scale.shards must be 1..99999, not '$shards'" >&2; exit 2; }
	if [ "$dry" = 1 ]; then
		echo "split -n l/$shards $in $W/shards/"
		exit 0
	fi
	rm -rf "$W/shards.tmp"
	mkdir -p "$W/shards.tmp"
	case $in in
	*.zst|*.gz)
		# split -n needs a file it can seek in
		source "$ST/lib.sh"
		cs_cat "$in" > "$W/shards.tmp/.input"
		in=$W/shards.tmp/.input ;;
	esac
	# contiguous pieces, cut at line ends: shard i holds lines before shard i+1's
	split -n "l/$shards" -d -a 5 --additional-suffix=.jsonl "$in" "$W/shards.tmp/"
	rm -f "$W/shards.tmp/.input"
	rm -rf "$W/shards"
	mv "$W/shards.tmp" "$W/shards"
	echo "step.sh: split $1 into $shards shards in $W/shards" >&2 ;;
shard)
	need_index "shard id" '^[0-9]{5}$' "$@"
	S=$index
	stage_args fetch
	run "$ST/fetch.sh" --reports "$R" --shard "$S" "${STAGE_ARGS[@]}" \
	    "$W/shards/$S.jsonl" "$W/fetched/$S.jsonl.zst"
	stage_args scrub
	run "$ST/scrub.sh" --reports "$R" --shard "$S" "${STAGE_ARGS[@]}" \
	    "$W/fetched/$S.jsonl.zst" "$W/scrubbed/$S.jsonl.zst"
	stage_args dedup_exact
	run "$ST/dedup-exact.sh" --reports "$R" --shard "$S" "${STAGE_ARGS[@]}" \
	    map "$W/scrubbed/$S.jsonl.zst" "$W/parts/$S" ;;
reduce)
	need_index "partition id" '^[0-9]{5}$' "$@"
	P=$index
	stage_args dedup_exact
	run "$ST/dedup-exact.sh" --reports "$R" --shard "$P" "${STAGE_ARGS[@]}" \
	    reduce $(shard_ids | sed "s|.*|$W/parts/&/part-$P.jsonl|") "$W/kept/$P" ;;
sign)
	need_index "shard id" '^[0-9]{5}$' "$@"
	S=$index
	run "$ST/dedup-exact.sh" --shard "$S" merge \
	    $(ids "$partitions" | sed "s|.*|$W/kept/&/$S.jsonl|") \
	    "$W/dedup-exact/$S.jsonl.zst"
	stage_args dedup_near
	run "$ST/dedup-near.sh" --reports "$R" --shard "$S" "${STAGE_ARGS[@]}" \
	    sign "$W/dedup-exact/$S.jsonl.zst" "$W/sign/$S.sign" ;;
bucket)
	need_index "band range 1..$ranges" '^[1-9][0-9]*$' "$@"
	I=$index
	[ "$I" -le "$ranges" ] ||
		{ echo "step.sh: bucket: band range $I of $ranges" >&2; exit 2; }
	stage_args dedup_near
	run "$ST/dedup-near.sh" --reports "$R" --shard "$I" "${STAGE_ARGS[@]}" \
	    bucket $(shard_ids | sed "s|.*|$W/sign/&.sign|") "$W/pairs/$I.pairs" ;;
cluster)
	stage_args dedup_near
	run "$ST/dedup-near.sh" --reports "$R" "${STAGE_ARGS[@]}" cluster \
	    $(shard_ids | sed "s|.*|$W/sign/&.sign|") \
	    $(seq 1 "$ranges" | sed "s|.*|$W/pairs/&.pairs|") "$W/drops" ;;
finish-shard)
	need_index "shard id" '^[0-9]{5}$' "$@"
	S=$index
	stage_args dedup_near
	run "$ST/dedup-near.sh" --reports "$R" --shard "$S" "${STAGE_ARGS[@]}" \
	    filter "$W/sign/$S.sign" "$W/drops" \
	    "$W/dedup-exact/$S.jsonl.zst" "$W/dedup-near/$S.jsonl.zst"
	stage_args tokenize
	run "$ST/tokenize.sh" --reports "$R" --shard "$S" "${STAGE_ARGS[@]}" \
	    "$W/dedup-near/$S.jsonl.zst" "$W/tokenized/$S.jsonl.zst"
	stage_args validate
	run "$ST/validate.sh" --reports "$R" --shard "$S" "${STAGE_ARGS[@]}" \
	    "$W/tokenized/$S.jsonl.zst" "$W/validated/$S.jsonl.zst"
	stage_args stats
	run "$ST/stats.sh" --reports "$R" --shard "$S" "${STAGE_ARGS[@]}" \
	    state "$W/validated/$S.jsonl.zst" "$W/state/$S.state" ;;
finish)
	list=$(shard_ids)
	stage_args validate
	run "$ST/validate.sh" --reports "$R" "${STAGE_ARGS[@]}" gate \
	    $(sed "s|.*|$R/validate.&.summary.json|" <<<"$list")
	run "$here/concat.sh" "$W/dataset.jsonl.zst" \
	    $(sed "s|.*|$W/validated/&.jsonl.zst|" <<<"$list")
	stage_args stats
	run "$ST/stats.sh" --reports "$R" "${STAGE_ARGS[@]}" merge \
	    $(sed "s|.*|$W/state/&.state|" <<<"$list") "$R/stats"
	[ "$dry" = 1 ] || "$top/pipelines/funnel.sh" "$R" >&2 ;;
*)
	echo "step.sh: unknown step '$step'" >&2
	usage ;;
esac
