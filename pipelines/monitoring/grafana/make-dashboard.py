#!/usr/bin/env python3
"""make-dashboard.py - write dashboards/codesift.json (the Grafana dashboard).

usage: make-dashboard.py > dashboards/codesift.json

The dashboard is generated so that its panels stay uniform; the JSON is
committed (Grafana provisions it from dashboards/), and a test checks that
it is what this script writes, that it is valid against Grafana's dashboard
schema and that every query is valid PromQL over metrics the pipeline
really pushes.
"""
import json
DS = {"type": "prometheus", "uid": "${datasource}"}
J = 'job="codesift"'
panels = []
pid = [0]
def nid():
    pid[0] += 1
    return pid[0]
def row(title, y):
    panels.append({"type": "row", "title": title, "id": nid(), "collapsed": False,
                   "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}, "panels": []})
def target(expr, legend, ref, instant=False):
    t = {"refId": ref, "datasource": DS, "expr": expr, "legendFormat": legend}
    if instant:
        t["instant"] = True
        t["range"] = False
    return t
def panel(ptype, title, desc, targets, x, y, w, h, unit=None, options=None,
          mappings=None, thresholds=None, minv=None, maxv=None, custom=None):
    defaults = {}
    if unit: defaults["unit"] = unit
    if mappings: defaults["mappings"] = mappings
    if minv is not None: defaults["min"] = minv
    if maxv is not None: defaults["max"] = maxv
    if thresholds: defaults["thresholds"] = thresholds
    if custom: defaults["custom"] = custom
    p = {"type": ptype, "title": title, "description": desc, "id": nid(), "datasource": DS,
         "gridPos": {"h": h, "w": w, "x": x, "y": y},
         "targets": targets,
         "fieldConfig": {"defaults": defaults, "overrides": []},
         "options": options or {}}
    panels.append(p)
RED_GREEN = {"mode": "absolute", "steps": [{"color": "green", "value": 0}, {"color": "red", "value": 1}]}
stat_opts = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
             "colorMode": "background", "graphMode": "none", "textMode": "value_and_name", "orientation": "auto"}
bar_opts = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "orientation": "horizontal", "displayMode": "gradient", "showUnfilled": True}
ts_opts = {"legend": {"displayMode": "table", "placement": "right", "calcs": ["lastNotNull"], "showLegend": True},
           "tooltip": {"mode": "multi", "sort": "desc"}}
table_opts = {"showHeader": True, "cellHeight": "sm"}

row("Status", 0)
panel("stat", "Quality gate", "Exit status of the last validate run (schema-check): 0 passed, 1 the gate failed (more records failed the schema or the quality rules than --max-fail allows).",
      [target(f'max(codesift_exit_status{{{J}, stage="validate"}})', "gate", "A", True)],
      0, 1, 5, 5, options=stat_opts, thresholds=RED_GREEN,
      mappings=[{"type": "value", "options": {"0": {"text": "PASSED", "color": "green", "index": 0},
                                               "1": {"text": "FAILED", "color": "red", "index": 1}}},
                {"type": "range", "options": {"from": 2, "to": 255, "result": {"text": "ERROR", "color": "red", "index": 2}}}])
panel("stat", "Stage runs failing", "Stage runs (and shards) whose last exit status was not 0.",
      [target(f'count(codesift_exit_status{{{J}}} != 0) or vector(0)', "failing", "A", True)],
      5, 1, 5, 5, options=stat_opts, thresholds=RED_GREEN)
panel("stat", "Records in the dataset", "Records written by the last validate run: the dataset.",
      [target(f'sum(codesift_records_out{{{J}, stage="validate"}})', "records", "A", True)],
      10, 1, 5, 5, unit="short", options={**stat_opts, "colorMode": "none"})
panel("stat", "Tokens in the dataset", "Tokens counted by the last tokenize run (tok-count), over every shard.",
      [target(f'sum(codesift_tokens{{{J}, stage="tokenize"}})', "tokens", "A", True)],
      15, 1, 4, 5, unit="short", options={**stat_opts, "colorMode": "none"})
panel("bargauge", "Since last success", "Time since each stage last succeeded (the latest of its shards).",
      [target(f'time() - max by (stage) (codesift_last_success_timestamp_seconds{{{J}}})', "{{stage}}", "A", True)],
      19, 1, 5, 5, unit="s", options=bar_opts,
      thresholds={"mode": "absolute", "steps": [{"color": "green", "value": 0}, {"color": "orange", "value": 86400}, {"color": "red", "value": 93600}]})

