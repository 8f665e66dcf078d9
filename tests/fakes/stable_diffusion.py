"""A local server that answers like a self-hosted Stable Diffusion, for testing the local picture makers over HTTP.

It speaks both APIs on one port, in their real shapes:

- The AUTOMATIC1111 / Forge web UI (`--api`): `POST /sdapi/v1/txt2img` and `/sdapi/v1/img2img` answer
  `{"images": [base64 PNG], "parameters": <the request>, "info": <a JSON string: seed, size, sampler…>}`.
  A field of the wrong type is FastAPI's 422 `{"detail": [{"type", "loc", "msg", "input"}]}`, an unknown
  sampler the web UI's 404 `{"error": "HTTPException", "detail": "Sampler not found", "body", "errors"}`,
  an init image Pillow cannot read its 500 "Invalid encoded image"; with a login set (`--api-auth`),
  requests without it are 401. Unlike the web UI, the fake refuses fields it does not know (the web UI
  drops them), sizes that are not a multiple of 8, and steps or CFG scales out of the UI's ranges, so a
  misspelt or wrong field fails a test rather than being silently ignored.
- ComfyUI: `POST /prompt` checks the graph as ComfyUI's `validate_prompt` does (known node classes, an
  output node, required inputs, links to the right output types, numbers within each input's range,
  choices among the server's: its checkpoints, samplers and schedulers) and answers `{"prompt_id",
  "number", "node_errors": {}}`, or 400 `{"error": {"type", "message", "details", "extra_info"},
  "node_errors": {id: {"errors", "dependent_outputs", "class_type"}}}`. `GET /history/{id}` is `{}` at
  the first poll (still running), then holds the run's outputs and status; `GET /view` serves the PNG.

Pictures are PNGs of the requested size that differ with the prompt and the seed. Failures are scriptable
per test: `fail_next(api, status)` answers the next generation request of that API with an HTTP error,
`fail_run(exception_type, message)` makes the next ComfyUI run end in an `execution_error`.
"""

import base64
import binascii
import io
import json
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from PIL import Image, UnidentifiedImageError

from tests.fakes.openai_api import picture_png
from tests.servers import ServedApp

Api = Literal["webui", "comfyui"]
Body = dict[str, Any]
CHECKPOINTS = ("sd_xl_base_1.0.safetensors", "v1-5-pruned-emaonly.safetensors")
WEBUI_SAMPLERS = ("Euler a", "Euler", "DPM++ 2M", "DPM++ SDE", "DDIM", "UniPC")
COMFY_SAMPLERS = ("euler", "euler_ancestral", "dpmpp_2m", "dpmpp_sde", "ddim", "uni_pc")
COMFY_SCHEDULERS = ("normal", "karras", "exponential", "sgm_uniform", "simple", "ddim_uniform")

WEBUI_FIELDS: dict[str, type | tuple[type, ...]] = {
    "prompt": str,
    "negative_prompt": str,
    "width": int,
    "height": int,
    "steps": int,
    "cfg_scale": (int, float),
    "seed": int,
    "sampler_name": str,
    "batch_size": int,
    "n_iter": int,
}
IMG2IMG_FIELDS: dict[str, type | tuple[type, ...]] = {"init_images": list, "denoising_strength": (int, float)}


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    body: Any
    query: dict[str, str]
    headers: dict[str, str]


@dataclass(frozen=True)
class Failure:
    status: int
    body: Any = None


@dataclass
class Run:
    """A queued ComfyUI graph: its history entry appears after `polls_left` polls."""

    prompt_id: str
    number: int
    graph: Body
    client_id: str | None
    outputs: Body
    error: Body | None = None
    polls_left: int = 1


