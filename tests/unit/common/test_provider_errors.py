"""OpenAI's failures as provider errors: what is worth retrying, how long to wait, and what a user reads."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx2
import openai
import pytest

from libs.common.errors import ProviderError
from libs.common.provider_errors import openai_errors, openai_failure, retry_after_s

KEY = "sk-proj-abcdefghijklmnopqrstuvwx"
REQUEST = httpx2.Request("POST", "http://127.0.0.1:8080/v1/chat/completions")
CLASSES: dict[int, type[openai.APIStatusError]] = {
    400: openai.BadRequestError,
    401: openai.AuthenticationError,
    403: openai.PermissionDeniedError,
    404: openai.NotFoundError,
    422: openai.UnprocessableEntityError,
    429: openai.RateLimitError,
}


def status_error(
    status: int, message: str = "", code: str | None = None, headers: dict[str, str] | None = None
) -> openai.APIStatusError:
    """The error the client raises for a response, built as it builds it (the body is the inner `error`)."""
    body = {"message": message, "type": "invalid_request_error", "param": None, "code": code}
    response = httpx2.Response(status, headers=headers or {}, request=REQUEST)
    kind = CLASSES.get(status, openai.InternalServerError if status >= 500 else openai.APIStatusError)
    return kind(f"Error code: {status} - {message}", response=response, body=body)


@pytest.mark.parametrize("status", [401, 403])
def test_a_rejected_key_is_permanent_and_never_quoted(status: int) -> None:
    error = openai_failure(status_error(status, f"Incorrect API key provided: {KEY}."))
    assert (error.message, error.retryable) == ("OpenAI rejected the API key (check OPENAI_API_KEY)", False)


def test_a_rate_limit_is_retried_after_what_the_server_asked() -> None:
    error = openai_failure(status_error(429, "Rate limit reached", "rate_limit_exceeded", {"retry-after": "1.5"}))
    assert (error.retryable, error.retry_after_s) == (True, 1.5)
    assert "429" in error.message


def test_an_exhausted_quota_is_permanent() -> None:
    error = openai_failure(status_error(429, "You exceeded your current quota", "insufficient_quota"))
    assert not error.retryable and "out of quota" in error.message


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retried_and_name_the_status(status: int) -> None:
    error = openai_failure(status_error(status, "The server had an error"))
    assert error.retryable and f"HTTP {status}" in error.message and "OpenAI" in error.message


def test_a_content_policy_refusal_is_permanent_and_says_why() -> None:
    error = openai_failure(status_error(400, "rejected by our safety system", "content_policy_violation"))
    assert not error.retryable and "content policy" in error.message


def test_an_unknown_model_points_at_the_settings() -> None:
    error = openai_failure(status_error(404, "The model `gpt-9` does not exist", "model_not_found"))
    assert not error.retryable and "gpt-9" in error.message and "OPENAI_BASE_URL" in error.message


def test_other_rejections_are_permanent_and_carry_openais_words_without_keys() -> None:
    error = openai_failure(status_error(400, f"Invalid 'messages' for key {KEY}"))
    assert not error.retryable and "HTTP 400" in error.message and "Invalid 'messages'" in error.message
    assert KEY not in error.message and KEY[8:] not in error.message


def test_timeouts_and_unreachable_servers_are_retried() -> None:
    timeout = openai_failure(openai.APITimeoutError(REQUEST))
    unreachable = openai_failure(openai.APIConnectionError(request=REQUEST))
    assert timeout.retryable and unreachable.retryable
    assert "http://127.0.0.1:8080" in unreachable.message


def test_the_context_raises_provider_errors_from_openai_errors() -> None:
    with pytest.raises(ProviderError) as raised, openai_errors():
        raise status_error(503, "overloaded")
    assert raised.value.retryable


def test_retry_after_reads_seconds_milliseconds_and_dates() -> None:
    assert retry_after_s({"retry-after": "2"}) == 2.0
    assert retry_after_s({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= (retry_after_s({"retry-after": later}) or 0) <= 30
    assert retry_after_s({}) is None
    assert retry_after_s({"retry-after": "soon"}) is None
