#!/usr/bin/env bats
# schema-check: the JSON-Schema-Test-Suite, records byte for byte, rejects
# with pointers, --mark, the --max-fail gate, --report, bad schemas and
# rule files, pathological schemas, --values, threads.
bats_require_minimum_version 1.5.0
load helpers

FX=$FIXTURES/schema-check
META=$TOP/configs/schemas/metadata-record.json

setup() {
	T=$BATS_TEST_TMPDIR
}

# the rules fixture plus the 1 MiB record (made here, not stored)
rules_fixture() {
	cp "$FX/rules.jsonl" "$T/rules.jsonl"
	"$PY" "$FX/make-fixtures.py" --big "$T/big.jsonl"
	cat "$T/big.jsonl" >> "$T/rules.jsonl"
}

@test "schema-check: JSON-Schema-Test-Suite: every required test of draft2020-12 and draft7 passes" {
	run "$PY" "$TOP/tests/conformance/json-schema-suite.py" draft2020-12 draft7
	printf '# %s\n' "${lines[@]}" | grep -E 'passed|FAIL|known' >&3 || true
	[ "$status" -eq 0 ]
	[[ "$output" == *"draft2020-12: 1299 passed, 0 failed"* ]]
	[[ "$output" == *"draft7: 927 passed, 0 failed"* ]]
}

@test "schema-check: the suite runner fails when the program is wrong" {
	# a program that says every value is valid must fail the runner
	mkdir "$T/bin"
	cat > "$T/bin/schema-check" <<-'EOF'
	#!/bin/bash
	while [ $# -gt 0 ]; do
		case $1 in --rejects) : > "$2"; shift ;; esac
		shift
	done
	EOF
	chmod +x "$T/bin/schema-check"
	run "$PY" "$TOP/tests/conformance/json-schema-suite.py" --bin "$T/bin" draft7
	[ "$status" -eq 1 ]
	[[ "$output" == *"draft7: "*" passed, "*" failed"* ]]
	[[ "$output" != *", 0 failed"* ]]
}

@test "schema-check: valid final records go out byte for byte (default schema and rules)" {
	run --separate-stderr schema-check --summary "$T/s.json" "$FX/final.jsonl"
	[ "$status" -eq 0 ]
	cmp <(printf '%s\n' "$output") "$FX/final.jsonl"
	[ "$(jq -c .records "$T/s.json")" = '{"in":20,"out":20,"dropped":0,"rejected":0}' ]
	[ "$(jq .stats.passed "$T/s.json")" -eq 20 ]
	[[ "$(jq -r .params.schema "$T/s.json")" == *configs/schemas/final-record.json ]]
}

@test "schema-check: the sample passes the metadata schema, not the final one" {
	run --separate-stderr schema-check --schema "$META" --no-rules "$SAMPLE"
	[ "$status" -eq 0 ]
	cmp <(printf '%s\n' "$output") "$SAMPLE"
	run --separate-stderr schema-check --no-rules --rejects "$T/rej" "$SAMPLE"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(wc -l < "$T/rej")" -eq 500 ]
	[ "$(jq -r '.errors[].instance' "$T/rej" | sort -u | tr '\n' ' ')" = "/content_sha256 /n_tokens /pii " ]
}

@test "schema-check: rejects name the JSON pointers of instance and keyword" {
	run --separate-stderr schema-check --id-field fixture_id --rejects "$T/rej" "$FX/schema-errors.jsonl"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(jq -r .reason "$T/rej" | sort -u)" = schema-invalid ]
	grep -qF '"detail":"/detected_licenses/0: \"MIT \" does not match pattern \"^[A-Za-z0-9.+-]+$\" (schema /allOf/0/$ref/properties/detected_licenses/items/$ref/pattern)"' "$T/rej"
	[ "$(jq -c 'select(.line == 1) | .errors' "$T/rej")" = '[{"rule":"schema","keyword":"pattern","instance":"/detected_licenses/0","schema":"/allOf/0/$ref/properties/detected_licenses/items/$ref/pattern","message":"\"MIT \" does not match pattern \"^[A-Za-z0-9.+-]+$\""}]' ]
	[ "$(jq -r '.errors[] | "\(.keyword) \(.instance)"' "$T/rej" | tr '\n' ';')" = "pattern /detected_licenses/0;required /content_sha256;type /length_bytes;enum /license_type;pattern /blob_id;minimum /pii/total;" ]
	# the record is there to replay
	diff <(jq -r .record "$T/rej") "$FX/schema-errors.jsonl"
	[[ "$stderr" == *"schema-check: -:"* || "$stderr" == *"schema-errors.jsonl:1: schema-invalid: /detected_licenses/0"* ]]
}

