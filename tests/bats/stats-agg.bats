#!/usr/bin/env bats
# stats-agg: exact totals, quantiles against exact ones, merge == one pass,
# planted outliers, the chi-square test, rejects, --pass, the funnel,
# metrics (promtool, Pushgateway), CSV, and the HTML page in Chromium.

bats_require_minimum_version 1.5.0
load helpers

MK=$TOP/tests/fixtures/stats-agg/make-fixtures.py
REF=$TOP/bench/stats_agg_ref.py
CMP=$TOP/tests/lib/stats-agg-compare.py
RENDER=$TOP/tests/lib/chromium-render.py
PNGCHECK=$TOP/tests/lib/png-check.py

setup_file() {
	local d=$BATS_FILE_TMPDIR
	# the sample with the fields later filters add: real dup_of from
	# dedup-exact --mark, stand-ins for pii, n_tokens, quality, stars
	dedup-exact --mark --no-progress "$SAMPLE" > "$d/marked.jsonl"
	"$PY" "$MK" annotate "$d/marked.jsonl" > "$d/annotated.jsonl"
	"$PY" "$MK" outliers > "$d/outliers.jsonl"
	"$PY" "$MK" mix > "$d/mix.jsonl"
}

@test "stats-agg: --help shows the synopsis, -V the version" {
	run stats-agg --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: stats-agg [--json FILE]"* ]]
	[[ "$output" == *"stats-agg --merge"* ]]
	run stats-agg -V
	[ "$status" -eq 0 ]
	[[ "$output" == "stats-agg (codesift) "* ]]
}

@test "stats-agg: misuse exits 2 before reading input" {
	run --separate-stderr stats-agg -o x.jsonl "$SAMPLE"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"-o names the --pass output"* ]]
	run --separate-stderr stats-agg --merge --pass
	[ "$status" -eq 2 ]
	run --separate-stderr stats-agg --merge
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"needs state files"* ]]
	run --separate-stderr stats-agg --z abc "$SAMPLE"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--z"* ]]
	run --separate-stderr stats-agg --pass --json - "$SAMPLE"
	[ "$status" -eq 2 ]
	run --separate-stderr stats-agg "$BATS_TEST_TMPDIR/missing.jsonl"
	[ "$status" -eq 2 ]
}

@test "stats-agg: exact totals on the sample (against jq)" {
	stats-agg "$SAMPLE" > "$BATS_TEST_TMPDIR/r.json"
	r=$BATS_TEST_TMPDIR/r.json
	[ "$(jq .totals.records "$r")" -eq 500 ]
	[ "$(jq .totals.bytes "$r")" -eq "$(jq -s 'map(.length_bytes) | add' "$SAMPLE")" ]
	[ "$(jq .totals.languages "$r")" -eq "$(jq -r .language "$SAMPLE" | sort -u | wc -l)" ]
	[ "$(jq .repositories.distinct "$r")" -eq 18 ]
	[ "$(jq .repositories.exact "$r")" = true ]
	# per language, records and bytes
	jq -c '.languages[] | [.language, .records, .bytes]' "$r" | sort > "$BATS_TEST_TMPDIR/got"
	jq -s -c 'group_by(.language)[] | [.[0].language, length, (map(.length_bytes) | add)]' "$SAMPLE" | sort > "$BATS_TEST_TMPDIR/want"
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	# lines: newlines plus a last line without one
	[ "$(jq .totals.lines "$r")" -eq "$(jq -s 'map(.content | (split("\n") | length) - (if endswith("\n") or . == "" then 1 else 0 end)) | add' "$SAMPLE")" ]
}

@test "stats-agg: every measure matches the exact Python reference (quantiles within 0.5%)" {
	stats-agg "$SAMPLE" > "$BATS_TEST_TMPDIR/r.json"
	"$PY" "$REF" "$SAMPLE" > "$BATS_TEST_TMPDIR/ref.json"
	run "$PY" "$CMP" "$BATS_TEST_TMPDIR/r.json" "$BATS_TEST_TMPDIR/ref.json"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *", 0 mismatches" ]]
}

