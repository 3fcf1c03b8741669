"""codesift_dag.py - the codesift pipeline as an Airflow DAG (2.7+ and 3).

Put this file (or a symlink to it) in Airflow's dags folder; it finds the
codesift checkout through CODESIFT_HOME, else from its own real path.

The DAG runs the sharded pipeline of pipelines/scale/step.sh, one task per
stage: every per-shard step is a mapped BashOperator (.partial().expand()
over the shards the split made), every reduce step runs after the whole map
before it:

  split -> fetch[s] -> scrub[s] -> dedup_exact_map[s] -> dedup_exact_reduce[p]
        -> dedup_exact_merge[s] -> dedup_near_sign[s] -> dedup_near_bucket[i]
        -> dedup_near_cluster -> dedup_near_filter[s] -> tokenize[s]
        -> validate[s] -> stats_state[s] -> quality_gate -> dataset
        -> stats_merge

Each task calls a stage script of pipelines/stages/ with its section of
params.yaml (read when the DAG is parsed, unpacked as DVC does), on the file
layout of step.sh (tests/pipeline/check_dag.py checks that every command is
the one step.sh runs).  Tasks retry with exponential backoff; fetch runs in
the pool "codesift_s3" (create it: airflow pools set codesift_s3 8 "S3");
a stage whose shard is empty exits 99 and shows as skipped; exit status 1
(a data gate) fails the run.  Metrics: set PUSHGATEWAY_URL in the workers'
environment and every stage pushes its own counts.

Trigger it with the input and a work directory on a filesystem every worker
sees:  airflow dags trigger codesift -c '{"input": "/data/meta.jsonl.zst",
"workdir": "/shared/codesift/run1"}'
"""

from __future__ import annotations

import importlib.util
import os
import shlex
from datetime import datetime, timedelta

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.sdk import DAG, Param, task
except ImportError:  # Airflow 2.7+
    from airflow import DAG
    from airflow.decorators import task
    from airflow.models.param import Param
    from airflow.operators.bash import BashOperator

ROOT = os.environ.get("CODESIFT_HOME") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.realpath(__file__))))
PARAMS_FILE = os.environ.get("CODESIFT_PARAMS",
                             os.path.join(ROOT, "params.yaml"))
SKIPPED = 99        # a stage with nothing to do (an empty shard)


