#!/usr/bin/python3
"""json-schema-suite.py - run the JSON-Schema-Test-Suite through schema-check.

usage: json-schema-suite.py [--bin DIR] [--known FILE] [-v] DRAFT...

DRAFT is a directory name under tests/conformance/json-schema/tests
(draft2020-12, draft7).  Each test case becomes one run of the program
itself:

    schema-check --values --schema CASE.json [--draft 7]
        --schema-map http://localhost:1234/=.../remotes/
        --rejects REJ.jsonl DATA.jsonl

with one test's data per line of DATA.jsonl; a test passes when its line
is rejected exactly when the suite says it is invalid (and the program
exits 0).  The runner prints one line per draft, "DRAFT: N passed, N
failed", and the failures by name.

Tests judged impossible are listed in the --known file (default:
json-schema-known-failures.txt beside this script), one per line:
"DRAFT/FILE.json: case description / test description: reason".  They are
reported by name as known failures, never skipped silently; a known
failure that passes is an error too (the list must be kept true).

Exit status: 0 if every test passed or is a listed known failure, 1 if
not, 2 on a usage error.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SUITE = os.path.join(HERE, "json-schema")


def load_known(path):
    known = {}
    if not os.path.exists(path):
        return known
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            name, _, reason = line.rpartition(": ")
            known[name] = reason
    return known


def run_case(prog, draft, case, tmp):
    """The list of (test, valid) as the program judged them, or an error."""
    schema = os.path.join(tmp, "case.json")
    data = os.path.join(tmp, "data.jsonl")
    rej = os.path.join(tmp, "rej.jsonl")
    with open(schema, "w", encoding="utf-8") as f:
        json.dump(case["schema"], f)
    with open(data, "w", encoding="utf-8") as f:
        for t in case["tests"]:
            f.write(json.dumps(t["data"]) + "\n")
    if os.path.exists(rej):
        os.unlink(rej)
    cmd = [prog, "--values", "--schema", schema, "--no-progress", "-q",
           "--schema-map",
           "http://localhost:1234/=" + os.path.join(SUITE, "remotes") + "/",
           "--rejects", rej, "-o", os.devnull, data]
    if draft == "draft7":
        cmd[1:1] = ["--draft", "7"]
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True)
    if p.returncode != 0:
        return None, "exit status %d: %s" % (p.returncode, p.stderr.strip())
    invalid = set()
    with open(rej, encoding="utf-8") as f:
        for line in f:
            invalid.add(json.loads(line)["line"])
    return [(t, (i + 1) not in invalid)
            for i, t in enumerate(case["tests"])], None


def main():
    ap = argparse.ArgumentParser(usage=__doc__.split("\n")[2].strip()[7:])
    ap.add_argument("--bin", default=os.environ.get("CODESIFT_BIN") or
                    os.path.join(HERE, "..", "..", "bin"))
    ap.add_argument("--known", default=os.path.join(
        HERE, "json-schema-known-failures.txt"))
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("drafts", nargs="+")
    a = ap.parse_args()
    prog = os.path.join(a.bin, "schema-check")
    if not os.access(prog, os.X_OK):
        print("json-schema-suite.py: %s is not built" % prog, file=sys.stderr)
        return 2
    known = load_known(a.known)
    seen_known = set()
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        for draft in a.drafts:
            d = os.path.join(SUITE, "tests", draft)
            if not os.path.isdir(d):
                print("json-schema-suite.py: no suite %s" % d,
                      file=sys.stderr)
                return 2
            passed = failed = kfail = 0
            failures = []
            for fn in sorted(os.listdir(d)):
                if not fn.endswith(".json"):
                    continue
                with open(os.path.join(d, fn), encoding="utf-8") as f:
                    cases = json.load(f)
                for case in cases:
                    got, err = run_case(prog, draft, case, tmp)
                    for i, t in enumerate(case["tests"]):
                        name = "%s/%s: %s / %s" % (
                            draft, fn, case["description"], t["description"])
                        ok = got is not None and got[i][1] == t["valid"]
                        if name in known:
                            seen_known.add(name)
                            if ok:
                                failures.append("%s: listed as a known "
                                                "failure but passes" % name)
                                failed += 1
                            else:
                                kfail += 1
                                print("known failure: %s: %s"
                                      % (name, known[name]))
                            continue
                        if ok:
                            passed += 1
                            continue
                        failed += 1
                        failures.append("%s: expected %s%s" % (
                            name, "valid" if t["valid"] else "invalid",
                            " (" + err + ")" if err else ""))
            for f in failures:
                print("FAIL " + f)
            print("%s: %d passed, %d failed%s" % (
                draft, passed, failed,
                ", %d known failures" % kfail if kfail else ""))
            bad += failed
    for name in sorted(set(known) - seen_known):
        if any(name.startswith(dr + "/") for dr in a.drafts):
            print("FAIL known failure not found in the suite: " + name)
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
