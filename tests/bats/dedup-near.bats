#!/usr/bin/env bats
# dedup-near: near-duplicate removal, one process and staged.
bats_require_minimum_version 1.5.0
load helpers

# line N of the sample's blob_id
id_of() { sed -n "$1p" "$SAMPLE" | jq -r .blob_id; }

# rec ID CONTENT [EXTRA]: one record as a JSON line
rec() { jq -cn --arg id "$1" --arg c "$2" "{blob_id:\$id, content:\$c}${3:+ + $3}"; }

# a 20-line C file of four functions; $1 replaces the body of the third
twenty_lines() {
	local third=${1:-'return a * b;'}
	printf '%s\n' '/* arithmetic helpers */' \
	    'int add(int a, int b)' '{' '	return a + b;' '}' \
	    'int sub(int a, int b)' '{' '	return a - b;' '}' \
	    'int mul(int a, int b)' '{' "	$third" '}' \
	    'int mod(int a, int b)' '{' '	return a % b;' '}' \
	    '' '/* end of file */' ''
}

split4() {
	split -n l/4 -d --additional-suffix=.jsonl "$1" "$BATS_TEST_TMPDIR/shard-"
}

# staged DIR [filter options]: the four commands over the shards in DIR
staged() {
	local d=$1 f
	shift
	for f in "$d"/shard-0?.jsonl; do
		dedup-near sign -q -o "${f%.jsonl}.sign" "$f" || return 1
	done
	dedup-near bucket -o "$d/p1.pairs" --part 1/2 "$d"/shard-0?.sign || return 1
	dedup-near bucket -o "$d/p2.pairs" --part 2/2 "$d"/shard-0?.sign || return 1
	dedup-near cluster -o "$d/all.drops" --clusters "$d/staged-clusters.jsonl" \
	    "$d"/shard-0?.sign "$d"/p?.pairs || return 1
	for f in "$d"/shard-0?.jsonl; do
		dedup-near filter --sign "${f%.jsonl}.sign" --drops "$d/all.drops" \
		    "$@" "$f" || return 1
	done
}

@test "dedup-near: --help shows every command, exit 0" {
	run dedup-near --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: dedup-near [-j N]"* ]]
	for c in sign bucket cluster filter; do
		[[ "$output" == *"dedup-near $c "* ]]
	done
	run dedup-near bucket -h
	[ "$status" -eq 0 ]
	[[ "$output" == *"--part I/K"* ]]
}

@test "dedup-near: known near-duplicate pairs of the sample are found" {
	run --separate-stderr dedup-near --mark "$SAMPLE"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 500 ]
	# leveldb db/corruption_test.cc (J 0.988), libuv test/test-emfile.c
	# (0.949), cobra doc/yaml_docs.go (0.982): the later copy points to the first
	for p in "149 277" "45 433" "363 396"; do
		set -- $p
		got=$(printf '%s\n' "$output" | sed -n "$2p" | jq -r .dup_of)
		[ "$got" = "$(id_of "$1")" ]
		[ "$(printf '%s\n' "$output" | sed -n "$1p" | jq -r .dup_of)" = null ]
	done
	# cobra bash_completionsV2.go, J 0.666 at two versions: both stay
	[ "$(printf '%s\n' "$output" | sed -n 444p | jq -r .dup_of)" = null ]
	# without --mark the duplicates are gone, the others untouched
	run --separate-stderr dedup-near --summary "$BATS_TEST_TMPDIR/s.json" "$SAMPLE"
	[ "$status" -eq 0 ]
	! printf '%s\n' "$output" | grep -q "\"blob_id\":\"$(id_of 277)\""
	printf '%s\n' "$output" | grep -Fxq "$(sed -n 149p "$SAMPLE")"
	jq -e '.records.in == 500 and .records.in == .records.out + .records.dropped
	    and .stats.duplicates == .records.dropped and .stats.clusters > 50' \
	    "$BATS_TEST_TMPDIR/s.json"
}

