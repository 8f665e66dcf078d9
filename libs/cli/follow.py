"""A job's progress as it happens: the WebSocket stream, else (or after it breaks) polling the job.

Each update is the stream's message shape: `type`, `status`, `progress` (0-100, never going back),
`stage` and `message`. Following ends with the job read once it has ended.
"""

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

from websockets.exceptions import WebSocketException
from websockets.sync.client import connect

from libs.cli.client import ApiClient

FINAL_STATUSES = frozenset({"completed", "moderation_failed", "failed", "cancelled"})
POLL_S = 1.0
QUIET_S = 120.0
"""A socket silent this long is given up for polling (stages report far more often)."""

Update = dict[str, Any]


def socket_updates(api: ApiClient, job_id: str) -> Iterator[Update]:
    """The job's history then its live updates; the token goes in the first message, not in the URL."""
    url = api.websocket_url(f"/jobs/{job_id}/events")
    with connect(url, open_timeout=10) as socket:
        socket.send(json.dumps({"token": api.token()}))
        while True:
            update = json.loads(socket.recv(timeout=QUIET_S))
            if isinstance(update, dict) and "status" in update:
                yield update
                if update["status"] in FINAL_STATUSES:
                    return


def as_update(job: dict[str, Any]) -> Update:
    keys = ("status", "progress", "stage", "message")
    return {"type": "poll", "job_id": job["id"], **{key: job.get(key) for key in keys}}


def follow(api: ApiClient, job_id: str, on_update: Callable[[Update], None], poll_s: float = POLL_S) -> dict[str, Any]:
    """Report every update until the job ends; the ended job. The socket's failures are not errors: polling
    takes over, and errors of the API itself (the job is gone, the login expired) surface from there."""
    try:
        for update in socket_updates(api, job_id):
            on_update(update)
    except (OSError, TimeoutError, WebSocketException, ValueError):
        pass
    while True:
        job = api.call("GET", f"/jobs/{job_id}")
        on_update(as_update(job))
        if job["status"] in FINAL_STATUSES:
            return job
        time.sleep(poll_s)
