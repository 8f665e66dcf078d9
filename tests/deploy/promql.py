"""What the alert rules and the Grafana dashboards read, and what the processes export: shared by their tests."""

import importlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

from prometheus_client import REGISTRY

REPO = Path(__file__).resolve().parents[2]
DASHBOARDS = sorted((REPO / "deploy" / "grafana" / "dashboards").glob("*.json"))
FROM_PROMETHEUS = {"up"}
"""Series Prometheus itself makes for every target, which no process defines."""
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "offset", "bool"}
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "summary": ("_sum", "_count")}
"""The series names each metric type exposes (a gauge's is its own name)."""


def metric_names(expr: str) -> set[str]:
    """The series names a PromQL expression reads: identifiers outside label matchers, ranges, strings and
    grouping clauses that are not functions, keywords or numbers."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    expr = re.sub(r"\{[^}]*\}", " ", expr)
    expr = re.sub(r"\[[^\]]*\]", " ", expr)
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", expr)
    expr = re.sub(r"\boffset\s+\w+", " ", expr)
    names = set()
    for match in re.finditer(r"(?<![\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()", expr):
        if match.group(1) not in PROMQL_WORDS:
            names.add(match.group(1))
    return names


def dashboards() -> dict[Path, dict]:
    return {path: json.loads(path.read_text()) for path in DASHBOARDS}


def queries(dashboard: dict) -> Iterator[str]:
    """Every PromQL expression a dashboard runs: its panels' targets and its query variables."""
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            yield target["expr"]
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") == "query":
            query = variable["query"]
            yield query["query"] if isinstance(query, dict) else query


def charted() -> set[str]:
    """Every series name any dashboard reads (a `label_values(metric, label)` variable reads `metric`)."""
    names: set[str] = set()
    for dashboard in dashboards().values():
        for expr in queries(dashboard):
            names |= metric_names(re.sub(r"\blabel_values\s*\(\s*(.+?)\s*,\s*\w+\s*\)", r"\1", expr))
    return names


def exported_series() -> set[str]:
    """Every series name the processes can export: the metrics defined by each module that uses
    prometheus_client, imported so that they register, with the suffixes their types add."""
    for path in [*(REPO / "libs").rglob("*.py"), *(REPO / "services").rglob("*.py")]:
        if "prometheus_client" in path.read_text():
            importlib.import_module(".".join(path.relative_to(REPO).with_suffix("").parts))
    return {metric.name + suffix for metric in REGISTRY.collect() for suffix in SUFFIXES.get(metric.type, ("",))}
