bats_require_minimum_version 1.5.0
load helpers

SECRETS=$FIXTURES/pii-scrub/secrets.jsonl
DOCS=$FIXTURES/pii-scrub/documents.jsonl
CASES=$TOP/tests/conformance/secrets

# secret values of the fixtures, none of which may leak anywhere
leaked_values() {
	printf '%s\n' jane.roe@gmail.com Kd8Wq2Zm5x AKIAQ3EGX4RT5UV6WX7Z \
	    wJalrXUtnFEMI/K7MDENG xoxb-2648301922 93.184.216.34 \
	    ops-team@corp-mail.co.uk 867-5309 q8Zr2LxW9mTv4NpB7sKd \
	    MIIEowIBAAKCAQEAr4p5 ghp_R8Zx2mQ7 sk_live_51HbQ2 2606:4700 \
	    'bob(at)kernel.org'
}

@test "pii-scrub: --help prints the synopsis of the man page, -V the version" {
	run pii-scrub --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: pii-scrub [--mode tag|fake]"* ]]
	[[ "$output" == *"--redact-private-ips"* ]]
	run pii-scrub -V
	[ "$status" -eq 0 ]
	[[ "$output" == "pii-scrub (codesift) "* ]]
}

@test "pii-scrub: tags each kind, keeps other fields byte for byte, adds pii counts" {
	run --separate-stderr pii-scrub "$SECRETS"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 5 ]
	line1=$(printf '%s\n' "$output" | sed -n 1p)
	[[ "$line1" == '{"blob_id": "r1", "path": "/src/app/settings.py", "language": "Python", "content": "# Author: Jane Roe <<EMAIL>>\nDATABASE_URL = \"postgres://app:<PASSWORD>@db.internal:5432/prod\"\n'* ]]
	[ "$(printf '%s\n' "$output" | jq -c '.pii' | sed -n 1p)" = '{"total":5,"email":1,"key":3,"password":1}' ]
	[ "$(printf '%s\n' "$output" | jq -c '.pii' | sed -n 2p)" = '{"total":4,"email":1,"ip_address":1,"key":1,"phone":1}' ]
	[ "$(printf '%s\n' "$output" | jq -r '.content' | grep -c '<PRIVATE_KEY>')" -eq 1 ]
	# documentation values stay; a record without findings gets total 0
	[ "$(printf '%s\n' "$output" | sed -n 4p | jq -c .pii)" = '{"total":0}' ]
	printf '%s\n' "$output" | sed -n 4p | jq -r .content | grep -q 'user@example.com, 192.168.1.1 and version 1.2.3.4'
	[ -z "$stderr" ]
	# the raw bytes of untouched members (spacing, order) survive
	run pii-scrub <<<'{ "x" : [1, 2],  "content":"mail a.b@gmail.com" , "y":null }'
	[ "$output" = '{"x" : [1, 2],  "content":"mail <EMAIL>" , "y":null,"pii":{"total":1,"email":1}}' ]
}

@test "pii-scrub: nothing a secret contains reaches output, stderr, summary, metrics or audit" {
	run --separate-stderr pii-scrub --spans --audit "$BATS_TEST_TMPDIR/aud" \
	    --summary "$BATS_TEST_TMPDIR/sum" --metrics "$BATS_TEST_TMPDIR/prom" \
	    --rejects "$BATS_TEST_TMPDIR/rej" "$SECRETS"
	[ "$status" -eq 0 ]
	while IFS= read -r v; do
		! grep -qF -- "$v" <<<"$output"
		! grep -qF -- "$v" <<<"$stderr"
		! grep -qF -- "$v" "$BATS_TEST_TMPDIR/aud" "$BATS_TEST_TMPDIR/sum" \
		    "$BATS_TEST_TMPDIR/prom"
	done < <(leaked_values)
}