# ComfyUI node classes: inputs (name -> ("LINK", type) | ("INT"/"FLOAT", low, high) | ("COMBO", choices) |
# ("STRING",)) and output types, as `/object_info` describes them.
NODES: dict[str, tuple[dict[str, tuple[Any, ...]], tuple[str, ...]]] = {
    "CheckpointLoaderSimple": ({"ckpt_name": ("COMBO", CHECKPOINTS)}, ("MODEL", "CLIP", "VAE")),
    "CLIPTextEncode": ({"text": ("STRING",), "clip": ("LINK", "CLIP")}, ("CONDITIONING",)),
    "EmptyLatentImage": (
        {"width": ("INT", 16, 16384), "height": ("INT", 16, 16384), "batch_size": ("INT", 1, 4096)},
        ("LATENT",),
    ),
    "KSampler": (
        {
            "model": ("LINK", "MODEL"),
            "seed": ("INT", 0, 2**64 - 1),
            "steps": ("INT", 1, 10000),
            "cfg": ("FLOAT", 0.0, 100.0),
            "sampler_name": ("COMBO", COMFY_SAMPLERS),
            "scheduler": ("COMBO", COMFY_SCHEDULERS),
            "positive": ("LINK", "CONDITIONING"),
            "negative": ("LINK", "CONDITIONING"),
            "latent_image": ("LINK", "LATENT"),
            "denoise": ("FLOAT", 0.0, 1.0),
        },
        ("LATENT",),
    ),
    "VAEDecode": ({"samples": ("LINK", "LATENT"), "vae": ("LINK", "VAE")}, ("IMAGE",)),
    "SaveImage": ({"images": ("LINK", "IMAGE"), "filename_prefix": ("STRING",)}, ()),
}
OUTPUT_NODES = frozenset({"SaveImage"})


class FakeStableDiffusion:
    def __init__(self) -> None:
        self.base_url = ""
        self.login: tuple[str, str] | None = None
        """The web UI's `--api-auth user:password`; None: no login asked."""
        self._lock = threading.Lock()
        self._failures: dict[Api, deque[Failure]] = {"webui": deque(), "comfyui": deque()}
        self._run_errors: deque[Body] = deque()
        self._runs: dict[str, Run] = {}
        self._files: dict[str, bytes] = {}
        self._recorded: list[Recorded] = []
        self._number = 0

    def fail_next(self, api: Api, status: int, body: Any = None) -> None:
        with self._lock:
            self._failures[api].append(Failure(status, body))

    def fail_run(self, exception_type: str, message: str) -> None:
        with self._lock:
            self._run_errors.append({"exception_type": exception_type, "exception_message": message})

    def requests(self, path_prefix: str = "", method: str | None = None) -> list[Recorded]:
        with self._lock:
            return [
                record
                for record in self._recorded
                if record.path.startswith(path_prefix) and method in (None, record.method)
            ]

    def reset(self) -> None:
        with self._lock:
            for queued in self._failures.values():
                queued.clear()
            self._run_errors.clear()
            self._runs.clear()
            self._files.clear()
            self._recorded.clear()
            self.login = None

    def record(self, request: Request, body: Any) -> None:
        with self._lock:
            self._recorded.append(
                Recorded(request.method, request.url.path, body, dict(request.query_params), dict(request.headers))
            )

    def failure(self, api: Api) -> Failure | None:
        with self._lock:
            queued = self._failures[api]
            return queued.popleft() if queued else None

    def authorized(self, header: str | None) -> bool:
        if self.login is None:
            return True
        expected = base64.b64encode(f"{self.login[0]}:{self.login[1]}".encode()).decode()
        return header == f"Basic {expected}"

    def queue_run(self, graph: Body, client_id: str | None) -> Run:
        with self._lock:
            self._number += 1
            run = Run(uuid.uuid4().hex, self._number, graph, client_id, {})
            error = self._run_errors.popleft() if self._run_errors else None
            if error is not None:
                run.error = error
            else:
                save_id = next(node_id for node_id, node in graph.items() if node["class_type"] == "SaveImage")
                filename = f"{graph[save_id]['inputs']['filename_prefix']}_{self._number:05}_.png"
                self._files[filename] = comfy_picture(graph)
                run.outputs = {save_id: {"images": [{"filename": filename, "subfolder": "", "type": "output"}]}}
            self._runs[run.prompt_id] = run
            return run

    def history(self, prompt_id: str) -> Body:
        with self._lock:
            run = self._runs.get(prompt_id)
            if run is None:
                return {}
            if run.polls_left > 0:
                run.polls_left -= 1
                return {}
            return {prompt_id: history_entry(run)}

    def file(self, filename: str) -> bytes | None:
        with self._lock:
            return self._files.get(filename)


def picture(width: int, height: int, prompt: str, seed: int) -> bytes:
    return picture_png(width, height, f"{prompt}#{seed}")


# ---- AUTOMATIC1111 -------------------------------------------------------------------------