@test "dedup-near: one function changed in a 20-line file is not a duplicate" {
	a=$(twenty_lines)
	b=$(twenty_lines 'return b == 0 ? 0 : a / b;')
	c=$(twenty_lines | sed 's/^\t/    /')	# indentation only: a duplicate
	{ rec f1 "$a"; rec f2 "$b"; rec f3 "$c"; } > "$BATS_TEST_TMPDIR/in.jsonl"
	run --separate-stderr dedup-near --mark "$BATS_TEST_TMPDIR/in.jsonl"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | jq -r '.dup_of // "-"' | tr '\n' ' ')" = "- - f1 " ]
	# the exact similarity confirms it
	run --separate-stderr dedup-near --verify exact --clusters "$BATS_TEST_TMPDIR/c.jsonl" \
	    "$BATS_TEST_TMPDIR/in.jsonl"
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 2 ]
	jq -e '.kept == "f1" and .dups == [{"id":"f3","jaccard":1}]' "$BATS_TEST_TMPDIR/c.jsonl"
}

@test "dedup-near: --mark adds dup_of and changes no other byte" {
	run --separate-stderr dedup-near --mark "$SAMPLE"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/marked"
	n=0
	while IFS= read -r line; do
		n=$((n + 1))
		orig=$(sed -n "${n}p" "$SAMPLE")
		case $line in
		*'"dup_of":'*)
			# the original with one member appended before its last brace
			d=$(jq -r .dup_of <<<"$line")
			[ "$line" = "${orig%\}},\"dup_of\":\"$d\"}" ] ;;
		*)	[ "$line" = "$orig" ] ;;
		esac
	done < "$BATS_TEST_TMPDIR/marked"
	[ "$n" -eq 500 ]
}

@test "dedup-near: the same bytes on every run, -j 1, 2 and 4, stdin or file" {
	dedup-near --mark --clusters "$BATS_TEST_TMPDIR/c1" "$SAMPLE" > "$BATS_TEST_TMPDIR/o1"
	for j in 1 2 4; do
		dedup-near -j "$j" --mark --clusters "$BATS_TEST_TMPDIR/cj" "$SAMPLE" \
		    > "$BATS_TEST_TMPDIR/oj"
		cmp "$BATS_TEST_TMPDIR/o1" "$BATS_TEST_TMPDIR/oj"
		cmp "$BATS_TEST_TMPDIR/c1" "$BATS_TEST_TMPDIR/cj"
	done
	# stdin is spooled for the second pass; compressed input too
	dedup-near --mark -j 3 < "$SAMPLE" > "$BATS_TEST_TMPDIR/o2"
	cmp "$BATS_TEST_TMPDIR/o1" "$BATS_TEST_TMPDIR/o2"
	zstd -q -c "$SAMPLE" > "$BATS_TEST_TMPDIR/s.jsonl.zst"
	dedup-near --mark "$BATS_TEST_TMPDIR/s.jsonl.zst" > "$BATS_TEST_TMPDIR/o3"
	cmp "$BATS_TEST_TMPDIR/o1" "$BATS_TEST_TMPDIR/o3"
	cat "$SAMPLE" | dedup-near --mark -o "$BATS_TEST_TMPDIR/o4.zst"
	zstd -dc "$BATS_TEST_TMPDIR/o4.zst" | cmp - "$BATS_TEST_TMPDIR/o1"
	# another seed is another hash family, still deterministic
	dedup-near --seed 7 "$SAMPLE" > "$BATS_TEST_TMPDIR/s7a"
	dedup-near --seed 7 -j 2 "$SAMPLE" > "$BATS_TEST_TMPDIR/s7b"
	cmp "$BATS_TEST_TMPDIR/s7a" "$BATS_TEST_TMPDIR/s7b"
}

