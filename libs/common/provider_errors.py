"""How a paid provider's failures become `ProviderError`s: retryable or not, and worded for a user.

The runtime retries what is retryable (with backoff, honouring `retry_after_s`) and fails the job
with the message otherwise, so each message says what went wrong and what to do about it. Every
provider (OpenAI images and speech, Replicate) maps its HTTP failures through `http_failure`, so a
bad key, an exhausted quota or a content-policy refusal reads the same whichever stage met it.
Messages never carry a key: a provider's own text is passed on only where it explains the request,
and anything shaped like a key is masked even then.
"""

import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from email.utils import parsedate_to_datetime

import openai

from libs.common.errors import ProviderError

_KEY_SHAPE = re.compile(r"\b(?:sk|rk|pk|org|proj|r8)[-_][A-Za-z0-9_\-*]{6,}")
OPENAI_CONTENT_POLICY_CODES = frozenset({"content_policy_violation", "content_filter", "moderation_blocked"})


def masked(text: str) -> str:
    """`text` with anything shaped like an API key replaced by `[key]`."""
    return _KEY_SHAPE.sub("[key]", text)


def retry_after_s(headers: Mapping[str, str]) -> float | None:
    """How long the server asked us to wait: `retry-after-ms`, or `Retry-After` in seconds or as an HTTP date."""
    milliseconds, value = headers.get("retry-after-ms"), headers.get("retry-after")
    try:
        if milliseconds is not None:
            return max(float(milliseconds) / 1000, 0.0)
        if value is None:
            return None
        if value.strip().replace(".", "", 1).isdigit():
            return float(value)
        return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (ValueError, TypeError):
        return None


def http_failure(
    provider: str,
    key_setting: str,
    status: int,
    said: str,
    headers: Mapping[str, str],
    out_of_quota: bool = False,
    content_policy: bool = False,
    base_url_setting: str = "the base URL setting",
) -> ProviderError:
    """The `ProviderError` for an HTTP error answer; `said` is the provider's own explanation."""
    said = masked(said)
    wait = retry_after_s(headers)
    if status in (401, 403):
        return ProviderError(f"{provider} rejected the API key (check {key_setting})", retryable=False)
    if status == 402 or (status == 429 and out_of_quota):
        return ProviderError(
            f"the {provider} account is out of quota or credit (check the plan and billing of the key's account)",
            retryable=False,
        )
    if status == 429:
        return ProviderError(
            f"{provider} is rate limiting the requests (HTTP 429); trying again later",
            retryable=True,
            retry_after_s=wait,
        )
    if status >= 500:
        return ProviderError(
            f"{provider} failed with HTTP {status} (a server error on its side); trying again",
            retryable=True,
            retry_after_s=wait,
        )
    if content_policy:
        return refused_by_policy(provider, said)
    if status == 404:
        return ProviderError(
            f"{provider} has no such model or endpoint "
            f"(HTTP 404; check the model setting and {base_url_setting}): {said}",
            retryable=False,
        )
    return ProviderError(f"{provider} rejected the request (HTTP {status}): {said}", retryable=False)


def refused_by_policy(provider: str, said: str) -> ProviderError:
    return ProviderError(
        f"{provider} refused the request under its content policy; change the request's text ({masked(said)})",
        retryable=False,
    )


def timed_out(provider: str) -> ProviderError:
    return ProviderError(f"{provider} did not answer in time; trying again", retryable=True)


def unreachable(provider: str, origin: str) -> ProviderError:
    return ProviderError(f"could not reach {provider} at {origin}; trying again", retryable=True)


@contextmanager
def openai_errors() -> Iterator[None]:
    """Run an OpenAI call, raising its failure as a `ProviderError`."""
    try:
        yield
    except openai.APIError as error:
        raise openai_failure(error) from error


def openai_failure(error: openai.APIError) -> ProviderError:
    if isinstance(error, openai.APITimeoutError):
        return timed_out("OpenAI")
    if isinstance(error, openai.APIConnectionError):
        url = error.request.url
        return unreachable("OpenAI", f"{url.scheme}://{url.netloc.decode()}")
    if not isinstance(error, openai.APIStatusError):
        return ProviderError(f"OpenAI sent an answer that could not be read: {_said(error)}", retryable=True)
    return http_failure(
        "OpenAI",
        "OPENAI_API_KEY",
        error.status_code,
        _said(error),
        error.response.headers,
        out_of_quota=error.code == "insufficient_quota",
        content_policy=error.status_code == 400 and error.code in OPENAI_CONTENT_POLICY_CODES,
        base_url_setting="OPENAI_BASE_URL",
    )


def _said(error: openai.APIError) -> str:
    message = error.body.get("message") if isinstance(error.body, dict) else None
    return message if isinstance(message, str) and message else error.message
