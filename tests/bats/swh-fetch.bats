#!/usr/bin/env bats
# swh-fetch: the offline mirror, the fixtures of every verdict, bad input,
# network faults from a fault-injecting server, ordering, the cache and
# resuming after kill -9, signing and secrets, the Python-compatible
# decoders.  (The real S3 implementation is in swh-fetch-s3.bats.)
bats_require_minimum_version 1.5.0
load helpers

FETCH=$TOP/tests/swh-fetch
FIX=$TOP/tests/conformance/swh/fixtures
UNIT=${CODESIFT_UNIT:-$TOP/build/release/tests/unit}

setup_file() {
	export MIRROR=$BATS_FILE_TMPDIR/mirror META=$BATS_FILE_TMPDIR/meta.jsonl
	export REF=$BATS_FILE_TMPDIR/ref.jsonl
	# the sample as the bucket holds it, and its metadata without content
	"$PY" "$FETCH/make-mirror.py" "$SAMPLE" "$MIRROR" "$META"
	swh-fetch -q --mirror "$MIRROR" "$META" > "$REF"
	# the same with one record per blob_id (426), for request counting
	export DMETA=$BATS_FILE_TMPDIR/dmeta.jsonl DREF=$BATS_FILE_TMPDIR/dref.jsonl
	awk -F'"blob_id":"' '!seen[substr($2, 1, 40)]++' "$META" > "$DMETA"
	swh-fetch -q --mirror "$MIRROR" "$DMETA" > "$DREF"
}

setup() {
	T=$BATS_TEST_TMPDIR
	FS_PID=
}

teardown() {
	stop_fault
}

# start_fault [ARGS...]: fault-server.py on $MIRROR (or $FS_ROOT); sets
# FS_URL, FS_PORT, FS_LOG and FS_PID.  Stop it with stop_fault (by PID).
start_fault() {
	local pf=$T/port.$RANDOM i
	FS_LOG=$T/server.$RANDOM.log
	"$PY" "$FETCH/fault-server.py" --root "${FS_ROOT:-$MIRROR}" \
	    --port-file "$pf" --log "$FS_LOG" "$@" 3>&- &
	FS_PID=$!
	for i in $(seq 200); do
		[ -s "$pf" ] && break
		sleep 0.05
	done
	FS_PORT=$(cat "$pf")
	FS_URL=http://127.0.0.1:$FS_PORT
}

stop_fault() {
	if [ -n "${FS_PID:-}" ]; then
		kill "$FS_PID" 2>/dev/null || true
		wait "$FS_PID" 2>/dev/null || true
		FS_PID=
	fi
}

# plan FILE ID ANSWERS-JSON ...: write a fault plan
plan() {
	local f=$1
	shift
	{
		printf '{'
		while [ $# -gt 1 ]; do
			printf '"%s": %s' "$1" "$2"
			shift 2
			[ $# -gt 1 ] && printf ', '
		done
		printf '}\n'
	} > "$f"
}

# nth_id N: the blob_id of line N of $DMETA (all distinct)
nth_id() {
	sed -n "${1}p" "$DMETA" | jq -r .blob_id
}

# requests [ID]: how many requests the server logged (for ID)
requests() {
	if [ -n "${1:-}" ]; then
		jq -r "select(.id == \"$1\") | .id" "$FS_LOG" | wc -l
	else
		grep -c . "$FS_LOG" || true
	fi
}

# balanced SUMMARY: records in = out + rejected (nothing dropped)
balanced() {
	jq -e '.records.in == .records.out + .records.rejected and
	    .records.dropped == 0' "$1" > /dev/null
}

@test "swh-fetch: --help shows every option; -V the version" {
	run swh-fetch --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "usage: swh-fetch "* ]]
	for o in --jobs --threads --endpoint --bucket --region --addressing --profile \
	    --no-sign-request --mirror --cache --retries --timeout \
	    --connect-timeout --max-bytes --window --unordered \
	    --content-id-field --encoding-field --length-field; do
		[[ "$output" == *"$o"* ]]
	done
	run swh-fetch -V
	[ "$status" -eq 0 ]
	[[ "$output" == "swh-fetch (codesift) "* ]]
}