def _load_params(path):
    """params.yaml, with pipelines/lib/params.py (as run.sh and DVC read it)."""
    spec = importlib.util.spec_from_file_location(
        "codesift_params", os.path.join(ROOT, "pipelines", "lib", "params.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod, mod.load(path)


def stage_cmd(root, stage, *words):
    """The command line of a stage script: the script, then its words.

    A bash_command that ends in ".sh" is taken by Airflow for a template
    file; the space after the script keeps it a command in any case."""
    return f"{root}/pipelines/stages/{stage}.sh " + " ".join(words)


def commands(root, params_file, P, args, W):
    """Every task's bash_command; $SHARD, $PART and $RANGE come from the
    mapped task's environment.  The layout is pipelines/scale/step.sh's."""
    R = f"{W}/reports"
    n = int(P["scale"]["shards"])
    parts = int(P["dedup_exact"]["partitions"])
    ranges = int(P["dedup_near"]["bucket-parts"])
    shards = [f"{i:05d}" for i in range(n)]
    a = {k: " ".join(shlex.quote(x) for x in v) for k, v in args.items()}
    s = "--shard $SHARD"
    return {
        "split": f"{root}/pipelines/scale/step.sh -p {params_file} -w {W} "
                 "split {{ params.input }}",
        "fetch": stage_cmd(root, "fetch", f"--reports {R}", s, a["fetch"],
                           f"{W}/shards/$SHARD.jsonl",
                           f"{W}/fetched/$SHARD.jsonl.zst"),
        "scrub": stage_cmd(root, "scrub", f"--reports {R}", s, a["scrub"],
                           f"{W}/fetched/$SHARD.jsonl.zst",
                           f"{W}/scrubbed/$SHARD.jsonl.zst"),
        "dedup_exact_map": stage_cmd(
            root, "dedup-exact", f"--reports {R}", s, a["dedup_exact"], "map",
            f"{W}/scrubbed/$SHARD.jsonl.zst", f"{W}/parts/$SHARD"),
        "dedup_exact_reduce": stage_cmd(
            root, "dedup-exact", f"--reports {R}", "--shard $PART",
            a["dedup_exact"], "reduce",
            *[f"{W}/parts/{x}/part-$PART.jsonl" for x in shards],
            f"{W}/kept/$PART"),
        "dedup_exact_merge": stage_cmd(
            root, "dedup-exact", s, "merge",
            *[f"{W}/kept/{p:05d}/$SHARD.jsonl" for p in range(parts)],
            f"{W}/dedup-exact/$SHARD.jsonl.zst"),
        "dedup_near_sign": stage_cmd(
            root, "dedup-near", f"--reports {R}", s, a["dedup_near"], "sign",
            f"{W}/dedup-exact/$SHARD.jsonl.zst", f"{W}/sign/$SHARD.sign"),
        "dedup_near_bucket": stage_cmd(
            root, "dedup-near", f"--reports {R}", "--shard $RANGE",
            a["dedup_near"], "bucket", *[f"{W}/sign/{x}.sign" for x in shards],
            f"{W}/pairs/$RANGE.pairs"),
        "dedup_near_cluster": stage_cmd(
            root, "dedup-near", f"--reports {R}", a["dedup_near"], "cluster",
            *[f"{W}/sign/{x}.sign" for x in shards],
            *[f"{W}/pairs/{i}.pairs" for i in range(1, ranges + 1)],
            f"{W}/drops"),
        "dedup_near_filter": stage_cmd(
            root, "dedup-near", f"--reports {R}", s, a["dedup_near"], "filter",
            f"{W}/sign/$SHARD.sign", f"{W}/drops",
            f"{W}/dedup-exact/$SHARD.jsonl.zst",
            f"{W}/dedup-near/$SHARD.jsonl.zst"),
        "tokenize": stage_cmd(root, "tokenize", f"--reports {R}", s,
                              a["tokenize"], f"{W}/dedup-near/$SHARD.jsonl.zst",
                              f"{W}/tokenized/$SHARD.jsonl.zst"),
        "validate": stage_cmd(root, "validate", f"--reports {R}", s,
                              a["validate"], f"{W}/tokenized/$SHARD.jsonl.zst",
                              f"{W}/validated/$SHARD.jsonl.zst"),
        "stats_state": stage_cmd(root, "stats", f"--reports {R}", s,
                                 a["stats"], "state",
                                 f"{W}/validated/$SHARD.jsonl.zst",
                                 f"{W}/state/$SHARD.state"),
        "quality_gate": stage_cmd(
            root, "validate", f"--reports {R}", a["validate"], "gate",
            *[f"{R}/validate.{x}.summary.json" for x in shards]),
        "dataset": f"{root}/pipelines/scale/concat.sh {W}/dataset.jsonl.zst "
                   + " ".join(f"{W}/validated/{x}.jsonl.zst" for x in shards),
        "stats_merge": stage_cmd(
            root, "stats", f"--reports {R}", a["stats"], "merge",
            *[f"{W}/state/{x}.state" for x in shards], f"{R}/stats"),
    }


_mod, PARAMS = _load_params(PARAMS_FILE)
ARGS = {sec: _mod.unpack(PARAMS[sec]) for sec in
        ("fetch", "scrub", "dedup_exact", "dedup_near", "tokenize",
         "validate", "stats")}
WORK = "{{ params.workdir }}"
CMD = commands(ROOT, PARAMS_FILE, PARAMS, ARGS, WORK)
INPUT = PARAMS.get("input", "")
if INPUT and not os.path.isabs(INPUT):
    INPUT = os.path.join(ROOT, INPUT)
ENV = {"CODESIFT_EMPTY_STATUS": str(SKIPPED)}

default_args = {
    "owner": "data",
    "retries": 3,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
    "execution_timeout": timedelta(hours=6),
}

with DAG(
    dag_id="codesift",
    description="Stack v2 metadata -> clean, deduplicated, tokenized dataset",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    params={
        "input": Param(INPUT, type="string",
                       description="The Stack v2 metadata (NDJSON, .zst/.gz)"),
        "workdir": Param(os.environ.get(
            "CODESIFT_WORKDIR", os.path.join(ROOT, "data", "airflow")),
            type="string", description="work directory, shared by workers"),
    },
    tags=["codesift"],
) as dag:

    @task
    def shard_envs(params=None):
        """One environment per shard the split made (mapped tasks)."""
        names = sorted(f for f in os.listdir(
            os.path.join(params["workdir"], "shards")) if f.endswith(".jsonl"))
        return [{"SHARD": f[:-len(".jsonl")], **ENV} for f in names]

    @task
    def partition_envs():
        n = int(PARAMS["dedup_exact"]["partitions"])
        return [{"PART": f"{p:05d}", **ENV} for p in range(n)]

    @task
    def range_envs():
        n = int(PARAMS["dedup_near"]["bucket-parts"])
        return [{"RANGE": str(i), **ENV} for i in range(1, n + 1)]

    def single(task_id, **kw):
        return BashOperator(task_id=task_id, bash_command=CMD[task_id],
                            env=ENV, append_env=True,
                            skip_on_exit_code=SKIPPED, **kw)

    def mapped(task_id, envs, **kw):
        return BashOperator.partial(
            task_id=task_id, bash_command=CMD[task_id], append_env=True,
            skip_on_exit_code=SKIPPED, trigger_rule="none_failed",
            **kw).expand(env=envs)

    split = single("split", execution_timeout=timedelta(hours=1))
    shards = shard_envs()
    parts = partition_envs()
    ranges = range_envs()

    fetch = mapped("fetch", shards, pool="codesift_s3", retries=5,
                   execution_timeout=timedelta(hours=12))
    scrub = mapped("scrub", shards)
    dedup_exact_map = mapped("dedup_exact_map", shards)
    dedup_exact_reduce = mapped("dedup_exact_reduce", parts)
    dedup_exact_merge = mapped("dedup_exact_merge", shards)
    dedup_near_sign = mapped("dedup_near_sign", shards)
    dedup_near_bucket = mapped("dedup_near_bucket", ranges)
    dedup_near_cluster = single("dedup_near_cluster",
                                trigger_rule="none_failed")
    dedup_near_filter = mapped("dedup_near_filter", shards)
    tokenize = mapped("tokenize", shards)
    validate = mapped("validate", shards)
    stats_state = mapped("stats_state", shards)
    # a failed gate (exit 1) fails the same way again: no retry
    quality_gate = single("quality_gate", trigger_rule="none_failed",
                          retries=0)
    dataset = single("dataset", trigger_rule="none_failed")
    stats_merge = single("stats_merge", trigger_rule="none_failed")

    split >> shards
    shards >> fetch >> scrub >> dedup_exact_map >> dedup_exact_reduce
    parts >> dedup_exact_reduce
    dedup_exact_reduce >> dedup_exact_merge >> dedup_near_sign
    dedup_near_sign >> dedup_near_bucket >> dedup_near_cluster
    ranges >> dedup_near_bucket
    dedup_near_cluster >> dedup_near_filter >> tokenize >> validate
    validate >> stats_state >> quality_gate >> dataset >> stats_merge
