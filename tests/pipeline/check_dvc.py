#!/usr/bin/python3
"""check_dvc.py - check dvc.yaml without DVC (it cannot be installed here).

usage: check_dvc.py [--root DIR] [--dvc FILE] [--params FILE] [--run-sh FILE]
                    [--schema FILE] [--fast]
       check_dvc.py --schema FILE --validate-only FILE...

Checks, each printed as "ok - ..." or "not ok - ...":
  1. dvc.yaml is valid against DVC's published JSON Schema
     (tests/conformance/dvc/dvcyaml-schema.json, Draft 7);
  2. every ${...} in it resolves in params.yaml, and every `params:` key of
     a stage is in params.yaml;
  3. every cmd starts with a script of the repository that exists and is
     executable;
  4. no two stages write the same path (outs, metrics, plots), and no
     output lies inside another;
  5. every dependency is another stage's output or a file of the
     repository;
  6. the stage graph (a stage depends on the stage that writes one of its
     deps) has no cycle, and its order is the order of pipelines/run.sh's
     STAGES, each stage consuming the previous one's output;
  7. each cmd, with params.yaml interpolated as DVC does it, is exactly the
     command `pipelines/run.sh -n -w data INPUT` runs for that stage.
--fast leaves out check 7 (it runs run.sh).
Exit status 0 when all pass, 1 otherwise.  --validate-only FILE... only
runs check 1 on each FILE and prints "valid" or "invalid" per file.
Needs Debian's python3-jsonschema and python3-yaml.
"""

import argparse
import json
import os
import re
import shlex
import subprocess
import sys

import jsonschema
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "pipelines", "lib"))
import params as dvcparams  # noqa: E402  (pipelines/lib/params.py)

KEYCRE = dvcparams.KEYCRE


class Checks:
    def __init__(self):
        self.failed = 0

    def report(self, name, problems):
        if problems:
            self.failed += 1
            print(f"not ok - {name}")
            for p in problems:
                print(f"#   {p}")
        else:
            print(f"ok - {name}")


def load_yaml(path):
    with open(path, encoding="utf-8") as f:
        return dvcparams.yaml_load(f)


def schema_errors(schema, doc):
    v = jsonschema.Draft7Validator(schema)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in sorted(v.iter_errors(doc), key=lambda e: list(e.path))]


def entries(lst):
    """Paths of an outs/metrics/plots/deps list (strings or {path: flags})."""
    out = []
    for item in lst or []:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            out.extend(item.keys())
    return out


def param_keys(lst):
    keys = []
    for item in lst or []:
        if isinstance(item, str):
            keys.append(item)
        elif isinstance(item, dict):
            for fname, sub in item.items():
                keys.extend(f"{fname}:{k}" for k in (sub or []))
    return keys


