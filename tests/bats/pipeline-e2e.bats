#!/usr/bin/env bats
# End to end: Prometheus, Pushgateway and Alertmanager on loopback
# (pipelines/monitoring/stack.sh), the demo pipeline run with
# PUSHGATEWAY_URL set, then Prometheus's HTTP API: every stage's records are
# there, every dashboard query returns data, and no alert expression
# matches a healthy run.  The daemons are stopped by PID.
bats_require_minimum_version 1.5.0
load helpers

STAGES=(fetch scrub dedup-exact dedup-near tokenize validate stats)

setup() {
	STACK=$BATS_TEST_TMPDIR/stack
}

teardown() {
	"$TOP/pipelines/monitoring/stack.sh" stop "$STACK" 2>/dev/null || true
}

# query PROMQL: the number of series Prometheus returns for it, now
query() {
	curl -fsS -G "$PROMETHEUS_URL/api/v1/query" --data-urlencode "query=$1" |
	    jq -e '.data.result | length'
}

@test "e2e: the demo's metrics reach Prometheus; dashboard queries have data; no alert on a healthy run" {
	"$TOP/pipelines/monitoring/stack.sh" start --fast "$STACK"
	source "$STACK/stack.env"
	export PUSHGATEWAY_URL

	# what `make demo` runs, once `make` has built the programs (under `make
	# sanitize`, the sanitized ones: CODESIFT_BIN)
	run "$TOP/pipelines/demo.sh" "$BATS_TEST_TMPDIR/demo"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"cannot push metrics"* ]]

	# every stage that ran is in Prometheus with its record count (the
	# first scrape of a new target takes about 5 s: poll)
	for s in "${STAGES[@]}"; do
		want=$(jq -r .records.out "$BATS_TEST_TMPDIR/demo/reports/$s.summary.json")
		got=
		for ((t = 0; t < 150; t++)); do
			got=$(curl -fsS -G "$PROMETHEUS_URL/api/v1/query" --data-urlencode \
			    "query=codesift_records_out{job=\"codesift\",stage=\"$s\"}" |
			    jq -r '.data.result[0].value[1] // empty')
			[ -z "$got" ] || break
			sleep 0.2
		done
		[ "$got" = "$want" ] || { echo "stage $s: Prometheus has '$got', the summary $want"; false; }
	done

	# every dashboard query returns data
	while IFS=$'\t' read -r title ref expr; do
		n=$(query "$expr")
		[ "$n" -gt 0 ] || { echo "panel '$title' ($ref) has no data: $expr"; false; }
	done < <("$PY" "$TOP/tests/pipeline/check_dashboard.py" --exprs)

	# no alert expression matches the healthy run
	"$PY" - "$TOP/pipelines/monitoring/rules/codesift.rules.yml" > "$BATS_TEST_TMPDIR/alerts.tsv" <<'EOF'
import sys, yaml
for g in yaml.safe_load(open(sys.argv[1]))["groups"]:
    for r in g["rules"]:
        if "alert" in r:
            print(r["alert"] + "\t" + " ".join(r["expr"].split()))
EOF
	[ "$(wc -l < "$BATS_TEST_TMPDIR/alerts.tsv")" -eq 6 ]
	while IFS=$'\t' read -r name expr; do
		n=$(query "$expr")
		[ "$n" -eq 0 ] || { echo "alert $name matches the healthy run: $expr"; false; }
	done < "$BATS_TEST_TMPDIR/alerts.tsv"

	# and an alert does fire on a failed stage: push one, as a stage script would
	zstd -q -c "$SAMPLE" | head -c 200000 > "$BATS_TEST_TMPDIR/cut.jsonl.zst"
	"$TOP/pipelines/stages/dedup-exact.sh" --reports "$BATS_TEST_TMPDIR/r2" \
	    --shard e2e "$BATS_TEST_TMPDIR/cut.jsonl.zst" "$BATS_TEST_TMPDIR/out.jsonl" || true
	for ((t = 0; t < 150; t++)); do
		n=$(query 'ALERTS{alertname="CodesiftStageFailed",shard="e2e",alertstate="firing"}')
		[ "$n" -eq 0 ] || break
		sleep 0.2
	done
	[ "$n" -eq 1 ]
	# ... and reaches the Alertmanager, routed to the paging receiver
	for ((t = 0; t < 150; t++)); do
		am=$(curl -fsS -G "$ALERTMANAGER_URL/api/v2/alerts" \
		    --data-urlencode 'filter=alertname="CodesiftStageFailed"' \
		    --data-urlencode 'filter=shard="e2e"')
		[ "$(jq length <<<"$am")" -eq 0 ] || break
		sleep 0.2
	done
	[ "$(jq -r '.[0].receivers[0].name' <<<"$am")" = codesift-page ]
	[ "$(jq -r '.[0].labels.stage' <<<"$am")" = dedup-exact ]
}

@test "e2e: make demo runs deps, builds, then pipelines/demo.sh" {
	run make -n -C "$TOP" demo
	[ "$status" -eq 0 ]
	[[ "$output" == *"deps"* ]]
	[[ "$output" == *"bash pipelines/demo.sh"* ]]
}