@test "pii-scrub: --spans gives byte offsets of each replacement in the output text" {
	run pii-scrub --spans "$SECRETS"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/out"
	"$PY" - "$BATS_TEST_TMPDIR/out" <<'EOF'
import json, sys
tags = {"email": "<EMAIL>", "ip_address": "<IP_ADDRESS>", "key": "<KEY>",
        "private_key": "<PRIVATE_KEY>", "password": "<PASSWORD>", "phone": "<PHONE>"}
n = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    b = r["content"].encode()
    assert len(r["pii_spans"]) == r["pii"]["total"], r
    for s in r["pii_spans"]:
        assert b[s["start"]:s["end"]].decode() == tags[s["kind"]], (s, r)
        n += 1
assert n == 14, n
EOF
}

@test "pii-scrub: --audit writes id, kind, rule, offsets and the value's sha256" {
	run pii-scrub --audit "$BATS_TEST_TMPDIR/aud" "$SECRETS"
	[ "$status" -eq 0 ]
	[ "$(wc -l < "$BATS_TEST_TMPDIR/aud")" -eq 14 ]
	[ "$(head -1 "$BATS_TEST_TMPDIR/aud" | jq -r 'keys_unsorted|join(",")')" = "id,line,kind,rule,start,end,sha256" ]
	"$PY" - "$SECRETS" "$BATS_TEST_TMPDIR/aud" <<'EOF'
import hashlib, json, sys
recs = {}
for l in open(sys.argv[1]):
    r = json.loads(l)
    recs[r["blob_id"]] = r["content"].encode()
for l in open(sys.argv[2]):
    a = json.loads(l)
    v = recs[a["id"]][a["start"]:a["end"]]
    assert hashlib.sha256(v).hexdigest() == a["sha256"], a
EOF
	grep -q '"rule":"aws-access-key-id"' "$BATS_TEST_TMPDIR/aud"
	grep -q '"kind":"private_key","rule":"private-key"' "$BATS_TEST_TMPDIR/aud"
}

@test "pii-scrub: bad records are rejected with a reason, the run goes on" {
	run --separate-stderr pii-scrub --rejects "$BATS_TEST_TMPDIR/rej" \
	    <<<$'{"content":"a@gmail.com"}\nnot json\n{"text":"x"}\n{"content":42}\n[1]\n{"content":"ok"}'
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 2 ]
	[ "$(jq -r .reason "$BATS_TEST_TMPDIR/rej" | tr '\n' ' ')" = "bad-json missing-field bad-field not-object " ]
	[ "$(jq -r .record "$BATS_TEST_TMPDIR/rej" | sed -n 1p)" = "not json" ]
	run pii-scrub --max-rejects 0 <<<$'{"content":"x"}\nnope'
	[ "$status" -eq 1 ]
}

@test "pii-scrub: --only and --skip choose kinds; a bad kind is a usage error" {
	run pii-scrub --only email "$SECRETS"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | jq -r '.pii | keys | join(",")' | sort -u | tr '\n' ' ')" = "email,total total " ]
	run pii-scrub --skip email,key,password "$SECRETS"
	[ "$status" -eq 0 ]
	! grep -q '<EMAIL>\|<KEY>\|<PASSWORD>' <<<"$output"
	grep -q '<IP_ADDRESS>' <<<"$output"
	run --separate-stderr pii-scrub --only ssn "$SECRETS"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"unknown kind 'ssn'"* ]]
	run --separate-stderr pii-scrub --only email --skip email "$SECRETS"
	[ "$status" -eq 2 ]
}

@test "pii-scrub: private ranges and netmasks only with --redact-private-ips" {
	in='{"content":"gw 10.0.0.1 mask 255.255.255.0 lo ::1 pub 8.8.8.8"}'
	run pii-scrub <<<"$in"
	[ "$(jq -r .content <<<"$output")" = "gw 10.0.0.1 mask 255.255.255.0 lo ::1 pub <IP_ADDRESS>" ]
	run pii-scrub --redact-private-ips <<<"$in"
	[ "$(jq -r .content <<<"$output")" = "gw <IP_ADDRESS> mask <IP_ADDRESS> lo ::1 pub <IP_ADDRESS>" ]
}