@test "dedup-near: staged over 4 shards == one process, byte for byte" {
	split4 "$SAMPLE"
	dedup-near "$SAMPLE" > "$BATS_TEST_TMPDIR/one"
	staged "$BATS_TEST_TMPDIR" > "$BATS_TEST_TMPDIR/staged"
	cmp "$BATS_TEST_TMPDIR/one" "$BATS_TEST_TMPDIR/staged"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/one")" -lt 450 ]
	# with --mark, and the clusters files agree
	dedup-near --mark --clusters "$BATS_TEST_TMPDIR/one-clusters.jsonl" "$SAMPLE" \
	    > "$BATS_TEST_TMPDIR/one-mark"
	staged "$BATS_TEST_TMPDIR" --mark > "$BATS_TEST_TMPDIR/staged-mark"
	cmp "$BATS_TEST_TMPDIR/one-mark" "$BATS_TEST_TMPDIR/staged-mark"
	cmp "$BATS_TEST_TMPDIR/one-clusters.jsonl" "$BATS_TEST_TMPDIR/staged-clusters.jsonl"
}

@test "dedup-near: staged == one process with --no-chain, --keep max, --verify exact" {
	jq -c '. + {stars: (.length_bytes % 13)}' "$SAMPLE" > "$BATS_TEST_TMPDIR/in.jsonl"
	split4 "$BATS_TEST_TMPDIR/in.jsonl"
	d=$BATS_TEST_TMPDIR
	dedup-near --no-chain --keep max:stars --verify exact --mark "$d/in.jsonl" > "$d/one"
	for f in "$d"/shard-0?.jsonl; do
		dedup-near sign --keep max:stars --verify exact -j 2 -o "${f%.jsonl}.sign" "$f"
	done
	for i in 1 2 3; do
		dedup-near bucket --part $i/3 -o "$d/p$i.pairs" "$d"/shard-0?.sign
	done
	dedup-near cluster --no-chain -o "$d/x.drops" "$d"/shard-0?.sign "$d"/p?.pairs
	for f in "$d"/shard-0?.jsonl; do
		dedup-near filter --mark --sign "${f%.jsonl}.sign" --drops "$d/x.drops" "$f"
	done > "$d/staged"
	cmp "$d/one" "$d/staged"
	grep -q dup_of "$d/one"
}

@test "dedup-near: --keep max:FIELD keeps the largest, ties by input order" {
	t=$(twenty_lines)
	{
		rec a "$t" '{stars: 3}'
		rec b "$t" '{stars: 10}'
		rec c "$t" '{stars: null}'
		rec d "$t" '{stars: 10}'
		rec e "$t"
		rec other "completely different text with enough tokens to sign it"
	} > "$BATS_TEST_TMPDIR/in.jsonl"
	run --separate-stderr dedup-near --keep max:stars --mark "$BATS_TEST_TMPDIR/in.jsonl"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | jq -r '.dup_of // "-"' | tr '\n' ' ')" = "b - b b b - " ]
	run --separate-stderr dedup-near --keep max:stars "$BATS_TEST_TMPDIR/in.jsonl"
	[ "$(printf '%s\n' "$output" | jq -r .blob_id | tr '\n' ' ')" = "b other " ]
	# the default keeps the first
	run --separate-stderr dedup-near "$BATS_TEST_TMPDIR/in.jsonl"
	[ "$(printf '%s\n' "$output" | jq -r .blob_id | tr '\n' ' ')" = "a other " ]
	# a value that is not a number is rejected
	rec f "$t" '{stars: "many"}' >> "$BATS_TEST_TMPDIR/in.jsonl"
	run --separate-stderr dedup-near --keep max:stars --rejects "$BATS_TEST_TMPDIR/rej" \
	    "$BATS_TEST_TMPDIR/in.jsonl"
	[ "$status" -eq 0 ]
	jq -e '.reason == "bad-field" and .line == 7' "$BATS_TEST_TMPDIR/rej"
}

