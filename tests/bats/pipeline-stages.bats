#!/usr/bin/env bats
# The stage scripts (pipelines/stages/), run.sh, funnel.sh, the demo sample
# and its mirror builder, demo.sh.
bats_require_minimum_version 1.5.0
load helpers

ST=$TOP/pipelines/stages
STAGES="fetch scrub dedup-exact dedup-near tokenize validate stats"

@test "stages: every stage script has --help and refuses bad usage with status 2" {
	for s in $STAGES; do
		run "$ST/$s.sh" --help
		[ "$status" -eq 0 ]
		[[ "$output" == "usage: $s.sh "* ]]
		run --separate-stderr "$ST/$s.sh" --no-such-option a b
		[ "$status" -eq 2 ]
		[[ "$stderr" == "$s.sh: unknown option '--no-such-option'"* ]]
		run --separate-stderr "$ST/$s.sh" a
		[ "$status" -eq 2 ]
		run --separate-stderr "$ST/$s.sh" --shard 'a/b' a b
		[ "$status" -eq 2 ]
		[[ "$stderr" == *"bad shard id 'a/b'"* ]]
	done
	run --separate-stderr "$ST/scrub.sh" --mode
	[ "$status" -eq 2 ]
	[[ "$stderr" == "scrub.sh: option --mode needs a value"* ]]
}

@test "stages: a stage whose program is missing fails with status 2, naming it" {
	# a checkout with the stage scripts and no bin/; PATH without codesift
	mkdir -p "$BATS_TEST_TMPDIR/co/pipelines"
	cp -r "$ST" "$BATS_TEST_TMPDIR/co/pipelines/"
	touch "$BATS_TEST_TMPDIR/in.jsonl"
	run --separate-stderr env -u CODESIFT_BIN PATH=/usr/bin:/bin \
	    "$BATS_TEST_TMPDIR/co/pipelines/stages/scrub.sh" "$BATS_TEST_TMPDIR/in.jsonl" "$BATS_TEST_TMPDIR/out.jsonl"
	[ "$status" -eq 2 ]
	[ "$stderr" = "scrub.sh: stage scrub needs pii-scrub, which is not part of this checkout (no filters/pii-scrub) and not on PATH" ]
	mkdir -p "$BATS_TEST_TMPDIR/co/filters/pii-scrub"
	run --separate-stderr env -u CODESIFT_BIN PATH=/usr/bin:/bin \
	    "$BATS_TEST_TMPDIR/co/pipelines/stages/scrub.sh" "$BATS_TEST_TMPDIR/in.jsonl" "$BATS_TEST_TMPDIR/out.jsonl"
	[ "$status" -eq 2 ]
	[[ "$stderr" == "scrub.sh: stage scrub needs pii-scrub, which is not built: run 'make' in "* ]]
	[ ! -e "$BATS_TEST_TMPDIR/out.jsonl" ]
}

@test "stages: a missing input is a usage error" {
	run --separate-stderr "$ST/dedup-exact.sh" "$BATS_TEST_TMPDIR/none.jsonl" "$BATS_TEST_TMPDIR/o.jsonl"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"input '$BATS_TEST_TMPDIR/none.jsonl' does not exist"* ]]
}

@test "stages: dedup-exact.sh runs dedup-exact with the reports in --reports" {
	cd "$BATS_TEST_TMPDIR"
	run "$ST/dedup-exact.sh" --reports rep --normalize format --clusters \
	    --max-rejects 1% "$SAMPLE" out.jsonl.zst
	[ "$status" -eq 0 ]
	dedup-exact --normalize=format "$SAMPLE" > direct.jsonl
	zstd -dc out.jsonl.zst | cmp - direct.jsonl
	[ "$(jq -r '.stage, .records.in, .records.out, .params.normalize' rep/dedup-exact.summary.json | tr '\n' ' ')" = \
	    "dedup-exact 500 $(wc -l < direct.jsonl) format " ]
	promtool_check rep/dedup-exact.prom
	grep -q '^codesift_records_out{filter="dedup-exact",stage="dedup-exact"}' rep/dedup-exact.prom
	[ -f rep/dedup-exact.rejects.jsonl ]
	[ -s rep/dedup-exact.clusters.jsonl ]
}

# split FILE into 4 shards by lines, in order, as the scale-out does
split4() {
	split -n l/4 -d -a 5 --additional-suffix=.jsonl "$1" "$2/"
}

