"""A local server that answers like Replicate's HTTP API, for testing the Replicate picture makers over HTTP.

It speaks the real shapes: predictions created at `/v1/models/{owner}/{name}/predictions`
(official models) or `/v1/predictions` (a pinned version), `Prefer: wait`, polling at
`GET /v1/predictions/{id}`, outputs as URLs to download, and errors as `{"title", "detail",
"status"}`. Inputs are validated against each model's schema as Replicate does (422 naming the
field and the allowed values). Outputs are served by the same server, so their URLs point at
loopback. What a model does is scriptable per test: `queue(model, ...)` outcomes are used one
per prediction; by default a prediction succeeds at once.
"""

import re
import subprocess
import tempfile
import threading
import uuid
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from tests.fakes.openai_api import picture_png
from tests.servers import ServedApp

FLUX_SCHNELL = "black-forest-labs/flux-schnell"
SDXL = "stability-ai/sdxl"
SVD = "stability-ai/stable-video-diffusion"
OFFICIAL = (FLUX_SCHNELL,)
VERSIONS = {
    "7762fd07cf82c948538e41f63f77d685e02b063e37e496e96eefd46c929f9bdc": SDXL,
    "3f0457e4619daac51203dedb472816fd4af51f3149fa7a9e0b5ffcf1b8172438": SVD,
}
FLUX_RATIOS = ("1:1", "16:9", "21:9", "3:2", "2:3", "4:5", "5:4", "3:4", "4:3", "9:16", "9:21")
Body = dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    """How one prediction ends: after `polls` polls still running, `succeeded` or `failed` with `error`."""

    status: str = "succeeded"
    error: str | None = None
    polls: int = 0
    http_status: int | None = None
    """Answer the create request itself with this HTTP error instead."""
    retry_after_s: float | None = None


def failed(error: str) -> Outcome:
    return Outcome("failed", error)


def nsfw() -> Outcome:
    return failed("NSFW content detected. Try running it again, or try a different prompt.")


def http_error(status: int, retry_after_s: float | None = None) -> Outcome:
    return Outcome(http_status=status, retry_after_s=retry_after_s)


def slow(polls: int) -> Outcome:
    return Outcome(polls=polls)


ERRORS = {
    401: ("Unauthenticated", "You did not pass a valid authentication token"),
    402: ("Insufficient credit", "You have insufficient credit to run this model. Go to your billing page."),
    404: ("Not found", "The requested resource could not be found."),
    429: ("Request was throttled.", "Request was throttled. Expected available in 1 second."),
    500: ("Internal server error", "Something went wrong."),
}


def error_body(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"title": title, "detail": detail, "status": status, **extra}, status)


def invalid(field: str, description: str) -> JSONResponse:
    return error_body(
        422,
        "Input validation failed",
        f"- input.{field}: {description}",
        invalid_fields=[{"type": "invalid", "field": f"input.{field}", "description": description}],
    )


def _enum(inputs: Body, field: str, allowed: tuple[Any, ...], required: bool = False) -> JSONResponse | None:
    if field not in inputs:
        return invalid(field, f"{field} is required") if required else None
    if inputs[field] not in allowed:
        listing = ", ".join(f'"{value}"' for value in allowed)
        return invalid(field, f"{field} must be one of the following: {listing}")
    return None


def _integer(inputs: Body, field: str, low: int, high: int) -> JSONResponse | None:
    value = inputs.get(field, low)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return invalid(field, f"{field} must be an integer from {low} to {high}")
    return None