@test "dedup-near: by default a record similar only through another is kept; --chain drops it" {
	# A, B, C: each step changes a fifth of the lines; A and C are far apart
	seq 1 100 | sed 's/.*/line & of the text with some words/' > "$BATS_TEST_TMPDIR/a"
	sed '1,12s/words/change/' "$BATS_TEST_TMPDIR/a" > "$BATS_TEST_TMPDIR/b"
	sed '13,24s/words/change/' "$BATS_TEST_TMPDIR/b" > "$BATS_TEST_TMPDIR/c"
	{
		rec A "$(cat "$BATS_TEST_TMPDIR/a")"
		rec B "$(cat "$BATS_TEST_TMPDIR/b")"
		rec C "$(cat "$BATS_TEST_TMPDIR/c")"
	} > "$BATS_TEST_TMPDIR/in.jsonl"
	dedup-near --verify exact -t 0.8 --chain --clusters "$BATS_TEST_TMPDIR/cl" \
	    "$BATS_TEST_TMPDIR/in.jsonl" > /dev/null
	# A-B and B-C are above 0.8, A-C below: one transitive cluster
	jq -e '.size == 3 and .dups[0].jaccard > 0.8 and .dups[1].jaccard < 0.8' \
	    "$BATS_TEST_TMPDIR/cl"
	for opt in "" --no-chain "--chain --no-chain"; do
		# shellcheck disable=SC2086
		run --separate-stderr dedup-near --verify exact -t 0.8 $opt --mark \
		    --summary "$BATS_TEST_TMPDIR/sum" "$BATS_TEST_TMPDIR/in.jsonl"
		[ "$status" -eq 0 ]
		[ "$(printf '%s\n' "$output" | jq -r '.dup_of // "-"' | tr '\n' ' ')" = "- A - " ]
		jq -e '.params.chain == false' "$BATS_TEST_TMPDIR/sum"
	done
	run --separate-stderr dedup-near --verify exact -t 0.8 --chain --mark \
	    "$BATS_TEST_TMPDIR/in.jsonl"
	[ "$(printf '%s\n' "$output" | jq -r '.dup_of // "-"' | tr '\n' ' ')" = "- A A " ]
}

@test "dedup-near: bad records are rejected with reasons; nothing is lost" {
	t=$(twenty_lines)
	{
		rec ok1 "$t"
		echo 'not json'
		echo '[1,2]'
		echo '{"blob_id":"x"}'
		echo '{"blob_id":"y","content":42}'
		jq -cn --arg c "$t" '{content:$c}'
		echo ''
		printf '{"blob_id":"z","content":"%s"}\n' "$(head -c 3000 /dev/zero | tr '\0' a)"
		printf '{"blob_id":"u","content":"\xff\xfe"}\n'
		rec ok2 "$t"
		rec short "two tokens"
	} > "$BATS_TEST_TMPDIR/in.jsonl"
	run --separate-stderr dedup-near --max-record-bytes 2000 \
	    --rejects "$BATS_TEST_TMPDIR/rej" --summary "$BATS_TEST_TMPDIR/s.json" \
	    "$BATS_TEST_TMPDIR/in.jsonl"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | jq -r .blob_id | tr '\n' ' ')" = "ok1 short " ]
	[ "$(jq -r .reason "$BATS_TEST_TMPDIR/rej" | tr '\n' ' ')" = \
	    "bad-json not-object missing-field bad-field missing-field empty-line too-large bad-utf8 " ]
	[ "$(jq -r .line "$BATS_TEST_TMPDIR/rej" | tr '\n' ' ')" = "2 3 4 5 6 7 8 9 " ]
	[[ "$stderr" == *"8 of 11 records rejected"* ]]
	jq -e '.records == {"in":11,"out":2,"dropped":1,"rejected":8}
	    and .stats.short == 1 and .stats.signed == 2' "$BATS_TEST_TMPDIR/s.json"
	# a rejected record replays
	jq -r 'select(.reason == "bad-field") | .record' "$BATS_TEST_TMPDIR/rej" |
	    grep -qx '{"blob_id":"y","content":42}'
	# the same from stdin (spooled), and with --max-rejects as a gate
	run --separate-stderr dedup-near --max-record-bytes 2000 --max-rejects 3 \
	    < "$BATS_TEST_TMPDIR/in.jsonl"
	[ "$status" -eq 1 ]
	[ "$(printf '%s\n' "$output" | jq -r .blob_id | tr '\n' ' ')" = "ok1 short " ]
}