row("Funnel: records and bytes per stage", 6)
panel("bargauge", "Records in and out per stage", "Records each stage read and wrote in its last run (summed over shards), in pipeline order.",
      [target(f'sum by (stage) (codesift_records_in{{{J}}})', "{{stage}} in", "A", True),
       target(f'sum by (stage) (codesift_records_out{{{J}}})', "{{stage}} out", "B", True)],
      0, 7, 12, 9, unit="short", options=bar_opts)
panel("bargauge", "Bytes in and out per stage", "Uncompressed bytes each stage read and wrote (summed over shards).",
      [target(f'sum by (stage) (codesift_bytes_in{{{J}}})', "{{stage}} in", "A", True),
       target(f'sum by (stage) (codesift_bytes_out{{{J}}})', "{{stage}} out", "B", True)],
      12, 7, 12, 9, unit="bytes", options=bar_opts)
panel("timeseries", "Records out per stage over time", "How many records each stage wrote, run after run.",
      [target(f'sum by (stage) (codesift_records_out{{{J}}})', "{{stage}}", "A")],
      0, 16, 24, 8, unit="short", options=ts_opts)

row("Runs: duration and rejects", 24)
panel("timeseries", "Duration per stage", "Wall-clock duration of each stage's last run (the slowest shard).",
      [target(f'max by (stage) (codesift_duration_seconds{{{J}}})', "{{stage}}", "A")],
      0, 25, 12, 8, unit="s", options=ts_opts)
panel("timeseries", "Reject share per stage", "Share of its input each stage rejected (alert above 5%: CodesiftRejectShareHigh).",
      [target(f'sum by (stage) (codesift_records_rejected{{{J}}}) / sum by (stage) (codesift_records_in{{{J}}} > 0)', "{{stage}}", "A")],
      12, 25, 12, 8, unit="percentunit", minv=0, options=ts_opts)
panel("table", "Rejects by stage and reason", "Rejected records of the last runs by reason; the records are in each stage's rejects file, replayable with jq -r .record.",
      [target(f'sum by (stage, reason) (codesift_rejects_by_reason{{{J}}}) > 0', "", "A", True)],
      0, 33, 24, 7, options=table_opts)

row("Content: PII, duplicates, quality", 40)
panel("piechart", "PII found by kind", "Findings of pii-scrub in its last run, by kind (all redacted).",
      [target(f'sum by (kind) (codesift_pii_found{{{J}, stage="scrub"}})', "{{kind}}", "A", True)],
      0, 41, 8, 9, unit="short", options={"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                                           "pieType": "donut", "legend": {"displayMode": "table", "placement": "right", "values": ["value"], "showLegend": True}})
panel("bargauge", "Duplicate share", "Share of their input the two dedup stages dropped as copies.",
      [target(f'sum by (stage) (codesift_records_dropped{{{J}, stage=~"dedup-exact|dedup-near"}}) / sum by (stage) (codesift_records_in{{{J}, stage=~"dedup-exact|dedup-near"}} > 0)', "{{stage}}", "A", True)],
      8, 41, 8, 9, unit="percentunit", minv=0, maxv=1, options=bar_opts)
panel("bargauge", "Quality failures by rule", "Records that failed each schema-check rule or schema keyword in the last validate run (no-pii: PII left after scrubbing, alert CodesiftPIIAfterScrub).",
      [target(f'sum by (rule) (codesift_quality_failed{{{J}, stage="validate"}})', "{{rule}}", "A", True)],
      16, 41, 8, 9, unit="short", options=bar_opts)

dash = {
  "uid": "codesift-pipeline",
  "title": "codesift pipeline",
  "description": "The codesift pipeline's last runs, from the metrics every stage pushes to the Pushgateway (pipelines/monitoring/).",
  "tags": ["codesift", "data-pipeline"],
  "timezone": "browser",
  "editable": True,
  "graphTooltip": 1,
  "time": {"from": "now-7d", "to": "now"},
  "refresh": "1m",
  "schemaVersion": 39,
  "version": 1,
  "links": [],
  "annotations": {"list": [{"builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"}, "enable": True, "hide": True,
                            "iconColor": "rgba(0, 211, 255, 1)", "name": "Annotations & Alerts", "type": "dashboard"}]},
  "templating": {"list": [{"type": "datasource", "name": "datasource", "label": "Prometheus", "query": "prometheus",
                           "current": {"text": "codesift Prometheus", "value": "codesift-prometheus"}, "hide": 0, "refresh": 1, "skipUrlSync": False, "multi": False}]},
  "panels": panels,
}
print(json.dumps(dash, indent=2, ensure_ascii=False))
