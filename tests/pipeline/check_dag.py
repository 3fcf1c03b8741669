#!/usr/bin/python3
"""check_dag.py - check the Airflow DAG without Airflow (it cannot be
installed here: no PyPI).

usage: check_dag.py [--dag FILE] [--params FILE] [--fast]

The DAG file is read with Python's ast, never imported.  Checks, each
printed as "ok - ..." or "not ok - ...":
  1. it parses, and imports Airflow 3's modules with a fallback to Airflow
     2.7+'s for the same names;
  2. the DAG: dag_id, a schedule, a start_date, catchup off, default_args
     with retries, retry_exponential_backoff and execution_timeout;
  3. tasks: ids unique; BashOperators are built only by the helpers
     `single` (BashOperator(...)) and `mapped` (BashOperator.partial(...)
     .expand(env=...)), both with bash_command=CMD[task_id],
     skip_on_exit_code=SKIPPED (99) and the environment that sets
     CODESIFT_EMPTY_STATUS to it;
  4. the per-shard steps are mapped (over shards, partitions or band
     ranges), the reduce steps are not, and fetch runs in the S3 pool;
  5. the dependencies (a >> b chains) are the intended graph;
  6. every bash_command starts with a script of the repository that exists
     and is executable, followed by a space (Airflow takes a command that
     ends in ".sh" for a template file);
  7. with params.yaml, each task's command (the DAG's own `commands`
     function, extracted with ast and run alone) is exactly what
     pipelines/scale/step.sh -n prints for that step.
--fast leaves out check 7 (it runs step.sh seven times).  Exit status 0
when all pass, 1 otherwise.
"""

import argparse
import ast
import os
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "pipelines", "lib"))
import params as cs_params  # noqa: E402

MAPPED = {  # task id -> what it is mapped over
    "fetch": "shards", "scrub": "shards", "dedup_exact_map": "shards",
    "dedup_exact_reduce": "parts", "dedup_exact_merge": "shards",
    "dedup_near_sign": "shards", "dedup_near_bucket": "ranges",
    "dedup_near_filter": "shards", "tokenize": "shards", "validate": "shards",
    "stats_state": "shards",
}
SINGLE = {"split", "dedup_near_cluster", "quality_gate", "dataset",
          "stats_merge"}
PY_TASKS = {"shard_envs", "partition_envs", "range_envs"}
EDGES = {
    ("split", "shard_envs"), ("shard_envs", "fetch"), ("fetch", "scrub"),
    ("scrub", "dedup_exact_map"), ("dedup_exact_map", "dedup_exact_reduce"),
    ("partition_envs", "dedup_exact_reduce"),
    ("dedup_exact_reduce", "dedup_exact_merge"),
    ("dedup_exact_merge", "dedup_near_sign"),
    ("dedup_near_sign", "dedup_near_bucket"),
    ("range_envs", "dedup_near_bucket"),
    ("dedup_near_bucket", "dedup_near_cluster"),
    ("dedup_near_cluster", "dedup_near_filter"),
    ("dedup_near_filter", "tokenize"), ("tokenize", "validate"),
    ("validate", "stats_state"), ("stats_state", "quality_gate"),
    ("quality_gate", "dataset"), ("dataset", "stats_merge"),
}
# the step.sh step each group of tasks must equal, with its index
STEPS = [
    (["fetch", "scrub", "dedup_exact_map"], ["shard", "00001"]),
    (["dedup_exact_reduce"], ["reduce", "00002"]),
    (["dedup_exact_merge", "dedup_near_sign"], ["sign", "00001"]),
    (["dedup_near_bucket"], ["bucket", "3"]),
    (["dedup_near_cluster"], ["cluster"]),
    (["dedup_near_filter", "tokenize", "validate", "stats_state"],
     ["finish-shard", "00001"]),
    (["quality_gate", "dataset", "stats_merge"], ["finish"]),
]
ENV_VALUES = {"$SHARD": "00001", "$PART": "00002", "$RANGE": "3"}


def dotted(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def kw(call, name):
    for k in call.keywords:
        if k.arg == name:
            return k.value
    return None


def const(node):
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError):
        return None