@test "dedup-near: a torn or corrupt intermediate file is refused, status 3" {
	split4 "$SAMPLE"
	d=$BATS_TEST_TMPDIR
	for f in "$d"/shard-0?.jsonl; do dedup-near sign -o "${f%.jsonl}.sign" "$f"; done
	head -c -100 "$d/shard-01.sign" > "$d/torn.sign"
	run --separate-stderr dedup-near bucket -o "$d/p.pairs" "$d/shard-00.sign" "$d/torn.sign"
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"torn.sign: torn: no end marker"* ]]
	[ ! -e "$d/p.pairs" ]
	# one byte changed in the middle
	cp "$d/shard-02.sign" "$d/bad.sign"
	printf 'X' | dd of="$d/bad.sign" bs=1 seek=5000 conv=notrunc status=none
	run --separate-stderr dedup-near bucket -o "$d/p.pairs" "$d/bad.sign"
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"bad.sign: corrupt: checksum mismatch"* ]]
	# a truncated drops file, given to filter
	dedup-near bucket -o "$d/p.pairs" "$d"/shard-0?.sign
	dedup-near cluster -o "$d/all.drops" "$d"/shard-0?.sign "$d/p.pairs"
	head -c 200 "$d/all.drops" > "$d/torn.drops"
	run --separate-stderr dedup-near filter --sign "$d/shard-00.sign" --drops "$d/torn.drops" \
	    "$d/shard-00.jsonl"
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"torn"* ]]
	[ -z "$output" ]
}

@test "dedup-near: a wrong intermediate file is refused, status 2" {
	split4 "$SAMPLE"
	d=$BATS_TEST_TMPDIR
	for f in "$d"/shard-0?.jsonl; do dedup-near sign -o "${f%.jsonl}.sign" "$f"; done
	dedup-near sign --perms 128 --bands 16 --rows 8 -o "$d/other.sign" "$d/shard-00.jsonl"
	# records instead of a sign file
	run --separate-stderr dedup-near bucket -o "$d/p.pairs" "$d/shard-00.jsonl"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"shard-00.jsonl: not a dedup-near intermediate file"* ]]
	# mixed parameters
	run --separate-stderr dedup-near bucket -o "$d/p.pairs" "$d/shard-00.sign" "$d/other.sign"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"signed with different parameters (--perms 256 vs 128)"* ]]
	for i in 1 2; do
		dedup-near bucket --part $i/2 -o "$d/p$i.pairs" "$d"/shard-0?.sign
	done
	# a part missing, a part twice, a pairs file of other shards
	run --separate-stderr dedup-near cluster -o "$d/x.drops" "$d"/shard-0?.sign "$d/p1.pairs"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"the pairs of part 2/2 are missing"* ]]
	run --separate-stderr dedup-near cluster -o "$d/x.drops" "$d"/shard-0?.sign \
	    "$d/p1.pairs" "$d/p1.pairs" "$d/p2.pairs"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"part 1/2 is given twice"* ]]
	run --separate-stderr dedup-near cluster -o "$d/x.drops" "$d/shard-01.sign" \
	    "$d/shard-00.sign" "$d/shard-02.sign" "$d/shard-03.sign" "$d"/p?.pairs
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"made from other sign files (or in another order)"* ]]
	[ ! -e "$d/x.drops" ]
	# a pairs file where a sign file belongs
	run --separate-stderr dedup-near bucket -o "$d/p.pairs" "$d/p1.pairs"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"p1.pairs: a pairs file, not a sign file"* ]]
	# filter: the sign file of another shard, or another input
	dedup-near cluster -o "$d/all.drops" "$d"/shard-0?.sign "$d"/p?.pairs
	run --separate-stderr dedup-near filter --sign "$d/shard-01.sign" --drops "$d/all.drops" \
	    -o "$d/out.jsonl" "$d/shard-00.jsonl"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"not the input of that sign file"* ]]
	[ ! -e "$d/out.jsonl" ]
	run --separate-stderr dedup-near filter --sign "$d/other.sign" --drops "$d/all.drops" \
	    "$d/shard-00.jsonl"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"different parameters"* ]]
	# an edited header: the checksum catches it
	sed '1s/"version":1/"version":9/' "$d/shard-00.sign" > "$d/v9.sign"
	run --separate-stderr dedup-near bucket -o "$d/p.pairs" "$d/v9.sign"
	[ "$status" -eq 3 ]	# the checksum catches the edit first
}

