#!/usr/bin/python3
"""check_dashboard.py - check the Grafana dashboard without Grafana.

usage: check_dashboard.py [--dashboard FILE] [--schema FILE] [--rules-out FILE]
                          [--exprs]

Checks, each printed as "ok - ..." or "not ok - ...":
  1. the dashboard is valid against Grafana's dashboard JSON Schema
     (tests/conformance/grafana/dashboard.jsonschema.json, Draft 7);
  2. panel ids are unique, panels do not overlap on the grid, every panel
     but rows has a title, a Prometheus datasource and at least one target
     with an expression, and target refIds are unique within a panel;
  3. every expression is valid PromQL: they are written as recording rules
     (one per target) and `promtool check rules` must accept the file;
  4. every metric an expression reads is one the pipeline produces: a name
     written by the C sources (common/, filters/) or recorded by
     pipelines/monitoring/rules/*.yml;
  5. the same for every expression of the alerting and recording rules.
--exprs prints "<panel title>\t<refId>\t<expr>" per target and exits (the
end-to-end test runs them against a live Prometheus).
"""

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

import jsonschema
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))

PROMQL_WORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "offset",
    "bool", "and", "or", "unless", "atan2", "inf", "nan",
}


def panels_of(dash):
    for p in dash.get("panels", []):
        yield p
        for q in p.get("panels", []) if p.get("type") == "row" else []:
            yield q