@test "swh-fetch: usage errors exit 2 before reading anything" {
	run -2 swh-fetch -j 0 /dev/null
	[[ "$output" == *"--jobs"* ]]
	run -2 swh-fetch --mirror "$MIRROR" --endpoint http://127.0.0.1:1 /dev/null
	[[ "$output" == *"--mirror reads local files"* ]]
	run -2 swh-fetch --addressing sideways /dev/null
	run -2 swh-fetch --endpoint 'ftp://example.org' /dev/null
	run -2 swh-fetch --timeout 0 /dev/null
	run -2 swh-fetch --mirror "$T/nowhere" /dev/null
	[[ "$output" == *"is not a directory"* ]]
	mkdir "$T/empty"
	run -2 swh-fetch --mirror "$T/empty" /dev/null
	[[ "$output" == *"no content/ directory"* ]]
	# credentials in the URL are refused, and not repeated
	run -2 swh-fetch --endpoint 'http://AKIDX:s3cr3tpw@127.0.0.1:1' /dev/null
	[[ "$output" != *s3cr3tpw* ]]
	[[ "$output" == *"credentials: they are not accepted in the URL"* ]]
	run -2 env -u AWS_SECRET_ACCESS_KEY AWS_ACCESS_KEY_ID=AKIDX swh-fetch /dev/null
	[[ "$output" == *"AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"* ]]
	run -2 swh-fetch --profile nobody --no-sign-request /dev/null
}

@test "swh-fetch: --mirror gives back every file of the sample, verified" {
	run --separate-stderr swh-fetch --mirror "$MIRROR" --summary "$T/s.json" "$META"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 500 ]
	# the content is the original file, byte for byte
	diff <(jq -r .content "$SAMPLE") <(printf '%s\n' "$output" | jq -r .content)
	# content_sha256 is the SHA-256 of the UTF-8 text
	printf '%s\n' "$output" | head -20 | while IFS= read -r line; do
		want=$(printf '%s' "$line" | jq -j .content | sha256sum | cut -d' ' -f1)
		[ "$(printf '%s' "$line" | jq -r .content_sha256)" = "$want" ]
	done
	# every other byte of each record is kept: the line is the input
	# line with the two members appended
	diff <(printf '%s\n' "$output" | jq -c 'del(.content, .content_sha256)') \
	    <(jq -c . "$META")
	[ "$(printf '%s\n' "$output" | head -1 | cut -c1-200)" = \
	    "$(head -1 "$META" | cut -c1-200)" ]
	balanced "$T/s.json"
	[ "$(jq .stats.objects_read "$T/s.json")" -eq 500 ]
}

@test "swh-fetch: output is the same with 1 and 4 threads, and with the network" {
	swh-fetch -q --mirror "$MIRROR" -j 1 "$META" > "$T/j1"
	swh-fetch -q --mirror "$MIRROR" -j 4 "$META" > "$T/j4"
	cmp "$T/j1" "$REF"
	cmp "$T/j4" "$REF"
	start_fault
	swh-fetch -q --endpoint "$FS_URL" -j 16 "$META" > "$T/net"
	cmp "$T/net" "$REF"
	# checks and decoding on worker threads: the same bytes
	swh-fetch -q --endpoint "$FS_URL" -j 16 --threads 3 "$META" > "$T/net3"
	cmp "$T/net3" "$REF"
	swh-fetch -q --endpoint "$FS_URL" --threads 2 --unordered "$META" |
	    sort | cmp - <(sort "$REF")
}

@test "swh-fetch: the offline fixtures end as their manifest says" {
	run --separate-stderr swh-fetch --mirror "$FIX" --rejects "$T/rej" \
	    --summary "$T/s.json" "$TOP/tests/fixtures/swh-fetch/all-cases.jsonl"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	# the three texts are exactly Python's decoding (Shift_JIS: \ and ~)
	for i in 0 1 2; do
		id=$(printf '%s\n' "${lines[$i]}" | jq -r .blob_id)
		cmp <(printf '%s\n' "${lines[$i]}" | jq -j .content) "$FIX/expected/$id.utf8"
	done
	[ "$(jq -r '[.line, .reason] | join(" ")' "$T/rej" | tr '\n' ,)" = \
	    "4 integrity,5 bad-gzip,6 binary,7 not-found," ]
	# the hash mismatch names the real SHA-1 of the body (manifest.json)
	grep -q f572d396fae9206628714fb2ce00f72e94f2258f "$T/rej"
	# a reject carries the original line, replayable
	[ "$(jq -r .record "$T/rej" | head -1)" = \
	    "$(sed -n 4p "$TOP/tests/fixtures/swh-fetch/all-cases.jsonl")" ]
	balanced "$T/s.json"
}