@test "dedup-near: usage errors exit 2 before reading input" {
	run --separate-stderr dedup-near --bands 30 --rows 10 "$SAMPLE"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--bands 30 x --rows 10 is more than --perms 256"* ]]
	run --separate-stderr dedup-near --perms 100 "$SAMPLE"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"multiple of 8"* ]]
	run --separate-stderr dedup-near --threshold 1.5 "$SAMPLE"
	[ "$status" -eq 2 ]
	run --separate-stderr dedup-near --keep last "$SAMPLE"
	[ "$status" -eq 2 ]
	run --separate-stderr dedup-near --verify maybe "$SAMPLE"
	[ "$status" -eq 2 ]
	run --separate-stderr dedup-near --part 1/2 "$SAMPLE"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--part is an option of 'dedup-near bucket'"* ]]
	run --separate-stderr dedup-near bucket --bands 10 -o x.pairs a.sign
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--bands is an option of 'dedup-near sign'"* ]]
	run --separate-stderr dedup-near sign "$SAMPLE"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"needs -o FILE"* ]]
	run --separate-stderr dedup-near sign -o x.sign.zst "$SAMPLE"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"cannot be compressed"* ]]
	run --separate-stderr dedup-near filter "$SAMPLE"
	[ "$status" -eq 2 ]
	run --separate-stderr dedup-near "$BATS_TEST_TMPDIR/missing.jsonl"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
}

@test "dedup-near: summary and metrics report clusters, pairs and memory" {
	run --separate-stderr dedup-near --summary "$BATS_TEST_TMPDIR/s.json" \
	    --metrics "$BATS_TEST_TMPDIR/m.prom" "$SAMPLE"
	[ "$status" -eq 0 ]
	jq -e '.params.bands == 25 and .params.rows == 10 and .params.perms == 256
	    and .params.threshold == 0.85 and .params.keep == "first"
	    and .stats.largest_cluster.size >= 3
	    and (.stats.largest_cluster.kept | length) == 40
	    and (.stats.cluster_sizes["2"] > 0)
	    and .stats.confirmed_pairs >= .stats.duplicates
	    and .stats.index_bytes_per_record <= 400
	    and .stats.peak_rss_bytes > 0' "$BATS_TEST_TMPDIR/s.json"
	promtool_check "$BATS_TEST_TMPDIR/m.prom"
	grep -q '^codesift_near_duplicates{filter="dedup-near",stage="dedup-near"} ' \
	    "$BATS_TEST_TMPDIR/m.prom"
	grep -q '^codesift_near_cluster_size_bucket{filter="dedup-near",stage="dedup-near",le="+Inf"} ' \
	    "$BATS_TEST_TMPDIR/m.prom"
	# a stage reports under its own name
	dedup-near sign -o "$BATS_TEST_TMPDIR/a.sign" --metrics "$BATS_TEST_TMPDIR/m2.prom" \
	    --shard 3 "$SAMPLE"
	promtool_check "$BATS_TEST_TMPDIR/m2.prom"
	grep -q 'stage="dedup-near-sign",shard="3"' "$BATS_TEST_TMPDIR/m2.prom"
}

