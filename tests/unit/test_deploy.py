"""The distributed setup cannot start here (no Docker engine), so it is kept correct by reading it.

Compose must run every service with settings the code really reads, Prometheus must
scrape every process where it listens, and the dashboards may only chart metrics
that exist.
"""

import importlib
import json
import re
from pathlib import Path

import pytest
import yaml
from prometheus_client import REGISTRY
from pydantic import AliasChoices
from pydantic_settings import BaseSettings

import libs.common.metrics  # noqa: F401 - registers the platform's metrics

REPO = Path(__file__).resolve().parents[2]
SERVICES = sorted(path.name for path in (REPO / "services").iterdir() if (path / "__main__.py").exists())


def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def settings_class(service: str) -> type[BaseSettings]:
    module = importlib.import_module(f"services.{service}.settings")
    return next(
        value
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, BaseSettings) and value.__module__ == module.__name__
    )


def accepted_variables(cls: type[BaseSettings]) -> set[str]:
    names = set()
    for name, field in cls.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names.update(str(choice) for choice in alias.choices)
        else:
            names.add(f"REELFORGE_{name.upper()}")
    return names


def test_every_service_runs_from_the_one_image() -> None:
    services = compose()["services"]
    for name in SERVICES:
        assert services[name]["command"] == ["python", "-m", f"services.{name}"], name
        assert services[name]["build"] == "."


@pytest.mark.parametrize("service", SERVICES)
def test_compose_sets_only_settings_the_service_reads(service: str) -> None:
    environment = compose()["services"][service]["environment"]
    everything = set().union(*(accepted_variables(settings_class(name)) for name in SERVICES))
    unknown = set(environment) - everything
    assert not unknown, f"compose sets variables no service reads: {unknown}"
    mine = accepted_variables(settings_class(service))
    assert {"REELFORGE_HOST", "DATABASE_URL"} <= mine and "0.0.0.0" == environment["REELFORGE_HOST"]


def test_prometheus_scrapes_every_process_on_its_port() -> None:
    config = yaml.safe_load((REPO / "deploy/prometheus/prometheus.yml").read_text())
    targets = {
        target for job in config["scrape_configs"] for group in job["static_configs"] for target in group["targets"]
    }
    expected = {f"{name}:{settings_class(name).model_construct().port}" for name in SERVICES}
    assert targets == expected


def test_the_dashboards_chart_only_metrics_that_exist() -> None:
    """Every metric lives in libs/common/metrics.py, so importing it registers all that a dashboard may chart."""
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}
    exposed = {metric.name + suffix for metric in REGISTRY.collect() for suffix in suffixes.get(metric.type, ("",))}
    boards = sorted((REPO / "deploy/grafana/dashboards").glob("*.json"))
    assert len(boards) >= 5
    for path in boards:
        dashboard = json.loads(path.read_text())
        charted = {
            name
            for panel in dashboard["panels"]
            for target in panel["targets"]
            for name in re.findall(r"\breelforge_[a-z_]+", target["expr"])
        }
        assert charted and charted <= exposed, f"{path.name}: {charted - exposed}"


def test_the_image_has_the_system_tools_and_the_pinned_packages() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    for package in ("ffmpeg", "espeak-ng", "fonts-noto-cjk"):
        assert package in dockerfile
    assert "-r requirements.lock" in dockerfile


def pins(path: Path) -> dict[str, str]:
    lines = [line for line in path.read_text().splitlines() if line and not line.startswith("#")]
    assert all("==" in line for line in lines), f"{path.name} has unpinned lines"
    return dict(line.split("==", 1) for line in lines)


def test_the_run_time_pins_are_the_tested_pins() -> None:
    run, test = pins(REPO / "requirements.lock"), pins(REPO / "requirements-test.lock")
    assert {name: version for name, version in run.items() if test.get(name) != version} == {}


def test_hourly_job_caps_are_a_deployment_setting_on_in_compose_and_off_on_ones_own_machine() -> None:
    from services.gateway.access_settings import AccessSettings

    assert set(AccessSettings().jobs_per_hour.values()) == {0}, "a creator on their own machine is never made to wait"
    caps = json.loads(compose()["x-reelforge"]["environment"]["REELFORGE_JOBS_PER_HOUR"])
    assert caps == {"FREE": 10, "PRO": 100, "ENTERPRISE": 0}
