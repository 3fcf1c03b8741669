#!/usr/bin/env bats
# dedup-exact: exact and normalized duplicates, --mark, --clusters,
# partitioned runs, bad records.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	T=$BATS_TEST_TMPDIR
}

# rec ID CONTENT [LANGUAGE] : one record, content given as a JSON string body
rec() {
	printf '{"blob_id":"%s","language":"%s","content":"%s"}\n' "$1" "${3:-C}" "$2"
}

@test "dedup-exact: one record per distinct blob_id of the sample (72 groups)" {
	run --separate-stderr dedup-exact --summary "$T/s.json" "$SAMPLE"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 426 ]
	[ "$(printf '%s\n' "$output" | jq -r .blob_id | sort | uniq -d | wc -l)" -eq 0 ]
	[ "$(jq -r .blob_id "$SAMPLE" | sort -u | wc -l)" -eq 426 ]
	# the first record of each blob_id is the one kept, in input order
	diff <(printf '%s\n' "$output" | jq -r .blob_id) \
	    <(jq -r .blob_id "$SAMPLE" | awk '!seen[$0]++')
	[ "$(jq .stats.duplicates "$T/s.json")" -eq 74 ]
}

@test "dedup-exact: kept records are the input lines, byte for byte" {
	dedup-exact "$SAMPLE" > "$T/out.jsonl"
	awk '!seen[$0]++' "$SAMPLE" | while IFS= read -r line; do :; done
	# every output line is an input line
	[ "$(sort "$T/out.jsonl" | comm -23 - <(sort "$SAMPLE") | wc -l)" -eq 0 ]
}

@test "dedup-exact: the same text in different JSON escapes is one content" {
	{
		rec 1 'caf\u00e9 \/ x\n'
		rec 2 'café / x\n'
		rec 3 'caf\u00E9 / x\u000a'
		rec 4 'café / x'
	} > "$T/in.jsonl"
	run dedup-exact "$T/in.jsonl"
	[ "$(printf '%s\n' "$output" | jq -r .blob_id | tr '\n' ' ')" = "1 4 " ]
}

@test "dedup-exact: formatting-only variants match under --normalize, not without" {
	{
		rec a 'int f(void)\n{\n\treturn 1;\n}\n'
		rec b '\ufeffint f(void)\r\n{\r\n\treturn 1;   \r\n}\r\n\r\n'
		rec c '\n\nint f(void)\n{\n\treturn 1;\n}'
	} > "$T/in.jsonl"
	[ "$(dedup-exact "$T/in.jsonl" | wc -l)" -eq 3 ]
	run dedup-exact --normalize "$T/in.jsonl"
	[ "${#lines[@]}" -eq 1 ]
	[ "$(printf '%s\n' "$output" | jq -r .blob_id)" = a ]
}

@test "dedup-exact: a one-character code change never matches" {
	{
		rec a 'int f(void)\n{\n\treturn 1; /* one */\n}\n'
		rec b 'int f(void)\n{\n\treturn 2; /* one */\n}\n'
		rec c 'int g(void)\n{\n\treturn 1; /* one */\n}\n'
		rec d 'int f(void)\n{\n\treturn -1; /* one */\n}\n'
		rec e 'int f(void) { return 1; } // two\n'
	} > "$T/in.jsonl"
	run dedup-exact --normalize "$T/in.jsonl"
	[ "${#lines[@]}" -eq 5 ]
	run dedup-exact --normalize=code "$T/in.jsonl"
	# only e (comment and layout changed) joins a
	[ "$(printf '%s\n' "$output" | jq -r .blob_id | tr '\n' ' ')" = "a b c d " ]
}

@test "dedup-exact: --normalize=code uses the language, else the path" {
	{
		printf '{"blob_id":"1","path":"/x.py","content":"x = 1  # one\\n"}\n'
		printf '{"blob_id":"2","path":"/y.py","content":"x=1\\n"}\n'
		printf '{"blob_id":"3","language":"Markdown","content":"x = 1  # one\\n"}\n'
		printf '{"blob_id":"4","language":"Markdown","content":"x=1\\n"}\n'
	} > "$T/in.jsonl"
	run dedup-exact --normalize=code --summary "$T/s.json" "$T/in.jsonl"
	[ "$(printf '%s\n' "$output" | jq -r .blob_id | tr '\n' ' ')" = "1 3 4 " ]
	[ "$(jq .stats.code_normalized "$T/s.json")" -eq 2 ]
	[ "$(jq .stats.format_fallback "$T/s.json")" -eq 2 ]
}