@test "schema-check: every failed rule is named, with its figure, in the reject" {
	run --separate-stderr schema-check --no-schema --rejects "$T/rej" "$FX/rules.jsonl"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "$(jq -r .reason "$T/rej" | sort -u)" = quality-failed ]
	detail() { jq -r --argjson l "$1" 'select(.line == $l) | .detail' "$T/rej"; }
	[ "$(detail 5)" = "max-line-length: longest line 1211 > 1000" ]
	[ "$(jq -c 'select(.line == 5) | .errors' "$T/rej")" = '[{"rule":"max-line-length","message":"longest line 1211 > 1000","value":1211,"threshold":1000}]' ]
	[ "$(detail 10)" = "valid-utf8: 1 U+FFFD replacement character > 0" ]
	[ "$(detail 11)" = "no-nul: 1 NUL character > 0" ]
	[ "$(detail 9)" = "auto-generated: 2 generated-file markers in the first 5 lines" ]
	[ "$(detail 8)" = "encoded-data: encoded share 0.985 > 0.5" ]
}

@test "schema-check: --mark keeps every record and adds quality" {
	run --separate-stderr schema-check --mark --id-field fixture_id --rejects "$T/rej" \
	    "$FX/final.jsonl" "$FX/schema-errors.jsonl" "$FX/rules.jsonl"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 38 ]
	[ ! -s "$T/rej" ]
	# each output line is its input line plus one member
	diff <(printf '%s\n' "$output" | jq -c 'del(.quality)') \
	    <(cat "$FX/final.jsonl" "$FX/schema-errors.jsonl" "$FX/rules.jsonl" | jq -c .)
	[ "$(printf '%s\n' "${lines[0]}" | jq -c .quality)" = '{"ok":true,"failed":[]}' ]
	[ "${lines[0]}" = "$(head -1 "$FX/final.jsonl" | sed 's/}$/,"quality":{"ok":true,"failed":[]}}/')" ]
	[ "$(printf '%s\n' "${lines[20]}" | jq -c .quality)" = '{"ok":false,"failed":["schema:pattern"],"errors":["/detected_licenses/0: \"MIT \" does not match pattern \"^[A-Za-z0-9.+-]+$\" (schema /allOf/0/$ref/properties/detected_licenses/items/$ref/pattern)"]}' ]
	[ "$(printf '%s\n' "${lines[31]}" | jq -c .quality.failed)" = '["mean-line-length"]' ]
	[ "$(printf '%s\n' "$output" | jq -r 'select(.quality.ok) | .blob_id' | wc -l)" -eq 23 ]
	# marking again replaces the member, it does not add a second one
	printf '%s\n' "${lines[31]}" | schema-check --mark --no-schema > "$T/again"
	[ "$(grep -o '"quality"' "$T/again" | wc -l)" -eq 1 ]
}

@test "schema-check: --max-fail: exit 1 above the limit, after writing everything" {
	cat "$FX/final.jsonl" "$FX/rules.jsonl" > "$T/in.jsonl"
	# 32 records, 9 fail
	run --separate-stderr schema-check --max-fail 9 --rejects "$T/rej" "$T/in.jsonl"
	[ "$status" -eq 0 ]
	run --separate-stderr schema-check --max-fail 8 --rejects "$T/rej" -o "$T/out" "$T/in.jsonl"
	[ "$status" -eq 1 ]
	[ "$(wc -l < "$T/out")" -eq 23 ]
	[ "$(wc -l < "$T/rej")" -eq 9 ]
	[[ "$stderr" == *"schema-check: 9 of 32 records failed, more than --max-fail 8"* ]]
	run --separate-stderr schema-check --max-fail 25% "$T/in.jsonl"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"9 of 32 records failed (28.1"*"%), more than --max-fail 25%"* ]]
	run --separate-stderr schema-check --max-fail 29% "$T/in.jsonl"
	[ "$status" -eq 0 ]
	# --mark keeps the records, the gate still counts them
	run --separate-stderr schema-check --mark --max-fail 0 --summary "$T/s.json" "$T/in.jsonl"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 32 ]
	[ "$(jq .status "$T/s.json")" -eq 1 ]
	[ "$(jq .stats.failed "$T/s.json")" -eq 9 ]
	# records that cannot be read fail the gate too
	printf '{"a":\nnot json\n' | cat "$FX/final.jsonl" - > "$T/bad.jsonl"
	run --separate-stderr schema-check --max-fail 1 "$T/bad.jsonl"
	[ "$status" -eq 1 ]
	run --separate-stderr schema-check --max-fail 2 "$T/bad.jsonl"
	[ "$status" -eq 0 ]
	run schema-check --max-fail 1x < /dev/null
	[ "$status" -eq 2 ]
}

