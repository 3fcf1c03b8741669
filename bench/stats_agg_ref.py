#!/usr/bin/env python3
"""stats_agg_ref.py - the straightforward Python way to compute what
stats-agg reports: json.loads every line, keep every value in lists, sort
them for exact quantiles.

It is both the peer of bench/bench-stats-agg.sh (what a data engineer
writes before reaching for stats-agg) and the exact reference the tests
compare stats-agg against (tests/bats/stats-agg.bats).  It uses the same
definitions as stats-agg(1):

  characters   Unicode code points
  lines        LF-terminated lines, plus a last line without LF if not empty
  line length  characters, without the LF and a CR just before it
  alnum        ASCII letters and digits, over all characters
  quantile q   the value of rank floor(q * (n - 1)) in sorted order
  stddev       population standard deviation
  outliers     per language: z = 0.6745 (ln(1+x) - median) / max(MAD, 0.1),
               median and MAD of ln(1+x), |z| > --z

Usage: stats_agg_ref.py [--z Z] [--outliers N] [--expect FILE] [FILE...]
Prints one JSON object; standard library only.
"""
import argparse
import json
import math
import sys

QUANTILES = [("p1", .01), ("p5", .05), ("p10", .10), ("p25", .25),
             ("p50", .50), ("p75", .75), ("p90", .90), ("p95", .95),
             ("p99", .99)]
METRICS = ["bytes", "lines", "max_line_length", "mean_line_length",
           "alnum_fraction", "n_tokens", "star_events_count"]
OUTLIER_METRICS = ["bytes", "max_line_length", "n_tokens"]
MAD_FLOOR = 0.1
MIN_RECORDS = 10


def measure(text):
    """(lines, line lengths, alphanumerics) of a file's text."""
    parts = text.split("\n")
    last = parts.pop()
    lens = [len(p) - (1 if p.endswith("\r") else 0) for p in parts]
    if last:
        lens.append(len(last))
    alnum = sum(1 for c in text if c.isascii() and c.isalnum())
    return len(lens), lens, alnum


def summary(values):
    n = len(values)
    if n == 0:
        return {"count": 0}
    v = sorted(values)
    mean = math.fsum(v) / n
    var = math.fsum((x - mean) ** 2 for x in v) / n
    out = {"count": n, "min": v[0], "max": v[-1], "mean": mean,
           "stddev": math.sqrt(var)}
    for name, q in QUANTILES:
        out[name] = v[int(math.floor(q * (n - 1)))]
    return out


def gamma_q(a, x):
    """Regularized upper incomplete gamma Q(a, x)."""
    if x <= 0:
        return 1.0
    if x < a + 1:
        term = total = 1.0 / a
        ap = a
        for _ in range(1000):
            ap += 1
            term *= x / ap
            total += term
            if abs(term) < abs(total) * 1e-16:
                break
        return 1.0 - total * math.exp(-x + a * math.log(x) - math.lgamma(a))
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 1000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = d if abs(d) > tiny else tiny
        c = b + an / c
        c = c if abs(c) > tiny else tiny
        d = 1 / d
        h *= d * c
        if abs(d * c - 1) < 1e-16:
            break
    return math.exp(-x + a * math.log(x) - math.lgamma(a)) * h