def check_inputs(model: str, inputs: Any) -> JSONResponse | None:
    if not isinstance(inputs, dict):
        return error_body(422, "Input validation failed", "input is required")
    if model in (FLUX_SCHNELL, SDXL) and (not isinstance(inputs.get("prompt"), str) or not inputs["prompt"]):
        return invalid("prompt", "prompt is required")
    if model == FLUX_SCHNELL:
        known = {"prompt", "aspect_ratio", "num_outputs", "output_format", "output_quality", "megapixels", "seed",
                 "go_fast", "num_inference_steps", "disable_safety_checker"}  # fmt: skip
        if unknown := set(inputs) - known:
            return invalid(sorted(unknown)[0], "Additional property is not allowed")
        return (
            _enum(inputs, "aspect_ratio", FLUX_RATIOS)
            or _enum(inputs, "output_format", ("webp", "jpg", "png"))
            or _enum(inputs, "megapixels", ("1", "0.25"))
            or _integer(inputs, "num_outputs", 1, 4)
            or _integer(inputs, "seed", 0, 2**31 - 1)
        )
    if model == SDXL:
        for side in ("width", "height"):
            value = inputs.get(side, 1024)
            if not isinstance(value, int) or value % 8 or not 128 <= value <= 2048:
                return invalid(side, f"{side} must be a multiple of 8 from 128 to 2048")
        if "image" in inputs and not _is_file(inputs["image"]):
            return invalid("image", "image must be a URI")
        return _integer(inputs, "num_outputs", 1, 4) or _integer(inputs, "num_inference_steps", 1, 500)
    if not _is_file(inputs.get("input_image")):
        return invalid("input_image", "input_image is required and must be a URI")
    return (
        _enum(inputs, "video_length", ("14_frames_with_svd", "25_frames_with_svd_xt"))
        or _enum(inputs, "sizing_strategy", ("maintain_aspect_ratio", "crop_to_16_9", "use_image_dimensions"))
        or _integer(inputs, "frames_per_second", 5, 30)
        or _integer(inputs, "motion_bucket_id", 1, 255)
    )


def _is_file(value: Any) -> bool:
    return isinstance(value, str) and bool(re.match(r"^(https?://|data:[\w/+.-]+;base64,)", value))


@dataclass
class Prediction:
    id: str
    model: str
    version: str | None
    inputs: Body
    outcome: Outcome
    polls_left: int

    def body(self, base_url: str) -> Body:
        running = self.polls_left > 0
        status = "processing" if running else self.outcome.status
        output = None
        if status == "succeeded":
            extension = "mp4" if self.model == SVD else "png"
            url = f"{base_url}/files/{self.id}.{extension}"
            output = url if self.model == SVD else [url]
        return {
            "id": self.id,
            "model": self.model,
            "version": self.version or "official",
            "input": self.inputs,
            "logs": "",
            "output": output,
            "error": self.outcome.error if status == "failed" else None,
            "status": status,
            "created_at": "2025-01-01T00:00:00.000Z",
            "urls": {
                "get": f"{base_url}/v1/predictions/{self.id}",
                "cancel": f"{base_url}/v1/predictions/{self.id}/cancel",
            },
        }


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    body: Any
    headers: dict[str, str]


class FakeReplicate:
    def __init__(self, token: str = "r8_test_fake_0123456789") -> None:
        self.token = token
        self.base_url = ""
        self._lock = threading.Lock()
        self._queued: dict[str, deque[Outcome]] = {}
        self._predictions: dict[str, Prediction] = {}
        self._recorded: list[Recorded] = []
        self._clip: bytes | None = None

    def queue(self, model: str, *outcomes: Outcome) -> None:
        with self._lock:
            self._queued.setdefault(model, deque()).extend(outcomes)

    def requests(self, path_prefix: str = "") -> list[Recorded]:
        with self._lock:
            return [record for record in self._recorded if record.path.startswith(path_prefix)]

    def predictions(self, model: str | None = None) -> list[Prediction]:
        with self._lock:
            return [p for p in self._predictions.values() if model is None or p.model == model]

    def reset(self) -> None:
        with self._lock:
            self._queued.clear()
            self._predictions.clear()
            self._recorded.clear()

    def record(self, method: str, path: str, body: Any, headers: dict[str, str]) -> None:
        with self._lock:
            self._recorded.append(Recorded(method, path, body, headers))

    def authorized(self, header: str | None) -> bool:
        return header in (f"Bearer {self.token}", f"Token {self.token}")

    def create(self, model: str, version: str | None, inputs: Body) -> Prediction | Outcome:
        with self._lock:
            queued = self._queued.get(model)
            outcome = queued.popleft() if queued else Outcome()
            if outcome.http_status is not None:
                return outcome
            prediction = Prediction(uuid.uuid4().hex[:26], model, version, inputs, outcome, outcome.polls)
            self._predictions[prediction.id] = prediction
            return prediction

    def poll(self, prediction_id: str) -> Prediction | None:
        with self._lock:
            prediction = self._predictions.get(prediction_id)
            if prediction is not None and prediction.polls_left > 0:
                prediction.polls_left -= 1
            return prediction

    def output(self, name: str) -> bytes | None:
        prediction_id, _, extension = name.partition(".")
        prediction = self._predictions.get(prediction_id)
        if prediction is None:
            return None
        if extension == "mp4":
            return self.clip()
        inputs = prediction.inputs
        if prediction.model == FLUX_SCHNELL:
            across, down = map(int, inputs.get("aspect_ratio", "1:1").split(":"))
            scale = 1024 if inputs.get("megapixels", "1") == "1" else 512
            width, height = (
                (scale, round(scale * down / across)) if across >= down else (round(scale * across / down), scale)
            )
        else:
            width, height = inputs.get("width", 1024), inputs.get("height", 1024)
        return picture_png(width, height, inputs["prompt"])

    def clip(self) -> bytes:
        """SVD-XT's answer: 25 frames at 6 fps, 1024x576, made once with ffmpeg."""
        if self._clip is None:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "clip.mp4"
                subprocess.run(
                    ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=1024x576:rate=6", "-frames:v", "25",
                     "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", str(path)],
                    check=True,
                )  # fmt: skip
                self._clip = path.read_bytes()
        return self._clip


