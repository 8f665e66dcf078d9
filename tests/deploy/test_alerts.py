"""The alert rules (deploy/prometheus/rules) are checked and unit-tested by promtool, say what to do, and,
like the Grafana dashboards (tests/deploy/test_dashboards.py), use only metrics that the processes export.

promtool comes from Debian's `prometheus` package; without it these tests fail, they never skip.
"""

import re
import shutil
import subprocess

import pytest
import yaml

from tests.deploy.promql import DASHBOARDS, FROM_PROMETHEUS, REPO, charted, exported_series, metric_names

PROMETHEUS = REPO / "deploy" / "prometheus"
RULES = sorted((PROMETHEUS / "rules").glob("*.yml"))
UNIT_TESTS = sorted((PROMETHEUS / "tests").glob("*.yml"))


def promtool(*args: str) -> str:
    binary = shutil.which("promtool")
    if binary is None:
        pytest.fail("promtool is missing: `apt-get install prometheus` (Debian's package ships it)")
    run = subprocess.run([binary, *args], capture_output=True, text=True, timeout=120, cwd=REPO)
    output = run.stdout + run.stderr
    assert run.returncode == 0, f"promtool {' '.join(args)} failed:\n{output}"
    return output


def rules() -> list[dict]:
    return [rule for path in RULES for group in yaml.safe_load(path.read_text())["groups"] for rule in group["rules"]]


def test_promtool_checks_the_rules_and_the_compose_config() -> None:
    for path in RULES:
        assert "SUCCESS" in promtool("check", "rules", str(path.relative_to(REPO)))
    output = promtool("check", "config", "deploy/prometheus/prometheus.yml")
    assert f"SUCCESS: {len(RULES)} rule files found" in output, "prometheus.yml loads every rule file"


def test_promtool_unit_tests_pass() -> None:
    assert UNIT_TESTS
    output = promtool("test", "rules", *(str(path.relative_to(REPO)) for path in UNIT_TESTS))
    assert "SUCCESS" in output and "FAILED" not in output


def test_the_promql_parser_finds_metric_names() -> None:
    expr = (
        'sum by (topic) (increase(reelforge_events_published_total{topic=~".+\\\\.dlq", x="up"}[10m] offset 5m))'
        " - on (topic) group_right histogram_quantile(0.9, rate(reelforge_stage_duration_seconds_bucket[5m]))"
        " > 0.25 and up == 0 unless reelforge_outbox_pending"
    )
    assert metric_names(expr) == {
        "reelforge_events_published_total",
        "reelforge_stage_duration_seconds_bucket",
        "up",
        "reelforge_outbox_pending",
    }


def test_every_alert_says_what_to_do_and_is_unit_tested() -> None:
    alerts = [rule for rule in rules() if "alert" in rule]
    assert len(alerts) == len({rule["alert"] for rule in alerts}), "alert names are unique"
    for rule in alerts:
        assert rule["labels"]["severity"] in {"warning", "critical"}, rule["alert"]
        for annotation in ("summary", "runbook"):
            assert rule["annotations"].get(annotation, "").strip(), f"{rule['alert']} has no {annotation}"
    fired = {
        case["alertname"]
        for path in UNIT_TESTS
        for test in yaml.safe_load(path.read_text())["tests"]
        for case in test.get("alert_rule_test", [])
        if case.get("exp_alerts")
    }
    assert {rule["alert"] for rule in alerts} <= fired, "every alert has a promtool test that makes it fire"
    names = {rule["alert"] for rule in alerts}
    for trouble in ("ServiceDown", "JobsStalled", "ConsumerLag", "ErrorRate", "DeadLetters", "WebhookFailure"):
        assert any(trouble in name for name in names), f"no alert for {trouble}"


def test_the_alerts_and_the_dashboards_use_only_metrics_the_code_exports() -> None:
    exported = exported_series() | FROM_PROMETHEUS
    alerting = set().union(*(metric_names(rule["expr"]) for rule in rules()))
    assert alerting and alerting <= exported, f"the rules read series no process exports: {alerting - exported}"
    assert len(DASHBOARDS) >= 5, "overview, pipeline, providers, api and webhooks"
    shown = charted()
    assert shown and shown <= exported, f"the dashboards chart series no process exports: {shown - exported}"


def test_both_prometheus_configs_load_the_rules_and_label_targets_alike() -> None:
    """The compose config (prometheus.yml) and the Kubernetes one give every target `job="reelforge"` and a
    `service` label, which the rules read. Debian's promtool is built without Kubernetes discovery, so the
    Kubernetes config is read here rather than by `promtool check config`."""
    compose = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    kubernetes = yaml.safe_load((PROMETHEUS / "prometheus-kubernetes.yml").read_text())
    for config in (compose, kubernetes):
        assert config["rule_files"] == ["rules/*.yml"]
        assert [job["job_name"] for job in config["scrape_configs"]] == ["reelforge"]
    groups = compose["scrape_configs"][0]["static_configs"]
    assert all(set(group["labels"]) == {"service"} for group in groups)
    relabels = kubernetes["scrape_configs"][0]["relabel_configs"]
    assert {
        "source_labels": ["__meta_kubernetes_pod_label_app_kubernetes_io_name"],
        "target_label": "service",
    } in relabels


def test_the_rules_match_topics_and_services_that_exist() -> None:
    """A renamed topic or service would silence an alert without failing promtool: its matchers name real ones."""
    from libs.common.events import Topics

    services = {path.name for path in (REPO / "services").iterdir() if (path / "__main__.py").exists()}
    for rule in rules():
        for label, value in re.findall(r'\b(topic|service)="([^"]*)"', rule["expr"]):
            known = set(Topics.ALL) if label == "topic" else services
            assert value in known, f"{rule['alert']} matches {label}={value!r}, which the code does not have"
