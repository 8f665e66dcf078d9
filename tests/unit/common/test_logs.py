"""No credential reaches a log line: query-string tokens, bearer tokens, JWTs, API keys, webhook secrets."""

import io
import json
import logging
from collections.abc import Iterator

import pytest

from libs.common.logs import configure_logging, redact

JWT = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiIxMjMiLCJleHAiOjE3MDB9.c2lnbmF0dXJlLWJ5dGVz"


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        (
            f'127.0.0.1:5055 - "WebSocket /api/v1/jobs/42/events?token={JWT}" [accepted]',
            "/api/v1/jobs/42/events?token=",
        ),
        (f"GET /files/x?expires=9&access_token={JWT}&page=2", "&page=2"),
        (f"Authorization: Bearer {JWT}", "Authorization: Bearer "),
        ("X-API-Key: rfk_Zk3n0pQrStUvWxYz0123456789abcdEF", "X-API-Key: "),
        ("secret whsec_MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0", "secret "),
    ],
)
def test_credentials_are_redacted_and_the_rest_kept(line: str, kept: str) -> None:
    scrubbed = redact(line)
    assert "[redacted]" in scrubbed and kept in scrubbed
    for secret in (JWT, "rfk_Zk3n0p", "whsec_MTIz"):
        assert secret not in scrubbed


def test_a_line_without_credentials_is_untouched() -> None:
    line = "job 8f14e45f rendered 41.2 s of video; the token bucket has 3 left"
    assert redact(line) == line


@pytest.fixture
def root_logging() -> Iterator[None]:
    """The root logger as it was before the test configures it as a service does."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        yield
    finally:
        root.handlers[:], root.level = handlers, level


@pytest.mark.usefixtures("root_logging")
def test_every_service_log_line_is_scrubbed_arguments_included() -> None:
    configure_logging("gateway")
    stream = io.StringIO()
    handler = logging.getLogger().handlers[0]
    handler.setStream(stream)  # type: ignore[attr-defined]
    logging.getLogger("reelforge.tests.websocket").info(
        '%s - "WebSocket %s" [accepted]', "127.0.0.1:1", f"/x?token={JWT}"
    )
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert JWT not in stream.getvalue()
    assert line["message"] == '127.0.0.1:1 - "WebSocket /x?token=[redacted]" [accepted]'