@test "pii-scrub: --rules replaces or extends the catalogue, --list-rules shows it" {
	cat > "$BATS_TEST_TMPDIR/own.json" <<'EOF'
{"version": 1, "rules": [
  {"id": "ticket", "kind": "key", "regex": "TICK-(?<secret>[0-9]{6})",
   "keywords": ["tick-"]}]}
EOF
	cat > "$BATS_TEST_TMPDIR/more.json" <<'EOF'
{"version": 1, "extends": "default", "disable": ["email"], "rules": [
  {"id": "ticket", "kind": "key", "regex": "TICK-(?<secret>[0-9]{6})",
   "keywords": ["tick-"]}]}
EOF
	in='{"content":"TICK-123456 by x.y@gmail.com at 8.8.8.8"}'
	run pii-scrub --rules "$BATS_TEST_TMPDIR/own.json" <<<"$in"
	[ "$status" -eq 0 ]
	[ "$(jq -r .content <<<"$output")" = "TICK-<KEY> by x.y@gmail.com at 8.8.8.8" ]
	run pii-scrub --rules "$BATS_TEST_TMPDIR/more.json" <<<"$in"
	[ "$(jq -r .content <<<"$output")" = "TICK-<KEY> by x.y@gmail.com at <IP_ADDRESS>" ]
	run pii-scrub --list-rules --rules "$BATS_TEST_TMPDIR/own.json"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%-32s %s' ticket key)" ]
	run pii-scrub --list-rules
	[ "$status" -eq 0 ]
	for k in email ip_address key private_key password phone; do
		grep -q " $k\$" <<<"$output"
	done
}

@test "pii-scrub: a bad rule file is a configuration error naming the rule (status 2)" {
	printf '%s' '{"rules":[{"id":"broken-re","kind":"key","regex":"(ab"}]}' > "$BATS_TEST_TMPDIR/a.json"
	run --separate-stderr pii-scrub --rules "$BATS_TEST_TMPDIR/a.json" < "$SECRETS"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == "pii-scrub: $BATS_TEST_TMPDIR/a.json: rule 'broken-re': invalid regex at offset 3: "* ]]
	printf '%s' '{"rules":[{"id":"who-knows","kind":"ssn","regex":"x"}]}' > "$BATS_TEST_TMPDIR/b.json"
	run --separate-stderr pii-scrub --rules "$BATS_TEST_TMPDIR/b.json" < "$SECRETS"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"rule 'who-knows': unknown kind 'ssn'"* ]]
	printf '%s' '{"extends":"default","disable":["no-such-rule"]}' > "$BATS_TEST_TMPDIR/c.json"
	run --separate-stderr pii-scrub --rules "$BATS_TEST_TMPDIR/c.json" < "$SECRETS"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"'no-such-rule'"* ]]
	run --separate-stderr pii-scrub --rules "$BATS_TEST_TMPDIR/missing.json" < "$SECRETS"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"missing.json: cannot open"* ]]
}

@test "pii-scrub: scrubbing scrubbed output changes nothing (idempotent)" {
	cat "$SAMPLE" "$SECRETS" "$DOCS" > "$BATS_TEST_TMPDIR/in"
	pii-scrub "$BATS_TEST_TMPDIR/in" > "$BATS_TEST_TMPDIR/once"
	pii-scrub "$BATS_TEST_TMPDIR/once" > "$BATS_TEST_TMPDIR/twice"
	cmp "$BATS_TEST_TMPDIR/once" "$BATS_TEST_TMPDIR/twice"
	pii-scrub --spans "$BATS_TEST_TMPDIR/in" > "$BATS_TEST_TMPDIR/once"
	pii-scrub --spans "$BATS_TEST_TMPDIR/once" > "$BATS_TEST_TMPDIR/twice"
	cmp "$BATS_TEST_TMPDIR/once" "$BATS_TEST_TMPDIR/twice"
	# the sample has real author e-mails: something was scrubbed
	[ "$(jq -s 'map(.pii.total) | add' "$BATS_TEST_TMPDIR/once")" -gt 100 ]
}

