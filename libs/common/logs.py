"""Structured JSON logs with `service`, `job_id`, `traceparent` and `trace_id` on every line, and no credentials.

The job context lives in context variables, so a handler sets it once (`job_context`)
and every log line inside that task carries it, including lines from libraries.
Every line is scrubbed of credentials before it is written: a WebSocket URL's `?token=`
(uvicorn logs each connection's path), bearer tokens, JWTs, API keys and webhook secrets.
"""

import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

from libs.common.tracing import current_traceparent, trace_id, traced

_job_id: ContextVar[str | None] = ContextVar("job_id", default=None)


_CREDENTIALS = re.compile(
    r"(?P<param>(?:access_|refresh_)?token=)[^&\s\"'<>]+"  # ?token=..., &access_token=...
    r"|(?P<bearer>[Bb]earer\s+)[\w.~+/=-]+"
    r"|eyJ[\w-]+\.[\w-]+\.[\w-]*"  # a JWT anywhere
    r"|rfk_[\w-]{20,}"  # an API key
    r"|whsec_[\w+/=]{16,}"  # a webhook signing secret
)
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """`text` with every credential replaced by `[redacted]` (a parameter or scheme keeps its name)."""
    return _CREDENTIALS.sub(lambda found: (found.group("param") or found.group("bearer") or "") + REDACTED, text)


class _NoCredentials(logging.Filter):
    """Rewrites a record's message, arguments merged, without the credentials it carries."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = redact(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True


class _JobContext(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        traceparent = current_traceparent()
        record.job_id, record.traceparent, record.trace_id = _job_id.get(), traceparent, trace_id(traceparent)
        return True


@contextmanager
def job_context(job_id: object, traceparent: str | None) -> Iterator[None]:
    job_token = _job_id.set(str(job_id))
    try:
        with traced(traceparent):
            yield
    finally:
        _job_id.reset(job_token)


def configure_logging(service: str, level: str = "INFO", log_format: str = "json") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_NoCredentials())
    handler.addFilter(_JobContext())
    if log_format == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(job_id)s %(traceparent)s %(trace_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                static_fields={"service": service},
            )
        )
    else:
        handler.setFormatter(logging.Formatter(f"%(asctime)s {service} %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiokafka", "faststream", "httpx", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
