#!/usr/bin/env bats
# dvc.yaml and params.yaml, checked without DVC (it cannot be installed
# here): DVC's published JSON Schema (vendored) with Debian's
# python3-jsonschema, then tests/pipeline/check_dvc.py's checks of what the
# schema cannot see.  Each check is shown to fail on a broken copy.
bats_require_minimum_version 1.5.0
load helpers

CHECK=$TOP/tests/pipeline/check_dvc.py
CONF=$TOP/tests/conformance/dvc

@test "dvc: the schema validation accepts DVC's valid examples and refuses the invalid ones" {
	run "$PY" "$CHECK" --validate-only "$CONF"/examples/valid/*.yaml
	[ "$status" -eq 0 ]
	[ "$(grep -c '^valid ' <<<"$output")" -eq 11 ]
	run "$PY" "$CHECK" --validate-only "$CONF"/examples/invalid/*.yaml
	[ "$(grep -c '^invalid ' <<<"$output")" -eq 9 ]
	! grep -q '^valid ' <<<"$output"
}

@test "dvc: dvc.yaml passes every check" {
	run "$PY" "$CHECK"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^ok - ' <<<"$output")" -eq 8 ]
	! grep -q '^not ok' <<<"$output"
}

@test "dvc: one stage per stage script, each tracking its params section" {
	run "$PY" - "$TOP/dvc.yaml" <<'EOF'
import sys, yaml
st = yaml.safe_load(open(sys.argv[1]))["stages"]
for name, s in st.items():
    assert s["cmd"].startswith(f"pipelines/stages/{name}.sh "), name
    sec = name.replace("-", "_")
    assert sec in s["params"], name
    assert "${" + sec + "}" in s["cmd"], name
    assert f"pipelines/stages/{name}.sh" in s["deps"], name
    assert any(isinstance(m, dict) and list(m)[0].endswith(".summary.json")
               for m in s["metrics"]), name
print(" ".join(st))
EOF
	[ "$status" -eq 0 ]
	[ "$output" = "fetch scrub dedup-exact dedup-near tokenize validate stats" ]
	# stats: the report as a metric, the CSV histograms as plots
	grep -q 'data/reports/stats/report.json' "$TOP/dvc.yaml"
	grep -q 'data/reports/stats/plots' "$TOP/dvc.yaml"
}

# mutant PYTHON-STATEMENT CHECK-NAME: apply the statement to the loaded
# dvc.yaml (as `d`), write it out, and expect that check to fail
mutant() {
	"$PY" - "$TOP/dvc.yaml" "$BATS_TEST_TMPDIR/dvc.yaml" "$1" <<'EOF'
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
st = d["stages"]
exec(sys.argv[3])
yaml.safe_dump(d, open(sys.argv[2], "w"), sort_keys=False)
EOF
	# the slow check (it runs the scripts) only when it is the one tested
	fast=--fast
	[[ "$2" != "each cmd is the command"* ]] || fast=
	run "$PY" "$CHECK" $fast --dvc "$BATS_TEST_TMPDIR/dvc.yaml"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"not ok - $2"* ]]
}

@test "dvc: a key the schema does not know fails" {
	mutant 'st["scrub"]["retries"] = 3' "dvc.yaml is valid against DVC's JSON Schema"
	mutant 'del st["fetch"]["cmd"]' "dvc.yaml is valid against DVC's JSON Schema"
}

@test "dvc: an interpolation params.yaml cannot resolve fails" {
	mutant 'st["scrub"]["cmd"] = st["scrub"]["cmd"].replace("${scrub}", "${scrubber}")' \
	    "every \${...} and params key resolves"
	mutant 'st["tokenize"]["params"].append("tokenize.nope")' \
	    "every \${...} and params key resolves"
}

@test "dvc: a cmd that is not an existing script fails" {
	mutant 'st["scrub"]["cmd"] = st["scrub"]["cmd"].replace("scrub.sh", "scrubber.sh")' \
	    "every cmd starts with an existing script"
	mutant 'st["scrub"]["cmd"] = "/usr/bin/" + st["scrub"]["cmd"]' \
	    "every cmd starts with an existing script"
}

@test "dvc: two stages writing one output fail" {
	mutant 'st["tokenize"]["outs"].append("data/scrubbed.jsonl.zst")' \
	    "no two stages write the same output"
	mutant 'st["tokenize"]["outs"].append("data/reports")' \
	    "no two stages write the same output"
}

@test "dvc: a dependency that nothing makes fails" {
	mutant 'st["dedup-near"]["deps"].append("data/nowhere.jsonl")' \
	    "every dependency is a stage's output or in the repository"
}

@test "dvc: a cycle fails" {
	mutant 'st["fetch"]["deps"].append("data/dataset.jsonl.zst")' \
	    "the stage graph has no cycle"
}

@test "dvc: an order other than run.sh's fails" {
	# tokenize reads the output of dedup-exact, skipping dedup-near
	mutant 'st["tokenize"]["deps"] = [x.replace("dedup-near.jsonl", "dedup-exact.jsonl") for x in st["tokenize"]["deps"]]' \
	    "the stage order is pipelines/run.sh's"
}

@test "dvc: a cmd that differs from what run.sh runs fails" {
	mutant 'st["dedup-exact"]["cmd"] = st["dedup-exact"]["cmd"].replace(" ${dedup_exact}", "")' \
	    "each cmd is the command run.sh runs"
	mutant 'st["validate"]["cmd"] = st["validate"]["cmd"].replace("data/dataset.jsonl.zst", "data/final.jsonl.zst")' \
	    "each cmd is the command run.sh runs"
}

@test "dvc: run.sh's own order is checked" {
	# a run.sh that runs tokenize before dedup-near: the graph disagrees
	mkdir -p "$BATS_TEST_TMPDIR/p"
	sed 's/^STAGES=(fetch scrub dedup-exact dedup-near tokenize/STAGES=(fetch scrub dedup-exact tokenize dedup-near/' \
	    "$TOP/pipelines/run.sh" > "$BATS_TEST_TMPDIR/p/run.sh"
	ln -s "$TOP/pipelines/lib" "$TOP/pipelines/stages" "$TOP/pipelines/funnel.sh" "$BATS_TEST_TMPDIR/p/"
	run "$PY" "$CHECK" --run-sh "$BATS_TEST_TMPDIR/p/run.sh"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"not ok - the stage order is pipelines/run.sh's"* ]]
}

@test "params: sections unpack as DVC unpacks them (YAML 1.2, as DVC reads it)" {
	cat > "$BATS_TEST_TMPDIR/p.yaml" <<'EOF'
s:
  mode: tag
  seed: 0
  on: true
  off: false
  ratio: 0.85
  empty: ''
  spaced: a b
  list: [x, 'y z']
  nested: {k: 1}
  word: yes
  octal: 010
EOF
	run "$PY" "$TOP/pipelines/lib/params.py" -p "$BATS_TEST_TMPDIR/p.yaml" args s
	[ "$status" -eq 0 ]
	[ "$output" = "--mode tag --seed 0 --on --ratio 0.85 --empty '' --spaced 'a b' --list x 'y z' --nested.k 1 --word yes --octal 10" ]
	run "$PY" "$TOP/pipelines/lib/params.py" -p "$BATS_TEST_TMPDIR/p.yaml" \
	    -S s.mode=fake -S s.on=false -S s.new=3 args s
	[[ "$output" == "--mode fake --seed 0 --ratio 0.85 "*" --new 3" ]]
	run "$PY" "$TOP/pipelines/lib/params.py" -p "$BATS_TEST_TMPDIR/p.yaml" \
	    interpolate 'cmd ${s.mode} ${s.nested}'
	[ "$output" = "cmd tag --k 1" ]
	run "$PY" "$TOP/pipelines/lib/params.py" -p "$BATS_TEST_TMPDIR/p.yaml" get s.nope
	[ "$status" -eq 2 ]
	[[ "$output" == *"'s.nope' is not in the parameters"* ]]
}