@test "swh-fetch: the Shift_JIS fixture keeps backslash and tilde, as Python" {
	run swh-fetch --mirror "$FIX" <(sed -n 2p "$TOP/tests/fixtures/swh-fetch/all-cases.jsonl")
	[ "$status" -eq 0 ]
	text=$(printf '%s\n' "$output" | jq -r .content)
	[[ "$text" == *'~ tilde and \ backslash'* ]]
	[[ "$text" != *'¥'* ]]
	[ "$(printf '%s\n' "$output" | jq -j .content | wc -c)" -eq 61 ]
}

@test "swh-fetch: the decoders agree with Python's codecs on every short sequence" {
	run "$PY" "$FETCH/charsets-vs-python.py" "$UNIT/test_blob"
	printf '%s\n' "$output" | tail -5
	[ "$status" -eq 0 ]
	# shift_jis, euc_jp, gb18030, cp1252, utf-8 ... all checked
	[ "$(printf '%s\n' "$output" | grep -c ' 0 differences')" -ge 70 ]
}

@test "swh-fetch: bad records are rejected with reasons, nothing lost" {
	id=$(nth_id 1)
	{
		printf '{"path":"/no/id"}\n'
		printf '{"blob_id":"xyz"}\n'
		printf '{"blob_id":"%s0"}\n' "$id"
		printf '[1,2]\n'
		printf '{"blob_id": \n'
		printf '\n'
		printf '{"blob_id":42}\n'
		printf '{"blob_id":"%s","content_id":"nothex"}\n' "$id"
		printf '{"blob_id":"%s","src_encoding":"EBCDIC-FANTASY"}\n' "$id"
		printf '{"blob_id":"%s","length_bytes":-3}\n' "$id"
		printf '{"blob_id":"%s","length_bytes":99999999999}\n' "$id"
		printf '{"blob_id":"%s","length_bytes":1}\n' "$id"
		printf '{"blob_id":"%s","src_encoding":null,"content_id":null}\n' "$id"
	} > "$T/in.jsonl"
	start_fault
	run --separate-stderr swh-fetch --endpoint "$FS_URL" --rejects "$T/rej" \
	    --summary "$T/s.json" "$T/in.jsonl"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$(jq -r '[.line, .reason] | join(" ")' "$T/rej" | tr '\n' ,)" = \
	    "1 missing-field,2 bad-field,3 bad-field,4 not-object,5 bad-json,6 empty-line,7 bad-field,8 bad-field,9 unknown-encoding,10 bad-field,11 too-large,12 length-mismatch," ]
	grep -q "is not 40 hex digits: 'xyz'" "$T/rej"
	[[ "$stderr" == *"in.jsonl:1: missing-field"* ]]
	balanced "$T/s.json"
	# records rejected before fetching cost no request: one object, once
	[ "$(requests)" -eq 1 ]
}

@test "swh-fetch: content already in the record is replaced, --field renames" {
	id=$(nth_id 3)
	printf '{"blob_id":"%s","content":"stale","x":1}\n' "$id" > "$T/in.jsonl"
	run swh-fetch -q --mirror "$MIRROR" "$T/in.jsonl"
	[ "$(printf '%s\n' "$output" | grep -o '"content":' | wc -l)" -eq 1 ]
	[ "$(printf '%s\n' "$output" | jq -r .content)" = \
	    "$(sed -n 3p "$DREF" | jq -r .content)" ]
	[ "$(printf '%s\n' "$output" | jq -c 'keys_unsorted')" = \
	    '["blob_id","content","x","content_sha256"]' ]
	run swh-fetch -q --mirror "$MIRROR" --field text "$T/in.jsonl"
	[ "$(printf '%s\n' "$output" | jq -c 'keys_unsorted')" = \
	    '["blob_id","content","x","text","text_sha256"]' ]
}