@test "schema-check: --report counts per rule, keyword, reason and language, with the first ids" {
	rules_fixture
	printf 'not json\n' | cat "$T/rules.jsonl" "$FX/schema-errors.jsonl" - > "$T/in.jsonl"
	run --separate-stderr schema-check --id-field fixture_id --max-fail 90% --report "$T/r.json" -o /dev/null "$T/in.jsonl"
	[ "$status" -eq 0 ]
	jq . "$T/r.json" > /dev/null
	[ "$(jq -c '[.records, .passed, .failed]' "$T/r.json")" = '[20,3,17]' ]
	[ "$(jq -c .gate "$T/r.json")" = '{"max_fail":"90%","failed":false}' ]
	for r in max-size min-size max-line-length mean-line-length alnum-fraction \
	    encoded-data auto-generated valid-utf8 no-nul no-pii; do
		[ "$(jq -c --arg r "$r" '.rules.by_rule[$r] | [.failed, .first_ids]' "$T/r.json")" = "[1,[\"fail-$r\"]]" ]
	done
	[ "$(jq '.rules.by_rule["max-size"].applied' "$T/r.json")" -eq 19 ]
	[ "$(jq -c '.schema.keywords | map_values(.failed)' "$T/r.json")" = '{"enum":1,"minimum":1,"pattern":2,"required":1,"type":1}' ]
	[ "$(jq -c '.schema.keywords.pattern.first_ids' "$T/r.json")" = '["bad-license-pattern","bad-blob-id"]' ]
	[ "$(jq .schema.failed "$T/r.json")" -eq 6 ]
	[ "$(jq -c '.unchecked["bad-json"] | [.failed, .first_ids]' "$T/r.json")" = "[1,[\"$T/in.jsonl:20\"]]" ]
	[ "$(jq -c '.languages.Go' "$T/r.json")" = '{"records":1,"failed":1,"fail_share":1,"first_ids":["fail-auto-generated"]}' ]
	[ "$(jq -c '.languages.Python | [.records, .failed, .first_ids]' "$T/r.json")" = '[7,5,["fail-min-size","fail-encoded-data","fail-no-pii","fail-max-size","bad-pii-count"]]' ]
	[ "$(jq '.rules.by_rule | length' "$T/r.json")" -eq 10 ]
	# the same counts in the summary and the metrics
	run schema-check --id-field fixture_id --summary "$T/s.json" --metrics "$T/m.prom" -o /dev/null "$T/rules.jsonl"
	[ "$(jq -c .stats.failed_by_rule "$T/s.json")" = '{"max-size":1,"min-size":1,"max-line-length":1,"mean-line-length":1,"alnum-fraction":1,"encoded-data":1,"auto-generated":1,"valid-utf8":1,"no-nul":1,"no-pii":1}' ]
	promtool_check "$T/m.prom"
	grep -q '^codesift_quality_failed{filter="schema-check",stage="schema-check",rule="no-nul"} 1$' "$T/m.prom"
	grep -q '^codesift_quality_failed{filter="schema-check",stage="schema-check",rule="no-pii"} 1$' "$T/m.prom"
	# 10 of the 13 records failed
	awk '/^codesift_check_fail_share/ { exit !($2 > 0.7692 && $2 < 0.7693) }' "$T/m.prom"
	grep -q '^codesift_check_failed{filter="schema-check",stage="schema-check"} 10$' "$T/m.prom"
}

