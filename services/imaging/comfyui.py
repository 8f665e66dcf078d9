"""Scene stills from a self-hosted ComfyUI: a text-to-image graph queued over its HTTP API.

The graph is `comfyui_txt2img.json` beside this file, in ComfyUI's API format (CheckpointLoaderSimple →
CLIPTextEncode ×2 → EmptyLatentImage → KSampler → VAEDecode → SaveImage). Its nodes are filled by
class: the checkpoint (REELFORGE_COMFYUI_CHECKPOINT), the KSampler's positive and negative texts,
the latent's size, the KSampler's seed, steps and cfg. `POST /prompt` queues it; `GET /history/{id}`
is polled until the run is recorded there (ComfyUI records a run when it has ended); the picture
comes from `GET /view`. The seed comes from the picture's seed string, and ComfyUI caches a graph it
has run, so a redelivered scene gets the same picture at once. A reference image is not used: the
graph is text-to-image (the web UI maker paints over one).
"""

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import httpx
from pydantic import BaseModel, ConfigDict, RootModel, model_validator

from libs.common.errors import ProviderError
from libs.common.events import CostBreakdown
from libs.common.pricing import Prices
from services.imaging.local_sd import LocalServer, Sampling, canvas
from services.imaging.pictures import PictureKind, PictureRequest, fit_to_frame, png, provider_image

NAME = "ComfyUI"
URL_SETTING = "REELFORGE_COMFYUI_URL"
CHECKPOINT_SETTING = "REELFORGE_COMFYUI_CHECKPOINT"
WORKFLOW_FILE = Path(__file__).with_name("comfyui_txt2img.json")
ONE_OF_EACH = ("CheckpointLoaderSimple", "EmptyLatentImage", "KSampler", "SaveImage")
RETRYABLE_EXCEPTIONS = ("OutOfMemoryError", "InterruptProcessingException")
"""Run failures worth another attempt: the GPU was short of memory, or someone interrupted the queue."""


class Node(BaseModel):
    model_config = ConfigDict(extra="allow")  # `_meta`, as ComfyUI saves it

    class_type: str
    inputs: dict[str, Any]


def _links(node: Node) -> list[tuple[str, Any]]:
    """The inputs that take another node's output: `[node id, output index]`."""
    return [(name, value) for name, value in node.inputs.items() if isinstance(value, list) and len(value) == 2]


class Workflow(RootModel[dict[str, Node]]):
    """A graph in ComfyUI's API format with one checkpoint, latent, sampler and output, and the
    sampler's prompts in CLIPTextEncode nodes; every link names a node of the graph."""

    @model_validator(mode="after")
    def _filled_by_class(self) -> Self:
        nodes = self.root
        for class_type in ONE_OF_EACH:
            count = sum(node.class_type == class_type for node in nodes.values())
            if count != 1:
                raise ValueError(f"the graph needs exactly one {class_type} node, it has {count}")
        for node_id, node in nodes.items():
            for name, (source, _) in _links(node):
                if str(source) not in nodes:
                    raise ValueError(f"node {node_id} input {name} links to node {source}, which is not in the graph")
        sampler = nodes[self.node_of("KSampler")]
        for name in ("positive", "negative"):
            if nodes[self.linked(sampler, name)].class_type != "CLIPTextEncode":
                raise ValueError(f"the KSampler's {name} input must come from a CLIPTextEncode node")
        if self.linked(sampler, "latent_image") != self.node_of("EmptyLatentImage"):
            raise ValueError("the KSampler's latent_image input must come from the EmptyLatentImage node")
        return self

    def node_of(self, class_type: str) -> str:
        return next(node_id for node_id, node in self.root.items() if node.class_type == class_type)

    def linked(self, node: Node, name: str) -> str:
        link = node.inputs.get(name)
        if not isinstance(link, list) or len(link) != 2:
            raise ValueError(f"the {node.class_type} node's {name} input must link to another node")
        return str(link[0])

    def filled(self, request: PictureRequest, sampling: Sampling, checkpoint: str) -> dict[str, Any]:
        """The graph as `POST /prompt` takes it, painting `request`."""
        graph = {node_id: node.model_dump(by_alias=True) for node_id, node in self.root.items()}
        sampler_id = self.node_of("KSampler")
        sampler = self.root[sampler_id]
        width, height = canvas(request.width, request.height, sampling.long_side)
        graph[self.node_of("CheckpointLoaderSimple")]["inputs"]["ckpt_name"] = checkpoint
        graph[self.linked(sampler, "positive")]["inputs"]["text"] = request.prompt
        graph[self.linked(sampler, "negative")]["inputs"]["text"] = sampling.negative_prompt
        graph[self.node_of("EmptyLatentImage")]["inputs"] |= {"width": width, "height": height, "batch_size": 1}
        graph[sampler_id]["inputs"] |= {
            "seed": request.seed_number,
            "steps": sampling.steps_for(request.quality),
            "cfg": sampling.cfg_scale,
        }
        return graph


def load_workflow(path: Path = WORKFLOW_FILE) -> Workflow:
    return Workflow.model_validate_json(path.read_bytes())


