#!/bin/bash
# bench-schema-check.sh [CORPUS] - schema-check beside its peers and cat.
#
# CORPUS: NDJSON (.zst/.gz or plain) in The Stack v2 shape with content
# (default ../shared/corpus/code-corpus.jsonl.zst).  The records are first
# made final training records, the input of schema-check's default schema:
# scrubbed by bin/pii-scrub (which adds pii), content_sha256 computed, and
# n_tokens added with the right shape (whitespace words: the value does not
# change the work of a validator).
#
# One run each, output to /dev/null, on the same file:
#   cat                              the floor
#   schema-check --no-rules          vs jsonschema_peer.py (python3-jsonschema,
#                                    Draft202012Validator)
#   schema-check --no-schema         vs quality_rules.py (the same rules in
#                                    Python), rules except PII
#   schema-check                     schema + all rules except PII (the
#                                    per-core figure), then with PII when the
#                                    rules file has a max_pii rule
# For each: seconds, MB/s (wall), MB/s per CPU second, records/s, peak RSS,
# and the ratio to the peer.  The heavy runs hold /tmp/codesift-bench.lock
# (the machine is shared).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-$top/../shared/corpus/code-corpus.jsonl.zst}
bin=${CODESIFT_BIN:-$top/bin}
PY=/usr/bin/python3
LOCK=/tmp/codesift-bench.lock
# run-all.sh already holds the lock: taking it again would wait forever
if [ -n "${CODESIFT_BENCH_LOCKED:-}" ]; then lock=(); else lock=(flock "$LOCK"); fi
[ -r "$corpus" ] || { echo "bench-schema-check.sh: no corpus at $corpus" >&2; exit 2; }
[ -x "$bin/schema-check" ] || { echo "bench-schema-check.sh: build first (make)" >&2; exit 2; }
"$PY" -c 'import jsonschema' 2>/dev/null ||
	{ echo "bench-schema-check.sh: needs python3-jsonschema (make deps)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-schema-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
in=$tmp/final.jsonl
[ -x "$bin/pii-scrub" ] || { echo "bench-schema-check.sh: needs bin/pii-scrub (make)" >&2; exit 2; }
case $corpus in
*.zst) zstd -dcq "$corpus" ;;
*.gz) gzip -dc "$corpus" ;;
*) cat "$corpus" ;;
esac | "$bin/pii-scrub" -q --no-progress | "$PY" -c '
import hashlib, json, sys
for line in sys.stdin:
    r = json.loads(line)
    c = r["content"]
    r.setdefault("content_sha256", hashlib.sha256(c.encode()).hexdigest())
    r.setdefault("n_tokens", len(c.split()))
    sys.stdout.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
' > "$in"
bytes=$(wc -c < "$in")
records=$(wc -l < "$in")
schema=$top/configs/schemas/final-record.json
rules=$top/configs/quality.json
# the Python rules script knows no PII check: leave that rule out of both
nopii=$("$PY" -c '
import json, sys
print(",".join(r["id"] for r in json.load(open(sys.argv[1]))["rules"]
               if r["check"] == "max_pii"))' "$rules")

# run NAME CMD... : time one run (stdout to /dev/null), print its line
declare -A secs
run() {
	local name=$1 t
	shift
	"${lock[@]}" /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$@" \
	    > /dev/null 2> "$tmp/err" || {
		echo "bench-schema-check.sh: $name failed:" >&2
		cat "$tmp/err" >&2
		exit 1
	}
	read -r e u s m < "$tmp/time"
	secs[$name]=$e
	t=$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')
	awk -v n="$name" -v e="$e" -v t="$t" -v m="$m" -v b="$bytes" -v r="$records" \
	    'BEGIN { if (e < 0.01) e = 0.01; if (t < 0.01) t = 0.01;
	      printf "%-34s %7.2f s %9.1f MB/s %9.1f MB/s/cpu %10.0f rec/s %7.1f MB\n",
	      n, e, b / e / 1e6, b / t / 1e6, r / e, m / 1024 }'
}

ratio() {
	awk -v a="${secs[$2]}" -v b="${secs[$1]}" -v n="$3" \
	    'BEGIN { if (b < 0.01) b = 0.01; printf "  %-32s %.1fx\n", n, a / b }'
}

echo "input: $records records, $bytes bytes (final records made from $(basename "$corpus") by pii-scrub)"
echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %9s %14s %18s %14s %10s\n' program time "MB/s" "MB/s per CPU s" "records/s" "peak RSS"
run "cat" cat "$in"
run "schema-check --no-rules" "$bin/schema-check" --no-rules -q --no-progress "$in"
run "python3-jsonschema (peer)" "$PY" "$top/bench/jsonschema_peer.py" "$schema" "$in"
skip=()
[ -z "$nopii" ] || skip=(--skip "$nopii")
run "schema-check --no-schema" "$bin/schema-check" --no-schema "${skip[@]}" -q --no-progress "$in"
run "quality_rules.py (peer)" "$PY" "$top/bench/quality_rules.py" --skip "$nopii" "$in"
run "schema-check (schema+rules, no PII)" "$bin/schema-check" "${skip[@]}" -q --no-progress "$in"
[ -z "$nopii" ] ||
	run "schema-check (schema+rules+PII)" "$bin/schema-check" -q --no-progress "$in"
run "schema-check -j 2" "$bin/schema-check" -j 2 "${skip[@]}" -q --no-progress "$in"
echo "ratios (peer time / schema-check time):"
ratio "schema-check --no-rules" "python3-jsonschema (peer)" "schema vs python3-jsonschema"
ratio "schema-check --no-schema" "quality_rules.py (peer)" "rules vs quality_rules.py"
echo "beside cat (schema-check time / cat time):"
awk -v a="${secs["schema-check (schema+rules, no PII)"]}" -v b="${secs[cat]}" \
    'BEGIN { if (b < 0.01) b = 0.01; printf "  %-32s %.1fx\n", "schema+rules vs cat", a / b }'
