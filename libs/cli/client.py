"""The native API over HTTP: requests, downloads and logins, with errors turned into `CliError`s.

A refused access token is refreshed once with the stored refresh token (tokens rotate, so the
new pair is stored at once); a failed refresh means logging in again.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from libs.cli.config import CredentialStore, Login
from libs.cli.errors import BadInput, CliError, NotLoggedIn, Unreachable

TIMEOUT_S = 30.0
CHUNK = 1 << 16
BAD_INPUT_STATUSES = {400, 422}


def _error(response: httpx.Response) -> CliError:
    """The API's `{"detail", "errors"}` as an error; anything else (a proxy's page) by its status."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    detail = body.get("detail") if isinstance(body, dict) else None
    if not isinstance(detail, str):
        detail = f"The server answered {response.status_code} {response.reason_phrase}"
    errors = body.get("errors") if isinstance(body, dict) else None
    errors = [error for error in errors if isinstance(error, dict)] if isinstance(errors, list) else []
    kind = BadInput if response.status_code in BAD_INPUT_STATUSES else CliError
    return kind(detail, errors, response.status_code)


class ApiClient:
    def __init__(self, server: str, store: CredentialStore, timeout_s: float = TIMEOUT_S) -> None:
        self.server = server
        self.store = store
        try:
            self.http = httpx.Client(base_url=f"{server}/api/v1", timeout=timeout_s)
        except httpx.InvalidURL as error:
            raise BadInput(f"Invalid value for '--server': {error}") from None

    def close(self) -> None:
        self.http.close()

    @property
    def login(self) -> Login | None:
        return self.store.get(self.server)

    def token(self) -> str:
        login = self.login
        if login is None:
            raise NotLoggedIn(self.server)
        return login.access_token

    def _auth_headers(self) -> dict[str, str]:
        """The stored login's token; none without a login, so an unreachable server still reads as one."""
        login = self.login
        return {"Authorization": f"Bearer {login.access_token}"} if login is not None else {}

    @contextmanager
    def _transport(self) -> Iterator[None]:
        try:
            yield
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as error:
            raise BadInput(f"Invalid value for '--server': {error}") from None
        except httpx.TransportError as error:
            raise Unreachable(self.server, str(error) or type(error).__name__) from None

    def _send(self, method: str, path: str, *, authed: bool, stream: bool = False, **kwargs: Any) -> httpx.Response:
        headers = self._auth_headers() if authed else {}
        with self._transport():
            request = self.http.build_request(method, path, headers=headers, **kwargs)
            response = self.http.send(request, stream=stream)
        if response.status_code == 401 and authed and self._refresh():
            response.close()
            request.headers["Authorization"] = f"Bearer {self.token()}"
            with self._transport():
                response = self.http.send(request, stream=stream)
        if response.status_code == 401 and authed:
            response.close()
            raise NotLoggedIn(self.server)
        if response.status_code >= 400:
            if stream:
                response.read()
            raise _error(response)
        return response

    def _refresh(self) -> bool:
        login = self.login
        if login is None or not login.refresh_token:
            return False
        with self._transport():
            answer = self.http.post("/auth/refresh", json={"refresh_token": login.refresh_token})
        if answer.status_code != 200:
            return False
        pair = answer.json()
        self.store.put(self.server, Login(pair["access_token"], pair.get("refresh_token"), login.username))
        return True

    def call(self, method: str, path: str, *, authed: bool = True, **kwargs: Any) -> Any:
        """The answer's JSON (None for 204)."""
        response = self._send(method, path, authed=authed, **kwargs)
        return None if response.status_code == 204 or not response.content else response.json()

    def download(self, path: str, target: Path, on_chunk: Callable[[int, int | None], None] | None = None) -> Path:
        """Stream `path` into `target` (written beside it, then moved into place); `on_chunk(done, total)`."""
        partial = target.with_name(f".{target.name}.part")
        response = self._send("GET", path, authed=True, stream=True)
        try:
            total = int(response.headers["content-length"]) if "content-length" in response.headers else None
            done = 0
            with self._transport(), partial.open("wb") as handle:
                for chunk in response.iter_bytes(CHUNK):
                    handle.write(chunk)
                    done += len(chunk)
                    if on_chunk is not None:
                        on_chunk(done, total)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        finally:
            response.close()
        partial.replace(target)
        return target

    def websocket_url(self, path: str) -> str:
        base = str(self.http.base_url).rstrip("/")
        return base.replace("https://", "wss://", 1).replace("http://", "ws://", 1) + path

    # ---- accounts -------------------------------------------------------------------

    def log_in(self, identifier: str, password: str) -> Login:
        pair = self.call("POST", "/auth/login", authed=False, json={"login": identifier, "password": password})
        return Login(pair["access_token"], pair.get("refresh_token"), identifier)

    def register(self, email: str, username: str, password: str) -> dict[str, Any]:
        body = {"email": email, "username": username, "password": password}
        return self.call("POST", "/auth/register", authed=False, json=body)

    def log_out(self) -> None:
        login = self.login
        if login is not None and login.refresh_token:
            self.call("POST", "/auth/logout", authed=False, json={"refresh_token": login.refresh_token})