class Checker:
    def __init__(self):
        self.failed = 0

    def report(self, name, probs):
        if probs:
            self.failed += 1
            print(f"not ok - {name}")
            for p in probs:
                print(f"#   {p}")
        else:
            print(f"ok - {name}")


def imports_in(body):
    names = {}
    for n in body:
        if isinstance(n, ast.ImportFrom):
            for a in n.names:
                names[a.asname or a.name] = n.module
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dag", default=os.path.join(
        TOP, "pipelines", "airflow", "codesift_dag.py"))
    ap.add_argument("--params", default=os.path.join(TOP, "params.yaml"))
    ap.add_argument("--fast", action="store_true")
    a = ap.parse_args()
    c = Checker()
    with open(a.dag, encoding="utf-8") as f:
        src = f.read()
    try:
        tree = ast.parse(src, a.dag)
    except SyntaxError as e:
        c.report("the DAG file parses", [str(e)])
        return 1

    # 1. imports with fallbacks
    probs = []
    tries = [n for n in tree.body if isinstance(n, ast.Try)]
    pair = None
    for t in tries:
        first = imports_in(t.body)
        for h in t.handlers:
            if dotted(h.type) in ("ImportError", "ModuleNotFoundError"):
                pair = (first, imports_in(h.body))
    if pair is None:
        probs.append("no try/except ImportError around the Airflow imports")
    else:
        new, old = pair
        if set(new) != set(old):
            probs.append(f"Airflow 3 imports {sorted(new)} but the fallback "
                         f"imports {sorted(old)}")
        if not any(m and m.startswith(("airflow.sdk", "airflow.providers.standard"))
                   for m in new.values()):
            probs.append("the first branch does not import Airflow 3 modules")
        for need in ("DAG", "BashOperator", "task"):
            if need not in new:
                probs.append(f"{need} is not imported")
        if old.get("BashOperator") != "airflow.operators.bash":
            probs.append("the fallback does not take BashOperator from "
                         "airflow.operators.bash (Airflow 2)")
    c.report("the DAG parses and imports Airflow 3, else Airflow 2.7+", probs)

    # module-level constants and helper functions
    consts, funcs = {}, {}
    for n in tree.body:
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and \
                isinstance(n.targets[0], ast.Name):
            consts[n.targets[0].id] = n.value
        if isinstance(n, ast.FunctionDef):
            funcs[n.name] = n
    skipped = const(consts.get("SKIPPED"))

    # 2. the DAG call
    probs = []
    dag_call = None
    for n in ast.walk(tree):
        if isinstance(n, ast.Call) and dotted(n.func) == "DAG":
            dag_call = n
    if dag_call is None:
        probs.append("no DAG(...)")
    else:
        if const(kw(dag_call, "dag_id")) != "codesift":
            probs.append("dag_id is not 'codesift'")
        for k in ("schedule", "start_date", "default_args"):
            if kw(dag_call, k) is None:
                probs.append(f"DAG has no {k}")
        if kw(dag_call, "schedule_interval") is not None:
            probs.append("schedule_interval is gone in Airflow 3: use schedule")
        if const(kw(dag_call, "catchup")) is not False:
            probs.append("catchup is not False")
        da = kw(dag_call, "default_args")
        if isinstance(da, ast.Name):
            da = consts.get(da.id)
        keys = {}
        if isinstance(da, ast.Dict):
            keys = {const(k): v for k, v in zip(da.keys, da.values)}
        if not isinstance(const(keys.get("retries")), int) or \
                const(keys.get("retries")) < 1:
            probs.append("default_args has no retries >= 1")
        if const(keys.get("retry_exponential_backoff")) is not True:
            probs.append("default_args: retry_exponential_backoff is not True")
        to = keys.get("execution_timeout")
        if not (isinstance(to, ast.Call) and dotted(to.func) == "timedelta"):
            probs.append("default_args has no execution_timeout timedelta")
    c.report("DAG: id, schedule, start_date, no catchup, retries with "
             "exponential backoff, execution_timeout", probs)

    # 3. tasks built by the helpers
    probs = []
    single, mapped = funcs.get("single"), funcs.get("mapped")
    # the helpers are nested in the `with DAG` block
    for n in ast.walk(tree):
        if isinstance(n, ast.FunctionDef) and n.name in ("single", "mapped"):
            if n.name == "single":
                single = n
            else:
                mapped = n
    bash_calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and
                  dotted(n.func) in ("BashOperator", "BashOperator.partial")]
    inside = set()
    for helper, want in ((single, "BashOperator"),
                         (mapped, "BashOperator.partial")):
        if helper is None:
            probs.append(f"no helper for {want}")
            continue
        calls = [n for n in ast.walk(helper) if isinstance(n, ast.Call) and
                 dotted(n.func) == want]
        if len(calls) != 1:
            probs.append(f"{helper.name} does not build one {want}")
            continue
        call = calls[0]
        inside.add(id(call))
        bc = kw(call, "bash_command")
        if not (isinstance(bc, ast.Subscript) and dotted(bc.value) == "CMD"):
            probs.append(f"{helper.name}: bash_command is not CMD[task_id]")
        if dotted(kw(call, "skip_on_exit_code")) != "SKIPPED" or skipped != 99:
            probs.append(f"{helper.name}: skip_on_exit_code is not 99")
        if const(kw(call, "append_env")) is not True:
            probs.append(f"{helper.name}: append_env is not True")
        if helper is single and dotted(kw(call, "env")) != "ENV":
            probs.append("single: env is not ENV")
        if helper is mapped:
            ex = [n for n in ast.walk(helper) if isinstance(n, ast.Call) and
                  isinstance(n.func, ast.Attribute) and n.func.attr == "expand"]
            if not ex or kw(ex[0], "env") is None:
                probs.append("mapped: no .expand(env=...)")
    for n in bash_calls:
        if id(n) not in inside:
            probs.append(f"line {n.lineno}: a BashOperator outside the helpers")
    env = consts.get("ENV")
    envd = {const(k): v for k, v in zip(env.keys, env.values)} \
        if isinstance(env, ast.Dict) else {}
    if "CODESIFT_EMPTY_STATUS" not in envd:
        probs.append("ENV does not set CODESIFT_EMPTY_STATUS")
    # every task: id and kind
    tasks, var_task, task_kw = {}, {}, {}
    for n in ast.walk(tree):
        if isinstance(n, ast.FunctionDef) and any(
                dotted(d) == "task" for d in n.decorator_list):
            if n.name in tasks:
                probs.append(f"task id '{n.name}' used twice")
            tasks[n.name] = "python"
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call) and \
                len(n.targets) == 1 and isinstance(n.targets[0], ast.Name):
            call, var = n.value, n.targets[0].id
            fn = dotted(call.func)
            if fn in ("single", "mapped"):
                tid = const(call.args[0]) if call.args else None
                if not isinstance(tid, str):
                    probs.append(f"line {n.lineno}: task id is not a string")
                    continue
                if tid in tasks:
                    probs.append(f"task id '{tid}' used twice")
                tasks[tid] = fn if fn == "single" else \
                    dotted(call.args[1]) if len(call.args) > 1 else None
                var_task[var] = tid
                task_kw[tid] = call
            elif fn in PY_TASKS:
                var_task[var] = fn
    c.report("tasks: unique ids, BashOperators only from single() and "
             "mapped(), exit 99 = skipped", probs)

    # 4. mapped and single tasks
    probs = []
    env_var_of = {v: k for k, v in var_task.items()}  # task id -> var
    over = {"shards": "shard_envs", "parts": "partition_envs",
            "ranges": "range_envs"}
    for tid, what in MAPPED.items():
        got = tasks.get(tid)
        if got is None:
            probs.append(f"no task {tid}")
        elif var_task.get(got) != over[what]:
            probs.append(f"{tid} is not mapped over {what} ({over[what]}())")
    for tid in SINGLE:
        if tasks.get(tid) != "single":
            probs.append(f"{tid} is not a single (reduce) task")
    extra = set(tasks) - set(MAPPED) - SINGLE - PY_TASKS
    if extra:
        probs.append(f"tasks nobody expected: {sorted(extra)}")
    fetch = task_kw.get("fetch")
    if fetch is None or const(kw(fetch, "pool")) != "codesift_s3":
        probs.append("fetch does not run in the pool codesift_s3")
    c.report("per-shard steps mapped (.partial().expand()), reduce steps "
             "single, fetch in the S3 pool", probs)

    # 5. dependencies
    probs = []
    edges = set()

    def chain(node):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.RShift):
            left = chain(node.left)
            right = chain(node.right)
            for l in left[-1:]:
                for r in right[:1]:
                    edges.add((var_task.get(l, l), var_task.get(r, r)))
            return left + right
        name = dotted(node)
        return [name] if name else []

    for n in ast.walk(tree):
        if isinstance(n, ast.Expr) and isinstance(n.value, ast.BinOp):
            chain(n.value)
    for e in sorted(EDGES - edges):
        probs.append(f"missing dependency {e[0]} >> {e[1]}")
    for e in sorted(edges - EDGES):
        probs.append(f"unexpected dependency {e[0]} >> {e[1]}")
    c.report("dependencies are the intended graph", probs)

    # 6, 7. commands
    probs6, probs7 = [], []
    try:
        ns = {"shlex": shlex, "os": os}
        for name in ("stage_cmd", "commands"):
            mod = ast.Module(body=[funcs[name]], type_ignores=[])
            exec(compile(mod, a.dag, "exec"), ns)  # pure functions only
        P = cs_params.load(a.params)
        args = {s: cs_params.unpack(P[s]) for s in (
            "fetch", "scrub", "dedup_exact", "dedup_near", "tokenize",
            "validate", "stats")}
        cmd = ns["commands"](TOP, a.params, P, args, "W")
    except (KeyError, cs_params.ParamError, TypeError) as e:
        cmd = {}
        probs6.append(f"cannot build the commands: {e!r}")
    for tid in tasks:
        if tasks[tid] == "python":
            continue
        text = cmd.get(tid)
        if text is None:
            probs6.append(f"no command for task {tid}")
            continue
        script = text.split(" ", 1)[0]
        if not script.startswith(TOP + "/pipelines/") or \
                not os.path.isfile(script) or not os.access(script, os.X_OK):
            probs6.append(f"{tid}: '{script}' is not an executable script of "
                          "the repository")
        if not text.startswith(script + " "):
            probs6.append(f"{tid}: no space after the script '{script}'")
        if text.rstrip().endswith(".sh"):
            probs6.append(f"{tid}: the command ends in '.sh'")
    c.report("every bash_command is an existing script, then a space", probs6)

    def norm(text):
        for k, v in ENV_VALUES.items():
            text = text.replace(k, v)
        return [w[len(TOP) + 1:] if w.startswith(TOP + "/") else w
                for w in shlex.split(text)]

    for group, step in [] if a.fast else STEPS:
        res = subprocess.run(
            ["bash", os.path.join(TOP, "pipelines", "scale", "step.sh"),
             "-p", a.params, "-w", "W", "-n"] + step,
            capture_output=True, text=True, check=False)
        want = [shlex.split(l) for l in res.stdout.splitlines() if l.strip()]
        if res.returncode != 0:
            probs7.append(f"step.sh -n {' '.join(step)} failed: "
                          f"{res.stderr.strip()}")
            continue
        got = [norm(cmd[t]) for t in group if t in cmd]
        if got != want:
            probs7.append(f"tasks {', '.join(group)} do not run what "
                          f"step.sh {' '.join(step)} runs:")
            for g, w in zip(got, want):
                if g != w:
                    probs7.append(f"   dag:     {shlex.join(g)}")
                    probs7.append(f"   step.sh: {shlex.join(w)}")
            if len(got) != len(want):
                probs7.append(f"   {len(got)} commands, step.sh has {len(want)}")
    split = norm(cmd.get("split", ""))
    if split[:1] != ["pipelines/scale/step.sh"] or "split" not in split:
        probs7.append(f"split does not call step.sh split: {split}")
    if not a.fast:
        c.report("each task runs what pipelines/scale/step.sh runs for its "
                 "step", probs7)
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
