#!/usr/bin/env bats
# The contract every filter shares (common/), exercised through
# dedup-exact: streams, rejects, exit statuses, options, metrics, push.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	T=$BATS_TEST_TMPDIR
}

teardown() {
	stop_pushgateway
}

@test "common: --help on stdout, exit 0; --version" {
	run --separate-stderr dedup-exact --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: dedup-exact"* ]]
	[[ "$output" == *"--max-rejects"* ]]
	[ -z "$stderr" ]
	run dedup-exact -V
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^dedup-exact\ \(codesift\)\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "common: misuse exits 2 with a message on stderr and nothing read" {
	run --separate-stderr dedup-exact --no-such-option
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == "dedup-exact: unknown option '--no-such-option'"* ]]
	run --separate-stderr dedup-exact --max-rejects 12abc < /dev/null
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"invalid value '12abc' for --max-rejects"* ]]
	run --separate-stderr dedup-exact --max-record-bytes 1.5M < /dev/null
	[ "$status" -eq 2 ]
	run --separate-stderr dedup-exact --rejects
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"needs a value"* ]]
	run --separate-stderr dedup-exact --push ftp://x < /dev/null
	[ "$status" -eq 2 ]
}

@test "common: a missing input file is exit 2 before anything is written" {
	run --separate-stderr dedup-exact -o "$T/out.jsonl" "$SAMPLE" "$T/nope.jsonl"
	[ "$status" -eq 2 ]
	[[ "$stderr" == "dedup-exact: $T/nope.jsonl: No such file or directory" ]]
	[ ! -e "$T/out.jsonl" ]
}

@test "common: bad lines are rejected with reasons; in = out + dropped + rejected" {
	{
		echo '{"content":"a","blob_id":"1"}'
		echo 'not json'
		echo '[1,2]'
		echo '{"blob_id":"3"}'
		echo '{"content":5}'
		echo
		printf '{"content":"\xff"}\n'
		head -c 3000 /dev/zero | tr '\0' x; echo
		echo '{"content":"a","blob_id":"2"}'
		printf '{"content":"b"}'
	} > "$T/in.jsonl"
	run --separate-stderr dedup-exact --max-record-bytes 1K --rejects "$T/rej.jsonl" \
	    --summary "$T/sum.json" "$T/in.jsonl"
	[ "$status" -eq 0 ]
	[ "$output" = $'{"content":"a","blob_id":"1"}\n{"content":"b"}' ]
	[[ "${stderr_lines[0]}" == "dedup-exact: $T/in.jsonl:2: bad-json: column 1: "* ]]
	[[ "$stderr" == *"7 of 10 records rejected"* ]]
	run jq -r '"\(.line) \(.reason)"' "$T/rej.jsonl"
	[ "$output" = $'2 bad-json\n3 not-object\n4 missing-field\n5 bad-field\n6 empty-line\n7 bad-utf8\n8 too-large' ]
	run jq -c '.records' "$T/sum.json"
	[ "$output" = '{"in":10,"out":2,"dropped":1,"rejected":7}' ]
	# every reject carries the line, replayable after a fix
	run jq -r 'select(.reason=="missing-field") | .record' "$T/rej.jsonl"
	[ "$output" = '{"blob_id":"3"}' ]
	run jq -r 'select(.reason=="too-large") | .record | length' "$T/rej.jsonl"
	[ "$output" = 3000 ]
	run jq -r 'select(.reason=="bad-utf8") | .record_base64' "$T/rej.jsonl"
	[ "$(printf '%s' "$output" | base64 -d | od -An -tx1 | tr -d ' ')" = 7b22636f6e74656e74223a22ff227d ]
}

@test "common: without --rejects the first reasons and the count go to stderr" {
	for i in 1 2 3 4 5 6 7 8; do echo "bad $i"; done > "$T/in.jsonl"
	run --separate-stderr dedup-exact "$T/in.jsonl"
	[ "$status" -eq 0 ]
	[ "${#stderr_lines[@]}" -eq 6 ]
	[[ "${stderr_lines[5]}" == "dedup-exact: 8 of 8 records rejected (bad-json 8)" ]]
	run --separate-stderr dedup-exact -q "$T/in.jsonl"
	[ -z "$stderr" ]
}

@test "common: --max-rejects count and share turn too many rejects into exit 1" {
	printf '{"content":"a"}\nx\n{"content":"b"}\ny\n' > "$T/in.jsonl"
	run --separate-stderr dedup-exact --max-rejects 2 "$T/in.jsonl"
	[ "$status" -eq 0 ]
	run --separate-stderr dedup-exact --max-rejects 1 -o "$T/o.jsonl" "$T/in.jsonl"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"2 records rejected, more than --max-rejects 1"* ]]
	# the run completed: its output is there
	[ "$(count_lines "$T/o.jsonl")" -eq 2 ]
	run --separate-stderr dedup-exact --max-rejects 50% "$T/in.jsonl"
	[ "$status" -eq 0 ]
	run --separate-stderr dedup-exact --max-rejects 49.9% "$T/in.jsonl"
	[ "$status" -eq 1 ]
}

