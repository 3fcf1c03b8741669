#!/bin/bash
# run.sh TARGET... - run each libFuzzer target for $FUZZ_SECONDS seconds
# on a scratch copy of its seed corpus (tests/fuzz/corpus/<target>/).
# A crash leaves its input in build/fuzz/crashes/<target>/ and fails; turn
# it into a golden or unit test case once fixed.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${FUZZ_SECONDS:-30}
bin=${FUZZ_BIN:-$top/build/fuzz/bin}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
status=0
for t in "$@"; do
	work=$top/build/fuzz/work/$t
	crashes=$top/build/fuzz/crashes/$t
	rm -rf "$work"
	mkdir -p "$work" "$crashes"
	[ -d "$top/tests/fuzz/corpus/$t" ] && cp -R "$top/tests/fuzz/corpus/$t/." "$work/"
	echo "fuzz: $t for ${secs}s"
	if "$bin/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -artifact_prefix="$crashes/" -print_final_stats=1 "$work" \
	    > "$top/build/fuzz/$t.log" 2>&1; then
		grep -E 'stat::number_of_executed_units|cov:' "$top/build/fuzz/$t.log" | tail -2
		echo "fuzz: $t: ok"
	else
		tail -30 "$top/build/fuzz/$t.log"
		echo "fuzz: $t: FAILED (inputs in $crashes)"
		status=1
	fi
done
exit $status