def create_app(fake: FakeReplicate) -> FastAPI:
    app = FastAPI()

    def denied() -> JSONResponse:
        return error_body(401, *ERRORS[401])

    async def start(request: Request, model: str, version: str | None, inputs: Any) -> Response:
        problem = check_inputs(model, inputs)
        if problem is not None:
            return problem
        made = fake.create(model, version, inputs)
        if isinstance(made, Outcome):
            assert made.http_status is not None
            headers = {"retry-after": f"{made.retry_after_s:g}"} if made.retry_after_s is not None else {}
            title, detail = ERRORS[made.http_status]
            response = error_body(made.http_status, title, detail)
            response.headers.update(headers)
            return response
        return JSONResponse(made.body(fake.base_url), 201)

    @app.post("/v1/models/{owner}/{name}/predictions")
    async def official(owner: str, name: str, request: Request) -> Response:
        body = await _json(request)
        fake.record("POST", request.url.path, body, dict(request.headers))
        if not fake.authorized(request.headers.get("authorization")):
            return denied()
        model = f"{owner}/{name}"
        if model not in OFFICIAL:
            return error_body(404, *ERRORS[404])
        return await start(request, model, None, (body or {}).get("input"))

    @app.post("/v1/predictions")
    async def versioned(request: Request) -> Response:
        body = await _json(request) or {}
        fake.record("POST", request.url.path, body, dict(request.headers))
        if not fake.authorized(request.headers.get("authorization")):
            return denied()
        model = VERSIONS.get(body.get("version", ""))
        if model is None:
            detail = "The specified version does not exist (or perhaps you don't have permission to use it?)"
            return error_body(422, "Invalid version or not permitted", detail)
        return await start(request, model, body["version"], body.get("input"))

    @app.get("/v1/predictions/{prediction_id}")
    async def get(prediction_id: str, request: Request) -> Response:
        fake.record("GET", request.url.path, None, dict(request.headers))
        if not fake.authorized(request.headers.get("authorization")):
            return denied()
        prediction = fake.poll(prediction_id)
        if prediction is None:
            return error_body(404, *ERRORS[404])
        return JSONResponse(prediction.body(fake.base_url))

    @app.get("/files/{name}")
    async def files(name: str, request: Request) -> Response:
        fake.record("GET", request.url.path, None, dict(request.headers))
        data = fake.output(name)
        if data is None:
            return Response(status_code=404)
        return Response(data, media_type="video/mp4" if name.endswith(".mp4") else "image/png")

    return app


async def _json(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        return None


class FakeReplicateServer(ServedApp):
    """Serves a `FakeReplicate` on a free loopback port from a background thread."""

    def __init__(self, fake: FakeReplicate) -> None:
        super().__init__(create_app(fake), "the fake Replicate server")
        self.fake = fake

    def start(self) -> None:
        super().start()
        self.fake.base_url = self.url

    @property
    def api_url(self) -> str:
        return f"{self.fake.base_url}/v1"