@test "swh-fetch: network faults end as designed; in = out + rejected" {
	for i in $(seq 1 12); do nth_id "$i"; done > "$T/ids"
	mapfile -t id < "$T/ids"
	head -12 "$DMETA" > "$T/in.jsonl"
	plan "$T/plan.json" \
	    "${id[0]}" '["503", "ok"]' \
	    "${id[1]}" '["slow:4"]' \
	    "${id[2]}" '["truncate", "ok"]' \
	    "${id[3]}" "[\"wrong:${id[4]}\"]" \
	    "${id[5]}" '["404"]' \
	    "${id[6]}" '["429:1", "ok"]' \
	    "${id[7]}" '["corrupt"]' \
	    "${id[8]}" '["403"]' \
	    "${id[9]}" '["close", "500", "ok"]' \
	    "${id[10]}" '["502", "ok"]' \
	    "${id[11]}" '["504", "ok"]'
	start_fault --plan "$T/plan.json"
	run --separate-stderr swh-fetch --endpoint "$FS_URL" --timeout 0.5 \
	    --retries 2 --threads 2 --rejects "$T/rej" --summary "$T/s.json" \
	    --metrics "$T/m.prom" "$T/in.jsonl"
	[ "$status" -eq 0 ]
	balanced "$T/s.json"
	[ "$(jq -r '[.line, .reason] | join(" ")' "$T/rej" | tr '\n' ,)" = \
	    "2 fetch-failed,4 integrity,6 not-found,8 fetch-failed,9 forbidden," ]
	grep -q '"detail":"timeout after 3 attempts' "$T/rej"
	grep -q '"detail":"corrupt after 3 attempts' "$T/rej"
	grep -q '"detail":"HTTP 404 NoSuchKey"' "$T/rej"
	grep -q '"detail":"HTTP 403 AccessDenied"' "$T/rej"
	grep -q '"detail":"SHA-1 of the content is '"${id[4]}"', not the blob id"' "$T/rej"
	# the rest arrived, verified, in input order
	diff <(printf '%s\n' "$output") <(sed -n '1p;3p;5p;7p;10p;11p;12p' "$DREF")
	# 404 and 403 are not retried; the others were, as many times as said
	[ "$(requests "${id[5]}")" -eq 1 ]
	[ "$(requests "${id[8]}")" -eq 1 ]
	[ "$(requests "${id[0]}")" -eq 2 ]
	[ "$(requests "${id[7]}")" -eq 3 ]
	[ "$(requests "${id[9]}")" -eq 3 ]
	# Retry-After: 1 was honoured
	jq -rs --arg id "${id[6]}" '[.[] | select(.id == $id) | .t] |
	    sort | (.[1] - .[0]) >= 0.95' "$FS_LOG" | grep -qx true
	jq -e '.stats.retries_by_reason | .["http-503"] == 1 and .timeout == 2
	    and .truncated == 1 and .["http-429"] == 1 and .corrupt == 2 and
	    .network == 1 and .["http-500"] == 1 and .["http-502"] == 1 and
	    .["http-504"] == 1' "$T/s.json"
	jq -e '.stats.failures_by_status | .["404"] == 1 and .["403"] == 1 and
	    .integrity == 1 and .timeout == 1 and .corrupt == 1' "$T/s.json"
	promtool_check "$T/m.prom"
	grep -q '^codesift_fetch_retries{.*reason="timeout"} 2$' "$T/m.prom"
	grep -q '^codesift_fetch_failures{.*status="404"} 1$' "$T/m.prom"
	grep -q '^codesift_fetch_request_duration_seconds_count{.*} 23$' "$T/m.prom"
	grep -q '^codesift_fetch_objects_fetched{.*} 7$' "$T/m.prom"
}

@test "swh-fetch: an endpoint that is down stops the run with status 3, no output" {
	port=$(free_port)
	head -30 "$DMETA" > "$T/in.jsonl"
	run --separate-stderr swh-fetch --endpoint "http://127.0.0.1:$port" \
	    --retries 1 -o "$T/out.jsonl" --rejects "$T/rej" "$T/in.jsonl"
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"could not be fetched from http://127.0.0.1:$port"* ]]
	[[ "$stderr" == *"the endpoint seems down"* ]]
	# no output file, not even a temporary one
	[ "$(ls -A "$T" | grep -c 'out\|rej')" -eq 0 ]
	# a short input too: nothing at all could be fetched
	run --separate-stderr swh-fetch --endpoint "http://127.0.0.1:$port" \
	    --retries 0 <(head -2 "$DMETA")
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"none of the 2 objects could be fetched"* ]]
}

