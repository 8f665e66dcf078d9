"""The gateway's HTTP client for the auth service (the one synchronous call between services)."""

from typing import Any

import httpx
from fastapi.responses import JSONResponse, Response

from libs.common.errors import ProviderError


class AuthClient:
    def __init__(self, base_url: str, client: httpx.AsyncClient) -> None:
        self.base_url = base_url.rstrip("/")
        self.client = client

    async def request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        token: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """Auth's answer as it is; `token` is forwarded for the calls auth authorises itself (admin ones)."""
        headers = {"Authorization": f"Bearer {token}"} if token else None
        try:
            return await self.client.request(
                method, f"{self.base_url}{path}", json=body, params=params, headers=headers, timeout=10.0
            )
        except httpx.HTTPError as error:
            raise ProviderError("The auth service is unavailable; try again shortly", retryable=True) from error

    async def call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        token: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> Response:
        """Forward to auth and answer with its status and body unchanged (its errors share our shape)."""
        upstream = await self.request(method, path, body, token, params)
        if upstream.status_code == 204:
            return Response(status_code=204)
        return JSONResponse(upstream.json(), status_code=upstream.status_code)
