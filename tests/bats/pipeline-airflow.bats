#!/usr/bin/env bats
# The Airflow DAG, checked with Python's ast (Airflow cannot be installed
# here): tests/pipeline/check_dag.py.  Each check is shown to fail on a
# broken copy of the DAG.
bats_require_minimum_version 1.5.0
load helpers

CHECK=$TOP/tests/pipeline/check_dag.py
DAG=$TOP/pipelines/airflow/codesift_dag.py

@test "airflow: the DAG passes every check" {
	run "$PY" "$CHECK"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^ok - ' <<<"$output")" -eq 7 ]
}

@test "airflow: the DAG is valid Python that imports nothing but Airflow and the standard library" {
	run "$PY" - "$DAG" <<'EOF'
import ast, sys
tree = ast.parse(open(sys.argv[1]).read())
mods = set()
for n in ast.walk(tree):
    if isinstance(n, ast.Import):
        mods |= {a.name.split(".")[0] for a in n.names}
    elif isinstance(n, ast.ImportFrom):
        mods.add(n.module.split(".")[0])
print(" ".join(sorted(mods)))
EOF
	[ "$status" -eq 0 ]
	[ "$output" = "__future__ airflow datetime importlib os shlex" ]
}

# mutant SED-EXPR CHECK-NAME: the check fails on the DAG edited by sed
mutant() {
	sed "$1" "$DAG" > "$BATS_TEST_TMPDIR/dag.py"
	! cmp -s "$DAG" "$BATS_TEST_TMPDIR/dag.py"	# the edit applied
	# the slow check (it runs the scripts) only when it is the one tested
	fast=--fast
	[[ "$2" != "each task runs what"* ]] || fast=
	run "$PY" "$CHECK" $fast --dag "$BATS_TEST_TMPDIR/dag.py"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"not ok - $2"* ]]
}

@test "airflow: a missing Airflow 2 fallback fails" {
	mutant '/^except ImportError:  # Airflow 2.7+/,/^    from airflow.operators.bash/c\
except ImportError:\
    raise' "the DAG parses and imports Airflow 3"
}

@test "airflow: no exponential backoff, or no timeout, fails" {
	mutant 's/"retry_exponential_backoff": True/"retry_exponential_backoff": False/' "DAG: id, schedule"
	mutant '/"execution_timeout": timedelta(hours=6),/d' "DAG: id, schedule"
	mutant 's/    catchup=False,/    catchup=True,/' "DAG: id, schedule"
}

@test "airflow: a duplicate task id, or a skip code other than 99, fails" {
	mutant 's/scrub = mapped("scrub", shards)/scrub = mapped("fetch", shards)/' "tasks: unique ids"
	mutant 's/^SKIPPED = 99/SKIPPED = 98/' "tasks: unique ids"
	mutant 's/^ENV = {"CODESIFT_EMPTY_STATUS": str(SKIPPED)}/ENV = {}/' "tasks: unique ids"
}

@test "airflow: a per-shard step not mapped, or fetch outside the pool, fails" {
	mutant 's/tokenize = mapped("tokenize", shards)/tokenize = single("tokenize")/' "per-shard steps mapped"
	mutant 's/dedup_exact_reduce = mapped("dedup_exact_reduce", parts)/dedup_exact_reduce = mapped("dedup_exact_reduce", shards)/' "per-shard steps mapped"
	mutant 's/pool="codesift_s3", //' "per-shard steps mapped"
}

@test "airflow: a missing or extra dependency fails" {
	mutant 's/^    dedup_exact_reduce >> dedup_exact_merge >> dedup_near_sign$/    dedup_exact_merge >> dedup_near_sign/' "dependencies are the intended graph"
	mutant 's/^    split >> shards$/    split >> shards\n    split >> stats_merge/' "dependencies are the intended graph"
}

@test "airflow: a command that is not an existing script followed by a space fails" {
	mutant 's/return f"{root}\/pipelines\/stages\/{stage}.sh " + /return f"{root}\/pipelines\/stages\/{stage}.sh" + /' "every bash_command is an existing script"
	mutant 's/stage_cmd(root, "tokenize",/stage_cmd(root, "tokenise",/' "every bash_command is an existing script"
	mutant 's|"dataset": f"{root}/pipelines/scale/concat.sh {W}/dataset.jsonl.zst "|"dataset": f"{root}/pipelines/scale/concat.sh" or f"{W}"|' "every bash_command is an existing script"
}

@test "airflow: a command that differs from step.sh's fails" {
	# scrub reads another file than fetch writes
	mutant 's|f"{W}/fetched/$SHARD.jsonl.zst",$|f"{W}/fetch/$SHARD.jsonl.zst",|' "each task runs what pipelines/scale/step.sh runs"
	# tokenize without its params.yaml section
	mutant 's/                              a\["tokenize"\], /                              /' "each task runs what pipelines/scale/step.sh runs"
}