@test "dedup-exact: --normalize=code on the sample finds comment-only copies" {
	run dedup-exact --normalize=code "$SAMPLE"
	[ "${#lines[@]}" -eq 419 ]
}

@test "dedup-exact: --mark keeps every record and adds dup_of" {
	run dedup-exact --mark "$SAMPLE"
	[ "${#lines[@]}" -eq 500 ]
	[ "$(printf '%s\n' "$output" | jq -r 'select(.dup_of) | .blob_id' | wc -l)" -eq 74 ]
	# dup_of names the kept copy: same blob_id here
	[ "$(printf '%s\n' "$output" | jq -r 'select(.dup_of and .dup_of != .blob_id)' | wc -l)" -eq 0 ]
	# marked records are the input plus one field at the end
	printf '%s\n' "$output" | jq -c 'select(.dup_of) | del(.dup_of)' | head -3 > "$T/a"
	[ "$(sort "$T/a" | comm -23 - <(jq -c . "$SAMPLE" | sort) | wc -l)" -eq 0 ]
}

@test "dedup-exact: --clusters writes one line per group with copies" {
	dedup-exact --clusters "$T/cl.jsonl" "$SAMPLE" > /dev/null
	[ "$(count_lines "$T/cl.jsonl")" -eq 72 ]
	[ "$(jq -s 'map(.dups | length) | add' "$T/cl.jsonl")" -eq 74 ]
	run jq -r 'select(.kept != .dups[0]) | .kept' "$T/cl.jsonl"
	[ -z "$output" ]
	# the key is XXH3-128 of the text: 32 hex digits, one per group
	[ "$(jq -r .key "$T/cl.jsonl" | grep -cE '^[0-9a-f]{32}$')" -eq 72 ]
	[ "$(jq -r .key "$T/cl.jsonl" | sort -u | wc -l)" -eq 72 ]
}

@test "dedup-exact: --mark needs the id field; a record without it is rejected" {
	printf '{"content":"a"}\n{"blob_id":"x","content":"a"}\n' > "$T/in.jsonl"
	run --separate-stderr dedup-exact --mark --rejects "$T/r.jsonl" "$T/in.jsonl"
	[ "${#lines[@]}" -eq 1 ]
	[ "$(jq -r .reason "$T/r.jsonl")" = missing-field ]
	# --id-field and --field name other fields
	printf '{"id":"1","txt":"a"}\n{"id":"2","txt":"a"}\n' > "$T/in2.jsonl"
	run dedup-exact --mark --id-field id --field txt "$T/in2.jsonl"
	[ "$(printf '%s\n' "$output" | tail -1 | jq -r .dup_of)" = 1 ]
}

@test "dedup-exact: a partitioned run equals a single run" {
	head -250 "$SAMPLE" > "$T/shard1.jsonl"
	tail -n +251 "$SAMPLE" > "$T/shard2.jsonl"
	for s in 1 2; do
		dedup-exact --normalize --partition 4 --partition-dir "$T/parts$s" \
		    --partition-ext .jsonl.zst --summary "$T/p$s.json" "$T/shard$s.jsonl"
		[ "$(jq .records.out "$T/p$s.json")" -eq 250 ]
	done
	for p in 00000 00001 00002 00003; do
		dedup-exact --normalize "$T"/parts*/part-$p.jsonl.zst
	done > "$T/partitioned.jsonl"
	dedup-exact --normalize "$SAMPLE" > "$T/single.jsonl"
	[ "$(count_lines "$T/single.jsonl")" -eq 426 ]
	diff <(sort "$T/partitioned.jsonl") <(sort "$T/single.jsonl")
}

@test "dedup-exact: --partition needs --partition-dir; --normalize takes known modes" {
	run --separate-stderr dedup-exact --partition 4 < /dev/null
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--partition needs --partition-dir"* ]]
	run --separate-stderr dedup-exact --normalize=fancy < /dev/null
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"expected format, code or none"* ]]
	run --separate-stderr dedup-exact --partition 0 --partition-dir "$T/p" < /dev/null
	[ "$status" -eq 2 ]
}

@test "dedup-exact: options may come after the file operands" {
	run dedup-exact "$SAMPLE" --normalize=code
	[ "${#lines[@]}" -eq 419 ]
}
