#!/bin/bash
# dedup-exact.sh - pipeline stage "dedup-exact": drop exact and normalized
# copies (dedup-exact), in one process or as map/reduce steps over shards.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CS_STAGE=dedup-exact
CS_PROG=dedup-exact
CS_USAGE="usage: dedup-exact.sh [--reports DIR] [--shard ID] [--normalize MODE]
           [--clusters] [--partitions N] [--max-rejects LIMIT] INPUT... OUTPUT
       dedup-exact.sh [options] --shard ID map INPUT... PARTDIR
       dedup-exact.sh [options] --shard PART reduce PARTFILE... KEPTDIR
       dedup-exact.sh [options] --shard ID merge KEPTFILE... OUTPUT

One process (the default): keep the first record of each content.

Sharded (shards in input order, ids that sort in that order):
  map     tag each record of shard ID with its position and split the
          shard by content key into PARTDIR/part-NNNNN.jsonl (--partitions)
  reduce  dedup one partition over every shard (PARTFILEs in shard order)
          and write its kept records into KEPTDIR/<shard>.jsonl
  merge   put one shard's kept records (KEPTDIR/<shard>.jsonl of every
          partition) back in input order and remove the position tags
The result is the one-process result, record for record and in order.

Options (params.yaml dedup_exact):
  --normalize none|format|code  compare normalized text (dedup-exact(1))
  --clusters                    write the groups of copies to the reports
  --partitions N                partitions of the map step (default 16)
  --max-rejects LIMIT           exit 1 above LIMIT rejects (N or P%)"

normalize=none clusters=0 partitions=16 max_rejects=
while [ $# -gt 0 ]; do
	cs_common_opt "$@"
	if [ "$CS_SHIFT" -gt 0 ]; then shift "$CS_SHIFT"; continue; fi
	case $1 in
	--normalize)	cs_need_value "$1" $#; normalize=$2; shift 2 ;;
	--clusters)	clusters=1; shift ;;
	--partitions)	cs_need_value "$1" $#; partitions=$2; shift 2 ;;
	--max-rejects)	cs_need_value "$1" $#; max_rejects=$2; shift 2 ;;
	--)		shift; break ;;
	-?*)		cs_usage_error "unknown option '$1'" ;;
	*)		break ;;
	esac
done
step=run
case ${1:-} in
map|reduce|merge) step=$1; shift ;;
esac
[ $# -ge 2 ] || cs_usage_error "needs INPUT... and OUTPUT"
out=${!#}
inputs=("${@:1:$#-1}")
if [ "$step" = merge ]; then
	# KEPTDIR/<shard>.jsonl is missing when the partition kept nothing of
	# that shard; a missing KEPTDIR is a reduce that did not run
	present=()
	for f in "${inputs[@]}"; do
		if [ -f "$f" ]; then
			present+=("$f")
		elif [ ! -d "$(dirname "$f")" ]; then
			cs_die 2 "merge: no $(dirname "$f"): did its reduce step run?"
		fi
	done
	inputs=(${present[@]+"${present[@]}"})
else
	cs_inputs_exist "${inputs[@]}"
fi

# The position tag: the first member of the object, so that sorting whole
# lines sorts by it; "SHARD:LINE" with LINE zero-padded.
TAG=_codesift_pos

filter_args() {
	local name=$1
	cs_report_args "$name"
	CS_ARGS+=(--normalize="$normalize")
	[ -z "$max_rejects" ] || CS_ARGS+=(--max-rejects "$max_rejects")
}

# Rejected records keep no tag: the reject file must replay the original.
# The map step reads the shard from a pipe: name the shard file instead.
untag_rejects() {
	local f=$CS_REPORTS/$1.rejects.jsonl
	[ -s "$f" ] || return 0
	jq -c --arg t "$TAG" --arg in "${2:-}" '.record |= sub("^(?<s>[ \t]*)\\{\"" + $t +
	    "\":\"[^\"]*\",?"; "\(.s){")
	    | if $in != "" and .file == "-" then .file = $in else . end' \
	    "$f" > "$f.tmp" && mv "$f.tmp" "$f"
}

case $step in
run)
	prog=$(cs_prog dedup-exact)
	cs_outdir "$out"
	filter_args "$(cs_name)"
	[ "$clusters" = 0 ] ||
		CS_ARGS+=(--clusters "$CS_REPORTS/$(cs_name).clusters.jsonl")
	cs_run "$prog" "${CS_ARGS[@]}" -o "$out" -- "${inputs[@]}"
	cs_finish ;;