def comfyui_server(url: str, timeout: httpx.Timeout) -> LocalServer:
    return LocalServer(NAME, url, URL_SETTING, timeout, explain=_said, not_found_hint=f"check {URL_SETTING}")


@dataclass(frozen=True)
class ComfyUIStills:
    server: LocalServer
    sampling: Sampling
    checkpoint: str
    poll_s: float
    max_wait_s: float
    workflow: Workflow = field(default_factory=load_workflow)
    client_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    kind: PictureKind = "image"

    def cost(self, prices: Prices, has_reference: bool) -> CostBreakdown:
        """Nothing: the user's own GPU paints."""
        return CostBreakdown()

    async def make(self, request: PictureRequest) -> bytes:
        graph = self.workflow.filled(request, self.sampling, self.checkpoint)
        queued = await self.server.call_json("POST", "/prompt", json={"prompt": graph, "client_id": self.client_id})
        if not isinstance(queued, dict) or not isinstance(queued.get("prompt_id"), str):
            raise ProviderError(f"{self.server.at} queued the graph without a prompt_id; trying again", retryable=True)
        if queued.get("node_errors"):
            raise ProviderError(f"{self.server.at} refused the graph: {_said(queued)}", retryable=False)
        run = await self._ended(queued["prompt_id"])
        picture = _first_image(run.get("outputs"), self.workflow.node_of("SaveImage"))
        if picture is None:
            raise _run_failure(self.server.at, run.get("status"))
        response = await self.server.call("GET", "/view", params=picture)
        image = provider_image(response.content, self.server.at)
        return png(fit_to_frame(image, request.width, request.height))

    async def _ended(self, prompt_id: str) -> dict[str, Any]:
        """The run's history entry, polled until ComfyUI records it (it does once the run has ended)."""
        deadline = time.monotonic() + self.max_wait_s
        while True:
            history = await self.server.call_json("GET", f"/history/{prompt_id}")
            run = history.get(prompt_id) if isinstance(history, dict) else None
            if isinstance(run, dict):
                return run
            if time.monotonic() > deadline:
                raise ProviderError(
                    f"{self.server.at} did not finish the picture within {self.max_wait_s:g} s; trying again",
                    retryable=True,
                )
            await asyncio.sleep(self.poll_s)


def _first_image(outputs: Any, save_node: str) -> dict[str, str] | None:
    """`filename`, `subfolder` and `type` of the SaveImage node's first picture (or any node's)."""
    if not isinstance(outputs, dict):
        return None
    ordered = [outputs.get(save_node), *outputs.values()]
    for output in ordered:
        images = output.get("images") if isinstance(output, dict) else None
        if isinstance(images, list) and images and isinstance(images[0], dict) and images[0].get("filename"):
            first = images[0]
            return {"filename": first["filename"], "subfolder": first.get("subfolder", ""),
                    "type": first.get("type", "output")}  # fmt: skip
    return None


def _run_failure(at: str, status: Any) -> ProviderError:
    """Why a recorded run made no picture, from its `status.messages` (`execution_error` names the node)."""
    messages = status.get("messages") if isinstance(status, dict) else None
    for message in messages if isinstance(messages, list) else []:
        if isinstance(message, list) and len(message) == 2 and message[0] == "execution_error":
            error = message[1] if isinstance(message[1], dict) else {}
            kind = str(error.get("exception_type", ""))
            where = f"{error.get('node_type', 'a node')} (node {error.get('node_id', '?')})"
            retryable = any(name in kind for name in RETRYABLE_EXCEPTIONS)
            said = f"{at} failed in {where}: {kind}: {error.get('exception_message', '').strip()}"
            return ProviderError(said + ("; trying again" if retryable else ""), retryable=retryable)
        if isinstance(message, list) and message and message[0] == "execution_interrupted":
            return ProviderError(f"{at} was interrupted while painting; trying again", retryable=True)
    return ProviderError(f"{at} finished the graph without a picture; trying again", retryable=True)


def _said(body: Any) -> str:
    """ComfyUI's words for a refused graph: its `error`, then each node's errors, naming the node's class;
    a checkpoint it lacks also names the setting that chose it."""
    if not isinstance(body, dict):
        return str(body or "")
    error = body.get("error")
    parts = [f"{error.get('message', '')}".strip() if isinstance(error, dict) else str(error or "")]
    node_errors = body.get("node_errors")
    wrong_checkpoint = False
    for node_id, problem in (node_errors if isinstance(node_errors, dict) else {}).items():
        for reason in problem.get("errors", []) if isinstance(problem, dict) else []:
            if not isinstance(reason, dict):
                continue
            parts.append(f"{problem.get('class_type', 'node')} (node {node_id}): {reason.get('message', '')}: "
                         f"{reason.get('details', '')}")  # fmt: skip
            wrong_checkpoint |= str(reason.get("details", "")).startswith("ckpt_name")
    if wrong_checkpoint:
        parts.append(f"set {CHECKPOINT_SETTING} to one of the server's checkpoints")
    return "; ".join(part for part in parts if part)
