"""A real run's logs hold no credential: the WebSocket's `?token=`, a bearer token or an API key in use."""

import json
import re

import httpx
import pytest
import websockets

from tests.stack import EmbeddedStack, register_and_login

pytestmark = pytest.mark.e2e

CREDENTIAL = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+|rfk_[\w-]{20,}|whsec_[\w+/=]{16,}")


async def test_tokens_and_keys_used_against_the_stack_never_reach_its_logs(stack: EmbeddedStack) -> None:
    token = register_and_login(stack, "log_reader")
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=stack.api, headers=headers, timeout=30) as client:
        key = (await client.post("/api-keys", json={"name": "logs"})).json()["key"]
        job_id = (await client.post("/jobs", json={"script": "One line.", "resolution": "270x480"})).json()["id"]
        assert (await client.get(f"/jobs/{job_id}", headers={"X-API-Key": key})).status_code == 200
        async with websockets.connect(f"{stack.ws_api}/jobs/{job_id}/events?token={token}", open_timeout=30) as ws:
            assert json.loads(await ws.recv())["type"]
        assert (await client.get("/jobs/not-a-job", params={"token": token})).status_code in (404, 422)
    leaked = {
        log.name: sorted(set(CREDENTIAL.findall(log.read_text(errors="replace"))))
        for log in (stack.var_dir / "logs").glob("*.log")
    }
    assert not {name: found for name, found in leaked.items() if found}, leaked
    assert "events?token=[redacted]" in stack.log("gateway"), "the WebSocket connection is logged, its token not"
