"""The Grafana dashboards (deploy/grafana/dashboards) are well formed for Grafana's provisioning, every query
parses as PromQL, and every series they chart is really exported by running services after some traffic, so
that no panel can go blank because a metric was renamed or never recorded.

promtool comes from Debian's `prometheus` package (see test_alerts.py); it parses the queries.
"""

import asyncio
import re
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import uvicorn
import yaml
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from pydantic_settings import BaseSettings
from websockets.asyncio.client import connect

from libs.common.events import JobInput, RenderOptions, WebhookEndpointRegistered
from libs.common.settings import StorageSettings
from services.audio.app import create_app as create_audio
from services.audio.settings import AudioSettings
from services.gateway.app import create_app as create_gateway
from services.gateway.core import jobs
from services.gateway.core.security import Principal
from services.gateway.settings import GatewaySettings
from services.imaging.app import create_app as create_imaging
from services.imaging.settings import ImagingSettings
from services.notifier.app import create_app as create_notifier
from services.notifier.handlers import REQUESTS_CONSUMER
from services.notifier.settings import NotifierSettings
from services.render.app import create_app as create_render
from services.render.settings import RenderSettings
from services.story.app import create_app as create_story
from services.story.settings import StorySettings
from tests.bus import BusProbe, processed, service_settings, serving
from tests.deploy.promql import FROM_PROMETHEUS, REPO, charted, dashboards, queries
from tests.receiver import Answer, Receiver
from tests.servers import free_port

PROVISIONING = REPO / "deploy" / "grafana" / "provisioning"
GRID_WIDTH = 24
WEBHOOK_SECRET = "whsec_" + "cmVlbGZvcmdlLWRhc2hib2FyZC1zZWNyZXQ="
OWNER = Principal(user_id="dashboard-owner", role="user", username="dashboards")
SOCKETS = "reelforge_websocket_connections"
S = TypeVar("S", bound=BaseSettings)


def test_the_dashboards_are_provisioned_from_their_folder_with_the_datasource_they_name() -> None:
    [provider] = yaml.safe_load((PROVISIONING / "dashboards" / "reelforge.yml").read_text())["providers"]
    assert provider["type"] == "file" and provider["options"]["path"] == "/var/lib/grafana/dashboards"
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    assert "./deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro" in compose["services"]["grafana"]["volumes"]
    [source] = yaml.safe_load((PROVISIONING / "datasources" / "prometheus.yml").read_text())["datasources"]
    for path, board in dashboards().items():
        [variable] = [item for item in board["templating"]["list"] if item["type"] == "datasource"]
        assert (variable["name"], variable["query"]) == ("datasource", "prometheus"), path.name
        assert variable["current"]["value"] == source["uid"], f"{path.name} defaults to the provisioned data source"


def test_every_dashboard_is_well_formed() -> None:
    boards = dashboards()
    assert {path.name for path in boards} >= {
        "overview.json",
        "pipeline.json",
        "providers.json",
        "api.json",
        "webhooks.json",
    }
    uids = [board["uid"] for board in boards.values()]
    assert len(uids) == len(set(uids)), "dashboard uids are unique"
    titles = [board["title"] for board in boards.values()]
    assert len(titles) == len(set(titles)), "dashboard titles are unique (Grafana files them by title too)"
    for path, board in boards.items():
        name = path.name
        assert re.fullmatch(r"[a-z0-9-]{1,40}", board["uid"]), f"{name}: uid {board['uid']!r}"
        assert isinstance(board["schemaVersion"], int) and board["schemaVersion"] >= 36, name
        assert board["title"].startswith("Reelforge ") and "reelforge" in board["tags"], name
        assert board["panels"], f"{name} has no panels"
        ids = [panel["id"] for panel in board["panels"]]
        assert len(ids) == len(set(ids)) and all(isinstance(i, int) for i in ids), f"{name}: duplicate panel ids"
        variables = {item["name"] for item in board["templating"]["list"]}
        taken: set[tuple[int, int]] = set()
        for panel in board["panels"]:
            where = f"{name} panel {panel['id']} ({panel.get('title')})"
            assert panel.get("title", "").strip() and panel.get("description", "").strip(), where
            assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, where
            grid = panel["gridPos"]
            assert all(isinstance(grid[key], int) for key in ("h", "w", "x", "y")), where
            assert grid["w"] > 0 and grid["h"] > 0 and grid["x"] + grid["w"] <= GRID_WIDTH, where
            cells = {
                (x, y) for x in range(grid["x"], grid["x"] + grid["w"]) for y in range(grid["y"], grid["y"] + grid["h"])
            }
            assert not cells & taken, f"{where} overlaps another panel"
            taken |= cells
            assert panel["targets"], f"{where} has no queries"
            assert len({target["refId"] for target in panel["targets"]}) == len(panel["targets"]), where
            for target in panel["targets"]:
                assert target["expr"].strip() and target["datasource"] == panel["datasource"], where
                used = set(re.findall(r"\$(?!__)(\w+)", target["expr"]))
                assert used <= variables, f"{where} uses variables the dashboard lacks: {used - variables}"


