"""Replicate's HTTP API: start a prediction, wait for it, download what it made.

A prediction is created with `Prefer: wait` (Replicate holds the request up to 60 s and often
answers finished); one still running is polled at `GET /v1/predictions/{id}` until it ends.
Official models run at `/v1/models/{owner}/{name}/predictions`, community ones at
`/v1/predictions` with a pinned version. The output URL comes from the provider's answer, so it
goes through the SSRF guard before it is fetched: only public addresses, or the host of the
configured API itself (a self-hosted or test server), and never a redirect.
"""

import asyncio
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from libs.common.errors import ProviderError
from libs.common.provider_errors import http_failure, masked, refused_by_policy, timed_out, unreachable
from libs.common.ssrf import Allowlist, UnsafeUrl, check_url

PROVIDER = "Replicate"
KEY_SETTING = "REPLICATE_API_TOKEN"
MAX_OUTPUT_BYTES = 200 * 1024 * 1024
_POLICY_WORDS = ("nsfw", "sensitive", "safety", "content policy", "flagged")


@dataclass(frozen=True)
class ReplicateModel:
    """A model on Replicate: `owner/name`, and the version to pin for community models (None: official)."""

    slug: str
    version: str | None = None


class ReplicateClient:
    def __init__(self, token: str, base_url: str, timeout_s: float, poll_s: float, max_wait_s: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.poll_s = poll_s
        self.max_wait_s = max_wait_s
        self.timeout_s = timeout_s
        self.api = httpx.AsyncClient(
            headers={"authorization": f"Bearer {token}", "user-agent": "Reelforge"},
            timeout=timeout_s + 60,  # `Prefer: wait` holds the request open up to 60 s
            follow_redirects=False,
            trust_env=False,
        )
        self.downloads = httpx.AsyncClient(
            follow_redirects=False, trust_env=False, limits=httpx.Limits(max_keepalive_connections=0)
        )
        self.allowed = Allowlist.parse([urlsplit(self.base_url).hostname or ""])

    async def close(self) -> None:
        await self.api.aclose()
        await self.downloads.aclose()

    async def run(self, model: ReplicateModel, inputs: dict[str, Any]) -> Any:
        """Run `model` on `inputs` until it ends; its `output` (a URL, or a list of them)."""
        body: dict[str, Any] = {"input": inputs}
        if model.version is None:
            path = f"/models/{model.slug}/predictions"
        else:
            path, body["version"] = "/predictions", model.version
        prediction = await self._call("POST", path, json=body, headers={"prefer": "wait=60"})
        deadline = time.monotonic() + self.max_wait_s
        while prediction.get("status") in ("starting", "processing"):
            if time.monotonic() > deadline:
                raise ProviderError(
                    f"Replicate's {model.slug} did not finish within {self.max_wait_s:g} s; trying again",
                    retryable=True,
                )
            await asyncio.sleep(self.poll_s)
            prediction = await self._call("GET", f"/predictions/{prediction['id']}")
        return _output(model, prediction)

    async def download(self, url: str) -> bytes:
        """Fetch an output file from the address that passed the SSRF check, at most MAX_OUTPUT_BYTES."""
        try:
            target = await check_url(url, self.allowed)
        except UnsafeUrl as error:
            reason = f"Replicate answered with an output URL that is not allowed: {error.reason}"
            raise ProviderError(reason, retryable=False) from None
        extensions = {"sni_hostname": target.hostname} if target.scheme == "https" else {}
        try:
            async with self.downloads.stream(
                "GET",
                target.target,
                headers={"host": target.host_header},
                extensions=extensions,
                timeout=self.timeout_s,
            ) as response:
                if response.status_code != 200:
                    raise ProviderError(
                        f"Replicate's output could not be downloaded (HTTP {response.status_code})",
                        retryable=response.status_code >= 500 or response.status_code == 429,
                    )
                chunks, size = [], 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > MAX_OUTPUT_BYTES:
                        raise ProviderError("Replicate's output is larger than 200 MB", retryable=False)
                    chunks.append(chunk)
        except httpx.TimeoutException:
            raise timed_out(PROVIDER) from None
        except httpx.HTTPError:
            raise unreachable(PROVIDER, f"{target.scheme}://{target.host_header}") from None
        return b"".join(chunks)

    async def _call(self, method: str, path: str, **request: Any) -> dict[str, Any]:
        try:
            response = await self.api.request(method, f"{self.base_url}{path}", **request)
        except httpx.TimeoutException:
            raise timed_out(PROVIDER) from None
        except httpx.HTTPError:
            raise unreachable(PROVIDER, self.base_url) from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400:
            said = _detail(body) or response.reason_phrase
            raise http_failure(
                PROVIDER,
                KEY_SETTING,
                response.status_code,
                said,
                response.headers,
                base_url_setting="REPLICATE_BASE_URL",
            )
        if not isinstance(body, dict) or "status" not in body or "id" not in body:
            raise ProviderError("Replicate sent an answer that is not a prediction; trying again", retryable=True)
        return body


def _output(model: ReplicateModel, prediction: dict[str, Any]) -> Any:
    status = prediction.get("status")
    if status == "succeeded":
        if not prediction.get("output"):
            raise ProviderError(f"Replicate's {model.slug} finished without an output; trying again", retryable=True)
        return prediction["output"]
    error = masked(str(prediction.get("error") or "no reason given"))
    if any(word in error.lower() for word in _POLICY_WORDS):
        raise refused_by_policy(PROVIDER, error)
    if status == "canceled":
        raise ProviderError(f"the Replicate prediction for {model.slug} was canceled", retryable=False)
    raise ProviderError(f"Replicate's {model.slug} failed: {error}", retryable=False)


def _detail(body: Any) -> str:
    if not isinstance(body, dict):
        return ""
    detail = body.get("detail") or body.get("title") or ""
    return str(detail)


def first_url(output: Any) -> str:
    """The first URL of an output that is a URL or a list of them."""
    url = output[0] if isinstance(output, list) and output else output
    if not isinstance(url, str):
        raise ProviderError("Replicate's output is not a file URL; trying again", retryable=True)
    return url
