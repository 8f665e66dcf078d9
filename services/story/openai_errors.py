"""The one place where OpenAI's errors become `ProviderError`s: retryable or not, and worded for a user.

The runtime retries what is retryable (with backoff, honouring `retry_after_s`) and fails the
job with the message otherwise, so each message says what went wrong and what to do about it.
Messages never carry the API key: OpenAI's own text is passed on only where it explains the
request, and anything shaped like a key is masked even then.
"""

import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from email.utils import parsedate_to_datetime

import openai

from libs.common.errors import ProviderError

_KEY_SHAPE = re.compile(r"\b(?:sk|rk|pk|org|proj)-[A-Za-z0-9_\-*]{6,}")
_CONTENT_POLICY_CODES = frozenset({"content_policy_violation", "content_filter", "moderation_blocked"})


@contextmanager
def openai_errors() -> Iterator[None]:
    """Run an OpenAI call, raising its failure as a `ProviderError`."""
    try:
        yield
    except openai.APIError as error:
        raise provider_error(error) from error


def provider_error(error: openai.APIError) -> ProviderError:
    if isinstance(error, openai.APITimeoutError):
        return ProviderError("OpenAI did not answer in time; trying again", retryable=True)
    if isinstance(error, openai.APIConnectionError):
        return ProviderError(f"could not reach OpenAI at {_origin(error)}; trying again", retryable=True)
    if not isinstance(error, openai.APIStatusError):
        return ProviderError(f"OpenAI sent an answer that could not be read: {_said(error)}", retryable=True)
    status = error.status_code
    if status in (401, 403):
        return ProviderError("OpenAI rejected the API key (check OPENAI_API_KEY)", retryable=False)
    if status == 429 and error.code == "insufficient_quota":
        return ProviderError(
            "the OpenAI account is out of quota (check the plan and billing of the key's account)", retryable=False
        )
    if status == 429:
        return ProviderError(
            "OpenAI is rate limiting the requests (HTTP 429); trying again later",
            retryable=True,
            retry_after_s=retry_after_s(error.response.headers),
        )
    if status >= 500:
        return ProviderError(
            f"OpenAI failed with HTTP {status} (a server error on its side); trying again",
            retryable=True,
            retry_after_s=retry_after_s(error.response.headers),
        )
    if status == 400 and error.code in _CONTENT_POLICY_CODES:
        return ProviderError(
            f"OpenAI refused the request under its content policy; change the request's text ({_said(error)})",
            retryable=False,
        )
    if status == 404:
        return ProviderError(
            f"OpenAI has no such model or endpoint (HTTP 404; check the model setting and OPENAI_BASE_URL): "
            f"{_said(error)}",
            retryable=False,
        )
    return ProviderError(f"OpenAI rejected the request (HTTP {status}): {_said(error)}", retryable=False)


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


def _said(error: openai.APIError) -> str:
    """OpenAI's own explanation, with anything shaped like a key masked."""
    message = error.body.get("message") if isinstance(error.body, dict) else None
    return _KEY_SHAPE.sub("[key]", message if isinstance(message, str) and message else error.message)


def _origin(error: openai.APIError) -> str:
    url = error.request.url
    return f"{url.scheme}://{url.netloc.decode()}"
