"""A local server that answers like OpenAI's HTTP API, for testing providers over real HTTP.

It checks requests the way the real API does (Bearer key, `model`, well-formed messages, a
strict `json_schema` response format) and answers with the real response and error shapes,
so the `openai` client parses them exactly as it would OpenAI's.

Every request is recorded (when, path, body, what was answered) for assertions. What each
endpoint answers is scriptable per test: behaviours queued for a path are used one per
request, in order; once the queue is empty the path's standing behaviour answers (by
default a plausible answer built from the request). Another endpoint (TTS
`/v1/audio/speech`, images `/v1/images/generations`) is one more `Endpoint` in `ENDPOINTS`:
a check of its request and a default behaviour.
"""

import asyncio
import base64
import hashlib
import io
import json
import re
import threading
import time
import uuid
import wave
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from PIL import Image, ImageDraw

from libs.common.subjects import MAX_SUBJECTS, find_subjects
from tests.servers import ServedApp

CHAT = "/v1/chat/completions"
MODERATIONS = "/v1/moderations"
IMAGES = "/v1/images/generations"
SPEECH = "/v1/audio/speech"

Body = dict[str, Any]


@dataclass(frozen=True)
class Reply:
    """One HTTP answer."""

    status: int
    body: Body
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    content: bytes | None = None
    """A binary answer (speech) in place of the JSON `body`."""
    media_type: str = "application/octet-stream"


Behaviour = Callable[[Body], Reply]
"""How an endpoint answers a request that passed its checks."""


@dataclass(frozen=True)
class Recorded:
    at: float
    """`time.monotonic()` when the request arrived."""
    path: str
    body: Body
    reply: Reply


# ---- OpenAI's error shape, and behaviours that answer with it ----------------------------------------


def error_reply(
    status: int,
    message: str,
    type: str = "invalid_request_error",
    code: str | None = None,
    param: str | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    body = {"error": {"message": message, "type": type, "param": param, "code": code}}
    return Reply(status, body, headers or {})


def fail(status: int, message: str = "The server had an error while processing your request.") -> Behaviour:
    return lambda _body: error_reply(status, message, type="server_error" if status >= 500 else "invalid_request_error")


def rate_limited(retry_after_s: float) -> Behaviour:
    message = "Rate limit reached for requests. Please try again later."
    headers = {"retry-after": f"{retry_after_s:g}"}
    return lambda _body: error_reply(429, message, type="requests", code="rate_limit_exceeded", headers=headers)


def out_of_quota() -> Behaviour:
    message = "You exceeded your current quota, please check your plan and billing details."
    return lambda _body: error_reply(429, message, type="insufficient_quota", code="insufficient_quota")


def content_policy() -> Behaviour:
    message = "Your request was rejected as a result of our safety system."
    return lambda _body: error_reply(400, message, code="content_policy_violation")


def stalled(seconds: float, then: Behaviour) -> Behaviour:
    """Answers like `then`, but only after `seconds` (for client timeouts)."""
    return lambda body: replace(then(body), delay_s=seconds)


# ---- chat completions --------------------------------------------------------------------------------

_ROLES = ("system", "developer", "user", "assistant", "tool", "function")
_SCHEMA_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_RESPONSE_FORMATS = ("text", "json_object", "json_schema")


def chat_reply(body: Body, content: str | None, finish_reason: str = "stop", refusal: str | None = None) -> Reply:
    message = {"role": "assistant", "content": content, "refusal": refusal, "annotations": []}
    completion_tokens = len((content or refusal or "").split())
    return Reply(
        200,
        {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}],
            "usage": {
                "prompt_tokens": 100,
                "completion_tokens": completion_tokens,
                "total_tokens": 100 + completion_tokens,
            },
            "system_fingerprint": "fp_fake",
            "service_tier": "default",
        },
    )


def chat_content(content: str, finish_reason: str = "stop") -> Behaviour:
    """The model answers with exactly `content` (e.g. broken JSON)."""
    return lambda body: chat_reply(body, content, finish_reason)


def refused(refusal: str = "I'm sorry, I can't help with that.") -> Behaviour:
    return lambda body: chat_reply(body, None, refusal=refusal)