@test "stats-agg: pii, duplicates, tokens, quality, stars match the reference" {
	f=$BATS_FILE_TMPDIR/annotated.jsonl
	stats-agg "$f" > "$BATS_TEST_TMPDIR/r.json"
	"$PY" "$REF" "$f" > "$BATS_TEST_TMPDIR/ref.json"
	run "$PY" "$CMP" "$BATS_TEST_TMPDIR/r.json" "$BATS_TEST_TMPDIR/ref.json"
	echo "$output"
	[ "$status" -eq 0 ]
	r=$BATS_TEST_TMPDIR/r.json
	# dedup-exact --mark marked 74 copies of the 72 groups
	[ "$(jq .duplicates.marked "$r")" -eq 74 ]
	[ "$(jq .pii.checked "$r")" -eq 500 ]
	[ "$(jq .pii.found "$r")" -eq "$(jq -s 'map(.pii.total) | add' "$f")" ]
	[ "$(jq '.pii.kinds | map(.kind) | sort | join(",")' -r "$r")" = "email,ip_address" ]
	[ "$(jq .totals.tokens "$r")" -eq "$(jq -s 'map(.n_tokens) | add' "$f")" ]
	[ "$(jq .quality.failed "$r")" -eq "$(jq -s 'map(select(.quality.ok | not)) | length' "$f")" ]
	[ "$(jq .distributions.star_events_count.count "$r")" -eq 500 ]
	[ "$(jq '.histograms.n_tokens | map(.count) | add' "$r")" -eq 500 ]
}

@test "stats-agg: PII counts from a real pii-scrub run" {
	d=$BATS_TEST_TMPDIR
	pii-scrub --no-progress "$SAMPLE" > "$d/scrubbed.jsonl"
	stats-agg "$d/scrubbed.jsonl" > "$d/r.json"
	[ "$(jq .pii.checked "$d/r.json")" -eq 500 ]
	[ "$(jq .pii.found "$d/r.json")" -eq "$(jq -s 'map(.pii.total) | add' "$d/scrubbed.jsonl")" ]
	[ "$(jq .pii.records "$d/r.json")" -eq "$(jq -s 'map(select(.pii.total > 0)) | length' "$d/scrubbed.jsonl")" ]
	jq -c '.pii.kinds[] | [.kind, .found, .records]' "$d/r.json" | sort > "$d/got"
	jq -s -c '[.[].pii | to_entries[] | select(.key != "total" and .value > 0)] |
	    group_by(.key)[] | [.[0].key, (map(.value) | add), length]' "$d/scrubbed.jsonl" | sort > "$d/want"
	diff "$d/want" "$d/got"
	[ -s "$d/got" ]
}

@test "stats-agg: four shards merged give the same report as one pass" {
	d=$BATS_TEST_TMPDIR
	f=$BATS_FILE_TMPDIR/annotated.jsonl
	split -n l/4 -d "$f" "$d/part-"
	[ "$(cat "$d"/part-0* | wc -l)" -eq 500 ]
	for p in "$d"/part-0?; do
		stats-agg "$p" --state "$p.state.zst" --json "$p.json"
	done
	# a state alone is asked for: nothing on stdout
	[ -z "$(stats-agg "$d/part-00" --state "$d/x.state")" ]
	stats-agg --merge "$d"/part-0?.state.zst --html "$d/merged.html" --json - > "$d/merged.json"
	stats-agg "$f" --html "$d/single.html" --json "$d/single.json"
	cmp "$d/single.json" "$d/merged.json"
	cmp "$d/single.html" "$d/merged.html"
	# a tree of merges is the same too
	stats-agg --merge "$d/part-00.state.zst" "$d/part-01.state.zst" --state "$d/a.state" --json "$d/a.json"
	stats-agg --merge "$d/part-02.state.zst" "$d/part-03.state.zst" --state "$d/b.state" --json "$d/b.json"
	stats-agg --merge "$d/b.state" "$d/a.state" > "$d/tree.json"
	cmp "$d/single.json" "$d/tree.json"
	# and one shard alone is not the whole
	! cmp -s "$d/single.json" "$d/part-00.json"
}

