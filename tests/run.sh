#!/bin/bash
# run.sh [SUITE...] - run the test suites and print one summary line.
#
# Suites: unit (C unit tests, TAP), bats (tests/bats/*.bats), golden
# (tests/golden/<prog>/<case>), man (mandoc -Tlint on man/*).  Default: all.
# Environment: CODESIFT_BIN (programs), CODESIFT_UNIT (unit test binaries),
# UNIT_TESTS (their names), BATS_FILTER (regex passed to bats --filter),
# BATS_JOBS (parallel bats jobs, default 1).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export CODESIFT_BIN=${CODESIFT_BIN:-$top/bin}
export CODESIFT_UNIT=${CODESIFT_UNIT:-$top/build/release/tests/unit}
export CODESIFT_TOP=$top
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(unit bats golden man)

log=$(mktemp -d "${TMPDIR:-/tmp}/codesift-tests.XXXXXX")
trap 'rm -rf "$log"' EXIT
pass=0 fail=0 skip=0
declare -A per
failures=()

# count a TAP stream read from stdin; echo it through
tally() {
	local suite=$1 line
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case $line in
		"not ok "*)
			if [[ $line == *"# TODO"* ]]; then :; else
				fail=$((fail + 1)); failures+=("$suite: ${line#not ok }")
			fi ;;
		"ok "*"# skip"*|"ok "*"# SKIP"*)
			skip=$((skip + 1)) ;;
		"ok "*)
			pass=$((pass + 1)); per[$suite]=$(( ${per[$suite]:-0} + 1 )) ;;
		esac
	done
}

run_unit() {
	local t st
	for t in ${UNIT_TESTS:-}; do
		echo "# unit: $t"
		if [ ! -x "$CODESIFT_UNIT/$t" ]; then
			echo "not ok - $t (not built)"
			continue
		fi
		(cd "$top" && "$CODESIFT_UNIT/$t"; echo "# exit $?") > "$log/$t.tap" 2>&1
		st=$(sed -n 's/^# exit //p' "$log/$t.tap")
		[ "$st" = 0 ] || grep -q '^not ok' "$log/$t.tap" ||
			echo "not ok - $t exited with status $st" >> "$log/$t.tap"
		sed "s/^\(ok\|not ok\) \([0-9]*\) - /\1 \2 - $t: /" "$log/$t.tap"
	done
}

run_bats() {
	local files=(tests/bats/*.bats) args=(--tap)
	[ -e "${files[0]}" ] || return 0
	[ -n "${BATS_FILTER:-}" ] && args+=(--filter "$BATS_FILTER")
	[ "${BATS_JOBS:-1}" -gt 1 ] && args+=(--jobs "$BATS_JOBS")
	bats "${args[@]}" "${files[@]}" 2>&1
}

run_golden() {
	[ -x tests/golden/run.sh ] || return 0
	bash tests/golden/run.sh
}

run_man() {
	local m n=0 out
	for m in man/*.1 man/*.7; do
		[ -e "$m" ] || continue
		n=$((n + 1))
		if out=$(mandoc -Tlint -W warning "$m" 2>&1) && [ -z "$out" ]; then
			echo "ok $n - man: $m"
		else
			echo "not ok $n - man: $m"
			printf '%s\n' "$out" | sed 's/^/#   /'
		fi
	done
}

start=$(date +%s)
for s in "${suites[@]}"; do
	case $s in
	unit|bats|golden|man) ;;
	*) echo "run.sh: unknown suite '$s'" >&2; exit 2 ;;
	esac
	echo "# ---- $s ----"
	tally "$s" < <("run_$s")
done
secs=$(( $(date +%s) - start ))

if [ ${#failures[@]} -gt 0 ]; then
	echo "# failed:"
	printf '#   %s\n' "${failures[@]}"
fi
detail=
for s in "${suites[@]}"; do detail="$detail${detail:+, }$s ${per[$s]:-0}"; done
echo "codesift tests: $pass passed, $fail failed, $skip skipped ($detail) in ${secs}s"
[ "$fail" -eq 0 ]