def metric_names(expr):
    """Metric names an expression selects (a small PromQL lexer)."""
    s = re.sub(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`', '""', expr)
    s = re.sub(r"\{[^}]*\}", " ", s)                 # label matchers
    s = re.sub(r"\[[^\]]*\]", " ", s)                # range selectors
    s = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)",
               " ", s)                               # label lists
    s = re.sub(r"\boffset\s+\S+", " ", s)
    names = set()
    for m in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", s):
        word = m.group(0)
        rest = s[m.end():].lstrip()
        if rest.startswith("("):                     # a function or aggregation
            continue
        if word.lower() in PROMQL_WORDS:
            continue
        if re.fullmatch(r"[0-9.]+(e[0-9]+)?", word):
            continue
        names.add(word)
    return names


def produced_metrics():
    """Metric names the sources write, and the rules record."""
    names = set()
    for path in glob.glob(os.path.join(TOP, "common", "*.c")) + \
            glob.glob(os.path.join(TOP, "filters", "*", "*.c")):
        with open(path, encoding="utf-8", errors="replace") as f:
            names |= set(re.findall(r'"(codesift_[a-z0-9_]+)', f.read()))
    for path in glob.glob(os.path.join(TOP, "pipelines", "monitoring", "rules",
                                       "*.rules.yml")):
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f) or {}
        for g in doc.get("groups", []):
            for r in g.get("rules", []):
                if "record" in r:
                    names.add(r["record"])
    # metrics the stage scripts push themselves (pipelines/stages/lib.sh)
    with open(os.path.join(TOP, "pipelines", "stages", "lib.sh"),
              encoding="utf-8") as f:
        names |= set(re.findall(r"^(codesift_[a-z0-9_]+)\{", f.read(), re.M))
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dashboard", default=os.path.join(
        TOP, "pipelines", "monitoring", "grafana", "dashboards", "codesift.json"))
    ap.add_argument("--schema", default=os.path.join(
        TOP, "tests", "conformance", "grafana", "dashboard.jsonschema.json"))
    ap.add_argument("--rules-out")
    ap.add_argument("--exprs", action="store_true")
    a = ap.parse_args()
    with open(a.dashboard, encoding="utf-8") as f:
        dash = json.load(f)
    targets = []
    for p in panels_of(dash):
        for t in p.get("targets", []) or []:
            if "expr" in t:
                targets.append((p, t))
    if a.exprs:
        for p, t in targets:
            print(f"{p.get('title', '')}\t{t.get('refId', '')}\t{t['expr']}")
        return 0

    failed = 0

    def report(name, probs):
        nonlocal failed
        if probs:
            failed += 1
            print(f"not ok - {name}")
            for x in probs:
                print(f"#   {x}")
        else:
            print(f"ok - {name}")

    # 1. the schema
    with open(a.schema, encoding="utf-8") as f:
        schema = json.load(f)
    v = jsonschema.Draft7Validator(schema)
    probs = []
    for e in v.iter_errors(dash):
        where = "/".join(map(str, e.absolute_path)) or "(top)"
        # anyOf (panel or row): name the closest branch's error
        sub = sorted(e.context, key=lambda c: -len(list(c.absolute_path)))
        msg = sub[0].message if sub else e.message
        subwhere = "/".join(map(str, sub[0].absolute_path)) if sub else where
        probs.append(f"{subwhere}: {msg[:200]}")
    report("the dashboard is valid against Grafana's dashboard schema", probs)

    # 2. panels
    probs, ids, cells = [], {}, {}
    for p in panels_of(dash):
        pid, title = p.get("id"), p.get("title", "")
        if pid in ids:
            probs.append(f"panel id {pid} used by '{ids[pid]}' and '{title}'")
        ids[pid] = title
        g = p.get("gridPos") or {}
        for x in range(g.get("x", 0), g.get("x", 0) + g.get("w", 0)):
            for y in range(g.get("y", 0), g.get("y", 0) + g.get("h", 0)):
                if (x, y) in cells and cells[(x, y)] != title:
                    probs.append(f"'{title}' overlaps '{cells[(x, y)]}' "
                                 f"at x={x} y={y}")
                    break
                cells[(x, y)] = title
        if p.get("type") == "row":
            continue
        if not title:
            probs.append(f"panel {pid} has no title")
        ds = p.get("datasource") or {}
        if ds.get("type") != "prometheus":
            probs.append(f"panel '{title}' does not use a Prometheus datasource")
        ts = [t for t in p.get("targets") or [] if t.get("expr", "").strip()]
        if not ts:
            probs.append(f"panel '{title}' has no query")
        refs = [t.get("refId") for t in p.get("targets") or []]
        if len(refs) != len(set(refs)):
            probs.append(f"panel '{title}' repeats a refId: {refs}")
    report("panels: unique ids, no overlap, each with a Prometheus query",
           sorted(set(probs)))

    # 3. PromQL: every expression as a recording rule, checked by promtool
    rules = {"groups": [{"name": "codesift-dashboard", "rules": [
        {"record": f"codesift_dashboard:panel{p.get('id')}_{t.get('refId')}",
         "expr": t["expr"]} for p, t in targets]}]}
    out = a.rules_out
    tmp = None
    if out is None:
        fd, tmp = tempfile.mkstemp(suffix=".rules.yml")
        os.close(fd)
        out = tmp
    with open(out, "w", encoding="utf-8") as f:
        yaml.safe_dump(rules, f, sort_keys=False)
    res = subprocess.run(["promtool", "check", "rules", out],
                         capture_output=True, text=True, check=False)
    if tmp:
        os.unlink(tmp)
    probs = [] if res.returncode == 0 else \
        (res.stdout + res.stderr).strip().splitlines()
    if res.returncode == 0 and f"SUCCESS: {len(targets)} rules found" not in \
            res.stdout:
        probs.append(f"promtool did not find the {len(targets)} rules: "
                     + res.stdout.strip())
    report(f"the {len(targets)} panel queries are valid PromQL "
           "(promtool check rules)", probs)

    # 4, 5. metrics that exist
    have = produced_metrics()

    def missing(where, expr, probs):
        for m in sorted(metric_names(expr) - have):
            probs.append(f"{where}: no program writes metric '{m}'")

    probs = []
    for p, t in targets:
        missing(f"panel '{p.get('title')}'", t["expr"], probs)
    report("every metric the panels read is one the pipeline writes", probs)
    probs = []
    for path in sorted(glob.glob(os.path.join(
            TOP, "pipelines", "monitoring", "rules", "*.rules.yml"))):
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f) or {}
        for g in doc.get("groups", []):
            for r in g.get("rules", []):
                missing(f"rule {r.get('alert') or r.get('record')}",
                        r["expr"], probs)
    report("every metric the rules read is one the pipeline writes", probs)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