@test "stats-agg: a damaged or foreign state is refused with status 2" {
	d=$BATS_TEST_TMPDIR
	stats-agg "$SAMPLE" --state "$d/s.state" --json "$d/r.json"
	sed 's/"records":500/"records":-1/' "$d/s.state" > "$d/bad.state"
	run --separate-stderr stats-agg --merge "$d/s.state" "$d/bad.state"
	[ "$status" -eq 2 ]
	[[ "$stderr" == "stats-agg: $d/bad.state: "* ]]
	run --separate-stderr stats-agg --merge "$SAMPLE"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"not a stats-agg state"* ]]
	stats-agg "$SAMPLE" --outliers 3 --state "$d/o3.state" --json "$d/r3.json"
	run --separate-stderr stats-agg --merge "$d/s.state" "$d/o3.state"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--outliers"* ]]
}

@test "stats-agg: planted outliers are found by id, and nothing else" {
	r=$BATS_TEST_TMPDIR/r.json
	stats-agg "$BATS_FILE_TMPDIR/outliers.jsonl" > "$r"
	run jq -r '.outliers.groups[] | "\(.language) \(.metric) \(.worst | map("\(.id)=\(.value)") | join(" "))"' "$r"
	echo "$output"
	[ "${lines[0]}" = "Python bytes planted-tiny=4 planted-huge=300000" ]
	[ "${lines[1]}" = "Python max_line_length planted-huge=300000 planted-tiny=3" ]
	[ "${lines[2]}" = "Java max_line_length planted-long=6007" ]
	[ "${#lines[@]}" -eq 3 ]
	[ "$(jq .outliers.total "$r")" -eq 5 ]
	[ "$(jq '[.outliers.groups[] | .high.exact, .low.exact] | all' "$r")" = true ]
	# the huge file is above the limit, the z-scores beyond 3.5
	[ "$(jq '.outliers.groups[0] | .high_limit < 300000 and .worst[1].z > 3.5' "$r")" = true ]
	# a higher --z keeps only the gross ones
	stats-agg --z 15 "$BATS_FILE_TMPDIR/outliers.jsonl" > "$r"
	[ "$(jq -r '[.outliers.groups[].worst[].id] | unique | join(" ")' "$r")" = "planted-huge planted-long planted-tiny" ]
}

@test "stats-agg: chi-square of the language mix equals the hand-computed value" {
	r=$BATS_TEST_TMPDIR/r.json
	stats-agg "$BATS_FILE_TMPDIR/mix.jsonl" > "$r"
	# expected 25 each of 100: (15^2 + 5^2 + 5^2 + 15^2) / 25 = 20, df 3
	[ "$(jq .expected_mix.chi_square "$r")" = 20 ]
	[ "$(jq .expected_mix.df "$r")" -eq 3 ]
	[ "$(jq .expected_mix.records_compared "$r")" -eq 100 ]
	[ "$(jq .expected_mix.records_outside "$r")" -eq 5 ]
	# p = erfc(sqrt(10)) + sqrt(40/pi) exp(-10) for df 3
	want=$("$PY" -c 'import math; print("%.4g" % (math.erfc(math.sqrt(10)) + math.sqrt(40 / math.pi) * math.exp(-10)))')
	[ "$(jq .expected_mix.p_value "$r")" = "$want" ]
	[ "$(jq -r '.expected_mix.categories | map("\(.language)=\(.flag)") | join(" ")' "$r")" = "Python=over Java=ok C++=ok JavaScript=under" ]
	# the same data against a mix it follows: no flags, p = 1
	printf '{"Python": 8, "Java": 6, "C++": 4, "JavaScript": 2, "(other)": 1}\n' > "$BATS_TEST_TMPDIR/mix.json"
	stats-agg --expect "$BATS_TEST_TMPDIR/mix.json" "$BATS_FILE_TMPDIR/mix.jsonl" > "$r"
	[ "$(jq .expected_mix.chi_square "$r")" = 0 ]
	[ "$(jq .expected_mix.p_value "$r")" = 1 ]
	[ "$(jq .expected_mix.records_outside "$r")" -eq 0 ]
	[ "$(jq -r '.expected_mix.categories | map(.flag) | unique | join(",")' "$r")" = ok ]
}

@test "stats-agg: a bad --expect file is a usage error" {
	printf '{"Python": -1, "Go": 1}\n' > "$BATS_TEST_TMPDIR/bad.json"
	run --separate-stderr stats-agg --expect "$BATS_TEST_TMPDIR/bad.json" "$SAMPLE"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"share of 'Python' is not positive"* ]]
	[ -z "$output" ]
}

