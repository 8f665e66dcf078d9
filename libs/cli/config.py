"""Where the CLI talks to and what it remembers: the server URL, and logins in a file only the user can read.

The file is `credentials.json` in the user's config folder (`typer.get_app_dir`, which follows
`$XDG_CONFIG_HOME`), one login per server URL, written with mode 0600 in a 0700 folder.
"""

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import typer

DEFAULT_SERVER = "http://127.0.0.1:8000"
FILE_MODE, FOLDER_MODE = 0o600, 0o700


def normalise_server(url: str) -> str:
    """The key a login is stored under: no trailing slash, and `http://` when no scheme is given."""
    url = url.strip().rstrip("/")
    return url if "://" in url else f"http://{url}"


def config_dir() -> Path:
    return Path(typer.get_app_dir("reelforge"))


@dataclass
class Login:
    access_token: str
    refresh_token: str | None
    username: str


class CredentialStore:
    """Logins by server URL; every write replaces the file atomically and keeps it private."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / "credentials.json"

    def _read(self) -> dict[str, dict[str, str | None]]:
        try:
            servers = json.loads(self.path.read_text()).get("servers", {})
        except (FileNotFoundError, ValueError, AttributeError):
            return {}
        return servers if isinstance(servers, dict) else {}

    def get(self, server: str) -> Login | None:
        entry = self._read().get(server)
        if not isinstance(entry, dict) or not entry.get("access_token"):
            return None
        return Login(str(entry["access_token"]), entry.get("refresh_token"), str(entry.get("username") or ""))

    def put(self, server: str, login: Login) -> None:
        servers = self._read()
        servers[server] = asdict(login)
        self._write(servers)

    def forget(self, server: str) -> bool:
        servers = self._read()
        if servers.pop(server, None) is None:
            return False
        self._write(servers)
        return True

    def _write(self, servers: dict[str, dict[str, str | None]]) -> None:
        self.path.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=".credentials-", dir=self.path.parent)  # created 0600
        try:
            with os.fdopen(descriptor, "w") as handle:
                json.dump({"servers": servers}, handle, indent=2)
            os.chmod(temporary, FILE_MODE)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
