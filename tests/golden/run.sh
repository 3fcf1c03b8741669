#!/bin/bash
# run.sh [--update] - golden tests: tests/golden/<prog>/<case>/ holds
#   args      the command-line arguments, one per line
#   in.jsonl  standard input (optional; empty input if missing)
#   out.jsonl the expected standard output
#   rej.jsonl the expected --rejects file (optional)
#   status    the expected exit status (optional; default 0)
# Output is TAP.  --update rewrites the expected files from the programs
# (review the diff before committing).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
export PATH="${CODESIFT_BIN:-$top/bin}:$PATH"
update=0
[ "${1:-}" = --update ] && update=1
n=0 bad=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/golden.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for dir in "$top"/tests/golden/*/*/; do
	[ -f "$dir/args" ] || continue
	dir=${dir%/}
	case=${dir#"$top"/tests/golden/}
	prog=${case%%/*}
	mapfile -t args < "$dir/args"
	in=/dev/null
	[ -f "$dir/in.jsonl" ] && in=$dir/in.jsonl
	rm -f "$tmp/rej"
	(cd "$dir" && "$prog" "${args[@]}" --rejects "$tmp/rej" --no-progress \
	    < "$in" > "$tmp/out" 2> "$tmp/err")
	st=$?
	[ -f "$tmp/rej" ] || : > "$tmp/rej"
	n=$((n + 1))
	if [ $update = 1 ]; then
		cp "$tmp/out" "$dir/out.jsonl"
		if [ -s "$tmp/rej" ]; then cp "$tmp/rej" "$dir/rej.jsonl"
		else rm -f "$dir/rej.jsonl"; fi
		if [ $st != 0 ]; then echo $st > "$dir/status"
		else rm -f "$dir/status"; fi
		echo "ok $n - golden: $case (updated)"
		continue
	fi
	want_st=0
	[ -f "$dir/status" ] && want_st=$(cat "$dir/status")
	want_rej=/dev/null
	[ -f "$dir/rej.jsonl" ] && want_rej=$dir/rej.jsonl
	if [ "$st" = "$want_st" ] && cmp -s "$tmp/out" "$dir/out.jsonl" &&
	    cmp -s "$tmp/rej" "$want_rej"; then
		echo "ok $n - golden: $case"
	else
		bad=$((bad + 1))
		echo "not ok $n - golden: $case"
		echo "#   status $st (want $want_st)"
		diff "$dir/out.jsonl" "$tmp/out" | head -5 | sed 's/^/#   out: /'
		diff "$want_rej" "$tmp/rej" | head -5 | sed 's/^/#   rej: /'
		sed 's/^/#   stderr: /' "$tmp/err" | head -5
	fi
done
echo "1..$n"
[ $bad = 0 ]