@test "stats-agg: bad records are rejected with reasons, the rest counted" {
	d=$BATS_TEST_TMPDIR
	{
		head -n 3 "$SAMPLE"
		echo 'not json'
		echo '[1,2]'
		echo ''
		echo '{"content": 5, "language": "C"}'
		echo '{"content": "x", "n_tokens": -3}'
		echo '{"content": "x", "pii": [1]}'
		echo '{"content": "x", "quality": {"failed": []}}'
		echo '{"content": "x", "detected_licenses": ["MIT", 7]}'
		echo '{"content": "x", "language": 12}'
		printf '{"content": "\xff"}\n'
		head -n 2 "$SAMPLE"
	} > "$d/in.jsonl"
	run --separate-stderr stats-agg --rejects "$d/rej.jsonl" --summary "$d/s.json" "$d/in.jsonl"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"stats-agg: $d/in.jsonl:4: bad-json: "* ]]
	[ "$(jq .totals.records <<<"$output")" -eq 5 ]
	[ "$(jq .input.rejected <<<"$output")" -eq 10 ]
	[ "$(jq .input.lines_read <<<"$output")" -eq 15 ]
	[ "$(jq -r .reason "$d/rej.jsonl" | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}')" = "bad-field=6 bad-json=1 bad-utf8=1 empty-line=1 not-object=1 " ]
	grep -q "field 'n_tokens' is -3" "$d/rej.jsonl"
	grep -q "field 'quality' has no boolean 'ok'" "$d/rej.jsonl"
	# replayable: the record field is the original line
	[ "$(jq -r 'select(.line == 5) | .record' "$d/rej.jsonl")" = '[1,2]' ]
	# in = out + dropped + rejected; a sink counts reported records as out
	[ "$(jq -c .records "$d/s.json")" = '{"in":15,"out":5,"dropped":0,"rejected":10}' ]
	[ "$(jq .bytes.out "$d/s.json")" -eq 0 ]
	run stats-agg --max-rejects 3 --json "$d/r.json" "$d/in.jsonl"
	[ "$status" -eq 1 ]
	[ "$(jq .input.rejected "$d/r.json")" -eq 10 ]
}

@test "stats-agg: --pass copies the input byte for byte" {
	d=$BATS_TEST_TMPDIR
	stats-agg --pass --json "$d/r.json" --summary "$d/s.json" < "$BATS_FILE_TMPDIR/annotated.jsonl" > "$d/out.jsonl"
	cmp "$BATS_FILE_TMPDIR/annotated.jsonl" "$d/out.jsonl"
	[ "$(jq .totals.records "$d/r.json")" -eq 500 ]
	[ "$(jq .records.out "$d/s.json")" -eq 500 ]
	[ "$(jq .bytes.out "$d/s.json")" -eq "$(wc -c < "$d/out.jsonl")" ]
	# -o and compressed output work as in every filter
	stats-agg --pass -o "$d/out.jsonl.zst" --json "$d/r2.json" "$SAMPLE"
	zstd -dc "$d/out.jsonl.zst" | cmp - "$SAMPLE"
	stats-agg "$d/out.jsonl.zst" | cmp - <(stats-agg "$SAMPLE")
}

@test "stats-agg: records without content are sized by length_bytes" {
	run stats-agg < <(jq -c 'del(.content)' "$SAMPLE")
	[ "$status" -eq 0 ]
	[ "$(jq .totals.bytes <<<"$output")" -eq "$(jq -s 'map(.length_bytes) | add' "$SAMPLE")" ]
	[ "$(jq .totals.records_with_content <<<"$output")" -eq 0 ]
	[ "$(jq .totals.lines <<<"$output")" -eq 0 ]
	run stats-agg < <(jq -c 'del(.content, .length_bytes)' "$SAMPLE" | head -n 7)
	[ "$(jq .totals.records_without_size <<<"$output")" -eq 7 ]
}