@test "swh-fetch: output keeps input order; --unordered does not wait" {
	head -40 "$DMETA" > "$T/in.jsonl"
	plan "$T/plan.json" "$(nth_id 1)" '["slow:1"]'
	start_fault --plan "$T/plan.json"
	swh-fetch -q --endpoint "$FS_URL" "$T/in.jsonl" > "$T/ordered"
	cmp "$T/ordered" <(head -40 "$DREF")
	stop_fault
	start_fault --plan "$T/plan.json"
	swh-fetch -q --endpoint "$FS_URL" --unordered "$T/in.jsonl" > "$T/unordered"
	# the same records, the slow first one last
	diff <(sort "$T/ordered") <(sort "$T/unordered")
	[ "$(tail -1 "$T/unordered" | jq -r .blob_id)" = "$(nth_id 1)" ]
	# a window of one record is still correct, only slower
	swh-fetch -q --endpoint "$FS_URL" --window 1 -j 1 <(head -5 "$T/in.jsonl") |
	    cmp - <(head -5 "$DREF")
}

@test "swh-fetch: one request per object in flight, whatever the copies" {
	id=$(nth_id 1)
	for i in 1 2 3 4 5; do sed -n 1p "$DMETA"; sed -n 2p "$DMETA"; done > "$T/in.jsonl"
	start_fault
	run --separate-stderr swh-fetch --endpoint "$FS_URL" --summary "$T/s.json" "$T/in.jsonl"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 10 ]
	[ "$(requests "$id")" -eq 1 ]
	[ "$(requests)" -eq 2 ]
	[ "$(jq .stats.records_sharing_a_request "$T/s.json")" -eq 8 ]
}

@test "swh-fetch: --max-bytes rejects larger files as too-large" {
	head -20 "$DMETA" > "$T/in.jsonl"
	big=$(head -20 "$DREF" | jq -r 'select((.content | utf8bytelength) > 2048) | .blob_id' | wc -l)
	[ "$big" -gt 0 ] && [ "$big" -lt 20 ]
	start_fault
	run --separate-stderr swh-fetch --endpoint "$FS_URL" --max-bytes 2KiB \
	    --length-field none --rejects "$T/rej" "$T/in.jsonl"
	[ "$status" -eq 0 ]
	[ "$(jq -r .reason "$T/rej" | sort -u)" = too-large ]
	[ "$(wc -l < "$T/rej")" -eq "$big" ]
	[ "$(requests)" -eq 20 ]
	# with length_bytes known, such files are not even fetched
	: > "$FS_LOG"
	run --separate-stderr swh-fetch --endpoint "$FS_URL" --max-bytes 2KiB "$T/in.jsonl"
	[ "$status" -eq 0 ]
	[ "$(requests)" -eq $((20 - big)) ]
}

@test "swh-fetch: --cache serves a rerun with no request, and heals bad entries" {
	head -30 "$DMETA" > "$T/in.jsonl"
	start_fault
	swh-fetch -q --endpoint "$FS_URL" --cache "$T/cache" "$T/in.jsonl" > "$T/a"
	n=$(requests)
	[ "$n" -eq 30 ]
	[ "$(ls "$T/cache/content" | wc -l)" -eq "$n" ]
	run --separate-stderr swh-fetch --endpoint "$FS_URL" --cache "$T/cache" \
	    --threads 2 --summary "$T/s.json" "$T/in.jsonl"
	cmp <(printf '%s\n' "$output") "$T/a"
	[ "$(requests)" -eq "$n" ]
	[ "$(jq .stats.cache_hits "$T/s.json")" -eq 30 ]
	# a damaged entry is dropped and fetched again
	id=$(nth_id 1)
	printf 'garbage' > "$T/cache/content/$id"
	swh-fetch -q --endpoint "$FS_URL" --cache "$T/cache" "$T/in.jsonl" | cmp - "$T/a"
	[ "$(requests "$id")" -eq 2 ]
	# the cache is a mirror too
	swh-fetch -q --mirror "$T/cache" "$T/in.jsonl" | cmp - "$T/a"
}