def _wrong_type(name: str, value: Any, expected: type | tuple[type, ...]) -> Body | None:
    kinds = expected if isinstance(expected, tuple) else (expected,)
    if isinstance(value, bool) or not isinstance(value, kinds):
        kind = {str: "string", int: "integer", list: "list"}.get(kinds[0], "number")
        return {"type": f"{kind}_type", "loc": ["body", name], "msg": f"Input should be a valid {kind}", "input": value}
    return None


def _out_of_range(name: str, value: float, low: float, high: float, step: int) -> Body | None:
    """A number outside [low, high], or not a multiple of `step` (0: any)."""
    if low <= value <= high and (not step or value % step == 0):
        return None
    rule = f" and a multiple of {step}" if step else ""
    return {
        "type": "value_error",
        "loc": ["body", name],
        "msg": f"{name} must be from {low} to {high}{rule}",
        "input": value,
    }


def check_webui(body: Any, img2img: bool) -> list[Body]:
    """FastAPI-style validation errors for a txt2img or img2img body (empty: valid)."""
    if not isinstance(body, dict):
        return [{"type": "model_attributes_type", "loc": ["body"], "msg": "Input should be an object", "input": body}]
    fields = WEBUI_FIELDS | (IMG2IMG_FIELDS if img2img else {})
    errors = [
        {"type": "extra_forbidden", "loc": ["body", name], "msg": "Extra inputs are not permitted", "input": body[name]}
        for name in body
        if name not in fields
    ]
    errors += [
        problem for name, kind in fields.items() if name in body and (problem := _wrong_type(name, body[name], kind))
    ]
    if errors:
        return errors
    ranges = [
        ("width", 64, 2048, 8),
        ("height", 64, 2048, 8),
        ("steps", 1, 150, 0),
        ("cfg_scale", 1, 30, 0),
        ("seed", -1, 2**32 - 1, 0),
        ("batch_size", 1, 8, 0),
        ("denoising_strength", 0, 1, 0),
    ]
    for name, low, high, step in ranges:
        if name in body and (problem := _out_of_range(name, body[name], low, high, step)):
            errors.append(problem)
    if img2img and not body.get("init_images"):
        errors.append({"type": "missing", "loc": ["body", "init_images"], "msg": "Field required", "input": None})
    return errors


def webui_error(status: int, detail: str, error: str = "HTTPException") -> JSONResponse:
    """How the web UI's `api_middleware` answers an exception."""
    errors = f"{status}: {detail}" if error == "HTTPException" else detail
    return JSONResponse(
        {"error": error, "detail": detail if error == "HTTPException" else "", "body": "", "errors": errors}, status
    )


def _readable(encoded: Any) -> bool:
    try:
        data = base64.b64decode(str(encoded).rpartition(",")[2], validate=True)
        Image.open(io.BytesIO(data)).load()
    except (binascii.Error, ValueError, UnidentifiedImageError, OSError):
        return False
    return True


def webui_answer(body: Body) -> Body:
    seed = body.get("seed", -1)
    seed = seed if seed != -1 else 1234567
    width, height = body.get("width", 512), body.get("height", 512)
    images = [
        base64.b64encode(picture(width, height, body.get("prompt", ""), seed + index)).decode()
        for index in range(body.get("batch_size", 1))
    ]
    info = {
        "prompt": body.get("prompt", ""),
        "all_prompts": [body.get("prompt", "")] * len(images),
        "negative_prompt": body.get("negative_prompt", ""),
        "seed": seed,
        "all_seeds": [seed + index for index in range(len(images))],
        "subseed": -1,
        "width": width,
        "height": height,
        "sampler_name": body.get("sampler_name", "Euler"),
        "cfg_scale": body.get("cfg_scale", 7.0),
        "steps": body.get("steps", 20),
        "batch_size": len(images),
        "sd_model_name": "sd_xl_base_1.0",
        "denoising_strength": body.get("denoising_strength"),
        "job_timestamp": time.strftime("%Y%m%d%H%M%S"),
    }
    return {"images": images, "parameters": body, "info": json.dumps(info)}


# ---- ComfyUI ---------------------------------------------------------------------------------