@test "stats-agg: the funnel from the stages' --summary files, in pipeline order" {
	d=$BATS_TEST_TMPDIR
	dedup-exact --summary "$d/dedup.json" "$SAMPLE" |
		stats-agg --pass --stage report --summary "$d/stats.json" --json "$d/r0.json" > /dev/null
	# given in the wrong order: sorted by filter (DESIGN.md pipeline)
	stats-agg --stage-summary "$d/stats.json" --stage-summary "$d/dedup.json" --csv "$d/csv" --json "$d/r.json" "$SAMPLE"
	[ "$(jq -r '.funnel | map(.stage) | join(" ")' "$d/r.json")" = "dedup-exact report" ]
	[ "$(jq -c '.funnel[0].records' "$d/r.json")" = '{"in":500,"out":426,"dropped":74,"rejected":0}' ]
	[ "$(jq -c '.funnel[1].records' "$d/r.json")" = '{"in":426,"out":426,"dropped":0,"rejected":0}' ]
	[ "$(jq '.funnel[1].unaccounted' "$d/r.json")" -eq 0 ]
	grep -q '^dedup-exact,dedup-exact,500,426,74,0,' "$d/csv/funnel.csv"
	# the same summary twice would count a stage twice: refused
	run --separate-stderr stats-agg --stage-summary "$d/dedup.json" --stage-summary "$d/dedup.json" "$SAMPLE"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"given before"* ]]
	echo '{"filter": "x"}' > "$d/bad.json"
	run --separate-stderr stats-agg --stage-summary "$d/bad.json" "$SAMPLE"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"$d/bad.json: not a stage summary"* ]]
}

@test "stats-agg: --csv writes histograms and tables for dvc plots" {
	d=$BATS_TEST_TMPDIR
	stats-agg --csv "$d/csv" --json "$d/r.json" "$BATS_FILE_TMPDIR/annotated.jsonl"
	[ "$(head -n 1 "$d/csv/hist-bytes.csv")" = "lo,hi,count" ]
	[ "$(tail -n +2 "$d/csv/hist-bytes.csv" | awk -F, '{s += $3} END {print s}')" -eq 500 ]
	[ "$(tail -n +2 "$d/csv/hist-n_tokens.csv" | awk -F, '{s += $3} END {print s}')" -eq 500 ]
	[ "$(tail -n +2 "$d/csv/languages.csv" | wc -l)" -eq "$(jq .totals.languages "$d/r.json")" ]
	grep -q '^Python,40,0.08,' "$d/csv/languages.csv"
	grep -q '^email,' "$d/csv/pii.csv"
	[ "$(head -n 1 "$d/csv/expected-mix.csv")" = "language,observed,expected,observed_share,expected_share,residual,flag" ]
}

@test "stats-agg: --metrics passes promtool, with gauges per language and stage" {
	d=$BATS_TEST_TMPDIR
	dedup-exact --summary "$d/dedup.json" "$SAMPLE" > /dev/null
	stats-agg --metrics "$d/m.prom" --stage-summary "$d/dedup.json" --json "$d/r.json" "$BATS_FILE_TMPDIR/annotated.jsonl"
	promtool_check "$d/m.prom"
	grep -q '^codesift_stats_language_records{filter="stats-agg",stage="stats-agg",language="Python"} 40$' "$d/m.prom"
	grep -q '^codesift_stats_stage_records{filter="stats-agg",stage="stats-agg",pipeline_stage="dedup-exact",outcome="dropped"} 74$' "$d/m.prom"
	grep -q '^codesift_stats_file_size_bytes{filter="stats-agg",stage="stats-agg",quantile="0.5"} ' "$d/m.prom"
	grep -q '^codesift_stats_file_size_bytes_count{filter="stats-agg",stage="stats-agg"} 500$' "$d/m.prom"
	grep -q '^codesift_stats_pii_found{filter="stats-agg",stage="stats-agg",kind="email"} ' "$d/m.prom"
	grep -q '^codesift_records_in{filter="stats-agg",stage="stats-agg"} 500$' "$d/m.prom"
}

@test "stats-agg: --push sends the gauges to a Pushgateway" {
	start_pushgateway
	run stats-agg --push "$PGW_URL" --stage report --json "$BATS_TEST_TMPDIR/ignored.json" "$SAMPLE"
	got=$(curl -fsS "$PGW_URL/metrics")
	stop_pushgateway
	[ "$status" -eq 0 ]
	grep -q '^codesift_stats_language_records{.*job="codesift".*language="Python".*stage="report".*} 40$' <<<"$got"
	grep -q '^codesift_stats_records{.*stage="report".*} 500$' <<<"$got"
}