@test "pii-scrub: --mode fake keeps JSON and YAML documents parseable, consistently" {
	run pii-scrub --mode fake --seed 7 "$DOCS"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/out"
	"$PY" - "$BATS_TEST_TMPDIR/out" <<'EOF'
import json, sys, yaml
recs = [json.loads(l) for l in open(sys.argv[1])]
j = json.loads(recs[0]["content"])
y = yaml.safe_load(recs[1]["content"])
assert j["owner"].endswith("@example.com") and j["owner"] == y["owner"], j
assert j["endpoints"][0].startswith(("192.0.2.", "198.51.100.", "203.0.113."))
assert j["endpoints"][1].startswith("2001:db8::")
assert j["support_phone"].startswith("+44 ") and "555 01" in j["support_phone"]
assert len(j["keys"]["aws"]) == 20 and j["keys"]["aws"] != "AKIAQ3EGX4RT5UV6WX7Z"
assert j["keys"]["github"].startswith("ghp_") and len(j["keys"]["github"]) == 40
assert j["keys"] == y["keys"], (j["keys"], y["keys"])
assert j["db"]["password"] != "Gr8-Lakes!9" and len(j["db"]["password"]) == 11
EOF
	# deterministic for a seed, different for another
	[ "$(pii-scrub --mode fake --seed 7 "$DOCS")" = "$output" ]
	[ "$(pii-scrub --mode fake --seed 8 "$DOCS")" != "$output" ]
	run pii-scrub --mode fancy "$DOCS"
	[ "$status" -eq 2 ]
}

@test "pii-scrub: -j N gives the same bytes, audit and summary counts as one thread" {
	cat "$SAMPLE" "$SECRETS" > "$BATS_TEST_TMPDIR/in"
	pii-scrub --audit "$BATS_TEST_TMPDIR/a1" --summary "$BATS_TEST_TMPDIR/s1" \
	    "$BATS_TEST_TMPDIR/in" > "$BATS_TEST_TMPDIR/o1"
	pii-scrub -j 3 --audit "$BATS_TEST_TMPDIR/a3" --summary "$BATS_TEST_TMPDIR/s3" \
	    "$BATS_TEST_TMPDIR/in" > "$BATS_TEST_TMPDIR/o3"
	cmp "$BATS_TEST_TMPDIR/o1" "$BATS_TEST_TMPDIR/o3"
	cmp "$BATS_TEST_TMPDIR/a1" "$BATS_TEST_TMPDIR/a3"
	[ "$(jq -c .stats.found "$BATS_TEST_TMPDIR/s1")" = "$(jq -c .stats.found "$BATS_TEST_TMPDIR/s3")" ]
	run pii-scrub -j 0 "$SECRETS"
	[ "$status" -eq 0 ]
	run pii-scrub -j 999 "$SECRETS"
	[ "$status" -eq 2 ]
}

@test "pii-scrub: summary and Prometheus metrics count findings by kind" {
	run pii-scrub --summary "$BATS_TEST_TMPDIR/sum" --metrics "$BATS_TEST_TMPDIR/prom" "$SECRETS"
	[ "$status" -eq 0 ]
	[ "$(jq -c .records "$BATS_TEST_TMPDIR/sum")" = '{"in":5,"out":5,"dropped":0,"rejected":0}' ]
	[ "$(jq -c .stats.found "$BATS_TEST_TMPDIR/sum")" = '{"email":3,"ip_address":2,"key":6,"private_key":1,"password":1,"phone":1,"total":14}' ]
	[ "$(jq -r .params.mode "$BATS_TEST_TMPDIR/sum")" = tag ]
	[ "$(jq -r '.params.rules_sha256|length' "$BATS_TEST_TMPDIR/sum")" = 64 ]
	promtool_check "$BATS_TEST_TMPDIR/prom"
	grep -q '^codesift_pii_found{.*kind="key".*} 6$' "$BATS_TEST_TMPDIR/prom"
	grep -q '^codesift_pii_records_with_pii{.*} 4$' "$BATS_TEST_TMPDIR/prom"
}

