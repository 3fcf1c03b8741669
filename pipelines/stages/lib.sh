# lib.sh - what the stage scripts share; sourced by pipelines/stages/*.sh.
#
# A stage script is the one place where the command line of one pipeline
# stage is written.  pipelines/run.sh, DVC (dvc.yaml), the Airflow DAG and
# the scale-out scripts all call the same scripts:
#
#   STAGE.sh [--reports DIR] [--shard ID] [stage options] [STEP] INPUT... OUTPUT
#
#   --reports DIR   where the run's reports go (default $CODESIFT_REPORTS,
#                   else reports/): NAME.summary.json (--summary),
#                   NAME.prom (--metrics), NAME.rejects.jsonl (--rejects),
#                   NAME being the stage, plus the step and shard if any
#   --shard ID      this run is one shard of a sharded run: the metrics get
#                   a shard label and the Pushgateway group a /shard/ID
#
# Environment:
#   PUSHGATEWAY_URL        push every run's metrics there (--push); a run that
#                          dies without pushing (status 2, 3, a signal) gets
#                          its codesift_exit_status pushed here instead
#   CODESIFT_BIN           where the programs are (default: the checkout's
#                          bin/, then PATH)
#   CODESIFT_EMPTY_STATUS  exit status when the input held no record (default
#                          0; the Airflow DAG sets 99, "skipped")
#
# Exit status: the program's (0 ok, 1 a data gate failed, 2 usage or
# configuration, 3 fatal), 2 when the program is not built.

CODESIFT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CS_SCRIPT=$(basename "$0")
CS_REPORTS=${CODESIFT_REPORTS:-reports}
CS_SHARD=
CS_STAGE=
CS_PROG=
CS_PUSHED=		# the status a program pushed itself (it does on 0 and 1)
CS_CLEANUP=()		# commands cs_on_exit runs (cs_at_exit)

# On exit: clean up, and when the stage failed without its program having
# pushed that (a usage error, a fatal error, a signal, a failure of the
# script itself), push the exit status for the alerts.
cs_on_exit() {
	local st=$? c
	for c in ${CS_CLEANUP[@]+"${CS_CLEANUP[@]}"}; do eval "$c"; done
	if [ "$st" -ne 0 ] && [ "$st" -ne 99 ] && [ "$st" != "$CS_PUSHED" ] &&
	    [ -n "$CS_STAGE" ]; then
		cs_push_status "$st"
	fi
	exit "$st"
}
trap cs_on_exit EXIT

# cs_at_exit COMMAND: run COMMAND (eval) when the script exits
cs_at_exit() {
	CS_CLEANUP+=("$1")
}

cs_die() {		# cs_die STATUS MESSAGE
	local st=$1
	shift
	printf '%s: %s\n' "$CS_SCRIPT" "$*" >&2
	exit "$st"
}

cs_usage_error() {		# the message and the usage lines (not the help)
	printf '%s: %s\n%s\n' "$CS_SCRIPT" "$*" "${CS_USAGE%%$'\n\n'*}" >&2
	exit 2
}

# cs_common_opt "$@": parse one common option; sets CS_SHIFT to the number
# of words used (0 if the word is not a common option).
cs_common_opt() {
	CS_SHIFT=0
	case $1 in
	--reports|--shard)
		[ $# -ge 2 ] || cs_usage_error "option $1 needs a value"
		if [ "$1" = --reports ]; then
			CS_REPORTS=$2
		else
			[[ $2 =~ ^[A-Za-z0-9._-]+$ ]] ||
			    cs_usage_error "bad shard id '$2': use letters, digits, '.', '_', '-'"
			CS_SHARD=$2
		fi
		CS_SHIFT=2 ;;
	-h|--help)
		printf '%s\n' "$CS_USAGE"
		exit 0 ;;
	esac
}

# cs_need_value OPTION NARGS: an option's value must be there
cs_need_value() {
	[ "$2" -ge 2 ] || cs_usage_error "option $1 needs a value"
}

