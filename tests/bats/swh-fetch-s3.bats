#!/usr/bin/env bats
# swh-fetch against a real S3 implementation that checks signatures:
# OpenStack Swift with s3api (Debian packages), started on 127.0.0.1 by
# tests/swh-fetch/swift-s3/start.sh and stopped by PID.
bats_require_minimum_version 1.5.0
load helpers

SWIFT=$TOP/tests/swh-fetch/swift-s3

setup_file() {
	local env
	export WORK=$BATS_FILE_TMPDIR
	"$PY" "$TOP/tests/swh-fetch/make-mirror.py" "$SAMPLE" "$WORK/mirror" \
	    "$WORK/meta.jsonl"
	# 60 records with distinct objects
	awk -F'"blob_id":"' '!seen[substr($2, 1, 40)]++' "$WORK/meta.jsonl" |
	    head -60 > "$WORK/in.jsonl"
	swh-fetch -q --mirror "$WORK/mirror" "$WORK/in.jsonl" > "$WORK/ref.jsonl"
	env=$("$SWIFT/start.sh" 2> "$WORK/swift-start.log")	# fails the file
	eval "$env"	# S3_ENDPOINT S3_BUCKET AWS_* SWIFT_S3_STATE
	export SWIFT_PIDS
	SWIFT_PIDS=$(cat "$SWIFT_S3_STATE"/run/*.pid | tr '\n' ' ')
	# upload every object, signed, as gzip under content/<sha1>
	local id sha
	for id in $(jq -r .blob_id "$WORK/in.jsonl"); do
		sha=$(sha256sum < "$WORK/mirror/content/$id" | cut -d' ' -f1)
		curl -sS -f -o /dev/null --aws-sigv4 "aws:amz:$AWS_REGION:s3" \
		    --netrc-file "$SWIFT_S3_STATE/etc/netrc" \
		    -H "x-amz-content-sha256: $sha" \
		    -T "$WORK/mirror/content/$id" "$S3_ENDPOINT/$S3_BUCKET/content/$id"
	done
}

teardown_file() {
	local pid
	if [ -n "${SWIFT_S3_STATE:-}" ]; then
		"$SWIFT/stop.sh" "$SWIFT_S3_STATE" 2>/dev/null
	fi
	# every process is gone (stop.sh waits for them)
	for pid in ${SWIFT_PIDS:-}; do
		! kill -0 "$pid" 2>/dev/null ||
		    grep -q '^State:.*Z' "/proc/$pid/status"
	done
}

setup() {
	T=$BATS_TEST_TMPDIR
}

@test "swh-fetch-s3: signed GETs with the right secret: every object verified" {
	run --separate-stderr swh-fetch --endpoint "$S3_ENDPOINT" \
	    --summary "$T/s.json" -o "$T/out.jsonl" "$WORK/in.jsonl"
	[ "$status" -eq 0 ]
	cmp "$T/out.jsonl" "$WORK/ref.jsonl"
	[ "$(jq .stats.objects_fetched "$T/s.json")" -eq 60 ]
	[ "$(jq -r .params.auth "$T/s.json")" = environment ]
	# Swift logged each signed GET of content/<sha1>
	[ "$(grep -c 'GET /softwareheritage/content/' "$SWIFT_S3_STATE/log/proxy-server.log")" -ge 60 ]
}

@test "swh-fetch-s3: a wrong secret stops the run with status 3, no output" {
	run --separate-stderr env AWS_SECRET_ACCESS_KEY=not-the-secret \
	    swh-fetch --endpoint "$S3_ENDPOINT" -o "$T/out.jsonl" \
	    --rejects "$T/rej.jsonl" "$WORK/in.jsonl"
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"refused the credentials from environment (HTTP 403 SignatureDoesNotMatch"* ]]
	[[ "$stderr" != *not-the-secret* ]]
	# no output file, not even a temporary one
	[ "$(ls -A "$T" | grep -c 'out\|rej')" -eq 0 ]
}

@test "swh-fetch-s3: a missing key is a not-found reject; the others arrive" {
	{
		head -3 "$WORK/in.jsonl"
		printf '{"blob_id":"16ca7689b5f953679c1b2277cacb8702590a370d"}\n'
	} > "$T/in.jsonl"
	run --separate-stderr swh-fetch --endpoint "$S3_ENDPOINT" \
	    --rejects "$T/rej.jsonl" "$T/in.jsonl"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "$(jq -r .reason "$T/rej.jsonl")" = not-found ]
	[ "$(jq -r .detail "$T/rej.jsonl")" = "HTTP 404 NoSuchKey" ]
}

@test "swh-fetch-s3: unsigned requests are refused by Swift: status 3" {
	run --separate-stderr swh-fetch --no-sign-request --retries 0 \
	    --endpoint "$S3_ENDPOINT" -o "$T/out.jsonl" "$WORK/in.jsonl"
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"requests were anonymous"* ]]
	[ ! -e "$T/out.jsonl" ]
}

@test "swh-fetch-s3: a wrong region is refused as a credential problem" {
	run --separate-stderr swh-fetch --region eu-west-1 \
	    --endpoint "$S3_ENDPOINT" "$WORK/in.jsonl"
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"AuthorizationHeaderMalformed"* ]]
}
