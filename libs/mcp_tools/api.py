"""The few public API calls the MCP tools make, with the API's refusals turned into tool errors.

Authenticated by an API key (`REELFORGE_API_KEY`, sent as `X-API-Key`) against `REELFORGE_SERVER`:
an agent gets a key of its own, which its owner can revoke, rather than a password.
"""

from dataclasses import dataclass
from typing import Any

import httpx
from mcp.server.mcpserver.exceptions import ToolError

TIMEOUT_S = 30.0


@dataclass
class ReelforgeApi:
    server: str
    api_key: str

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=f"{self.server.rstrip('/')}/api/v1", headers={"X-API-Key": self.api_key}, timeout=TIMEOUT_S
        )

    async def call(self, method: str, path: str, json: dict[str, Any] | None = None) -> Any:
        """The answer's JSON; a refusal is a ToolError carrying the API's own sentence (it names the field)."""
        try:
            async with self.client() as client:
                response = await client.request(method, path, json=json)
        except httpx.HTTPError as error:
            raise ToolError(f"Reelforge at {self.server} cannot be reached: {error}") from None
        if response.is_error:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text
            raise ToolError(f"Reelforge refused ({response.status_code}): {detail}")
        return response.json()