# cs_prog NAME: the path of program NAME, or exit 2 saying it is not built
cs_prog() {
	local name=$1 p
	for p in ${CODESIFT_BIN:+"$CODESIFT_BIN/$name"} "$CODESIFT_ROOT/bin/$name"; do
		if [ -x "$p" ]; then
			printf '%s\n' "$p"
			return
		fi
	done
	if p=$(command -v "$name" 2>/dev/null); then
		printf '%s\n' "$p"
		return
	fi
	if [ -d "$CODESIFT_ROOT/filters/$name" ]; then
		cs_die 2 "stage $CS_STAGE needs $name, which is not built: run 'make' in $CODESIFT_ROOT"
	fi
	cs_die 2 "stage $CS_STAGE needs $name, which is not part of this checkout (no filters/$name) and not on PATH"
}

# cs_name [STEP]: the base name of this run's report files
cs_name() {
	printf '%s%s%s\n' "$CS_STAGE" "${1:+.$1}" "${CS_SHARD:+.$CS_SHARD}"
}

# cs_report_args NAME [norejects]: set CS_ARGS to the options every filter
# run gets: --stage, --shard, --summary, --metrics, --rejects, --push.
cs_report_args() {
	local name=$1
	mkdir -p "$CS_REPORTS"
	CS_SUMMARY=$CS_REPORTS/$name.summary.json
	CS_ARGS=(--stage "$CS_STAGE" --summary "$CS_SUMMARY"
	    --metrics "$CS_REPORTS/$name.prom")
	[ "${2:-}" = norejects ] ||
		CS_ARGS+=(--rejects "$CS_REPORTS/$name.rejects.jsonl")
	[ -z "$CS_SHARD" ] || CS_ARGS+=(--shard "$CS_SHARD")
	[ -z "${PUSHGATEWAY_URL:-}" ] || CS_ARGS+=(--push "$PUSHGATEWAY_URL")
}

# cs_push_status STATUS: tell the Pushgateway how a run ended when its
# program could not (POST: the group's other metrics stay).  Status 0 also
# sets the last success time.
cs_push_status() {
	local st=$1 labels url now
	[ -n "${PUSHGATEWAY_URL:-}" ] || return 0
	labels="filter=\"$CS_PROG\",stage=\"$CS_STAGE\"${CS_SHARD:+,shard=\"$CS_SHARD\"}"
	url=${PUSHGATEWAY_URL%/}/metrics/job/codesift/stage/$CS_STAGE${CS_SHARD:+/shard/$CS_SHARD}
	now=$(date +%s)
	{
		cat <<EOF
# HELP codesift_exit_status Exit status of the last run (0 ok, 1 gate failed).
# TYPE codesift_exit_status gauge
codesift_exit_status{$labels} $st
# HELP codesift_last_run_timestamp_seconds When the last run ended.
# TYPE codesift_last_run_timestamp_seconds gauge
codesift_last_run_timestamp_seconds{$labels} $now
EOF
		[ "$st" -ne 0 ] || cat <<EOF
# HELP codesift_last_success_timestamp_seconds When the last successful run ended.
# TYPE codesift_last_success_timestamp_seconds gauge
codesift_last_success_timestamp_seconds{$labels} $now
EOF
	} | curl -fsS -m 15 -o /dev/null --data-binary @- "$url" ||
	    printf '%s: cannot push the exit status to %s\n' "$CS_SCRIPT" "$url" >&2
}

# cs_run CMD...: run one filter; sets CS_STATUS (never exits: the caller
# decides).  A filter pushes its own metrics when it ends with 0 or 1.
cs_run() {
	CS_STATUS=0
	"$@" || CS_STATUS=$?
	cs_ran "$CS_STATUS"
}

# cs_ran STATUS: the program ended with STATUS (and pushed it if 0 or 1)
cs_ran() {
	if [ "$1" -eq 0 ] || [ "$1" -eq 1 ]; then
		CS_PUSHED=$1
	fi
}

# cs_records_in SUMMARY: records read by the run of that summary
cs_records_in() {
	jq -r '.records.in' "$1"
}

# cs_finish: exit with the run's status; an input without records gives
# CODESIFT_EMPTY_STATUS (99 under Airflow: the task shows as skipped).
cs_finish() {
	if [ "$CS_STATUS" -eq 0 ] && [ -n "${CODESIFT_EMPTY_STATUS:-}" ] &&
	    [ "$CODESIFT_EMPTY_STATUS" != 0 ] && [ -f "$CS_SUMMARY" ] &&
	    [ "$(cs_records_in "$CS_SUMMARY")" = 0 ]; then
		printf '%s: no records in the input: nothing to do\n' "$CS_SCRIPT" >&2
		exit "$CODESIFT_EMPTY_STATUS"
	fi
	exit "$CS_STATUS"
}