@test "schema-check: the rule figures are those of the Python reference (bench/quality_rules.py)" {
	rules_fixture
	cat "$SAMPLE" >> "$T/rules.jsonl"
	# the Python script has no PII engine: both leave that rule out
	"$PY" "$TOP/bench/quality_rules.py" --skip no-pii --verdicts "$T/rules.jsonl" > "$T/py" 2> /dev/null
	schema-check --no-schema --skip no-pii --mark "$T/rules.jsonl" | jq -r '.quality.failed | join(",")' |
	    awk '{ print NR "\t" $0 }' > "$T/c"
	diff "$T/py" "$T/c"
	[ "$(cut -f2 "$T/c" | grep -c .)" -eq 11 ]
}

@test "schema-check: no-pii uses the pii-scrub engine: found before scrubbing, not after" {
	run --separate-stderr schema-check --no-schema --only no-pii --rejects "$T/rej" "$SAMPLE"
	[ "$status" -eq 0 ]
	n=$(wc -l < "$T/rej")
	[ "$n" -gt 50 ]
	[ "${#lines[@]}" -eq $((500 - n)) ]
	# kinds and counts only, never a value
	[ "$(jq -r .detail "$T/rej" | grep -c '^no-pii: [0-9]* PII findings\? > 0 (\(email\|ip_address\|key\|private_key\|password\|phone\) [0-9]*')" -eq "$n" ]
	! grep -q '@' <(jq -r .detail "$T/rej")
	# the same records after pii-scrub pass
	pii-scrub -q "$SAMPLE" | schema-check --no-schema --only no-pii --rejects "$T/rej2" > "$T/out"
	[ ! -s "$T/rej2" ]
	[ "$(wc -l < "$T/out")" -eq 500 ]
	# kinds can be chosen, and a bad kind is a configuration error
	cat > "$T/rules.json" <<-'EOF'
	{"rules": [{"id": "no-ips", "check": "max_pii", "threshold": 0, "kinds": ["ip_address"]}]}
	EOF
	run schema-check -q --no-schema --rules "$T/rules.json" --rejects "$T/rej3" "$SAMPLE"
	[ "$(jq -r .detail "$T/rej3" | grep -vc ip_address)" -eq 0 ]
	[ "$(wc -l < "$T/rej3")" -lt "$n" ]
	sed -i 's/ip_address/ip_addresses/' "$T/rules.json"
	run --separate-stderr schema-check --no-schema --rules "$T/rules.json" < /dev/null
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"rule 'no-ips': unknown PII kind 'ip_addresses'"* ]]
}

@test "schema-check: rules scoped by language, --only and --skip" {
	cat > "$T/rules.json" <<-'EOF'
	{"rules": [
	  {"id": "js-lines", "check": "mean_line_length", "threshold": 100,
	   "languages": ["JavaScript"]},
	  {"id": "not-js-lines", "check": "mean_line_length", "threshold": 100,
	   "skip_languages": ["JavaScript"]},
	  {"id": "tiny", "check": "min_bytes", "threshold": 10}
	]}
	EOF
	run --separate-stderr schema-check --no-schema --rules "$T/rules.json" --mark --id-field fixture_id "$FX/rules.jsonl"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | jq -r 'select(.quality.ok == false) | "\(.fixture_id) \(.quality.failed | join(","))"' | tr '\n' ';')" = "fail-min-size tiny;fail-mean-line-length js-lines;" ]
	run schema-check -q --no-schema --rules "$T/rules.json" --only tiny --report "$T/r.json" "$FX/rules.jsonl"
	[ "${#lines[@]}" -eq 11 ]
	[ "$(jq -c '.rules.by_rule | keys' "$T/r.json")" = '["tiny"]' ]
	run schema-check -q --no-schema --rules "$T/rules.json" --skip tiny,js-lines "$FX/rules.jsonl"
	[ "${#lines[@]}" -eq 12 ]
	run --separate-stderr schema-check --no-schema --rules "$T/rules.json" --only tiny,nope < /dev/null
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--only: no rule 'nope' in $T/rules.json"* ]]
}

