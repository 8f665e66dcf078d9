"""What the self-hosted Stable Diffusion makers share: the size and sampling asked of the server, and one
HTTP client whose failures read as that server's.

The servers run on the user's own GPU: an AUTOMATIC1111 or Forge web UI (`sd_webui.py`) or ComfyUI
(`comfyui.py`). Their address is the operator's own setting, so it is called as configured (no SSRF
check: it is usually on the local network). A login in the URL (`http://user:password@host:7860`, the
web UI's `--api-auth`) is sent as HTTP Basic and never shown in a message.

Failures read like every provider's (`provider_errors.py`): a server that cannot be reached, times out
or answers 5xx is retried by the runtime; a 4xx fails the job with what the server said and the
setting to check.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from libs.common.errors import ProviderError
from libs.common.provider_errors import http_failure, masked, timed_out, unreachable
from libs.common.vocabulary import Quality

QUALITY_STEPS: dict[Quality, float] = {"draft": 0.5, "standard": 1.0, "high": 1.6}
"""Sampling steps per quality, as a share of REELFORGE_SD_STEPS."""


@dataclass(frozen=True)
class Sampling:
    """How the server samples, from the imaging settings (`REELFORGE_SD_*`)."""

    steps: int
    cfg_scale: float
    negative_prompt: str
    long_side: int

    def steps_for(self, quality: Quality) -> int:
        return max(1, round(self.steps * QUALITY_STEPS[quality]))


def canvas(width: int, height: int, long_side: int) -> tuple[int, int]:
    """The size asked of the server: the frame's shape with its long side `long_side`, each side a multiple
    of 8 (Stable Diffusion's latent is an eighth of the picture); the answer is then cropped to the frame."""
    scale = long_side / max(width, height)
    return max(round(width * scale / 8) * 8, 64), max(round(height * scale / 8) * 8, 64)


def shown(url: str) -> str:
    """`url` without the login it may carry, for messages and logs."""
    parts = urlsplit(url.rstrip("/"))
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


class LocalServer:
    """One self-hosted server: `name` (as its users know it) at `url`, configured by `setting`.

    `explain` turns an error answer's body into the server's own words; `not_found_hint` says what a 404
    most likely means for this server.
    """

    def __init__(
        self,
        name: str,
        url: str,
        setting: str,
        timeout: httpx.Timeout,
        explain: Callable[[Any], str],
        not_found_hint: str,
    ) -> None:
        self.name = name
        self.setting = setting
        self.base_url = url.rstrip("/")
        self.origin = shown(url)
        self.explain = explain
        self.not_found_hint = not_found_hint
        self.http = httpx.AsyncClient(
            timeout=timeout, follow_redirects=False, trust_env=False, headers={"user-agent": "Reelforge"}
        )

    @property
    def at(self) -> str:
        """`ComfyUI at http://gpu-box:8188`: the server, as messages name it."""
        return f"{self.name} at {self.origin}"

    async def close(self) -> None:
        await self.http.aclose()

    async def call(self, method: str, path: str, **request: Any) -> httpx.Response:
        """One request; an error answer or a failed connection raises its `ProviderError`."""
        try:
            response = await self.http.request(method, f"{self.base_url}{path}", **request)
        except httpx.TimeoutException:
            raise timed_out(self.at) from None
        except httpx.HTTPError:
            raise unreachable(self.name, self.origin) from None
        if response.status_code >= 400:
            raise self.failure(path, response)
        return response

    async def call_json(self, method: str, path: str, **request: Any) -> Any:
        response = await self.call(method, path, **request)
        try:
            return response.json()
        except ValueError:
            raise ProviderError(f"{self.at} sent an answer that is not JSON; trying again", retryable=True) from None

    def failure(self, path: str, response: httpx.Response) -> ProviderError:
        try:
            body: Any = response.json()
        except ValueError:
            body = response.text[:300]
        said = masked(self.explain(body) or response.reason_phrase)
        status = response.status_code
        if status in (401, 403):
            return ProviderError(
                f"{self.at} asks for a login (HTTP {status}): put its user and password in {self.setting} "
                "(http://user:password@host:port)",
                retryable=False,
            )
        if status == 404:
            return ProviderError(
                f"{self.at} answered HTTP 404 at {path} ({said}): {self.not_found_hint}", retryable=False
            )
        return http_failure(self.at, self.setting, status, said, response.headers, base_url_setting=self.setting)