# cs_inputs_exist FILE...: every input must be there (status 2 otherwise)
cs_inputs_exist() {
	local f
	for f; do
		[ "$f" = - ] || [ -e "$f" ] || cs_die 2 "input '$f' does not exist"
	done
}

# cs_write OUTPUT: copy stdin to OUTPUT atomically (temporary name, then
# rename), compressed as its name says (.zst, .gz), like the filters' -o
cs_write() {
	local out=$1 tmp
	mkdir -p "$(dirname "$out")" || return 3
	tmp=$(dirname "$out")/.$(basename "$out").tmp.$$
	case $out in
	*.zst)	zstd -q -c > "$tmp" ;;
	*.gz)	gzip -c > "$tmp" ;;
	*)	cat > "$tmp" ;;
	esac || { rm -f "$tmp"; return 3; }
	mv -f "$tmp" "$out"
}

# cs_cat FILE...: the records of FILE... on stdout, decompressed by name
cs_cat() {
	local f
	for f; do
		case $f in
		*.zst)	zstd -q -dc -- "$f" ;;
		*.gz)	gzip -dc -- "$f" ;;
		*)	cat -- "$f" ;;
		esac || return 3
	done
}

# cs_parse SPEC... -- "$@": parse the common options and the stage's own.
# Each SPEC names an option NAME (given as --NAME VALUE or --NAME=VALUE):
#   NAME       passed to the program as --NAME VALUE
#   NAME=OPT   passed to the program as OPT VALUE (e.g. jobs=-j)
#   NAME?      a flag, passed as --NAME
#   NAME:      kept for the script in CS_OPT[NAME] (a flag: NAME?:)
# An empty VALUE means "the program's default" and passes nothing, so that
# params.yaml can leave an option unset with ''.  Sets CS_FARGS (for the
# program), CS_OPT and CS_REST (the words after the options).
declare -A CS_OPT=()
cs_parse() {
	local -A spec=()
	local s name val word
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		s=$1
		case $s in
		*=*)	spec[${s%%=*}]="value ${s#*=}" ;;
		*'?:')	spec[${s%'?:'}]="localflag" ;;
		*'?')	spec[${s%'?'}]="flag --${s%'?'}" ;;
		*:)	spec[${s%:}]="local" ;;
		*)	spec[$s]="value --$s" ;;
		esac
		shift
	done
	shift	# --
	CS_FARGS=()
	while [ $# -gt 0 ]; do
		cs_common_opt "$@"
		if [ "$CS_SHIFT" -gt 0 ]; then shift "$CS_SHIFT"; continue; fi
		word=$1
		case $word in
		--)	shift; break ;;
		--?*)	;;
		-?*)	cs_usage_error "unknown option '$word'" ;;
		*)	break ;;
		esac
		name=${word#--}
		val=
		local has_eq=0
		if [[ $name == *=* ]]; then
			val=${name#*=}
			name=${name%%=*}
			has_eq=1
		fi
		[ -n "${spec[$name]+x}" ] || cs_usage_error "unknown option '--$name'"
		set -- "${@:2}"
		case ${spec[$name]} in
		flag*|localflag)
			[ $has_eq = 0 ] || cs_usage_error "option --$name takes no value"
			if [ "${spec[$name]}" = localflag ]; then
				CS_OPT[$name]=1
			else
				CS_FARGS+=("${spec[$name]#flag }")
			fi
			continue ;;
		esac
		if [ $has_eq = 0 ]; then
			[ $# -ge 1 ] || cs_usage_error "option --$name needs a value"
			val=$1
			shift
		fi
		if [ "${spec[$name]}" = local ]; then
			CS_OPT[$name]=$val
		elif [ -n "$val" ]; then
			CS_FARGS+=("${spec[$name]#value }" "$val")
		fi
	done
	CS_REST=("$@")
}

# cs_outdir FILE: make the directory FILE goes into (the programs' -o
# does not)
cs_outdir() {
	mkdir -p "$(dirname "$1")" || cs_die 3 "cannot create the directory of $1"
}