def _check_input(graph: Body, name: str, spec: tuple[Any, ...], value: Any) -> Body | None:
    """ComfyUI's error for one input's value (None: valid), its `extra_info` naming the input."""

    def bad(kind: str, message: str, details: str = name, config: Any = spec) -> Body:
        extra = {"input_name": name, "input_config": config, "received_value": value}
        return {"type": kind, "message": message, "details": details, "extra_info": extra}

    kind = spec[0]
    if kind == "LINK":
        if not (isinstance(value, list) and len(value) == 2 and str(value[0]) in graph and isinstance(value[1], int)):
            return bad("bad_linked_input", "Bad linked input, must be a length-2 list of [node_id, slot_index]")
        outputs = NODES.get(graph[str(value[0])].get("class_type"), ({}, ()))[1]
        received = outputs[value[1]] if value[1] < len(outputs) else "nothing"
        if received != spec[1]:
            mismatch = f"{name}, received_type({received}) mismatch input_type({spec[1]})"
            return bad("return_type_mismatch", "Return type mismatch between linked nodes", mismatch)
        return None
    if kind == "COMBO":
        if value not in spec[1]:
            return bad("value_not_in_list", "Value not in list", f"{name}: '{value}' not in {list(spec[1])}", [spec[1]])
        return None
    if isinstance(value, bool) or not isinstance(value, {"STRING": str, "FLOAT": float | int, "INT": int}[kind]):
        return bad("invalid_input_type", f"Failed to convert an input value to a {kind} value", f"{name}, {value}")
    if kind == "STRING":
        return None
    if value < spec[1]:
        return bad("value_smaller_than_min", f"Value {value} smaller than min of {spec[1]}")
    if value > spec[2]:
        return bad("value_bigger_than_max", f"Value {value} bigger than max of {spec[2]}")
    return None


def check_graph(body: Any) -> Body | None:
    """ComfyUI's 400 answer for a graph it would refuse (None: it is queued)."""
    graph = body.get("prompt") if isinstance(body, dict) else None
    if not isinstance(graph, dict):
        return {
            "error": {
                "type": "no_prompt",
                "message": "No prompt provided",
                "details": "No prompt provided",
                "extra_info": {},
            },
            "node_errors": {},
        }
    for node_id, node in graph.items():
        class_type = node.get("class_type") if isinstance(node, dict) else None
        if class_type not in NODES:
            return {
                "error": {
                    "type": "invalid_prompt",
                    "message": f"Cannot execute because node {class_type} does not exist.",
                    "details": f"Node ID '#{node_id}'",
                    "extra_info": {},
                },
                "node_errors": {},
            }
    outputs = [node_id for node_id, node in graph.items() if node["class_type"] in OUTPUT_NODES]
    if not outputs:
        return {
            "error": {"type": "prompt_no_outputs", "message": "Prompt has no outputs", "details": "", "extra_info": {}},
            "node_errors": [],
        }
    node_errors: Body = {}
    for node_id, node in graph.items():
        inputs = node.get("inputs", {})
        reasons = []
        for name, spec in NODES[node["class_type"]][0].items():
            if name not in inputs:
                reasons.append(
                    {
                        "type": "required_input_missing",
                        "message": "Required input is missing",
                        "details": name,
                        "extra_info": {"input_name": name},
                    }
                )
            elif (problem := _check_input(graph, name, spec, inputs[name])) is not None:
                reasons.append(problem)
        if reasons:
            node_errors[node_id] = {"errors": reasons, "dependent_outputs": outputs, "class_type": node["class_type"]}
    if not node_errors:
        return None
    return {
        "error": {
            "type": "prompt_outputs_failed_validation",
            "message": "Prompt outputs failed validation",
            "details": "",
            "extra_info": {},
        },
        "node_errors": node_errors,
    }


def comfy_picture(graph: Body) -> bytes:
    """What the graph paints: the latent's size, the sampler's positive text and seed."""
    sampler = next(node["inputs"] for node in graph.values() if node["class_type"] == "KSampler")
    latent = graph[str(sampler["latent_image"][0])]["inputs"]
    prompt = graph[str(sampler["positive"][0])]["inputs"]["text"]
    return picture(latent["width"], latent["height"], prompt, sampler["seed"])


