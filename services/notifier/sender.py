"""One delivery attempt over HTTP: check the URL again, connect to the checked address, sign, POST.

The URL is checked at send time too (its DNS may have changed since registration), and the
request goes to the very address that passed, with the original `Host` and TLS server name,
so a rebinding answer between check and connect cannot send it inside. Redirects are never
followed; the response body is never read (a receiver cannot make us download anything).
"""

import asyncio
import ssl
import time

import httpx

from libs.common.events import now
from libs.common.ssrf import Allowlist, UnsafeUrl, check_url
from services.notifier.policy import RETRY_AFTER_STATUSES, AttemptResult, parse_retry_after
from services.notifier.signing import signed_headers
from services.notifier.store import DueAttempt

USER_AGENT = "Reelforge-Webhooks/1.0"


def webhook_client(trusted: ssl.SSLContext | None = None) -> httpx.AsyncClient:
    """The client for receivers: no redirects, no proxies from the environment (they would bypass the
    address check), and no kept-alive connections (one to an address must not serve another host name).

    An HTTPS receiver's certificate must be valid for the URL's host name (sent as SNI) and chain to
    the public CAs httpx trusts (certifi's bundle), or to those of `trusted` when given (tests).
    """
    return httpx.AsyncClient(
        follow_redirects=False,
        trust_env=False,
        limits=httpx.Limits(max_keepalive_connections=0),
        verify=trusted if trusted is not None else True,
    )


class WebhookSender:
    def __init__(self, client: httpx.AsyncClient, allowed: Allowlist, timeout_s: float) -> None:
        self.client = client
        self.allowed = allowed
        self.timeout_s = timeout_s

    async def attempt(self, due: DueAttempt) -> AttemptResult:
        try:
            target = await check_url(due.url, self.allowed)
        except UnsafeUrl as error:
            return AttemptResult(error=error.message, no_answer="refused_address")
        headers = {
            **signed_headers(due.secret, due.message_id, int(time.time()), due.payload),
            "host": target.host_header,
            "user-agent": USER_AGENT,
            **({"traceparent": due.traceparent} if due.traceparent else {}),
        }
        extensions = {"sni_hostname": target.hostname} if target.scheme == "https" else {}
        try:
            async with (
                asyncio.timeout(self.timeout_s),
                self.client.stream(
                    "POST",
                    target.target,
                    content=due.payload.encode(),
                    headers=headers,
                    extensions=extensions,
                    timeout=self.timeout_s,
                ) as response,
            ):
                status = response.status_code
                retry_after = response.headers.get("retry-after") if status in RETRY_AFTER_STATUSES else None
        except (TimeoutError, httpx.TimeoutException):
            return AttemptResult(error=f"no answer within {self.timeout_s:g} s", no_answer="timeout")
        except httpx.HTTPError as error:
            said = f"could not reach the endpoint: {error or type(error).__name__}"
            return AttemptResult(error=said, no_answer="unreachable")
        return AttemptResult(
            http_status=status,
            error=None if 200 <= status < 300 else describe(status),
            retry_after_s=parse_retry_after(retry_after, now()),
        )


def describe(status: int) -> str:
    if 300 <= status < 400:
        return f"the endpoint answered {status}; redirects are not followed"
    return f"the endpoint answered {status}"
