#!/usr/bin/python3
"""quality_rules.py - schema-check's quality rules in plain Python.

The peer of `schema-check --no-schema` in bench/bench-schema-check.sh, and
the reference the tests compare schema-check's figures with: the rules of
configs/quality.json computed as a data engineer would in Python (the
standard library only: json, re), with the definitions of schema-check(1)
and of bigcode-dataset's preprocessing:

  lines     str.splitlines(); lengths in characters
  alnum     mean(c.isalnum() for c in text)
  encoded   matches of three regexes (their union) / len(text)
  markers   in the first header_lines lines, ignoring ASCII case

Rules of a check this script does not know (the PII rule: it needs the
pii-scrub catalogue) are refused unless --skip names them.

usage: quality_rules.py [--rules FILE] [--skip IDS] [--field F]
                        [--language-field F] [--verdicts] [file ...]

Records that pass every rule go to stdout unchanged; the counts per rule go
to stderr as JSON.  --verdicts prints "LINE<TAB>failed,rule,ids" for every
record instead (empty when it passes).
"""
import argparse
import json
import os
import re
import sys

B64 = re.compile(r'[A-Za-z0-9+/=\n]{64,}')
HEX = re.compile(r'(?:(?:0[xX]|\\x)[0-9A-Fa-f]{2}[, \t\r\n]*){8,}')
UESC = re.compile(r'(?:\\u[0-9A-Fa-f]{4}){8,}')
KNOWN = {"max_bytes", "min_bytes", "max_line_length", "mean_line_length",
         "min_alnum_fraction", "max_encoded_fraction", "generated_markers",
         "max_replacement_chars", "max_nul_chars"}


def encoded(text):
    """(characters in encoded runs, longest run)."""
    spans = []
    for rx in (B64, HEX, UESC):
        spans.extend(m.span() for m in rx.finditer(text))
    spans.sort()
    total = longest = 0
    cur_a = cur_b = -1
    for a, b in spans:
        longest = max(longest, b - a)
        if a < cur_b:
            cur_b = max(cur_b, b)
            continue
        if cur_b > cur_a:
            total += cur_b - cur_a
        cur_a, cur_b = a, b
    if cur_b > cur_a:
        total += cur_b - cur_a
    return total, longest


class Figures:
    """The figures of one text, computed when first asked for."""

    def __init__(self, text):
        self.text = text
        self._lines = None
        self._enc = None

    def lines(self):
        if self._lines is None:
            self._lines = [len(x) for x in self.text.splitlines()]
        return self._lines

    def enc(self):
        if self._enc is None:
            self._enc = encoded(self.text)
        return self._enc


def evaluate(rule, fig):
    """(failed, value) of one rule."""
    check, thr, text = rule["check"], rule["threshold"], fig.text
    if check == "max_bytes":
        v = len(text.encode("utf-8", "surrogatepass"))
        return v > thr, v
    if check == "min_bytes":
        v = len(text.encode("utf-8", "surrogatepass"))
        return v < thr, v
    if check == "max_line_length":
        ls = fig.lines()
        v = max(ls) if ls else 0
        return v > thr, v
    if check == "mean_line_length":
        ls = fig.lines()
        v = sum(ls) / len(ls) if ls else 0
        return v > thr, v
    if check == "min_alnum_fraction":
        v = sum(c.isalnum() for c in text) / len(text) if text else 0
        return v < thr, v
    if check == "max_encoded_fraction":
        total, longest = fig.enc()
        v = total / len(text) if text else 0
        return v > thr or longest > rule.get("max_run", float("inf")), v
    if check == "generated_markers":
        head = "".join(text.splitlines(True)[:rule.get("header_lines", 5)])
        v = sum(1 for m in rule["_rx"] if m.search(head))
        return v > thr, v
    if check == "max_replacement_chars":
        v = text.count("\ufffd")
        return v > thr, v
    if check == "max_nul_chars":
        v = text.count("\0")
        return v > thr, v
    raise ValueError(check)


def in_scope(rule, lang):
    if lang in rule.get("skip_languages", ()):
        return False
    langs = rule.get("languages")
    return not langs or lang in langs


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rules", default=os.path.join(here, "..", "configs",
                                                    "quality.json"))
    ap.add_argument("--skip", default="")
    ap.add_argument("--field", default="content")
    ap.add_argument("--language-field", default="language")
    ap.add_argument("--verdicts", action="store_true")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    with open(a.rules, encoding="utf-8") as f:
        rules = json.load(f)["rules"]
    skip = set(filter(None, a.skip.split(",")))
    rules = [r for r in rules if r["id"] not in skip]
    for r in rules:
        if r["check"] not in KNOWN:
            sys.exit("quality_rules.py: rule %r: check %r is not implemented "
                     "here (--skip it)" % (r["id"], r["check"]))
        if r["check"] == "generated_markers":
            r["_rx"] = [re.compile(re.escape(m), re.I | re.A)
                        for m in r["markers"]]
    counts = {r["id"]: 0 for r in rules}
    n = passed = 0
    out = sys.stdout
    for path in a.files or ["-"]:
        f = sys.stdin if path == "-" else open(path, encoding="utf-8")
        for line in f:
            n += 1
            rec = json.loads(line)
            fig = Figures(rec[a.field])
            lang = rec.get(a.language_field) or ""
            failed = []
            for r in rules:
                if in_scope(r, lang) and evaluate(r, fig)[0]:
                    failed.append(r["id"])
                    counts[r["id"]] += 1
            passed += not failed
            if a.verdicts:
                out.write("%d\t%s\n" % (n, ",".join(failed)))
            elif not failed:
                out.write(line)
        if f is not sys.stdin:
            f.close()
    json.dump({"records": n, "passed": passed, "failed_by_rule": counts},
              sys.stderr)
    sys.stderr.write("\n")


if __name__ == "__main__":
    main()