@test "schema-check: a bad schema file is status 2 with its location, nothing read" {
	printf '{"type": "object",\n "properties": {"a": {"type": "string"}\n}' > "$T/s.json"
	run --separate-stderr schema-check --schema "$T/s.json" <<< '{"a":1}'
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == "schema-check: $T/s.json:3:2: "* ]]
	echo '{"properties": {"a": {"type": "strin"}}}' > "$T/s.json"
	run --separate-stderr schema-check --schema "$T/s.json" --no-rules <<< '{"a":1}'
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"$T/s.json: not a valid schema: /properties/a/type: \"strin\" matches none of the 2 anyOf schemas (\"strin\" is not one of [\"array\","* ]]
	echo '{"properties": {"a": {"minLength": -1}}}' > "$T/s.json"
	run --separate-stderr schema-check --schema "$T/s.json" --no-rules <<< '{"a":1}'
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"/properties/a/minLength: -1 is less than the minimum of 0"* ]]
	echo '{"properties": {"a": {"pattern": "(unclosed"}}}' > "$T/s.json"
	run --separate-stderr schema-check --schema "$T/s.json" --no-rules <<< '{"a":1}'
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"$T/s.json: /properties/a: invalid regular expression '(unclosed'"* ]]
	echo '{"$ref": "#/$defs/missing"}' > "$T/s.json"
	run --separate-stderr schema-check --schema "$T/s.json" --no-rules <<< '{"a":1}'
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"no value at '/\$defs/missing'"* ]]
	echo '{"$ref": "https://example.test/other.json"}' > "$T/s.json"
	run --separate-stderr schema-check --schema "$T/s.json" --no-rules <<< '{"a":1}'
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"cannot resolve 'https://example.test/other.json'"*"--schema-map"* ]]
	echo '{"$schema": "https://json-schema.org/draft/2019-09/schema"}' > "$T/s.json"
	run --separate-stderr schema-check --schema "$T/s.json" --no-rules <<< '{"a":1}'
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"unsupported dialect"* ]]
	run --separate-stderr schema-check --schema "$T/nope.json" < /dev/null
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"$T/nope.json: No such file or directory"* ]]
	echo '42' > "$T/s.json"
	run --separate-stderr schema-check --schema "$T/s.json" --no-rules < /dev/null
	[ "$status" -eq 2 ]
	[[ "$stderr" == *'not a valid schema: (root): 42 is not of type ["object","boolean"] (meta-schema /type)'* ]]
}

@test "schema-check: bad rule files are status 2 naming the file and the rule" {
	bad() {
		printf '%s\n' "$1" > "$T/r.json"
		run --separate-stderr schema-check --no-schema --rules "$T/r.json" < /dev/null
		[ "$status" -eq 2 ]
		[[ "$stderr" == *"$2"* ]] || { echo "got: $stderr"; return 1; }
	}
	bad '{"rules": [{"id": "a", "check": "max_lines", "threshold": 1}]}' "$T/r.json: rule 'a': unknown check 'max_lines'"
	bad '{"rules": [{"id": "a", "check": "max_bytes"}]}' "rule 'a': no 'threshold'"
	bad '{"rules": [{"id": "a", "check": "max_bytes", "threshold": 1, "treshold": 2}]}' "rule 'a': unknown key 'treshold'"
	bad '{"rules": [{"id": "a", "check": "max_bytes", "threshold": 1}, {"id": "a", "check": "min_bytes", "threshold": 1}]}' "rule 'a': the id is used twice"
	bad '{"rules": [{"id": "a", "check": "min_alnum_fraction", "threshold": 25}]}' "'threshold' is a fraction"
	bad '{"rules": [{"id": "a", "check": "generated_markers", "threshold": 0}]}' "needs a list of 'markers'"
	bad '{"rules": [{"id": "A b", "check": "max_bytes", "threshold": 1}]}' "ids are lower case"
	bad '{"rules": {}}' "no 'rules' array"
	bad '{"rules": [' "$T/r.json:2:1: "
}