def answer_to_request(body: Body) -> Reply:
    """A plausible answer: an instance of the requested JSON schema about the user's words, or plain text."""
    subject = " ".join(_last_user_text(body).split()[:12]).rstrip(".!?") or "something"
    response_format = body.get("response_format") or {}
    if response_format.get("type") != "json_schema":
        return chat_reply(body, f"A short story about {subject}.")
    schema = response_format["json_schema"]["schema"]
    return chat_reply(body, json.dumps(instance_of(schema, schema, "answer", subject)))


def instance_of(schema: Body, root: Body, name: str, subject: str) -> Any:
    """A value that fits `schema`: strings say what they are and what they are about, arrays have 6 items;
    a storyboard's `subjects` and `search_query` are English nouns from the user's words, as a model writes them."""
    if "$ref" in schema:
        return instance_of(_resolve(schema["$ref"], root) or {}, root, name, subject)
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
    if name in ("subjects", "search_query"):
        nouns = find_subjects(subject, schema.get("maxItems", MAX_SUBJECTS)) or ["book"]
        return nouns if kind == "array" else " ".join([*nouns, "daylight"])
    if kind == "object":
        return {key: instance_of(value, root, key, subject) for key, value in schema.get("properties", {}).items()}
    if kind == "array":
        count = min(max(6, schema.get("minItems", 0)), schema.get("maxItems", 6))
        items = schema.get("items", {})
        return [instance_of(items, root, name, f"{subject}, part {index + 1}") for index in range(count)]
    if kind in ("integer", "number"):
        return 1
    if kind == "boolean":
        return False
    return f"{name.replace('_', ' ').capitalize()} about {subject}."


def check_chat(body: Body) -> Reply | None:
    if not isinstance(body.get("model"), str) or not body["model"]:
        return error_reply(400, "you must provide a model parameter")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return error_reply(400, f"{messages!r} is too short - 'messages'", param="messages")
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in _ROLES:
            role = message.get("role") if isinstance(message, dict) else message
            supported = ", ".join(repr(known) for known in _ROLES)
            return error_reply(
                400, f"Invalid value: {role!r}. Supported values are: {supported}.", param=f"messages[{index}].role"
            )
        if not isinstance(message.get("content"), str | list):
            return error_reply(
                400, "Invalid type for 'content': expected a string or an array.", param=f"messages[{index}].content"
            )
    if "response_format" in body:
        problem = response_format_problem(body["response_format"])
        if problem:
            return error_reply(400, problem, param="response_format")
    return None


def response_format_problem(response_format: Any) -> str | None:
    if not isinstance(response_format, dict) or response_format.get("type") not in _RESPONSE_FORMATS:
        return "Invalid value for 'response_format.type': expected 'text', 'json_object' or 'json_schema'."
    if response_format["type"] != "json_schema":
        return None
    spec = response_format.get("json_schema")
    if not isinstance(spec, dict):
        return "Missing required parameter: 'response_format.json_schema'."
    if not isinstance(spec.get("name"), str) or not _SCHEMA_NAME.match(spec["name"]):
        return "Invalid 'response_format.json_schema.name': must match ^[a-zA-Z0-9_-]{1,64}$."
    if not isinstance(spec.get("schema"), dict):
        return "Invalid type for 'response_format.json_schema.schema': expected an object."
    if spec.get("strict"):
        problems = strict_schema_problems(spec["schema"], spec["schema"], ())
        if problems:
            return f"Invalid schema for response_format '{spec['name']}': {problems[0]}"
    return None


def strict_schema_problems(schema: Body, root: Body, context: tuple[str, ...]) -> list[str]:
    """What strict structured outputs reject: objects must forbid extra properties and require all of theirs."""
    if "$ref" in schema:
        return [] if _resolve(schema["$ref"], root) is not None else [f"In context={context}, unknown $ref."]
    problems: list[str] = []
    if schema.get("type") == "object" or "properties" in schema:
        if schema.get("additionalProperties") is not False:
            problems.append(f"In context={context}, 'additionalProperties' is required to be supplied and to be false.")
        properties = schema.get("properties", {})
        missing = [key for key in properties if key not in schema.get("required", [])]
        if missing:
            problems.append(
                f"In context={context}, 'required' is required to include every property. Missing {missing}."
            )
        for key, value in properties.items():
            problems += strict_schema_problems(value, root, (*context, "properties", key))
    if isinstance(schema.get("items"), dict):
        problems += strict_schema_problems(schema["items"], root, (*context, "items"))
    for name, definition in schema.get("$defs", {}).items():
        problems += strict_schema_problems(definition, root, (*context, "$defs", name))
    return problems


