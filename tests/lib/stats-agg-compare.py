#!/usr/bin/env python3
"""stats-agg-compare.py REPORT REF - check a stats-agg JSON report against
the exact figures of bench/stats_agg_ref.py on the same input.

Exact fields must be equal; numbers the report prints with 6 significant
digits within 1e-5 relative; sketch quantiles within the stated relative
error (0.5%) plus that rounding.  Prints one line per mismatch and exits 1
if there is any; prints the largest quantile error seen.
"""
import json
import sys

ALPHA = 0.005
ROUND = 1e-5

rep = json.load(open(sys.argv[1]))
ref = json.load(open(sys.argv[2]))
bad = []
worst = [0.0, ""]


def eq(what, got, want):
    if got != want:
        bad.append(f"{what}: {got!r}, expected {want!r}")


def close(what, got, want, rel=ROUND):
    if want is None or got is None:
        eq(what, got, want)
    elif abs(got - want) > rel * abs(want) + 1e-12:
        bad.append(f"{what}: {got!r}, expected {want!r} (rel {rel})")


t, rt = rep["totals"], ref["totals"]
eq("records", t["records"], rt["records"])
eq("bytes", t["bytes"], rt["bytes"])
eq("lines", t["lines"], rt["lines"])
eq("records_with_content", t["records_with_content"], rt["with_content"])
eq("records_without_size", t["records_without_size"], rt["without_size"])
eq("empty_files", t["empty_files"], rt["empty"])
if rt["tokens"] or t["tokens"] is not None:
    eq("tokens", t["tokens"], rt["tokens"])
eq("duplicates", rep["duplicates"]["marked"], rt["dups"])
eq("pii checked", rep["pii"]["checked"], rt["pii_checked"])
eq("pii records", rep["pii"]["records"], rt["pii_records"])
eq("pii found", rep["pii"]["found"], rt["pii_found"])
eq("quality checked", rep["quality"]["checked"], rt["q_checked"])
eq("quality failed", rep["quality"]["failed"], rt["q_failed"])

for name, d in rep["distributions"].items():
    x = ref["distributions"][name]
    eq(f"{name} count", d["count"], x["count"])
    if x["count"] == 0:
        continue
    for k in ("min", "max", "mean", "stddev"):
        close(f"{name} {k}", d[k], x[k])
    for k in ("p1", "p5", "p10", "p25", "p50", "p75", "p90", "p95", "p99"):
        close(f"{name} {k}", d[k], x[k], ALPHA + ROUND)
        if x[k]:
            e = abs(d[k] - x[k]) / abs(x[k])
            if e > worst[0]:
                worst = [e, f"{name} {k}"]

langs = {r["language"]: r for r in rep["languages"]}
eq("languages", sorted(langs), sorted(ref["languages"]))
for name, x in ref["languages"].items():
    for k in ("records", "bytes", "lines"):
        eq(f"language {name} {k}", langs.get(name, {}).get(k), x[k])


def table(key, rows, refrows, full):
    got = {r[key]: (r["records"], r["bytes"]) for r in rows}
    want = {k: (v["records"], v["bytes"]) for k, v in refrows.items()}
    if full:
        eq(f"{key} table", got, want)
    else:
        for k, v in got.items():
            eq(f"{key} {k}", v, want.get(k))


table("extension", rep["extensions"], ref["extensions"],
      len(ref["extensions"]) <= rep["params"]["top"])
table("license_type", rep["license_types"], ref["license_types"], True)
table("license", rep["licenses"], ref["licenses"],
      len(ref["licenses"]) <= rep["params"]["top"])

rp, rr = rep["repositories"], ref["repositories"]
eq("repositories", rp["distinct"], rr["distinct"])
eq("top repositories", [[r["repo"], r["records"], r["bytes"]]
                        for r in rp["top"]], rr["top"][:len(rp["top"])])
close("top 1% share", rp["bytes_share_top_1pct"], rr["bytes_share_top_1pct"])
close("top 10% share", rp["bytes_share_top_10pct"],
      rr["bytes_share_top_10pct"])

eq("pii kinds", {k["kind"]: {"found": k["found"], "records": k["records"]}
                 for k in rep["pii"]["kinds"]}, ref["pii_kinds"])
eq("quality rules", {k["rule"]: k["records"] for k in
                     rep["quality"]["rules"]}, ref["quality_rules"])

mix, rmix = rep["expected_mix"], ref["expected_mix"]
eq("mix observed", {c["language"]: c["observed"] for c in
                    mix["categories"]}, rmix["observed"])
close("chi-square", mix["chi_square"], rmix["chi_square"])
eq("df", mix["df"], rmix["df"])
if rmix["p_value"] is not None:
    close("p-value", mix["p_value"], rmix["p_value"], 1e-3)

for line in bad:
    print("mismatch:", line)
print(f"largest quantile error: {worst[0]:.5f} ({worst[1]}), "
      f"{len(bad)} mismatches")
sys.exit(1 if bad else 0)