@test "common: unchanged records are written byte for byte (CR, spacing, escapes)" {
	printf '{"content" : "x\\u00e9\\/y" , "z":[1, 2]}\r\n{ "content":"q"}\n' > "$T/in.jsonl"
	dedup-exact "$T/in.jsonl" > "$T/out.jsonl"
	cmp "$T/in.jsonl" "$T/out.jsonl"
}

@test "common: .gz and .zst in and out by name; compressed stdin is sniffed" {
	gzip -c "$SAMPLE" > "$T/s.jsonl.gz"
	zstd -q -c "$SAMPLE" > "$T/s.jsonl.zst"
	dedup-exact "$SAMPLE" > "$T/plain.jsonl"
	dedup-exact "$T/s.jsonl.gz" -o "$T/o.jsonl.zst"
	zstd -dc "$T/o.jsonl.zst" | cmp - "$T/plain.jsonl"
	dedup-exact -o "$T/o.jsonl.gz" < "$T/s.jsonl.zst"
	gzip -dc "$T/o.jsonl.gz" | cmp - "$T/plain.jsonl"
	cp "$SAMPLE" "$T/fake.jsonl.gz"
	run --separate-stderr dedup-exact "$T/fake.jsonl.gz"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"not in gzip format"* ]]
}

@test "common: a corrupt compressed input is fatal (exit 3), no output file left" {
	zstd -q -c "$SAMPLE" | head -c 100000 > "$T/cut.jsonl.zst"
	run --separate-stderr dedup-exact "$T/cut.jsonl.zst" -o "$T/o.jsonl"
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"truncated zstd stream"* ]]
	[ ! -e "$T/o.jsonl" ]
	[ -z "$(ls -A "$T" | grep tmp- || true)" ]
}

@test "common: -o is atomic: a killed run leaves no file under the name" {
	# a slow producer keeps the run going; kill it mid-stream
	( cat "$SAMPLE"; sleep 30 ) | dedup-exact -o "$T/o.jsonl" &
	pid=$!
	for i in $(seq 50); do
		ls -A "$T" | grep -q '^\.o\.jsonl\.tmp-' && break
		sleep 0.1
	done
	pkill -TERM -f "dedup-exact -o $T/o.jsonl"
	wait $pid || true
	[ ! -e "$T/o.jsonl" ]
	[ -z "$(ls -A "$T")" ]
}

@test "common: write errors are fatal (exit 3)" {
	run --separate-stderr bash -c "dedup-exact '$SAMPLE' > /dev/full"
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"write error: No space left on device"* ]]
}

@test "common: SIGPIPE ends the run quietly (| head)" {
	run --separate-stderr bash -c "set -o pipefail; dedup-exact '$SAMPLE' | head -1 > /dev/null"
	[ "$status" -eq 141 ]
	[ -z "$stderr" ]
}

@test "common: --progress writes one updating line to stderr" {
	run --separate-stderr dedup-exact --progress "$SAMPLE"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"dedup-exact: 500 records, 1.9 MiB"*"0 rejected" ]]
}

@test "common: --metrics is accepted by promtool and has the run's counts" {
	printf 'x\n' >> "$T/in.jsonl"
	cat "$SAMPLE" >> "$T/in.jsonl"
	dedup-exact --metrics "$T/m.prom" --stage dedup --shard s01 "$T/in.jsonl" > /dev/null
	promtool_check "$T/m.prom"
	grep -q '^codesift_records_in{filter="dedup-exact",stage="dedup",shard="s01"} 501$' "$T/m.prom"
	grep -q '^codesift_records_out{filter="dedup-exact",stage="dedup",shard="s01"} 426$' "$T/m.prom"
	grep -q '^codesift_records_dropped{.*} 74$' "$T/m.prom"
	grep -q '^codesift_rejects_by_reason{.*reason="bad-json"} 1$' "$T/m.prom"
	grep -q '^codesift_last_success_timestamp_seconds{' "$T/m.prom"
}

@test "common: --push sends the metrics to a real Pushgateway under job/stage/shard" {
	start_pushgateway
	dedup-exact --push "$PGW_URL" --stage dedup-exact --shard "a/b" "$SAMPLE" > /dev/null
	curl -fsS "$PGW_URL/metrics" > "$T/pgw.txt"
	grep -E '^codesift_records_out\{.*job="codesift".*\} 426$' "$T/pgw.txt"
	grep -E '^codesift_records_out\{.*shard="a/b".*\} 426$' "$T/pgw.txt"
	grep -E '^codesift_records_in\{.*stage="dedup-exact".*\} 500$' "$T/pgw.txt"
	stop_pushgateway
}

@test "common: a push that fails is a warning, not a failed run" {
	port=$(free_port)
	run --separate-stderr dedup-exact --push "http://127.0.0.1:$port" "$SAMPLE"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"cannot push metrics to http://127.0.0.1:$port"* ]]
}

@test "common: --summary is JSON with counts, params and stats" {
	dedup-exact --summary "$T/s.json" --normalize "$SAMPLE" > /dev/null
	run jq -r '[.filter, .stage, .status, .records.in, .bytes.in, .params.normalize, .stats.distinct] | @tsv' "$T/s.json"
	[ "$output" = $'dedup-exact\tdedup-exact\t0\t500\t1975929\tformat\t426' ]
}