def _resolve(ref: str, root: Body) -> Body | None:
    node: Any = root
    for part in ref.removeprefix("#/").split("/"):
        node = node.get(part) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else None


def _last_user_text(body: Body) -> str:
    users = [message for message in body["messages"] if message.get("role") == "user"]
    content = users[-1]["content"] if users else ""
    text = content if isinstance(content, str) else " ".join(part.get("text", "") for part in content)
    requested = re.search(r"<request>(.*?)</request>", text, re.DOTALL)
    return requested.group(1) if requested else text


# ---- moderations -------------------------------------------------------------------------------------

MODERATION_CATEGORIES = (
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/intent",
    "self-harm/instructions",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
)


def verdict(body: Body, categories: tuple[str, ...] = (), score: float = 0.93) -> Reply:
    """OpenAI's moderation answer, flagging `categories` with `score` (by default: nothing flagged)."""
    inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
    result = {
        "flagged": bool(categories),
        "categories": {name: name in categories for name in MODERATION_CATEGORIES},
        "category_scores": {name: score if name in categories else 0.00012 for name in MODERATION_CATEGORIES},
        "category_applied_input_types": {name: ["text"] for name in MODERATION_CATEGORIES},
    }
    return Reply(
        200,
        {
            "id": f"modr-{uuid.uuid4().hex[:24]}",
            "model": body.get("model", "omni-moderation-latest"),
            "results": [result] * len(inputs),
        },
    )


def flagged(*categories: str, score: float = 0.93) -> Behaviour:
    """Moderation flags the text in `categories` (OpenAI's names, e.g. "violence")."""
    unknown = set(categories) - set(MODERATION_CATEGORIES)
    assert not unknown, f"not OpenAI moderation categories: {unknown}"
    return lambda body: verdict(body, categories, score)


def check_moderation(body: Body) -> Reply | None:
    text = body.get("input")
    if not (isinstance(text, str) and text) and not (
        isinstance(text, list) and text and all(isinstance(t, str) for t in text)
    ):
        return error_reply(
            400, "Invalid value for 'input': expected a non-empty string or array of strings.", param="input"
        )
    if "model" in body and not isinstance(body["model"], str):
        return error_reply(400, "Invalid type for 'model': expected a string.", param="model")
    return None


# ---- images -----------------------------------------------------------------------------------------

IMAGE_SIZES = {
    "gpt-image-1": ("1024x1024", "1536x1024", "1024x1536", "auto"),
    "dall-e-3": ("1024x1024", "1792x1024", "1024x1792"),
    "dall-e-2": ("256x256", "512x512", "1024x1024"),
}
IMAGE_QUALITIES = {
    "gpt-image-1": ("low", "medium", "high", "auto"),
    "dall-e-3": ("standard", "hd"),
    "dall-e-2": ("standard",),
}


def _one_of(name: str, value: Any, allowed: tuple[str, ...]) -> Reply | None:
    if value in allowed:
        return None
    supported = ", ".join(repr(known) for known in allowed)
    return error_reply(400, f"Invalid value: {value!r}. Supported values are: {supported}.", param=name)


def check_images(body: Body) -> Reply | None:
    model = body.get("model", "dall-e-2")
    if model not in IMAGE_SIZES:
        return error_reply(400, f"Invalid value: {model!r}. The model does not exist.", param="model")
    if not isinstance(body.get("prompt"), str) or not body["prompt"]:
        return error_reply(400, "Missing required parameter: 'prompt'.", param="prompt")
    for name, allowed in (("size", IMAGE_SIZES[model]), ("quality", IMAGE_QUALITIES[model])):
        if name in body and (problem := _one_of(name, body[name], allowed)):
            return problem
    if "response_format" in body:
        if model == "gpt-image-1":
            return error_reply(400, "Unknown parameter: 'response_format'.", param="response_format")
        if problem := _one_of("response_format", body["response_format"], ("url", "b64_json")):
            return problem
    if not isinstance(body.get("n", 1), int) or not 1 <= body.get("n", 1) <= (1 if model == "dall-e-3" else 10):
        return error_reply(400, f"Invalid 'n': {body.get('n')!r} is out of range for {model}.", param="n")
    return None