def lower_median(v):
    v = sorted(v)
    return v[(len(v) - 1) // 2]


def outliers(per_lang, z_limit, keep):
    groups, total = [], 0
    for lang in sorted(per_lang):
        for metric in OUTLIER_METRICS:
            vals = per_lang[lang].get(metric, [])
            if len(vals) < MIN_RECORDS:
                continue
            t = [math.log1p(x) for x, _ in vals]
            med = lower_median(t)
            mad = lower_median([abs(x - med) for x in t])
            scale = max(mad, MAD_FLOOR) / 0.6745
            flagged = []
            for x, rid in vals:
                z = (math.log1p(x) - med) / scale
                if abs(z) > z_limit:
                    flagged.append((x, rid, z))
            if not flagged:
                continue
            total += len(flagged)
            flagged.sort(key=lambda f: (-abs(f[2]), f[0], f[1] or ""))
            groups.append({
                "language": lang, "metric": metric, "records": len(vals),
                "median": math.expm1(med), "mad_log": mad,
                "high": sum(1 for f in flagged if f[2] > 0),
                "low": sum(1 for f in flagged if f[2] < 0),
                "worst": [{"id": rid, "value": x, "z": z}
                          for x, rid, z in flagged[:keep]]})
    return {"total": total, "groups": groups}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--z", type=float, default=3.5)
    ap.add_argument("--outliers", type=int, default=10)
    ap.add_argument("--expect")
    ap.add_argument("--field", default="content")
    ap.add_argument("--id-field", default="blob_id")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()

    expect = {"Python": .25, "Java": .25, "C++": .25, "JavaScript": .25}
    if a.expect:
        with open(a.expect) as f:
            expect = json.load(f)

    dists = {m: [] for m in METRICS}
    langs, exts, lictypes, lics, repos = {}, {}, {}, {}, {}
    per_lang = {}
    pii_kinds, rules = {}, {}
    t = {"records": 0, "bytes": 0, "lines": 0, "with_content": 0,
         "without_size": 0, "empty": 0, "dups": 0, "pii_checked": 0,
         "pii_records": 0, "pii_found": 0, "q_checked": 0, "q_failed": 0,
         "rejected": 0, "tokens": 0}

    def count(table, key, nbytes):
        row = table.setdefault(key, {"records": 0, "bytes": 0})
        row["records"] += 1
        row["bytes"] += nbytes
        return row

    streams = [open(p, encoding="utf-8", errors="surrogateescape")
               for p in a.files] or [sys.stdin]
    for stream in streams:
        for line in stream:
            try:
                r = json.loads(line)
                if not isinstance(r, dict):
                    raise ValueError("not an object")
            except ValueError:
                t["rejected"] += 1
                continue
            t["records"] += 1
            rid = r.get(a.id_field)
            if rid is not None and not isinstance(rid, str):
                rid = json.dumps(rid)
            lang = r.get("language") or "(unknown)"
            text = r.get(a.field)
            nbytes = None
            pl = per_lang.setdefault(lang, {})
            if isinstance(text, str):
                nbytes = len(text.encode("utf-8", "surrogatepass"))
                nlines, lens, alnum = measure(text)
                t["with_content"] += 1
                t["lines"] += nlines
                dists["lines"].append(nlines)
                maxline = max(lens) if lens else 0
                dists["max_line_length"].append(maxline)
                pl.setdefault("max_line_length", []).append((maxline, rid))
                if nlines:
                    dists["mean_line_length"].append(sum(lens) / nlines)
                if text:
                    dists["alnum_fraction"].append(alnum / len(text))
            elif isinstance(r.get("length_bytes"), int):
                nbytes = r["length_bytes"]
            row = langs.setdefault(lang, {"records": 0, "bytes": 0,
                                          "lines": 0})
            row["records"] += 1
            if nbytes is not None:
                t["bytes"] += nbytes
                row["bytes"] += nbytes
                dists["bytes"].append(nbytes)
                pl.setdefault("bytes", []).append((nbytes, rid))
                if nbytes == 0:
                    t["empty"] += 1
            else:
                t["without_size"] += 1
                nbytes = 0
            if isinstance(text, str):
                row["lines"] += nlines
            count(exts, r.get("extension") or "(none)", nbytes)
            count(lictypes, r.get("license_type") or "(unknown)", nbytes)
            for lic in r.get("detected_licenses") or []:
                count(lics, lic, nbytes)
            if r.get("repo_name"):
                count(repos, r["repo_name"], nbytes)
            if isinstance(r.get("n_tokens"), int):
                dists["n_tokens"].append(r["n_tokens"])
                t["tokens"] += r["n_tokens"]
                pl.setdefault("n_tokens", []).append((r["n_tokens"], rid))
            if isinstance(r.get("star_events_count"), int):
                dists["star_events_count"].append(r["star_events_count"])
            if r.get("dup_of") is not None:
                t["dups"] += 1
            pii = r.get("pii")
            if isinstance(pii, dict):
                t["pii_checked"] += 1
                kinds = {k: v for k, v in pii.items() if k != "total"}
                total = pii.get("total", sum(kinds.values()))
                if total:
                    t["pii_records"] += 1
                    t["pii_found"] += total
                for k, v in kinds.items():
                    if v:
                        row = pii_kinds.setdefault(k, {"found": 0,
                                                       "records": 0})
                        row["found"] += v
                        row["records"] += 1
            q = r.get("quality")
            if isinstance(q, dict):
                t["q_checked"] += 1
                if not q.get("ok"):
                    t["q_failed"] += 1
                    for rule in q.get("failed") or []:
                        rules[rule] = rules.get(rule, 0) + 1

    # expected mix, over the listed languages ("(other)" takes the rest)
    wsum = sum(expect.values())
    obs = {k: 0 for k in expect}
    for lang, row in langs.items():
        if lang in expect and lang != "(other)":
            obs[lang] += row["records"]
        elif "(other)" in expect:
            obs["(other)"] += row["records"]
    n = sum(obs.values())
    chi = sum((obs[k] - n * w / wsum) ** 2 / (n * w / wsum)
              for k, w in expect.items()) if n else None
    df = len(expect) - 1

    # repository concentration
    by_bytes = sorted((row["bytes"] for row in repos.values()), reverse=True)
    rbytes = sum(by_bytes)
    k1 = math.ceil(len(by_bytes) * 0.01)
    k10 = math.ceil(len(by_bytes) * 0.10)

    out = {
        "totals": t,
        "distributions": {m: summary(v) for m, v in dists.items()},
        "languages": langs,
        "extensions": exts,
        "license_types": lictypes,
        "licenses": lics,
        "repositories": {
            "distinct": len(repos),
            "top": sorted(([k, v["records"], v["bytes"]]
                           for k, v in repos.items()),
                          key=lambda x: (-x[1], x[0])),
            "bytes_share_top_1pct": sum(by_bytes[:k1]) / rbytes
            if rbytes else None,
            "bytes_share_top_10pct": sum(by_bytes[:k10]) / rbytes
            if rbytes else None},
        "pii_kinds": pii_kinds,
        "quality_rules": rules,
        "expected_mix": {"observed": obs, "chi_square": chi, "df": df,
                         "p_value": gamma_q(df / 2, chi / 2)
                         if chi is not None else None},
        "outliers": outliers(per_lang, a.z, a.outliers),
    }
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
