"""`reelforge keys`: API keys acting as you: list, create (the key is shown once), revoke."""

from typing import Annotated

import typer

from libs.cli.options import DEFAULT_SERVER, AsJson, Server
from libs.cli.output import table
from libs.cli.session import session

app = typer.Typer(help="API keys: list, create, revoke.", no_args_is_help=True)
KeyId = Annotated[str, typer.Argument(metavar="ID", help="The key's id (from `reelforge keys list`).")]


@app.command("list")
def list_keys(server: Server = DEFAULT_SERVER, as_json: AsJson = False) -> None:
    """List your API keys (their first characters, never the keys).

    Example: reelforge keys list
    """
    with session(server, as_json) as s:
        keys = s.api.call("GET", "/api-keys")
        rows = [(key["id"], key["name"], key["hint"], key["created_at"][:19], key["last_used_at"]) for key in keys]
        s.out.result(keys, lambda console: console.print(table(["id", "name", "hint", "created", "last used"], rows)))


@app.command()
def create(
    name: Annotated[str, typer.Argument(help="What the key is for.")] = "default",
    server: Server = DEFAULT_SERVER,
    as_json: AsJson = False,
) -> None:
    """Make a key; it is printed now and never again. Send it as `X-API-Key`.

    Example: reelforge keys create ci-uploader
    """
    with session(server, as_json, {"name": "NAME"}) as s:
        key = s.api.call("POST", "/api-keys", json={"name": name})
        s.out.note(f"Key {key['id']} made; keep it now, it is not shown again:")
        s.out.result(key, lambda console: console.print(key["key"], markup=False))


@app.command()
def revoke(key_id: KeyId, server: Server = DEFAULT_SERVER, as_json: AsJson = False) -> None:
    """Revoke a key: the next request with it is refused.

    Example: reelforge keys revoke 6f1c2a8e-95b1-4a59-8b0e-3d2f4c1a7e90
    """
    with session(server, as_json) as s:
        s.api.call("DELETE", f"/api-keys/{key_id}")
        s.out.result({"id": key_id, "revoked": True}, lambda console: console.print(f"Key {key_id} revoked"))


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="keys")