@test "swh-fetch: killed with -9 and rerun, it fetches only what is missing" {
	# 150 distinct objects, 20 ms each, 4 at a time: about 0.8 s
	head -150 "$DMETA" > "$T/in.jsonl"
	[ "$(jq -r .blob_id "$T/in.jsonl" | sort -u | wc -l)" -eq 150 ]
	head -150 "$DREF" > "$T/ref.jsonl"
	start_fault --delay 0.02
	log1=$FS_LOG
	swh-fetch -q -j 4 --threads 2 --endpoint "$FS_URL" --cache "$T/cache" \
	    -o "$T/out.jsonl" "$T/in.jsonl" 3>&- &
	pid=$!
	for i in $(seq 300); do
		[ "$(ls "$T/cache/content" 2>/dev/null | wc -l)" -ge 40 ] && break
		sleep 0.01
	done
	kill -9 "$pid"
	wait "$pid" || true
	ls "$T/cache/content" | sort > "$T/kept"
	kept=$(wc -l < "$T/kept")
	[ "$kept" -ge 40 ] && [ "$kept" -lt 150 ]
	[ ! -e "$T/out.jsonl" ]
	stop_fault
	start_fault
	log2=$FS_LOG
	swh-fetch -q -j 4 --endpoint "$FS_URL" --cache "$T/cache" \
	    -o "$T/out.jsonl" "$T/in.jsonl"
	# the same bytes as an uninterrupted run
	cmp "$T/out.jsonl" "$T/ref.jsonl"
	jq -r 'select(.id) | .id' "$log1" | sort > "$T/r1"
	jq -r 'select(.id) | .id' "$log2" | sort > "$T/r2"
	# no object fetched twice: what was stored is never asked again ...
	[ -z "$(comm -12 "$T/kept" "$T/r2")" ]
	# ... each run asked for each object once ...
	[ -z "$(uniq -d "$T/r1")" ] && [ -z "$(uniq -d "$T/r2")" ]
	# ... and only the transfers cut by the kill (at most -j 4) twice
	[ "$(comm -12 "$T/r1" "$T/r2" | wc -l)" -le 4 ]
	[ "$(sort -u "$T/r1" "$T/r2" | wc -l)" -eq 150 ]
	# every stored object was fetched in the first run
	[ -z "$(comm -23 "$T/kept" "$T/r1")" ]
}

@test "swh-fetch: signed requests carry SigV4 headers; anonymous ones none" {
	head -3 "$DMETA" > "$T/in.jsonl"
	start_fault
	AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI \
	    AWS_SESSION_TOKEN=tok3n swh-fetch -q --endpoint "$FS_URL" "$T/in.jsonl" > /dev/null
	[ "$(jq -r 'select(.auth and .token and .x_amz_date != null and
	    .x_amz_content_sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
	    | .id' "$FS_LOG" | wc -l)" -eq 3 ]
	: > "$FS_LOG"
	AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI \
	    swh-fetch -q --no-sign-request --endpoint "$FS_URL" "$T/in.jsonl" > /dev/null
	[ "$(jq -r 'select(.auth or .x_amz_date != null) | .id' "$FS_LOG" | wc -l)" -eq 0 ]
	[ "$(requests)" -eq 3 ]
}

@test "swh-fetch: --profile reads ~/.aws/credentials; a missing profile is status 2" {
	mkdir -p "$T/home/.aws"
	printf '[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = defsecret\n\n[swh]\naws_access_key_id=AKIDPROFILE\naws_secret_access_key = Pr0f1leSecret\n' \
	    > "$T/home/.aws/credentials"
	head -2 "$DMETA" > "$T/in.jsonl"
	start_fault
	run --separate-stderr env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
	    HOME="$T/home" swh-fetch --profile swh --endpoint "$FS_URL" \
	    --summary "$T/s.json" "$T/in.jsonl"
	[ "$status" -eq 0 ]
	[ "$(jq -r 'select(.auth) | .id' "$FS_LOG" | wc -l)" -eq 2 ]
	[[ "$(jq -r .params.auth "$T/s.json")" == "profile swh ("*")" ]]
	run -2 env HOME="$T/home" swh-fetch --profile nope --endpoint "$FS_URL" "$T/in.jsonl"
	[[ "$output" == *"no profile 'nope' in $T/home/.aws/credentials"* ]]
	: > "$FS_LOG"
	env -u HOME AWS_SHARED_CREDENTIALS_FILE="$T/home/.aws/credentials" \
	    swh-fetch -q --profile default --endpoint "$FS_URL" "$T/in.jsonl" > /dev/null
	[ "$(jq -r 'select(.auth) | .id' "$FS_LOG" | wc -l)" -eq 2 ]
	! grep -q 'defsecret\|Pr0f1leSecret\|AKIDPROFILE' "$T/s.json"
}

@test "swh-fetch: refused credentials stop the run with status 3 and a clear message" {
	head -20 "$DMETA" > "$T/in.jsonl"
	plan "$T/plan.json" "$(nth_id 1)" '["auth"]'
	start_fault --plan "$T/plan.json"
	run --separate-stderr env AWS_ACCESS_KEY_ID=AKIDEXAMPLE \
	    AWS_SECRET_ACCESS_KEY=wrongsecret swh-fetch --endpoint "$FS_URL" \
	    -o "$T/out.jsonl" "$T/in.jsonl"
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"refused the credentials from environment (HTTP 403 SignatureDoesNotMatch"* ]]
	[ ! -e "$T/out.jsonl" ]
}