@test "schema-check: a \$ref cycle is refused at load, deep recursion is a clear error" {
	echo '{"$ref": "#"}' > "$T/s.json"
	run --separate-stderr schema-check --schema "$T/s.json" --no-rules <<< '{}'
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"applies itself to the same value without end"* ]]
	echo '{"$defs": {"a": {"allOf": [{"$ref": "#/$defs/b"}]}, "b": {"anyOf": [{"$ref": "#/$defs/a"}]}}, "properties": {"x": {"$ref": "#/$defs/a"}}}' > "$T/s.json"
	run --separate-stderr schema-check --schema "$T/s.json" --no-rules <<< '{}'
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"$T/s.json: /\$defs/"*"applies itself"* ]]
	# a chain of 5000 $refs: deeper than any stack should go
	"$PY" - "$T/s.json" <<-'EOF'
	import json, sys
	n = 5000
	d = {"d%d" % i: {"$ref": "#/$defs/d%d" % (i + 1)} for i in range(n)}
	d["d%d" % n] = {"type": "integer"}
	json.dump({"$defs": d, "$ref": "#/$defs/d0"}, open(sys.argv[1], "w"))
	EOF
	run --separate-stderr schema-check --schema "$T/s.json" --no-rules --values --rejects "$T/rej" <<< '1'
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[[ "$(jq -r .detail "$T/rej")" == *"schema evaluation nested deeper than 2000 levels"* ]]
	# recursion that consumes the instance is fine, however deep the data
	echo '{"type": "array", "items": {"$ref": "#"}}' > "$T/s.json"
	"$PY" -c 'print("[" * 400 + "]" * 400)' > "$T/deep.json"
	run schema-check --schema "$T/s.json" --values "$T/deep.json"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
}

@test "schema-check: the suite's infinite-loop-detection cases through the program" {
	jq -c '.[0].schema' "$TOP/tests/conformance/json-schema/tests/draft2020-12/infinite-loop-detection.json" > "$T/s.json"
	jq -c '.[0].tests[].data' "$TOP/tests/conformance/json-schema/tests/draft2020-12/infinite-loop-detection.json" > "$T/in.jsonl"
	run --separate-stderr schema-check --schema "$T/s.json" --values --rejects "$T/rej" "$T/in.jsonl"
	[ "$status" -eq 0 ]
	[ "$output" = '{"foo":1}' ]
	[ "$(jq -r .detail "$T/rej")" = '/foo: "a string" is not of type "integer" (schema /allOf/0/properties/foo/$ref/type); /foo: "a string" is not of type "integer" (schema /allOf/1/additionalProperties/$ref/type)' ]
}

@test "schema-check: --values validates any JSON value per line" {
	echo '{"type": ["integer", "string"], "minimum": 3, "maxLength": 2}' > "$T/s.json"
	printf '5\n"ab"\n1\n"abc"\nnull\n[1]\n{"a" 1}\n\n' > "$T/in"
	run --separate-stderr schema-check --schema "$T/s.json" --values --rejects "$T/rej" --summary "$T/sum" "$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = $'5\n"ab"' ]
	[ "$(jq -r '"\(.line) \(.reason)"' "$T/rej" | tr '\n' ';')" = "3 schema-invalid;4 schema-invalid;5 schema-invalid;6 schema-invalid;7 bad-json;8 empty-line;" ]
	[ "$(jq -r 'select(.line == 5) | .detail' "$T/rej")" = '(root): null is not of type ["integer","string"] (schema /type)' ]
	[ "$(jq -c .records "$T/sum")" = '{"in":8,"out":2,"dropped":0,"rejected":6}' ]
	run --separate-stderr schema-check --values --mark < /dev/null
	[ "$status" -eq 2 ]
	run --separate-stderr schema-check --values --rules "$TOP/configs/quality.json" < /dev/null
	[ "$status" -eq 2 ]
}

@test "schema-check: draft-07 by \$schema or --draft; formats asserted only on request" {
	cat > "$T/s.json" <<-'EOF'
	{"$schema": "http://json-schema.org/draft-07/schema#",
	 "dependencies": {"a": ["b"]},
	 "items": [{"type": "integer"}], "additionalItems": false,
	 "properties": {"when": {"format": "date-time"}, "mail": {"format": "email"}}}
	EOF
	printf '{"a":1}\n{"a":1,"b":2}\n[1]\n[1,2]\n{"when":"yesterday"}\n{"mail":"x@example.org"}\n' > "$T/in"
	run schema-check -q --schema "$T/s.json" --values "$T/in"
	[ "$output" = $'{"a":1,"b":2}\n[1]\n{"when":"yesterday"}\n{"mail":"x@example.org"}' ]
	run schema-check -q --schema "$T/s.json" --values --format-assert "$T/in"
	[ "$output" = $'{"a":1,"b":2}\n[1]\n{"mail":"x@example.org"}' ]
	# --draft 7 for a schema without $schema: draft-07 keywords apply
	echo '{"dependencies": {"a": ["b"]}}' > "$T/s.json"
	run schema-check -q --schema "$T/s.json" --values <<< '{"a":1}'
	[ "$output" = '{"a":1}' ]
	run schema-check -q --schema "$T/s.json" --values --draft 7 <<< '{"a":1}'
	[ -z "$output" ]
	run schema-check --schema "$T/s.json" --values --draft 4 <<< '[1,2]'
	[ "$status" -eq 2 ]
}