@test "pii-scrub: reads .zst, writes -o atomically, --field picks the text" {
	zstd -q -c "$SECRETS" > "$BATS_TEST_TMPDIR/in.jsonl.zst"
	run pii-scrub -o "$BATS_TEST_TMPDIR/out.jsonl.gz" "$BATS_TEST_TMPDIR/in.jsonl.zst"
	[ "$status" -eq 0 ]
	[ "$(gzip -dc "$BATS_TEST_TMPDIR/out.jsonl.gz" | wc -l)" -eq 5 ]
	run pii-scrub --field body <<<'{"body":"to a.b@gmail.com","content":"c.d@gmail.com"}'
	[ "$output" = '{"body":"to <EMAIL>","content":"c.d@gmail.com","pii":{"total":1,"email":1}}' ]
}

@test "pii-scrub: pathological lines take linear time (10 MB on one line, 1 MB of spaces)" {
	"$PY" - "$BATS_TEST_TMPDIR" <<'EOF'
import json, sys
d = sys.argv[1]
nasty = ('key=key= token: "ab" a@b. 1.1.1.1. a:b::c +1 (2 '
         '-----BEGIN RSA PRIVATE KEY-----\\n eyJ.ey ghp_ postgres://u:p@ '
         '8.8.8.8 a@gmail.com ')
for name, n in (("small", 1 << 20), ("big", 10 << 20)):
    s = (nasty * (n // len(nasty) + 1))[:n]
    open(f"{d}/{name}.jsonl", "w").write(json.dumps({"content": s}) + "\n")
open(f"{d}/spaces.jsonl", "w").write(json.dumps({"content": " " * (1 << 20)}) + "\n")
EOF
	t0=$(date +%s%N)
	pii-scrub "$BATS_TEST_TMPDIR/spaces.jsonl" > /dev/null
	t1=$(date +%s%N)
	pii-scrub "$BATS_TEST_TMPDIR/small.jsonl" > /dev/null
	t2=$(date +%s%N)
	pii-scrub "$BATS_TEST_TMPDIR/big.jsonl" > /dev/null
	t3=$(date +%s%N)
	spaces=$(( (t1 - t0) / 1000000 )) small=$(( (t2 - t1) / 1000000 )) big=$(( (t3 - t2) / 1000000 ))
	echo "spaces ${spaces} ms, 1 MB ${small} ms, 10 MB ${big} ms" >&3
	[ "$spaces" -lt 2000 ]
	[ "$big" -lt 60000 ]
	# ten times the bytes, at most about ten times the time (+ start-up)
	[ "$big" -lt $(( 15 * small + 1000 )) ]
}

@test "pii-scrub: gitleaks conformance cases meet the recall floors" {
	run "$PY" "$CASES/score.py" --min-named 0.99 --min-all 0.90 --max-fp 0.01 \
	    --json "$BATS_TEST_TMPDIR/score.json"
	echo "$output" >&3
	[ "$status" -eq 0 ]
	[[ "$output" == "gitleaks cases: "* ]]
	[ "$(jq .all.tp "$BATS_TEST_TMPDIR/score.json")" -eq 5852 ]
	[ "$(jq .clean_fp.cases "$BATS_TEST_TMPDIR/score.json")" -eq 342 ]
}

@test "pii-scrub: the man page lists every kind and every option" {
	for k in email ip_address key private_key password phone; do
		grep -q "$k" "$TOP/man/pii-scrub.1"
	done
	for o in mode seed only skip redact-private-ips rules list-rules spans audit jobs; do
		grep -q "^\.It Fl .*$o" "$TOP/man/pii-scrub.1" || grep -q "Fl Fl $o" "$TOP/man/pii-scrub.1"
	done
	run pii-scrub --list-rules
	grep -q 'private-key' "$TOP/man/pii-scrub.1"
}