@test "dedup-near: --fast, --ngram and thresholds change what is found" {
	run --separate-stderr dedup-near --fast --summary "$BATS_TEST_TMPDIR/f.json" "$SAMPLE"
	[ "$status" -eq 0 ]
	jq -e '.params.hash == "one-permutation" and .stats.kernel == "oph"
	    and .stats.duplicates > 100 and .stats.duplicates < 120' "$BATS_TEST_TMPDIR/f.json"
	dedup-near --summary "$BATS_TEST_TMPDIR/a.json" -t 0.95 "$SAMPLE" > /dev/null
	run --separate-stderr dedup-near --summary "$BATS_TEST_TMPDIR/b.json" -t 0.7 \
	    --bands 36 --rows 7 "$SAMPLE"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]	# the curve the manual advises draws no warning
	[ "$(jq .stats.duplicates "$BATS_TEST_TMPDIR/a.json")" -lt \
	    "$(jq .stats.duplicates "$BATS_TEST_TMPDIR/b.json")" ]
	# a low threshold with bands made for 0.85 earns a warning
	run --separate-stderr dedup-near -t 0.6 "$SAMPLE"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"become candidates with probability"* ]]
}

@test "dedup-near: -o to a FIFO writes through it, never renames over it" {
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	timeout 20 cat "$BATS_TEST_TMPDIR/fifo" > "$BATS_TEST_TMPDIR/got" &
	reader=$!
	dedup-near -o "$BATS_TEST_TMPDIR/fifo" "$SAMPLE"
	wait "$reader" || true
	[ -p "$BATS_TEST_TMPDIR/fifo" ]
	dedup-near "$SAMPLE" | cmp - "$BATS_TEST_TMPDIR/got"
	[ -z "$(find "$BATS_TEST_TMPDIR" -name '.fifo.tmp-*')" ]
}

@test "dedup-near: staged rejects the same records as one process" {
	d=$BATS_TEST_TMPDIR
	{
		head -40 "$SAMPLE"
		echo 'not json'
		echo ''
		echo '{"blob_id":"n","content":7}'
		sed -n 41,80p "$SAMPLE"
		echo '{"content":"no id here but tokens enough to sign"}'
		sed -n 81,120p "$SAMPLE"
		sed -n 1,10p "$SAMPLE"
	} > "$d/in.jsonl"
	dedup-near --mark --rejects "$d/rej-one" "$d/in.jsonl" > "$d/one" 2> /dev/null
	split4 "$d/in.jsonl"
	staged "$d" -q > /dev/null	# sign, bucket, cluster (and a first filter)
	for f in "$d"/shard-0?.jsonl; do
		dedup-near filter -q --mark --sign "${f%.jsonl}.sign" --drops "$d/all.drops" \
		    --rejects "$d/rej-${f##*/}" "$f"
	done > "$d/staged"
	cmp "$d/one" "$d/staged"
	[ "$(jq -r .reason "$d/rej-one" | tr '\n' ' ')" = \
	    "bad-json empty-line bad-field missing-field " ]
	[ "$(cat "$d"/rej-shard-0?.jsonl | jq -r .reason | tr '\n' ' ')" = \
	    "bad-json empty-line bad-field missing-field " ]
	# the ten repeated sample lines at the end are exact copies
	[ "$(tail -10 "$d/one" | jq -r 'select(.dup_of) | .blob_id' | wc -l)" -eq 10 ]
	# one shard given twice
	run --separate-stderr dedup-near bucket -o "$d/x.pairs" "$d/shard-00.sign" "$d/shard-00.sign"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"are the same sign file"* ]]
}

@test "dedup-near: the README's GNU parallel commands give the one-process bytes" {
	cd "$BATS_TEST_TMPDIR"
	mkdir shards sig pairs out
	split -n l/4 -d --additional-suffix=.jsonl "$SAMPLE" shards/part-
	for f in shards/*.jsonl; do zstd -q --rm "$f"; done
	# as in README.md
	parallel dedup-near sign -o sig/{/.}.sign {} ::: shards/*.jsonl.zst
	parallel dedup-near bucket --part {}/4 -o pairs/{}.pairs sig/*.sign ::: 1 2 3 4
	dedup-near cluster -o all.drops sig/*.sign pairs/*.pairs
	parallel dedup-near filter --sign sig/{/.}.sign --drops all.drops -o out/{/} {} ::: shards/*.jsonl.zst
	[ "$(ls out)" = "$(printf 'part-0%d.jsonl.zst\n' 0 1 2 3)" ]
	zstd -dc out/*.jsonl.zst | cmp - <(dedup-near "$SAMPLE")
}
