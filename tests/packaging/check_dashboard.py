#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks packaging/grafana/aldis-dashboard.json against the node's metrics.

Usage: check_dashboard.py SOURCE_DIR

The metrics, their types and labels are read from the exposition code in
engine/observability/metrics.cpp (the counter/gauge/histogram/labeled/labeledGauge
calls of Metrics::renderPrometheus()). The dashboard must be JSON with schemaVersion
39, a Prometheus datasource variable that every panel and query uses, and region and
instance variables. Every aldis_* name in a query must be a metric of the node (or the
_bucket/_sum/_count series of one of its histograms); rate(), irate() and increase()
take counters or histogram series only, never gauges; histogram_quantile() takes a
_bucket series aggregated by le; every label in a selector or a by () clause must
belong to the metrics of that query, be le of a histogram, or be a label that the
scrape adds (TARGET_LABELS). Metrics the dashboard does not show are reported but do
not fail the test.
"""

import json
import pathlib
import re
import sys

TARGET_LABELS = {"instance", "job", "region", "namespace", "pod"}
RENDER = re.compile(r'\b(counter|gauge|histogram|labeled|labeledGauge)\(\s*out\s*,\s*"(aldis_\w+)"\s*,\s*'
                    r'"(?:[^"\\]|\\.)*"\s*,\s*(?:"(\w+)")?')
KIND = {"counter": "counter", "labeled": "counter", "gauge": "gauge", "labeledGauge": "gauge",
        "histogram": "histogram"}
NAME = re.compile(r"\baldis_\w+")


def node_metrics(source):
    metrics = {}
    for path in sorted((source / "engine" / "observability").glob("*.cpp")):
        for kind, name, label in RENDER.findall(path.read_text(encoding="utf-8")):
            metrics[name] = (KIND[kind], {label} if label else set())
    if "aldis_connections" not in metrics or "aldis_publish_to_deliver_seconds" not in metrics:
        sys.exit("check_dashboard: could not read the metrics from engine/observability/metrics.cpp; "
                 "update RENDER in tests/packaging/check_dashboard.py")
    return metrics


def series(name, metrics):
    """(base metric, type of this series, labels it has) or None for an unknown name."""
    if name in metrics:
        kind, labels = metrics[name]
        return name, kind, labels
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[: -len(suffix)] if name.endswith(suffix) else None
        if base in metrics and metrics[base][0] == "histogram":
            return base, "histogram_series", {"le"} if suffix == "_bucket" else set()
    return None


def call_argument(expr, start):
    """The text inside the parentheses that open at expr[start]."""
    depth = 0
    for i in range(start, len(expr)):
        if expr[i] == "(":
            depth += 1
        elif expr[i] == ")":
            depth -= 1
            if depth == 0:
                return expr[start + 1:i]
    return expr[start + 1:]


def check_expr(where, expr, metrics, used):
    problems = []
    labels_here = set(TARGET_LABELS)
    for name in NAME.findall(expr):
        found = series(name, metrics)
        if not found:
            problems.append(f"{where}: {name} is not a metric of the node (engine/observability/metrics.cpp)")
            continue
        used.add(found[0])
        labels_here |= found[2]
    for match in re.finditer(r"\b(rate|irate|increase)\(\s*(aldis_\w+)", expr):
        found = series(match.group(2), metrics)
        if found and found[1] == "gauge":
            problems.append(f"{where}: {match.group(1)}() of the gauge {match.group(2)}; use the gauge as it is")
    for match in re.finditer(r"\bhistogram_quantile\(", expr):
        inner = call_argument(expr, match.end() - 1)
        if not re.search(r"aldis_\w+_bucket\b", inner) or not re.search(r"\bby\s*\([^)]*\ble\b", inner):
            problems.append(f"{where}: histogram_quantile() needs a _bucket series summed by (le): {inner}")
    for selector in re.finditer(r"(aldis_\w+)\s*\{([^}]*)\}", expr):
        found = series(selector.group(1), metrics)
        allowed = TARGET_LABELS | (found[2] if found else set())
        for label in re.findall(r"(\w+)\s*(?:=~|!~|!=|=)", selector.group(2)):
            if label not in allowed:
                problems.append(f"{where}: {selector.group(1)} has no label {label}")
    for clause in re.finditer(r"\b(?:by|without)\s*\(([^)]*)\)", expr):
        for label in filter(None, (s.strip() for s in clause.group(1).split(","))):
            if label not in labels_here:
                problems.append(f"{where}: by ({label}): no metric of this query has the label {label}")
    return problems


def panels_of(items):
    for panel in items:
        yield panel
        yield from panels_of(panel.get("panels", []))


def main():
    source = pathlib.Path(sys.argv[1])
    path = source / "packaging" / "grafana" / "aldis-dashboard.json"
    try:
        dashboard = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as e:
        sys.exit(f"{path}: not JSON: {e}")
    metrics = node_metrics(source)
    problems = []
    if dashboard.get("schemaVersion") != 39:
        problems.append(f"schemaVersion is {dashboard.get('schemaVersion')}, not 39")
    if not dashboard.get("uid") or not dashboard.get("title"):
        problems.append("the dashboard needs a uid and a title")
    variables = {v.get("name"): v for v in dashboard.get("templating", {}).get("list", [])}
    source_vars = [n for n, v in variables.items() if v.get("type") == "datasource" and v.get("query") == "prometheus"]
    if not source_vars:
        problems.append("no datasource variable of type prometheus")
    datasource_ref = "${%s}" % (source_vars[0] if source_vars else "datasource")
    for name in ("region", "instance"):
        if variables.get(name, {}).get("type") != "query":
            problems.append(f"no query variable '{name}'")
    for name, var in variables.items():
        if var.get("type") == "query":
            if var.get("datasource", {}).get("uid") != datasource_ref:
                problems.append(f"variable {name} does not use {datasource_ref}")
            query = var.get("query")
            text = query.get("query", "") if isinstance(query, dict) else str(query)
            problems += check_expr(f"variable {name}", text, metrics, set())

    used, ids, queries = set(), set(), 0
    for panel in panels_of(dashboard.get("panels", [])):
        title = f"panel '{panel.get('title')}'"
        if panel.get("id") in ids:
            problems.append(f"{title}: id {panel.get('id')} is used twice")
        ids.add(panel.get("id"))
        if "gridPos" not in panel:
            problems.append(f"{title}: no gridPos")
        if panel.get("type") == "row":
            continue
        if panel.get("datasource", {}).get("uid") != datasource_ref:
            problems.append(f"{title}: its datasource is not {datasource_ref}")
        if not panel.get("targets"):
            problems.append(f"{title}: no query")
        for target in panel.get("targets", []):
            queries += 1
            if target.get("datasource", {}).get("uid") != datasource_ref:
                problems.append(f"{title} query {target.get('refId')}: its datasource is not {datasource_ref}")
            expr = target.get("expr", "")
            if 'instance=~"$instance"' not in expr and "aldis_" in expr:
                problems.append(f"{title} query {target.get('refId')}: does not filter on $region and $instance")
            problems += check_expr(f"{title} query {target.get('refId')}", expr, metrics, used)

    for p in problems:
        print(p, file=sys.stderr)
    unused = sorted(set(metrics) - used)
    if unused:
        print(f"note: the dashboard shows no panel for {', '.join(unused)}")
    if problems:
        sys.exit(1)
    print(f"{path.name}: {len(ids)} panels, {queries} queries, {len(used)} of the node's {len(metrics)} metrics")


if __name__ == "__main__":
    main()
