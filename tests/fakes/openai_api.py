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
import json
import re
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

CHAT = "/v1/chat/completions"
MODERATIONS = "/v1/moderations"

Body = dict[str, Any]


@dataclass(frozen=True)
class Reply:
    """One HTTP answer."""

    status: int
    body: Body
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


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
    """A value that fits `schema`: strings say what they are and what they are about, arrays have 6 items."""
    if "$ref" in schema:
        return instance_of(_resolve(schema["$ref"], root) or {}, root, name, subject)
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
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


# ---- the server --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    check: Callable[[Body], Reply | None]
    """The request's problem, answered as the real API would, or None when it is well formed."""
    default: Behaviour


ENDPOINTS: dict[str, Endpoint] = {
    CHAT: Endpoint(check_chat, answer_to_request),
    MODERATIONS: Endpoint(check_moderation, verdict),
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
    async def endpoint(path: str, request: Request) -> JSONResponse:
        try:
            body = json.loads(await request.body())
        except ValueError:
            body = None
        reply = fake.answer(f"/{path}", request.headers.get("authorization"), body)
        if reply.delay_s:
            await asyncio.sleep(reply.delay_s)
        return JSONResponse(reply.body, reply.status, headers=reply.headers)

    return app


class FakeOpenAIServer:
    """Serves a `FakeOpenAI` on a free loopback port from a background thread."""

    def __init__(self, fake: FakeOpenAI) -> None:
        self.fake = fake
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        config = uvicorn.Config(create_app(fake), log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True)

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake OpenAI server did not start")
            time.sleep(0.01)
        host, port = self._socket.getsockname()
        self.fake.base_url = f"http://{host}:{port}/v1"

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)
        self._socket.close()