@test "swh-fetch: no key, secret or token in any message, reject, summary or metric" {
	ak=AKIDLEAKCHECK7
	sk=SeCrEtLeAkChEcK0123456789abcdef
	tk=ToKeNlEaKcHeCk987654321
	head -12 "$DMETA" > "$T/in.jsonl"
	printf '{"blob_id":"nothex"}\n' >> "$T/in.jsonl"
	plan "$T/plan.json" "$(nth_id 1)" '["404"]' "$(nth_id 2)" '["503"]' \
	    "$(nth_id 3)" '["corrupt"]'
	start_fault --plan "$T/plan.json"
	run --separate-stderr env AWS_ACCESS_KEY_ID=$ak AWS_SECRET_ACCESS_KEY=$sk \
	    AWS_SESSION_TOKEN=$tk swh-fetch --endpoint "$FS_URL" --retries 1 \
	    --progress --rejects "$T/rej" --summary "$T/s.json" \
	    --metrics "$T/m.prom" -o "$T/out.jsonl" "$T/in.jsonl"
	[ "$status" -eq 0 ]
	[ "$(wc -l < "$T/rej")" -eq 4 ]
	# the server did get them (signature, token) ...
	[ "$(jq -r 'select(.token) | .id' "$FS_LOG" | wc -l)" -ge 12 ]
	# ... but none of our outputs holds them
	for f in "$T/rej" "$T/s.json" "$T/m.prom" "$T/out.jsonl"; do
		! grep -q "$ak\|$sk\|$tk" "$f"
	done
	[[ "$stderr" != *"$ak"* && "$stderr" != *"$sk"* && "$stderr" != *"$tk"* ]]
	# the refusal path too
	plan "$T/plan2.json" "$(nth_id 1)" '["auth"]'
	stop_fault
	start_fault --plan "$T/plan2.json"
	run --separate-stderr env AWS_ACCESS_KEY_ID=$ak AWS_SECRET_ACCESS_KEY=$sk \
	    AWS_SESSION_TOKEN=$tk swh-fetch --endpoint "$FS_URL" "$T/in.jsonl"
	[ "$status" -eq 3 ]
	[[ "$stderr" != *"$ak"* && "$stderr" != *"$sk"* && "$stderr" != *"$tk"* ]]
}