@test "schema-check: --schema-map serves \$ref URIs from a directory" {
	mkdir -p "$T/defs/types"
	echo '{"$defs": {"id": {"type": "string", "pattern": "^[0-9a-f]{40}$"}}}' > "$T/defs/types/common.json"
	echo '{"properties": {"blob_id": {"$ref": "https://schemas.example.test/types/common.json#/$defs/id"}}}' > "$T/s.json"
	printf '{"blob_id":"%s"}\n{"blob_id":"xyz"}\n' "$(printf a%.0s {1..40})" > "$T/in"
	run --separate-stderr schema-check --schema "$T/s.json" --no-rules --schema-map "https://schemas.example.test/=$T/defs" "$T/in"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	run --separate-stderr schema-check --schema "$T/s.json" --no-rules "$T/in"
	[ "$status" -eq 2 ]
	run --separate-stderr schema-check --schema "$T/s.json" --schema-map "https://x/=$T/none" < /dev/null
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"is not a directory"* ]]
	# relative references between local files need no map
	echo '{"$ref": "defs/types/common.json#/$defs/id"}' > "$T/s2.json"
	run schema-check -q --schema "$T/s2.json" --values <<< '"abc"'
	[ -z "$output" ]
}

@test "schema-check: -j N gives the same output, rejects and report as -j 1" {
	rules_fixture
	cat "$FX/final.jsonl" "$FX/schema-errors.jsonl" "$T/rules.jsonl" "$SAMPLE" > "$T/in.jsonl"
	schema-check --id-field fixture_id --rejects "$T/rej1" --report "$T/r1" "$T/in.jsonl" > "$T/o1" 2>/dev/null
	schema-check -j 3 --id-field fixture_id --rejects "$T/rej3" --report "$T/r3" "$T/in.jsonl" > "$T/o3" 2>/dev/null
	cmp "$T/o1" "$T/o3"
	cmp "$T/rej1" "$T/rej3"
	cmp "$T/r1" "$T/r3"
	schema-check -j 2 --mark "$T/in.jsonl" > "$T/m2" 2>/dev/null
	schema-check --mark "$T/in.jsonl" > "$T/m1" 2>/dev/null
	cmp "$T/m1" "$T/m2"
}

@test "schema-check: usage errors exit 2 before reading" {
	run --separate-stderr schema-check --no-schema --no-rules < /dev/null
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"leave nothing to check"* ]]
	run --separate-stderr schema-check --schema "$META" --no-schema < /dev/null
	[ "$status" -eq 2 ]
	run --separate-stderr schema-check --schema-map nonsense < /dev/null
	[ "$status" -eq 2 ]
	run --separate-stderr schema-check -j x < /dev/null
	[ "$status" -eq 2 ]
	run --separate-stderr schema-check --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: schema-check"* ]]
	[[ "$output" == *"--max-fail N|P%"* ]]
}

@test "schema-check: records without the text field are rejected when the schema allows it" {
	printf '{"blob_id":"x"}\n{"blob_id":"y","content":3}\n' > "$T/in"
	run --separate-stderr schema-check --no-schema --rejects "$T/rej" "$T/in"
	[ "$status" -eq 0 ]
	[ "$(jq -r .reason "$T/rej" | tr '\n' ' ')" = "missing-field bad-field " ]
	# with the default schema, the schema's errors are the reason
	run --separate-stderr schema-check --rejects "$T/rej" "$T/in"
	[ "$(jq -r .reason "$T/rej" | sort -u)" = schema-invalid ]
}