def picture_png(width: int, height: int, subject: str) -> bytes:
    """A PNG that differs with `subject`: a two-colour gradient with a disc."""
    digest = hashlib.sha256(subject.encode()).digest()
    top, bottom = np.array(list(digest[:3]), float), np.array(list(digest[3:6]), float)
    rows = np.linspace(0, 1, height)[:, None, None]
    pixels = (top * (1 - rows) + bottom * rows) * np.ones((1, width, 1))
    image = Image.fromarray(pixels.astype(np.uint8))
    radius = min(width, height) // 4
    centre = (digest[6] % width, digest[7] % height)
    ImageDraw.Draw(image).ellipse(
        (centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius), fill=tuple(digest[8:11])
    )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def generated_image(body: Body) -> Reply:
    """An image of the requested size (gpt-image-1's `auto`: square), as the API sends it."""
    size = body.get("size", "1024x1024")
    width, height = (1024, 1024) if size == "auto" else map(int, size.split("x"))
    encoded = base64.b64encode(picture_png(width, height, body["prompt"])).decode()
    item: Body = {"b64_json": encoded}
    if body.get("model") == "dall-e-3":
        item["revised_prompt"] = body["prompt"]
    answer: Body = {"created": int(time.time()), "data": [item]}
    if body.get("model") == "gpt-image-1":
        answer["usage"] = {"input_tokens": 50, "output_tokens": 4160, "total_tokens": 4210}
    return Reply(200, answer)


# ---- speech ------------------------------------------------------------------------------------------

SPEECH_MODELS = ("tts-1", "tts-1-hd", "gpt-4o-mini-tts")
SPEECH_VOICES = ("alloy", "ash", "ballad", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer", "verse")
SPEECH_FORMATS = ("mp3", "opus", "aac", "flac", "wav", "pcm")
SPEECH_RATE = 24000
SECONDS_PER_CHARACTER = 0.06
MAX_SPEECH_CHARACTERS = 4096


def check_speech(body: Body) -> Reply | None:
    for name, allowed in (("model", SPEECH_MODELS), ("voice", SPEECH_VOICES)):
        if problem := _one_of(name, body.get(name), allowed):
            return problem
    text = body.get("input")
    if not isinstance(text, str) or not text:
        return error_reply(400, "Missing required parameter: 'input'.", param="input")
    if len(text) > MAX_SPEECH_CHARACTERS:
        return error_reply(400, f"'input' is longer than {MAX_SPEECH_CHARACTERS} characters.", param="input")
    if "response_format" in body and (problem := _one_of("response_format", body["response_format"], SPEECH_FORMATS)):
        return problem
    if "instructions" in body and body["model"] in ("tts-1", "tts-1-hd"):
        return error_reply(400, "Instructions are not supported for tts-1 or tts-1-hd.", param="instructions")
    if not 0.25 <= body.get("speed", 1.0) <= 4.0:
        return error_reply(400, "Invalid 'speed': expected a number from 0.25 to 4.0.", param="speed")
    return None


def spoken(body: Body) -> Reply:
    """A voiced tone as long as speaking the input would take, framed by silence like real speech; `pcm` or `wav`."""
    seconds = len(body["input"]) * SECONDS_PER_CHARACTER
    pitch = 110 + 20 * SPEECH_VOICES.index(body["voice"])
    t = np.arange(round(seconds * SPEECH_RATE)) / SPEECH_RATE
    tone = (6000 * np.sin(2 * np.pi * pitch * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))).astype("<i2")
    pad = np.zeros(round(0.2 * SPEECH_RATE), "<i2")
    pcm = np.concatenate([pad, tone, pad]).tobytes()
    response_format = body.get("response_format", "mp3")
    if response_format == "pcm":
        return Reply(200, {}, content=pcm, media_type="audio/pcm")
    assert response_format == "wav", f"the fake speaks only pcm and wav, not {response_format}"
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SPEECH_RATE)
        out.writeframes(pcm)
    return Reply(200, {}, content=buffer.getvalue(), media_type="audio/wav")