@test "swh-fetch: virtual-host and path addressing; the real rows' keys" {
	rows=$TOP/tests/conformance/swh/sample-metadata.jsonl
	start_fault
	# virtual-host style: bucket in the host name, key at the root
	run --separate-stderr swh-fetch --endpoint "http://softwareheritage.localhost:$FS_PORT" \
	    --rejects "$T/rej" "$rows"
	[ "$status" -eq 0 ]
	jq -r '.path + " " + .host' "$FS_LOG" | sort > "$T/seen"
	printf '%s\n' \
	    "/content/82be31fc3524835f627befe774786637aae24645 softwareheritage.localhost:$FS_PORT" \
	    "/content/a29dd2b33082d2b98541c66ba3620ae054991503 softwareheritage.localhost:$FS_PORT" |
	    diff - "$T/seen"
	# (this mirror lacks them: The Stack v2 objects are not in the repo)
	[ "$(jq -r .reason "$T/rej" | sort -u)" = not-found ]
	# path style
	: > "$FS_LOG"
	swh-fetch -q --endpoint "http://localhost:$FS_PORT" --addressing path \
	    <(head -1 "$DMETA") > /dev/null
	[ "$(jq -r .path "$FS_LOG")" = "/softwareheritage/content/$(nth_id 1)" ]
	stop_fault
	# no --endpoint: AWS, virtual-host style, through an https proxy that
	# only notes where we wanted to go
	start_fault
	run --separate-stderr env no_proxy= NO_PROXY= https_proxy="$FS_URL" \
	    swh-fetch --retries 0 "$rows"
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"https://softwareheritage.s3.amazonaws.com"* ]]
	[ "$(jq -r .connect "$FS_LOG" | sort -u)" = "softwareheritage.s3.amazonaws.com:443" ]
}

@test "swh-fetch: https with HTTP/2 multiplexes on one connection; --ca-bundle and AWS_CA_BUNDLE are trusted" {
	# nginx on 127.0.0.1 with TLS and HTTP/2, a certificate made here
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost \
	    -days 2 -keyout "$T/key.pem" -out "$T/cert.pem" 2> /dev/null
	port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	mkdir "$T/ngx"
	cat > "$T/ngx/nginx.conf" <<-NGX
	worker_processes 1;
	daemon off;
	master_process off;
	pid $T/ngx/nginx.pid;
	error_log $T/ngx/error.log;
	events { worker_connections 256; }
	http {
		log_format proto '\$server_protocol \$connection \$status';
		access_log $T/ngx/access.log proto;
		default_type application/octet-stream;
		client_body_temp_path $T/ngx/body;
		proxy_temp_path $T/ngx/proxy;
		fastcgi_temp_path $T/ngx/fastcgi;
		uwsgi_temp_path $T/ngx/uwsgi;
		scgi_temp_path $T/ngx/scgi;
		server {
			listen 127.0.0.1:$port ssl http2;
			ssl_certificate $T/cert.pem;
			ssl_certificate_key $T/key.pem;
			location /softwareheritage/ { alias $MIRROR/; }
		}
	}
	NGX
	/usr/sbin/nginx -c "$T/ngx/nginx.conf" -p "$T/ngx" 3>&- &
	FS_PID=$!	# stopped by teardown's stop_fault
	for i in $(seq 100); do
		"$PY" -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])))' "$port" 2>/dev/null && break
		sleep 0.05
	done
	url=https://127.0.0.1:$port
	swh-fetch -q -j 16 --endpoint "$url" --ca-bundle "$T/cert.pem" "$DMETA" > "$T/out"
	cmp "$T/out" "$DREF"
	# every request over HTTP/2, all of them on one connection
	[ "$(wc -l < "$T/ngx/access.log")" -eq "$(wc -l < "$DMETA")" ]
	[ "$(awk '{ print $1, $3 }' "$T/ngx/access.log" | sort -u)" = "HTTP/2.0 200" ]
	[ "$(awk '{ print $2 }' "$T/ngx/access.log" | sort -u | wc -l)" -eq 1 ]
	# the environment variable of the AWS CLI and boto3 does the same
	AWS_CA_BUNDLE=$T/cert.pem swh-fetch -q --endpoint "$url" "$DMETA" | cmp - "$DREF"
	# without it the certificate is not trusted: status 3, and why
	run --separate-stderr swh-fetch --retries 0 --endpoint "$url" "$DMETA"
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"SSL certificate problem"* && "$stderr" == *stopping* ]]
	# a bundle that cannot be read is a configuration error
	run --separate-stderr swh-fetch --endpoint "$url" --ca-bundle "$T/nope.pem" "$DMETA"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--ca-bundle: cannot read '$T/nope.pem'"* ]]
	run --separate-stderr env AWS_CA_BUNDLE="$T/nope.pem" swh-fetch --endpoint "$url" "$DMETA"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"AWS_CA_BUNDLE: cannot read"* ]]
	run --separate-stderr swh-fetch --mirror "$MIRROR" --ca-bundle "$T/cert.pem" "$DMETA"
	[ "$status" -eq 2 ]
}