map)
	[ -n "$CS_SHARD" ] || cs_usage_error "map needs --shard ID"
	prog=$(cs_prog dedup-exact)
	CS_STAGE=dedup-exact-map	# its own metrics group and report names
	filter_args "$(cs_name)"
	CS_ARGS+=(--partition "$partitions" --partition-dir "$out")
	mkdir -p "$out"
	# tag, then partition (a failure of either fails the step)
	set +e
	cs_cat "${inputs[@]}" | awk -v tag="$TAG" -v shard="$CS_SHARD" '
	{
		pos = sprintf("\"%s\":\"%s:%012d\"", tag, shard, NR)
		if (match($0, /^[ \t]*\{/)) {
			rest = substr($0, RLENGTH + 1)
			sep = rest ~ /^[ \t]*\}/ ? "" : ","
			$0 = substr($0, 1, RLENGTH) pos sep rest
		}
		print
	}' | "$prog" "${CS_ARGS[@]}" -
	st=("${PIPESTATUS[@]}")
	set -e
	CS_STATUS=${st[2]}
	cs_ran "$CS_STATUS"
	[ "${st[0]}" = 0 ] && [ "${st[1]}" = 0 ] || CS_STATUS=3
	untag_rejects "$(cs_name)" "${inputs[*]}"
	cs_finish ;;
reduce)
	[ -n "$CS_SHARD" ] || cs_usage_error "reduce needs --shard PART"
	prog=$(cs_prog dedup-exact)
	filter_args "$(cs_name)"
	[ "$clusters" = 0 ] ||
		CS_ARGS+=(--clusters "$CS_REPORTS/$(cs_name).clusters.jsonl")
	tmpdir=$out.tmp.$$
	rm -rf "$tmpdir"
	mkdir -p "$tmpdir"
	cs_at_exit 'rm -rf "$tmpdir"'
	cs_run "$prog" "${CS_ARGS[@]}" -o "$tmpdir/kept.jsonl" -- "${inputs[@]}"
	untag_rejects "$(cs_name)"
	if [ "$CS_STATUS" -eq 0 ] || [ "$CS_STATUS" -eq 1 ]; then
		# split the kept records by the shard they came from
		awk -F'"' -v dir="$tmpdir" -v tag="$TAG" '
		$2 == tag {
			split($4, p, ":")
			print > (dir "/" p[1] ".jsonl")
			next
		}
		{ print "dedup-exact.sh: untagged record in reduce input" > "/dev/stderr"; exit 3 }
		' "$tmpdir/kept.jsonl" || CS_STATUS=3
		rm -f "$tmpdir/kept.jsonl"
		if [ "$CS_STATUS" -ne 3 ]; then
			rm -rf "$out"
			mv "$tmpdir" "$out"
		fi
	fi
	cs_finish ;;
merge)
	# sort -m: each kept file is in input order already
	{
		set +e
		LC_ALL=C sort -m -- ${inputs[@]+"${inputs[@]}"} < /dev/null |
		    sed -E 's/^([ \t]*)\{"'"$TAG"'":"[^"]*",?/\1{/' | cs_write "$out"
		st=("${PIPESTATUS[@]}")
		set -e
	}
	CS_STATUS=0
	for s in "${st[@]}"; do [ "$s" = 0 ] || CS_STATUS=3; done
	[ "$CS_STATUS" = 0 ] || cs_die 3 "merge of ${#inputs[@]} files into $out failed"
	exit 0 ;;
esac