@test "stages: dedup-exact map, reduce, merge over 4 shards == one process, byte for byte" {
	cd "$BATS_TEST_TMPDIR"
	# the sample, plus an empty object, an object after blanks, a non-object
	{ cat "$SAMPLE"; echo '{}'; head -1 "$SAMPLE" | sed 's/^/  /'; echo '[1]'; \
	  sed -n 7p "$SAMPLE"; } > in.jsonl
	"$ST/dedup-exact.sh" --reports one --normalize code in.jsonl one.jsonl
	mkdir shards
	split4 in.jsonl shards
	for s in 00000 00001 00002 00003; do
		"$ST/dedup-exact.sh" --reports rep --normalize code --partitions 3 \
		    --shard "$s" map "shards/$s.jsonl" "parts/$s"
	done
	for p in 00000 00001 00002; do
		"$ST/dedup-exact.sh" --reports rep --normalize code --shard "$p" \
		    reduce parts/*/"part-$p.jsonl" "kept/$p"
	done
	for s in 00000 00001 00002 00003; do
		"$ST/dedup-exact.sh" --shard "$s" merge kept/*/"$s.jsonl" "out/$s.jsonl.zst"
	done
	zstd -dc out/*.jsonl.zst | cmp - one.jsonl
	# the reduce steps dropped what the one process dropped
	[ "$(jq -s 'map(.records.dropped) | add' rep/dedup-exact.0000[0-2].summary.json)" = \
	    "$(jq .records.dropped one/dedup-exact.summary.json)" ]
	# the rejects (no content, not an object) replay the original lines
	jq -r .record rep/dedup-exact-map.*.rejects.jsonl | sort > rej.txt
	printf '%s\n' '[1]' '{}' | cmp - rej.txt
}

@test "stages: a stage that fails pushes its exit status to the Pushgateway" {
	start_pushgateway
	cd "$BATS_TEST_TMPDIR"
	# a truncated input: a fatal error (3), output incomplete
	zstd -q -c "$SAMPLE" | head -c 200000 > cut.jsonl.zst
	PUSHGATEWAY_URL=$PGW_URL run "$ST/dedup-exact.sh" --reports rep --shard 00007 \
	    cut.jsonl.zst out.jsonl
	# a usage error (2) is pushed too, for its own stage
	PUSHGATEWAY_URL=$PGW_URL "$ST/scrub.sh" --shard 00001 --bogus a b 2>/dev/null || true
	metrics=$(curl -fsS "$PGW_URL/metrics")
	stop_pushgateway
	[ "$status" -eq 3 ]
	[ ! -e out.jsonl ]
	grep -q '^codesift_exit_status{filter="pii-scrub",instance="",job="codesift",shard="00001",stage="scrub"} 2$' <<<"$metrics"
	grep -q '^codesift_exit_status{filter="dedup-exact",instance="",job="codesift",shard="00007",stage="dedup-exact"} 3$' <<<"$metrics"
	grep -q '^codesift_last_run_timestamp_seconds{filter="dedup-exact",instance="",job="codesift",shard="00007",stage="dedup-exact"}' <<<"$metrics"
}

@test "stages: a stage that succeeds pushes its run's metrics" {
	start_pushgateway
	cd "$BATS_TEST_TMPDIR"
	PUSHGATEWAY_URL=$PGW_URL run "$ST/dedup-exact.sh" --reports rep "$SAMPLE" out.jsonl
	metrics=$(curl -fsS "$PGW_URL/metrics")
	stop_pushgateway
	[ "$status" -eq 0 ]
	grep -q "^codesift_records_out{filter=\"dedup-exact\",instance=\"\",job=\"codesift\",stage=\"dedup-exact\"} $(wc -l < out.jsonl)\$" <<<"$metrics"
	grep -q '^codesift_exit_status{.*stage="dedup-exact"} 0$' <<<"$metrics"
}

@test "stages: validate.sh gate adds up the shards and fails above --max-fail" {
	cd "$BATS_TEST_TMPDIR"
	for i in 1 2; do
		echo '{"stage":"validate","records":{"in":100,"rejected":1},"stats":{"failed":'$((i * 2))'}}' > v$i.json
	done
	# 6 of 200 failed: 3%
	run "$ST/validate.sh" --max-fail 5% gate v1.json v2.json
	[ "$status" -eq 0 ]
	[[ "$output" == *"gate: 6 of 200 records failed in 2 shards"* ]]
	run "$ST/validate.sh" --max-fail 2% gate v1.json v2.json
	[ "$status" -eq 1 ]
	[[ "$output" == *"gate failed: more than --max-fail 2%"* ]]
	run "$ST/validate.sh" --max-fail 6 gate v1.json v2.json
	[ "$status" -eq 0 ]
	start_pushgateway
	PUSHGATEWAY_URL=$PGW_URL run "$ST/validate.sh" --max-fail 5 gate v1.json v2.json
	[ "$status" -eq 1 ]
	m1=$(curl -fsS "$PGW_URL/metrics" | grep '^codesift_exit_status{.*stage="validate-gate"}')
	PUSHGATEWAY_URL=$PGW_URL run "$ST/validate.sh" --max-fail 10 gate v1.json v2.json
	m2=$(curl -fsS "$PGW_URL/metrics" | grep '^codesift_exit_status{.*stage="validate-gate"}')
	stop_pushgateway
	[ "${m1##* }" = 1 ]
	[ "${m2##* }" = 0 ]
}

@test "stages: an empty input exits CODESIFT_EMPTY_STATUS (99 for Airflow), output written" {
	cd "$BATS_TEST_TMPDIR"
	: > empty.jsonl
	CODESIFT_EMPTY_STATUS=99 run "$ST/dedup-exact.sh" --reports rep empty.jsonl out.jsonl
	[ "$status" -eq 99 ]
	[[ "$output" == *"no records in the input: nothing to do"* ]]
	[ -f out.jsonl ] && [ ! -s out.jsonl ]
	run "$ST/dedup-exact.sh" --reports rep empty.jsonl out2.jsonl
	[ "$status" -eq 0 ]
}

@test "run.sh: -n prints the seven stage commands in order" {
	run "$TOP/pipelines/run.sh" -n -w W in.jsonl
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 7 ]
	i=0
	for s in $STAGES; do
		[[ "${lines[i]}" == "pipelines/stages/$s.sh --reports W/reports "* ]]
		i=$((i + 1))
	done
	[[ "${lines[0]}" == *" in.jsonl W/fetched.jsonl.zst" ]]
	[[ "${lines[6]}" == *" W/dataset.jsonl.zst W/reports/stats" ]]
	run "$TOP/pipelines/run.sh" -n -S scrub.mode=fake -w W in.jsonl
	[[ "${lines[1]}" == *"--mode fake "* ]]
}

@test "run.sh: --from and --to run a slice; bad stages are usage errors" {
	cd "$BATS_TEST_TMPDIR"
	run "$TOP/pipelines/run.sh" -w w --from dedup-exact --to dedup-exact "$SAMPLE"
	[ "$status" -eq 0 ]
	[ -f w/dedup-exact.jsonl.zst ]
	[ ! -e w/fetched.jsonl.zst ]
	[[ "$output" == *"stages dedup-exact..dedup-exact done"* ]]
	run "$TOP/pipelines/run.sh" --from nope "$SAMPLE"
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown stage 'nope'"* ]]
	run "$TOP/pipelines/run.sh" --from stats --to fetch "$SAMPLE"
	[ "$status" -eq 2 ]
}

@test "run.sh: the pipeline stops at the stage that fails, with its status" {
	cd "$BATS_TEST_TMPDIR"
	{ head -20 "$SAMPLE"; echo 'not json'; } > in.jsonl
	run "$TOP/pipelines/run.sh" -w w -S dedup_exact.max-rejects=0 \
	    --from dedup-exact --to dedup-near in.jsonl
	[ "$status" -eq 1 ]
	[[ "$output" == *"run.sh: stopped at stage dedup-exact: a data gate failed"* ]]
	[[ "$output" != *"run.sh: dedup-near:"* ]]
	[ "$(jq -r .reason w/reports/dedup-exact.rejects.jsonl)" = bad-json ]
}

@test "funnel.sh: stages in pipeline order, shards added up" {
	cd "$BATS_TEST_TMPDIR"
	mkdir rep
	for s in 0 1; do
		cat > "rep/dedup-exact.0000$s.summary.json" <<EOF
{"stage":"dedup-exact","shard":"0000$s","status":0,"records":{"in":10,"out":7,"dropped":3,"rejected":0},"bytes":{"in":1048576,"out":524288},"duration_seconds":1.5}
EOF
	done
	cat > rep/scrub.summary.json <<'EOF'
{"stage":"scrub","status":0,"records":{"in":21,"out":20,"dropped":0,"rejected":1},"bytes":{"in":2097152,"out":2097152},"duration_seconds":2}
EOF
	run "$TOP/pipelines/funnel.sh" rep
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == "scrub "*" 21 "*" 20 "*" 0 "*" 1 "*" 2 "*" 2 "* ]]
	[[ "${lines[2]}" == "dedup-exact ×2 "*" 20 "*" 14 "*" 6 "*" 0 "*" 2 "*" 1 "*" 1.5" ]]
	[[ "$output" == *"duplicates removed: 6 exact"* ]]
	run "$TOP/pipelines/funnel.sh" "$BATS_TEST_TMPDIR/none"
	[ "$status" -eq 2 ]
}

@test "demo sample: the metadata is the fixture without content" {
	"$TOP/pipelines/demo/make-sample.sh" "$SAMPLE" "$BATS_TEST_TMPDIR/m.jsonl"
	cmp "$BATS_TEST_TMPDIR/m.jsonl" "$TOP/pipelines/demo/metadata.jsonl"
	[ "$(wc -l < "$TOP/pipelines/demo/metadata.jsonl")" -eq 500 ]
	[ "$(jq -r 'has("content")' "$TOP/pipelines/demo/metadata.jsonl" | sort -u)" = false ]
}

@test "demo sample: build-mirror.py writes the bucket as S3 holds it" {
	m=$BATS_TEST_TMPDIR/mirror
	run "$PY" "$TOP/pipelines/demo/build-mirror.py" "$SAMPLE" "$m"
	[ "$status" -eq 0 ]
	n=$(jq -r .blob_id "$SAMPLE" | sort -u | wc -l)
	[[ "$output" == *"500 records, $n objects ($n written, 0 already there)"* ]]
	[ "$(ls "$m/content" | wc -l)" -eq "$n" ]
	# every object: gzip of bytes whose sha1 is its name, length_bytes long
	for id in $(ls "$m/content" | head -50); do
		[ "$(gzip -dc "$m/content/$id" | sha1sum | cut -d' ' -f1)" = "$id" ]
	done
	id=$(jq -r 'select(.length_bytes > 1000) | .blob_id' "$SAMPLE" | head -1)
	[ "$(gzip -dc "$m/content/$id" | wc -c)" -eq \
	    "$(jq -r "select(.blob_id == \"$id\") | .length_bytes" "$SAMPLE" | head -1)" ]
	# a second run keeps everything; a damaged object is rewritten
	echo junk > "$m/content/$id"
	run "$PY" "$TOP/pipelines/demo/build-mirror.py" "$SAMPLE" "$m"
	[[ "$output" == *"(1 written, $((n - 1)) already there)"* ]]
	[ "$(gzip -dc "$m/content/$id" | sha1sum | cut -d' ' -f1)" = "$id" ]
}

@test "demo sample: build-mirror.py refuses content that does not hash to its blob_id" {
	head -1 "$SAMPLE" | jq -c '.content += "x"' > "$BATS_TEST_TMPDIR/bad.jsonl"
	run "$PY" "$TOP/pipelines/demo/build-mirror.py" "$BATS_TEST_TMPDIR/bad.jsonl" "$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad.jsonl:1: sha1 of the content is not blob_id"* ]]
}

@test "demo: the seven stages offline, the funnel, the dataset and the report" {
	run "$TOP/pipelines/demo.sh" "$BATS_TEST_TMPDIR/demo"
	echo "$output"
	[ "$status" -eq 0 ]
	for s in $STAGES; do
		grep -q "^$s " <<<"$output"
	done
	[[ "$output" == *"dataset:     $BATS_TEST_TMPDIR/demo/dataset.jsonl.zst ("*" records)"* ]]
	[[ "$output" == *"HTML report: $BATS_TEST_TMPDIR/demo/reports/stats/report.html"* ]]
	[ -s "$BATS_TEST_TMPDIR/demo/reports/stats/report.html" ]
	zstd -t "$BATS_TEST_TMPDIR/demo/dataset.jsonl.zst"
	# the funnel adds up: each stage reads what the one before wrote
	prev=500
	for s in fetch scrub dedup-exact dedup-near tokenize validate stats; do
		[ "$(jq .records.in "$BATS_TEST_TMPDIR/demo/reports/$s.summary.json")" -eq "$prev" ]
		prev=$(jq .records.out "$BATS_TEST_TMPDIR/demo/reports/$s.summary.json")
	done
	# the dataset is what validate wrote, and nothing the dedup stages dropped
	[ "$(zstd -dc "$BATS_TEST_TMPDIR/demo/dataset.jsonl.zst" | wc -l)" -eq \
	    "$(jq .records.out "$BATS_TEST_TMPDIR/demo/reports/validate.summary.json")" ]
	[ "$(zstd -dc "$BATS_TEST_TMPDIR/demo/dataset.jsonl.zst" | jq -r .blob_id | sort | uniq -d | wc -l)" -eq 0 ]
	[[ "$output" == *"duplicates removed: 74 exact, "* ]]
	[[ "$output" == *"quality gate:       passed"* ]]
}
