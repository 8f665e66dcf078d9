"""An AI agent drives Reelforge through the MCP server, over stdio and over streamable HTTP, with mcp's own client:
it lists the tools, makes a video, follows it, reads its scenes and downloads it by the link it is given."""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from tests.media import probe
from tests.servers import free_port
from tests.stack import REPO, EmbeddedStack, register_and_login

pytestmark = pytest.mark.e2e

TOOLS = {"create_video", "get_status", "list_scenes", "download_link"}
SCRIPT = "A paper boat sets sail.\nIt reaches the wide sea."


@pytest.fixture(scope="module")
def agent_env(stack: EmbeddedStack) -> dict[str, str]:
    """What the MCP server runs with: the stack's address and an API key made for the agent."""
    token = register_and_login(stack, "mcp_agent")
    made = httpx.post(
        f"{stack.api}/api-keys", json={"name": "agent"}, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert made.status_code == 201, made.text
    inherited = {key: value for key, value in os.environ.items() if not key.startswith("REELFORGE_")}
    return {
        **inherited,
        "REELFORGE_SERVER": stack.base_url,
        "REELFORGE_API_KEY": made.json()["key"],
        "PYTHONPATH": str(REPO),
    }


def result(called: Any) -> Any:
    """A tool call's structured result (a list comes wrapped as {"result": [...]})."""
    assert not called.is_error, called.content
    content = called.structured_content
    return content["result"] if isinstance(content, dict) and set(content) == {"result"} else content


async def finished(client: Client, job_id: str, timeout_s: float = 240) -> dict[str, Any]:
    async with asyncio.timeout(timeout_s):
        while (status := result(await client.call_tool("get_status", {"job_id": job_id})))["status"] not in (
            "completed",
            "failed",
            "cancelled",
        ):
            await asyncio.sleep(1)
    return status


async def test_an_agent_makes_a_video_over_stdio(agent_env: dict[str, str], tmp_path: Path) -> None:
    server = StdioServerParameters(command=sys.executable, args=["-m", "libs.mcp_tools"], env=agent_env, cwd=str(REPO))
    async with Client(server) as client:
        assert TOOLS <= {tool.name for tool in (await client.list_tools()).tools}

        created = result(await client.call_tool("create_video", {"script": SCRIPT, "resolution": "256x448"}))
        status = await finished(client, created["job_id"])
        scenes = result(await client.call_tool("list_scenes", {"job_id": created["job_id"]}))
        link = result(await client.call_tool("download_link", {"job_id": created["job_id"]}))
        refused = await client.call_tool("create_video", {"script": SCRIPT, "voice": "bob"})

    assert status["status"] == "completed", status
    assert [scene["narration"] for scene in scenes] == SCRIPT.splitlines()
    async with httpx.AsyncClient(timeout=30) as anyone:
        video = await anyone.get(link["url"])
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    (tmp_path / "boat.mp4").write_bytes(video.content)
    info = probe(tmp_path / "boat.mp4")
    assert {stream["codec_type"] for stream in info["streams"]} == {"video", "audio"}
    assert float(info["format"]["duration"]) == pytest.approx(status["duration_s"], abs=0.1)
    assert refused.is_error
    assert "voice" in json.dumps([block.model_dump() for block in refused.content])


@pytest.fixture
def http_server(agent_env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "libs.mcp_tools", "--transport", "streamable-http", "--port", str(port)],
        env=agent_env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            with socket.socket() as probe_socket:
                if probe_socket.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert process.poll() is None, "the MCP server exited"
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_the_same_tools_answer_over_streamable_http(http_server: str) -> None:
    async with Client(http_server) as client:
        assert TOOLS <= {tool.name for tool in (await client.list_tools()).tools}
        created = result(
            await client.call_tool("create_video", {"prompt": "a kite over a hill", "resolution": "128x128"})
        )
        status = result(await client.call_tool("get_status", {"job_id": created["job_id"]}))
        missing = await client.call_tool("get_status", {"job_id": "00000000-0000-0000-0000-000000000000"})

    assert status["job_id"] == created["job_id"] and status["status"] in (
        "pending",
        "queued",
        "moderating",
        "processing",
        "completed",
    )
    assert missing.is_error and "404" in json.dumps([block.model_dump() for block in missing.content])