def all_strings(node, path=""):
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from all_strings(k, f"{path}/{k}(key)")
            yield from all_strings(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from all_strings(v, f"{path}/{i}")


def resolve(s, params):
    return dvcparams.interpolate(s, params)


def run_sh_stages(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"^STAGES=\(([^)]*)\)", text, re.M)
    if not m:
        raise ValueError(f"{path}: no STAGES=(...) line")
    return m.group(1).split()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=TOP)
    ap.add_argument("--dvc")
    ap.add_argument("--params")
    ap.add_argument("--run-sh")
    ap.add_argument("--schema")
    ap.add_argument("--validate-only", nargs="+")
    ap.add_argument("--fast", action="store_true")
    a = ap.parse_args()
    root = a.root
    schema_path = a.schema or os.path.join(
        TOP, "tests", "conformance", "dvc", "dvcyaml-schema.json")
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft7Validator.check_schema(schema)

    if a.validate_only:
        bad = 0
        for p in a.validate_only:
            errs = schema_errors(schema, load_yaml(p))
            print(f"{'invalid' if errs else 'valid'} {p}")
            for e in errs[:3]:
                print(f"#   {e}")
        return 0

    dvc_path = a.dvc or os.path.join(root, "dvc.yaml")
    params_path = a.params or os.path.join(root, "params.yaml")
    run_sh = a.run_sh or os.path.join(root, "pipelines", "run.sh")
    c = Checks()
    doc = load_yaml(dvc_path)
    params = dvcparams.load(params_path)

    # 1. the schema
    c.report("dvc.yaml is valid against DVC's JSON Schema",
             schema_errors(schema, doc))
    stages = (doc or {}).get("stages") or {}
    if not isinstance(stages, dict) or not stages:
        c.report("dvc.yaml has stages", ["no stages"])
        return 1

    # 2. interpolation and params keys
    probs = []
    for where, s in all_strings(doc):
        for m in KEYCRE.finditer(s):
            try:
                dvcparams.select(params, m["inner"].strip())
            except dvcparams.ParamError as e:
                probs.append(f"{where}: ${{{m['inner']}}}: {e}")
    for name, st in stages.items():
        for k in param_keys(st.get("params")):
            if ":" in k:
                continue        # another params file: not ours to check
            try:
                dvcparams.select(params, k)
            except dvcparams.ParamError as e:
                probs.append(f"stage {name}: params: {e}")
    c.report("every ${...} and params key resolves in params.yaml", probs)

    def rs(s):
        try:
            return resolve(s, params)
        except dvcparams.ParamError:
            return s

    # 3. cmd starts with an existing script
    probs = []
    for name, st in stages.items():
        cmds = st.get("cmd")
        for cmd in cmds if isinstance(cmds, list) else [cmds]:
            words = shlex.split(rs(cmd or ""))
            if not words:
                probs.append(f"stage {name}: empty cmd")
                continue
            script = words[0]
            path = os.path.normpath(os.path.join(root, st.get("wdir", "."),
                                                 script))
            if os.path.isabs(script) or not path.startswith(root + os.sep):
                probs.append(f"stage {name}: cmd starts with '{script}', "
                             "not a script of the repository")
            elif not os.path.isfile(path):
                probs.append(f"stage {name}: cmd script '{script}' "
                             "does not exist")
            elif not os.access(path, os.X_OK):
                probs.append(f"stage {name}: cmd script '{script}' "
                             "is not executable")
    c.report("every cmd starts with an existing script of the repository",
             probs)

    # 4. outputs: unique, not nested
    probs = []
    writer = {}
    for name, st in stages.items():
        for kind in ("outs", "metrics", "plots"):
            for p in entries(st.get(kind)):
                p = os.path.normpath(rs(p))
                if p in writer:
                    probs.append(f"'{p}' is written by stage {writer[p]} "
                                 f"and by stage {name}")
                else:
                    writer[p] = name
    paths = sorted(writer)
    for i, p in enumerate(paths):
        for q in paths[i + 1:]:
            if q.startswith(p + os.sep):
                probs.append(f"'{q}' ({writer[q]}) lies inside output "
                             f"'{p}' ({writer[p]})")
    c.report("no two stages write the same output", probs)

    # 5. deps: an output or a file of the repository
    probs = []
    edges = {name: set() for name in stages}
    for name, st in stages.items():
        for d in entries(st.get("deps")):
            d = os.path.normpath(rs(d))
            up = writer.get(d)
            if up is None:
                up = next((writer[o] for o in writer
                           if d.startswith(o + os.sep)), None)
            if up is not None:
                if up == name:
                    probs.append(f"stage {name} depends on its own output "
                                 f"'{d}'")
                edges[name].add(up)
            elif not os.path.exists(os.path.join(root, d)):
                probs.append(f"stage {name}: dependency '{d}' is neither an "
                             "output of a stage nor in the repository")
    c.report("every dependency is a stage's output or in the repository",
             probs)

    # 6. the graph: no cycle; the order of run.sh
    probs = []
    order, state = [], {}

    def visit(n, trail):
        if state.get(n) == 1:
            probs.append("cycle: " + " -> ".join(trail + [n]))
            return
        if state.get(n) == 2:
            return
        state[n] = 1
        for up in sorted(edges[n]):
            visit(up, trail + [n])
        state[n] = 2
        order.append(n)

    for n in stages:
        visit(n, [])
    c.report("the stage graph has no cycle", probs)
    probs = []
    try:
        want = run_sh_stages(run_sh)
    except (OSError, ValueError) as e:
        want = []
        probs.append(str(e))
    if want and sorted(want) != sorted(stages):
        probs.append(f"dvc.yaml stages {sorted(stages)} are not run.sh's "
                     f"{sorted(want)}")
    elif want:
        pos = {s: i for i, s in enumerate(want)}
        for n, ups in edges.items():
            for up in ups:
                if pos[up] >= pos[n]:
                    probs.append(f"stage {n} depends on {up}, which run.sh "
                                 "runs later")
        for prev, cur in zip(want, want[1:]):
            if prev not in edges[cur]:
                probs.append(f"stage {cur} does not read the output of "
                             f"{prev}, which run.sh runs just before it")
    c.report("the stage order is pipelines/run.sh's", probs)

    # 7. the same commands as run.sh
    if a.fast:
        return 1 if c.failed else 0
    probs = []
    try:
        inp = str(dvcparams.select(params, "input"))
        env = dict(os.environ)
        res = subprocess.run(
            ["bash", run_sh, "-p", params_path, "-n", "-w", "data", inp],
            cwd=root, capture_output=True, text=True, env=env, check=False)
        if res.returncode != 0:
            raise ValueError(f"run.sh -n failed: {res.stderr.strip()}")
        lines = [shlex.split(l) for l in res.stdout.splitlines() if l.strip()]
        by_script = {os.path.basename(w[0])[:-3]: w for w in lines}
        for name, st in stages.items():
            dvc_cmd = shlex.split(rs(st.get("cmd") if isinstance(
                st.get("cmd"), str) else " ".join(st.get("cmd"))))
            mine = by_script.get(name)
            if mine is None:
                probs.append(f"run.sh runs no {name}.sh")
            elif mine != dvc_cmd:
                probs.append(f"stage {name}: dvc.yaml runs {shlex.join(dvc_cmd)}")
                probs.append(f"   but run.sh runs {shlex.join(mine)}")
    except (ValueError, dvcparams.ParamError, OSError) as e:
        probs.append(str(e))
    c.report("each cmd is the command run.sh runs for that stage", probs)
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