@test "stats-agg: the HTML page renders in Chromium without errors and is not blank" {
	d=$BATS_TEST_TMPDIR
	dedup-exact --summary "$d/dedup.json" "$SAMPLE" > /dev/null
	stats-agg --html "$d/r.html" --stage-summary "$d/dedup.json" --json "$BATS_TEST_TMPDIR/ignored.json" "$BATS_FILE_TMPDIR/annotated.jsonl"
	# self-contained: no script, no external reference
	! grep -qi '<script' "$d/r.html"
	! grep -Eqi '(src|href)="(https?:)?//' "$d/r.html"
	grep -q '<svg' "$d/r.html"
	run "$PY" "$RENDER" "$d/r.html" "$d/r.png"
	echo "$output"
	[ "$status" -eq 0 ]
	# blue bars (observed, histograms), orange (expected), green (funnel)
	run "$PY" "$PNGCHECK" "$d/r.png" 3b6ea8:5000 e8833a:1000 3b8a5a:500
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "stats-agg: the Chromium check fails on a broken page (it can fail)" {
	d=$BATS_TEST_TMPDIR
	printf '<!DOCTYPE html><title>x</title><p>x</p><img src="gone.png"><script>nosuch()</script>\n' > "$d/bad.html"
	run "$PY" "$RENDER" "$d/bad.html" "$d/bad.png"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"nosuch is not defined"* ]]
	[[ "$output" == *"gone.png"* ]]
	printf '<!DOCTYPE html><title>x</title>\n' > "$d/blank.html"
	"$PY" "$RENDER" "$d/blank.html" "$d/blank.png"
	run "$PY" "$PNGCHECK" "$d/blank.png"
	[ "$status" -eq 1 ]
}

@test "stats-agg: names from the data are escaped in the HTML" {
	d=$BATS_TEST_TMPDIR
	for i in $(seq 1 12); do
		printf '{"blob_id":"<b>%d","language":"<script>alert(1)</script>","repo_name":"a&b/\\"q\\"","content":"x"}\n' "$i"
	done > "$d/evil.jsonl"
	stats-agg --html "$d/r.html" --json "$BATS_TEST_TMPDIR/ignored.json" "$d/evil.jsonl"
	! grep -q '<script' "$d/r.html"
	grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$d/r.html"
	grep -q 'a&amp;b/&quot;q&quot;' "$d/r.html"
	run "$PY" "$RENDER" "$d/r.html" "$d/r.png"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "stats-agg: a FIFO or device output is written in place, not replaced" {
	d=$BATS_TEST_TMPDIR
	mkfifo "$d/fifo"
	cat "$d/fifo" > "$d/got.json" &
	stats-agg --json "$d/fifo" "$SAMPLE"
	wait
	[ -p "$d/fifo" ]
	[ "$(jq .totals.records "$d/got.json")" -eq 500 ]
}

@test "stats-agg: the same input gives the same bytes" {
	d=$BATS_TEST_TMPDIR
	stats-agg --html "$d/a.html" --csv "$d/a" --json - "$SAMPLE" > "$d/a.json"
	stats-agg --html "$d/b.html" --csv "$d/b" --json "$d/b.json" < "$SAMPLE"
	cmp "$d/a.json" "$d/b.json"
	cmp "$d/a.html" "$d/b.html"
	diff -r "$d/a" "$d/b"
}

@test "stats-agg: memory does not grow with the input" {
	d=$BATS_TEST_TMPDIR
	for i in $(seq 1 20); do cat "$SAMPLE"; done > "$d/x20.jsonl"
	# under AddressSanitizer, freed memory waits in a quarantine: none here
	export ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=0:thread_local_quarantine_size_kb=0"
	/usr/bin/time -f %M -o "$d/m1" stats-agg --json "$d/r1.json" "$SAMPLE"
	/usr/bin/time -f %M -o "$d/m20" stats-agg --json "$d/r20.json" "$d/x20.jsonl"
	[ "$(jq .totals.records "$d/r20.json")" -eq 10000 ]
	echo "RSS KB: 1x $(cat "$d/m1"), 20x $(cat "$d/m20")"
	[ "$(cat "$d/m20")" -lt $(( $(cat "$d/m1") * 12 / 10 + 1024 )) ]
}