# ---- the server --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    check: Callable[[Body], Reply | None]
    """The request's problem, answered as the real API would, or None when it is well formed."""
    default: Behaviour


ENDPOINTS: dict[str, Endpoint] = {
    CHAT: Endpoint(check_chat, answer_to_request),
    MODERATIONS: Endpoint(check_moderation, verdict),
    IMAGES: Endpoint(check_images, generated_image),
    SPEECH: Endpoint(check_speech, spoken),
}


class FakeOpenAI:
    """The fake API's state, shared between the server thread and the test."""

    def __init__(self, api_key: str = "sk-test-fake-0123456789") -> None:
        self.api_key = api_key
        self.base_url = ""
        self._lock = threading.Lock()
        self._recorded: list[Recorded] = []
        self._queued: dict[str, deque[Behaviour]] = {}
        self._standing: dict[str, Behaviour] = {}

    def queue(self, path: str, *behaviours: Behaviour) -> None:
        """Answer the next requests to `path` with `behaviours`, one each, in order."""
        with self._lock:
            self._queued.setdefault(path, deque()).extend(behaviours)

    def always(self, path: str, behaviour: Behaviour) -> None:
        """Answer `path` with `behaviour` whenever nothing is queued for it."""
        with self._lock:
            self._standing[path] = behaviour

    def requests(self, path: str | None = None) -> list[Recorded]:
        with self._lock:
            return [record for record in self._recorded if path is None or record.path == path]

    def reset(self) -> None:
        with self._lock:
            self._recorded.clear()
            self._queued.clear()
            self._standing.clear()

    def answer(self, path: str, authorization: str | None, body: Any) -> Reply:
        with self._lock:
            reply = self._reply(path, authorization, body)
            self._recorded.append(Recorded(time.monotonic(), path, body if isinstance(body, dict) else {}, reply))
            return reply

    def _reply(self, path: str, authorization: str | None, body: Any) -> Reply:
        if not authorization or not authorization.startswith("Bearer "):
            return error_reply(
                401,
                "You didn't provide an API key. You need to provide your API key in an Authorization header "
                "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            )
        key = authorization.removeprefix("Bearer ")
        if key != self.api_key:
            masked = f"{key[:3]}{'*' * max(len(key) - 7, 0)}{key[-4:]}"
            return error_reply(
                401,
                f"Incorrect API key provided: {masked}. You can find your API key at "
                "https://platform.openai.com/account/api-keys.",
                code="invalid_api_key",
            )
        endpoint = ENDPOINTS.get(path)
        if endpoint is None:
            return error_reply(404, f"Invalid URL (POST {path})")
        if not isinstance(body, dict):
            return error_reply(400, "We could not parse the JSON body of your request.")
        problem = endpoint.check(body)
        if problem is not None:
            return problem
        queued = self._queued.get(path)
        behaviour = queued.popleft() if queued else self._standing.get(path, endpoint.default)
        return behaviour(body)


def create_app(fake: FakeOpenAI) -> FastAPI:
    app = FastAPI()

    @app.post("/{path:path}")
    async def endpoint(path: str, request: Request) -> Response:
        try:
            body = json.loads(await request.body())
        except ValueError:
            body = None
        reply = fake.answer(f"/{path}", request.headers.get("authorization"), body)
        if reply.delay_s:
            await asyncio.sleep(reply.delay_s)
        if reply.content is not None:
            return Response(reply.content, reply.status, headers=reply.headers, media_type=reply.media_type)
        return JSONResponse(reply.body, reply.status, headers=reply.headers)

    return app


class FakeOpenAIServer(ServedApp):
    """Serves a `FakeOpenAI` on a free loopback port from a background thread."""

    def __init__(self, fake: FakeOpenAI) -> None:
        super().__init__(create_app(fake), "the fake OpenAI server")
        self.fake = fake

    def start(self) -> None:
        super().start()
        self.fake.base_url = f"{self.url}/v1"
