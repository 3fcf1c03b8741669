#!/usr/bin/env bats
# The monitoring stack of pipelines/monitoring/: Prometheus and Alertmanager
# configs, alert rules and their promtool unit tests, the Grafana dashboard
# (schema, PromQL, metrics that exist), the loopback stack script.
bats_require_minimum_version 1.5.0
load helpers

MON=$TOP/pipelines/monitoring

@test "monitoring: promtool accepts prometheus.yml and the rules it loads" {
	run promtool check config "$MON/prometheus.yml"
	[ "$status" -eq 0 ]
	[[ "$output" == *"SUCCESS: 1 rule files found"* ]]
	[[ "$output" == *"SUCCESS: 8 rules found"* ]]
}

@test "monitoring: the Pushgateway is scraped with honor_labels" {
	run "$PY" -c '
import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
job = [j for j in c["scrape_configs"] if j["job_name"] == "pushgateway"][0]
assert job["honor_labels"] is True
print(job["static_configs"][0]["targets"][0])' "$MON/prometheus.yml"
	[ "$status" -eq 0 ]
	[ "$output" = localhost:9091 ]
}

@test "monitoring: every alert has a promtool rule test that fires it" {
	run promtool test rules "$MON"/rules/*.test.yml
	[ "$status" -eq 0 ]
	[ "$(grep -c SUCCESS <<<"$output")" -eq 2 ]
	# each alert fires in some test case and stays quiet in another
	for a in $(grep -o 'alert: Codesift[A-Za-z]*' "$MON/rules/codesift.rules.yml" | cut -d' ' -f2); do
		"$PY" - "$a" "$MON"/rules/*.test.yml <<'EOF'
import sys, yaml
cases = [c for f in sys.argv[2:] for g in yaml.safe_load(open(f))["tests"]
         for c in g.get("alert_rule_test", []) if c["alertname"] == sys.argv[1]]
fires = [c for c in cases if c.get("exp_alerts")]
quiet = [c for c in cases if not c.get("exp_alerts")]
sys.exit(0 if fires and quiet else f"{sys.argv[1]}: needs a firing and a quiet case")
EOF
	done
}

@test "monitoring: the rule tests fail when a rule is wrong" {
	cp "$MON"/rules/*.test.yml "$BATS_TEST_TMPDIR/"
	# reject share alert at 20% instead of 5%: the 12.5% case must not pass
	sed 's/> 0.05/> 0.2/' "$MON/rules/codesift.rules.yml" \
	    > "$BATS_TEST_TMPDIR/codesift.rules.yml"
	run promtool test rules "$BATS_TEST_TMPDIR/codesift.rules.test.yml"
	[ "$status" -ne 0 ]
	[[ "$output" == *"alertname: CodesiftRejectShareHigh"* ]]
	# the stale alert's "for" dropped: it fires too early
	sed '/alert: CodesiftStageStale/,/severity/{/for: 10m/d}' \
	    "$MON/rules/codesift.rules.yml" > "$BATS_TEST_TMPDIR/codesift.rules.yml"
	run promtool test rules "$BATS_TEST_TMPDIR/codesift.rules.test.yml"
	[ "$status" -ne 0 ]
	[[ "$output" == *"alertname: CodesiftStageStale"* ]]
	# the slow-run alert compares with the current run, not the usual one
	sed 's/\[7d\] offset 1h/[1h]/' "$MON/rules/codesift.rules.yml" \
	    > "$BATS_TEST_TMPDIR/codesift.rules.yml"
	run promtool test rules "$BATS_TEST_TMPDIR/codesift.rules.duration.test.yml"
	[ "$status" -ne 0 ]
	[[ "$output" == *"alertname: CodesiftDurationHigh"* ]]
}

@test "monitoring: amtool accepts alertmanager.yml" {
	run amtool check-config "$MON/alertmanager.yml"
	[ "$status" -eq 0 ]
	[[ "$output" == *SUCCESS* ]]
	[[ "$output" == *"2 receivers"* ]]
}

@test "monitoring: the dashboard is valid, its PromQL too, on metrics that exist" {
	run "$PY" "$TOP/tests/pipeline/check_dashboard.py"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^ok - ' <<<"$output")" -eq 5 ]
	[[ "$output" == *"panel queries are valid PromQL"* ]]
}

@test "monitoring: the dashboard JSON is what make-dashboard.py writes" {
	"$PY" "$MON/grafana/make-dashboard.py" > "$BATS_TEST_TMPDIR/d.json"
	cmp "$BATS_TEST_TMPDIR/d.json" "$MON/grafana/dashboards/codesift.json"
}

@test "monitoring: the dashboard has the panels the pipeline needs" {
	run jq -r '[.panels[] | select(.type != "row") | .title] | join("|")' \
	    "$MON/grafana/dashboards/codesift.json"
	for t in "Quality gate" "Records in and out per stage" \
	    "Bytes in and out per stage" "Duration per stage" \
	    "Reject share per stage" "Rejects by stage and reason" \
	    "PII found by kind" "Duplicate share" "Tokens in the dataset"; do
		[[ "|$output|" == *"|$t|"* ]] || { echo "no panel '$t'"; false; }
	done
}

# mutate the dashboard with a jq program; the named check must fail
dash_mutant() {
	jq "$1" "$MON/grafana/dashboards/codesift.json" > "$BATS_TEST_TMPDIR/m.json"
	run "$PY" "$TOP/tests/pipeline/check_dashboard.py" \
	    --dashboard "$BATS_TEST_TMPDIR/m.json"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"not ok - $2"* ]]
}

@test "monitoring: the dashboard check fails on a schema violation" {
	dash_mutant '.panels[1].gridPos.w = 30' "the dashboard is valid"
	dash_mutant '.panels[2].bogus = 1' "the dashboard is valid"
	dash_mutant 'del(.schemaVersion)' "the dashboard is valid"
}

@test "monitoring: the dashboard check fails on bad PromQL" {
	dash_mutant '.panels[1].targets[0].expr = "sum by (stage (codesift_records_in)"' \
	    "the 16 panel queries are valid PromQL"
}

@test "monitoring: the dashboard check fails on a metric nobody writes" {
	dash_mutant '.panels[1].targets[0].expr = "max(codesift_records_inn)"' \
	    "every metric the panels read"
}

@test "monitoring: the dashboard check fails on overlapping panels or ids" {
	dash_mutant '.panels[2].gridPos = .panels[1].gridPos' "panels: unique ids"
	dash_mutant '.panels[3].id = .panels[2].id' "panels: unique ids"
}

@test "monitoring: provisioning files point Grafana at the dashboard and Prometheus" {
	run "$PY" -c '
import json, sys, yaml
ds = yaml.safe_load(open(sys.argv[1]))["datasources"][0]
pr = yaml.safe_load(open(sys.argv[2]))["providers"][0]
d = json.load(open(sys.argv[3]))
assert ds["type"] == "prometheus"
assert d["templating"]["list"][0]["current"]["value"] == ds["uid"]
assert pr["type"] == "file" and pr["options"]["path"].endswith("/pipelines/monitoring/grafana/dashboards")
print("ok")' "$MON/grafana/provisioning/datasources/codesift.yml" \
	    "$MON/grafana/provisioning/dashboards/codesift.yml" \
	    "$MON/grafana/dashboards/codesift.json"
	[ "$status" -eq 0 ]
}

@test "monitoring: stack.sh starts Prometheus, Pushgateway, Alertmanager and stops them by PID" {
	d=$BATS_TEST_TMPDIR/stack
	run "$MON/stack.sh" start --fast "$d"
	[ "$status" -eq 0 ]
	source "$d/stack.env"
	pids=$(awk '{ print $2 }' "$d/pids")
	[ "$(wc -w <<<"$pids")" -eq 3 ]
	curl -fsS "$PUSHGATEWAY_URL/-/ready" > /dev/null
	curl -fsS "$ALERTMANAGER_URL/-/ready" > /dev/null
	run curl -fsS "$PROMETHEUS_URL/api/v1/rules"
	"$MON/stack.sh" stop "$d"
	[[ "$output" == *CodesiftStageFailed* ]]
	for p in $pids; do
		! kill -0 "$p" 2>/dev/null
	done
	run "$MON/stack.sh" status "$d"
	[ "$status" -eq 1 ]
}