def promql(expr: str) -> str:
    """A dashboard query as Prometheus would get it from Grafana: its variables filled in."""
    for variable, value in {"__rate_interval": "1m", "__range": "6h", "__interval": "30s"}.items():
        expr = expr.replace(f"${variable}", value)
    return re.sub(r"\$\w+", ".*", expr)


def test_every_dashboard_query_is_valid_promql(tmp_path: Path) -> None:
    """promtool parses each query as a recording rule's expression, the same parser Prometheus runs."""
    binary = shutil.which("promtool")
    if binary is None:
        pytest.fail("promtool is missing: `apt-get install prometheus` (Debian's package ships it)")
    rules = [
        {"record": f"dashboard:{path.stem}:{number}", "expr": promql(expr)}
        for path, board in dashboards().items()
        for number, expr in enumerate(queries(board))
        if not expr.startswith("label_values(")
    ]
    parsed = tmp_path / "dashboards.yml"
    parsed.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}))
    run = subprocess.run([binary, "check", "rules", str(parsed)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr


SERVICES: list[tuple[Callable[[Any], FastAPI], type[BaseSettings], str]] = [
    (create_story, StorySettings, "story"),
    (create_imaging, ImagingSettings, "imaging"),
    (create_audio, AudioSettings, "audio"),
    (create_render, RenderSettings, "render"),
]


@asynccontextmanager
async def listening(app: FastAPI) -> AsyncIterator[str]:
    """`app` served by uvicorn on a free loopback port, lifespan included, as `serve` runs it; its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on"))
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(60):
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def exposition(text: str) -> dict[str, float]:
    """Each series name in a /metrics answer with the sum of its samples (so a counter's growth shows)."""
    sums: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            sums[sample.name] = sums.get(sample.name, 0.0) + sample.value
    return sums


async def test_a_job_through_running_services_makes_every_charted_series(kafka: str, tmp_path: Path) -> None:
    """Every service of the pipeline and the notifier run in this process on the real broker, the gateway on a
    real port; one job goes through, its webhook goes to one endpoint that takes it and one that answers 410
    Gone, and the gateway gets HTTP and WebSocket traffic. Then the gateway's /metrics has a sample of every
    series a dashboard charts, and every counter and histogram among them grew.

    The services share this process's registry, so the gateway's /metrics shows every service's metrics; each
    service exports its own in a deployment, where Prometheus scrapes them all."""
    storage = StorageSettings(media_dir=tmp_path / "media")

    def settings(cls: type[S], name: str) -> S:
        return service_settings(cls, kafka, f"sqlite+aiosqlite:///{tmp_path}/{name}.db", storage, tmp_path)

    notifier_settings = NotifierSettings(
        kafka_bootstrap_servers=kafka,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/notifier.db",
        var_dir=tmp_path,
        log_format="text",
        webhook_retry_schedule_s=[0, 0.2],
        webhook_allowed_hosts=["127.0.0.1"],
    )
    async with (
        AsyncExitStack() as stack,
        Receiver() as taking,
        Receiver(then=Answer(410)) as gone,
        BusProbe(kafka) as bus,
        httpx.AsyncClient(timeout=30) as client,
    ):
        gateway_app = create_gateway(settings(GatewaySettings, "gateway"))
        gateway = await stack.enter_async_context(listening(gateway_app))
        for create, settings_class, name in SERVICES:
            await stack.enter_async_context(serving(create(settings(settings_class, name))))
        notifier = await stack.enter_async_context(serving(create_notifier(notifier_settings)))
        before = exposition((await client.get(f"{gateway}/metrics")).text)

        for receiver in (taking, gone):
            endpoint = WebhookEndpointRegistered(
                endpoint_id=uuid.uuid4(),
                user_id=OWNER.user_id,
                url=receiver.url,
                secret=WEBHOOK_SECRET,
                events=["generation.complete", "generation.failed"],
            )
            await bus.publish(endpoint)
            await processed(notifier, REQUESTS_CONSUMER, endpoint.event_id)
        runtime = gateway_app.state.runtime
        job = await jobs.create_job(
            runtime,
            OWNER,
            JobInput(script="A lighthouse keeper lights the lamp."),
            RenderOptions(width=128, height=128),
        )
        assert (await client.get(f"{gateway}/healthz")).status_code == 200
        assert (await client.get(f"{gateway}/api/v1/jobs/{job.id}")).status_code == 401
        async with connect(f"{gateway.replace('http', 'ws', 1)}/api/v1/jobs/{job.id}/events"):
            open_now = (await client.get(f"{gateway}/metrics")).text  # accepted, waiting for its token message
        assert f'{SOCKETS}{{route="/api/v1/jobs/{{job_id}}/events",service="gateway"}} 1.0' in open_now

        async with asyncio.timeout(120):
            while (await jobs.get_job(runtime, OWNER, job.id)).status != "completed":
                await asyncio.sleep(0.2)
            await taking.requests(1, timeout_s=60)
            await gone.requests(1, timeout_s=60)
            # The notifier counts an attempt once it has recorded it. The registry is this process's, so series
            # an earlier test moved are there already: wait until this job's attempts have moved them again.
            webhook_series = (
                "reelforge_webhook_attempts_total",
                "reelforge_webhook_failures_total",
                "reelforge_webhook_endpoints_disabled_total",
            )
            while True:
                text = (await client.get(f"{gateway}/metrics")).text
                now_seen = exposition(text)
                if all(now_seen.get(name, 0) > before.get(name, 0) for name in webhook_series):
                    break
                await asyncio.sleep(0.1)
    after = exposition(text)

    wanted = charted() - FROM_PROMETHEUS
    missing = wanted - set(after)
    assert not missing, f"the dashboards chart series no running service exposed: {sorted(missing)}"
    still = {
        name for name in wanted if name.endswith(("_total", "_bucket", "_count")) and after[name] <= before.get(name, 0)
    }
    assert not still, f"the traffic did not move these charted series: {sorted(still)}"
    assert 'route="/api/v1/jobs/{job_id}"' in text and str(job.id) not in text, "routes are templates, never ids"
    assert f'{SOCKETS}{{route="/api/v1/jobs/{{job_id}}/events",service="gateway"}} 0.0' in text, "and it closed"
    assert 'reelforge_webhook_failures_total{reason="gone"}' in text
    assert 'reelforge_webhook_endpoints_disabled_total{reason="gone"}' in text
    assert 'reelforge_spend_usd_total{kind="ffmpeg_processing",stage="render"}' in text
    assert re.search(r'reelforge_provider_calls_total\{[^}]*provider="offline"[^}]*\}', text)


async def test_the_api_dashboard_routes_are_templates_whatever_the_path() -> None:
    """Routes of included routers, of a dialect's mounted application and plain Starlette routes (/metrics) are
    recorded by their templates, a path no route matches as `unmatched`, and an unknown method as `other`: a
    client cannot add a series per path or per method it sends."""
    app = create_gateway(GatewaySettings())
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    job_id = uuid.uuid4()
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        for method, path in [
            ("GET", "/metrics"),
            ("GET", f"/api/v1/jobs/{job_id}"),  # no credentials: a 401, still on its route
            ("GET", "/compat/storyboard/api/v1/models/nothing-such"),
            ("GET", f"/no/such/{job_id}"),
            ("BREW", "/healthz"),
        ]:
            await client.request(method, path)
        text = (await client.get("/metrics")).text
    series = set(re.findall(r"^reelforge_http_requests_total\{(.*)\}", text, re.MULTILINE))
    for labels in (
        'method="GET",route="/metrics",service="gateway",status="200"',
        'method="GET",route="/api/v1/jobs/{job_id}",service="gateway",status="401"',
        'method="GET",route="/compat/storyboard/api/v1/models/{model_id}",service="gateway",status="404"',
        'method="GET",route="unmatched",service="gateway",status="404"',
        'method="other",route="/healthz",service="gateway",status="405"',
    ):
        assert labels in series, f"{labels} not among {sorted(series)}"
    assert str(job_id) not in text