def history_entry(run: Run) -> Body:
    started = ["execution_start", {"prompt_id": run.prompt_id, "timestamp": 1735689600000}]
    cached = ["execution_cached", {"nodes": [], "prompt_id": run.prompt_id, "timestamp": 1735689600001}]
    if run.error is None:
        status = {
            "status_str": "success",
            "completed": True,
            "messages": [
                started,
                cached,
                ["execution_success", {"prompt_id": run.prompt_id, "timestamp": 1735689601000}],
            ],
        }
    else:
        sampler = next(node_id for node_id, node in run.graph.items() if node["class_type"] == "KSampler")
        error = {
            "prompt_id": run.prompt_id,
            "node_id": sampler,
            "node_type": "KSampler",
            "executed": ["4", "5"],
            **run.error,
            "traceback": ['  File "execution.py", line 1, in execute\n'],
            "current_inputs": {},
            "current_outputs": {},
            "timestamp": 1735689601000,
        }
        status = {"status_str": "error", "completed": False, "messages": [started, cached, ["execution_error", error]]}
    outputs_to_execute = [node_id for node_id, node in run.graph.items() if node["class_type"] in OUTPUT_NODES]
    return {
        "prompt": [run.number, run.prompt_id, run.graph, {"client_id": run.client_id}, outputs_to_execute],
        "outputs": run.outputs,
        "status": status,
        "meta": {
            node_id: {"node_id": node_id, "display_node": node_id, "parent_node": None, "real_node_id": node_id}
            for node_id in run.outputs
        },
    }


# ---- the app ---------------------------------------------------------------------------------


def create_app(fake: FakeStableDiffusion) -> FastAPI:
    app = FastAPI()

    async def generate(request: Request, img2img: bool) -> Response:
        body = await _json(request)
        fake.record(request, body)
        if not fake.authorized(request.headers.get("authorization")):
            detail = "Not authenticated" if "authorization" not in request.headers else "Incorrect username or password"
            response = webui_error(401, detail)
            response.headers["www-authenticate"] = "Basic"
            return response
        if (failure := fake.failure("webui")) is not None:
            if failure.body is not None:
                return JSONResponse(failure.body, failure.status)
            return webui_error(failure.status, "CUDA out of memory. Tried to allocate 2.00 GiB", "OutOfMemoryError")
        if errors := check_webui(body, img2img):
            return JSONResponse({"detail": errors}, 422)
        if body.get("sampler_name", "Euler") not in WEBUI_SAMPLERS:
            return webui_error(404, "Sampler not found")
        if img2img and not all(_readable(image) for image in body["init_images"]):
            return webui_error(500, "Invalid encoded image")
        return JSONResponse(webui_answer(body))

    @app.post("/sdapi/v1/txt2img")
    async def txt2img(request: Request) -> Response:
        return await generate(request, img2img=False)

    @app.post("/sdapi/v1/img2img")
    async def img2img(request: Request) -> Response:
        return await generate(request, img2img=True)

    @app.post("/prompt")
    async def prompt(request: Request) -> Response:
        body = await _json(request)
        fake.record(request, body)
        if (failure := fake.failure("comfyui")) is not None:
            if failure.body is not None:
                return JSONResponse(failure.body, failure.status)
            return Response("500 Internal Server Error\n\nServer got itself in trouble", failure.status)
        if (refusal := check_graph(body)) is not None:
            return JSONResponse(refusal, 400)
        run = fake.queue_run(body["prompt"], body.get("client_id"))
        return JSONResponse({"prompt_id": run.prompt_id, "number": run.number, "node_errors": {}})

    @app.get("/history/{prompt_id}")
    async def history(prompt_id: str, request: Request) -> Response:
        fake.record(request, None)
        return JSONResponse(fake.history(prompt_id))

    @app.get("/view")
    async def view(request: Request) -> Response:
        fake.record(request, None)
        query = request.query_params
        data = fake.file(query.get("filename", "")) if query.get("type", "output") == "output" else None
        if data is None or query.get("subfolder", "") != "":
            return Response(status_code=404)
        return Response(data, media_type="image/png")

    return app


async def _json(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        return None


class FakeStableDiffusionServer(ServedApp):
    """Serves a `FakeStableDiffusion` on a free loopback port from a background thread."""

    def __init__(self, fake: FakeStableDiffusion) -> None:
        super().__init__(create_app(fake), "the fake Stable Diffusion server")
        self.fake = fake

    def start(self) -> None:
        super().start()
        self.fake.base_url = self.url


def with_login(url: str, user: str, password: str) -> str:
    """`url` carrying a login, as a user writes it in REELFORGE_SD_WEBUI_URL."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{user}:{password}@{rest}"
