#!/bin/bash
# dedup-near.sh - pipeline stage "dedup-near": drop near duplicates (MinHash
# + LSH, dedup-near), in one process or as its four steps over shards.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CS_STAGE=dedup-near
CS_PROG=dedup-near
CS_USAGE="usage: dedup-near.sh [--reports DIR] [--shard ID] [options] INPUT... OUTPUT
       dedup-near.sh [options] --shard ID sign INPUT... SIGN
       dedup-near.sh [options] --shard I bucket SIGN... PAIRS
       dedup-near.sh [options] cluster SIGN... PAIRS... DROPS
       dedup-near.sh [options] --shard ID filter SIGN DROPS INPUT... OUTPUT

One process (the default): drop near duplicates of earlier records.

Sharded (the four steps of dedup-near(1); shards in input order):
  sign    the signatures of one shard (SIGN, a file)
  bucket  candidate pairs of band range I of --bucket-parts, over every
          shard's SIGN (I counts from 1)
  cluster every PAIRS and SIGN -> the records to drop (DROPS)
  filter  drop them from one shard (its SIGN and the DROPS)
The result is the one-process result, record for record.

Options (params.yaml dedup_near; '' leaves dedup-near's default):
  --threshold X         Jaccard similarity of duplicates
  --perms N, --bands N, --rows N, --ngram N, --min-tokens N, --seed N,
  --fast                signatures (dedup-near(1))
  --verify estimate|exact  confirm candidates with the true Jaccard
  --keep first|max:FIELD   which record of a cluster stays
  --chain               transitive clusters (BigCode's), not star clusters
  --clusters            write the clusters to the reports
  --jobs N              threads for signatures
  --tmpdir DIR          where dedup-near spools its input
  --mark                keep duplicates, adding dup_of
  --bucket-parts K      band ranges of the bucket step (sharded runs)
  --max-rejects LIMIT   exit 1 above LIMIT rejects (N or P%)"

# options by the step that takes them
SIGN_OPTS=(perms bands rows ngram min-tokens seed verify keep tmpdir)
cs_parse threshold: perms: bands: rows: ngram: min-tokens: seed: fast?: \
    verify: keep: chain?: clusters?: jobs: tmpdir: mark?: bucket-parts: \
    max-rejects: -- "$@"
set -- "${CS_REST[@]}"
step=run
case ${1:-} in
sign|bucket|cluster|filter) step=$1; shift ;;
esac

# arg NAME [OPTION]: --NAME VALUE (or OPTION VALUE) if NAME was given
arg() {
	local v=${CS_OPT[$1]:-}
	[ -z "$v" ] || CS_FARGS+=("${2:---$1}" "$v")
}
sign_args() {
	local o
	for o in "${SIGN_OPTS[@]}"; do arg "$o"; done
	[ -z "${CS_OPT[fast]:-}" ] || CS_FARGS+=(--fast)
	arg jobs -j
}
cluster_args() {
	[ -z "${CS_OPT[chain]:-}" ] || CS_FARGS+=(--chain)
	[ -z "${CS_OPT[clusters]:-}" ] ||
		CS_FARGS+=(--clusters "$CS_REPORTS/$(cs_name).clusters.jsonl")
}

[ $# -ge 2 ] || cs_usage_error "needs its input files and output"
out=${!#}
inputs=("${@:1:$#-1}")
CS_FARGS=()
case $step in
run)
	sign_args
	arg threshold
	cluster_args
	[ -z "${CS_OPT[mark]:-}" ] || CS_FARGS+=(--mark)
	arg max-rejects ;;
sign)
	[ -n "$CS_SHARD" ] || cs_usage_error "sign needs --shard ID"
	CS_STAGE=dedup-near-sign
	sign_args
	arg max-rejects ;;
bucket)
	[ -n "$CS_SHARD" ] || cs_usage_error "bucket needs --shard I (1..K)"
	[[ $CS_SHARD =~ ^0*[1-9][0-9]*$ ]] ||
		cs_usage_error "bucket: --shard must be a band range 1..K, not '$CS_SHARD'"
	CS_STAGE=dedup-near-bucket
	k=${CS_OPT[bucket-parts]:-1}
	i=$((10#$CS_SHARD))
	[ "$i" -le "$k" ] || cs_usage_error "bucket: range $i of $k"
	CS_FARGS+=(--part "$i/$k")
	arg threshold ;;
cluster)
	CS_STAGE=dedup-near-cluster
	cluster_args ;;
filter)
	[ -n "$CS_SHARD" ] || cs_usage_error "filter needs --shard ID"
	[ ${#inputs[@]} -ge 3 ] || cs_usage_error "filter needs SIGN DROPS INPUT... OUTPUT"
	cs_inputs_exist "${inputs[0]}" "${inputs[1]}"
	CS_FARGS+=(--sign "${inputs[0]}" --drops "${inputs[1]}")
	inputs=("${inputs[@]:2}")
	[ -z "${CS_OPT[mark]:-}" ] || CS_FARGS+=(--mark)
	arg max-rejects ;;
esac
cs_inputs_exist "${inputs[@]}"
prog=$(cs_prog dedup-near)
if [ "$step" = bucket ] || [ "$step" = cluster ]; then
	cs_report_args "$(cs_name)" norejects	# no records read: no rejects
else
	cs_report_args "$(cs_name)"
fi
mkdir -p "$(dirname "$out")"
cs_run "$prog" $([ "$step" = run ] || echo "$step") "${CS_ARGS[@]}" \
    ${CS_FARGS[@]+"${CS_FARGS[@]}"} -o "$out" -- "${inputs[@]}"
cs_finish
