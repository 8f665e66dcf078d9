"""`reelforge users`, for admins: every account; a new one (`--admin` makes it an admin); shut one out.

Creating is registering (open to anyone) then, for `--admin`, `PATCH /admin/users/{id}` with
`role: admin`; admin account changes need a login, not an API key.
"""

from typing import Annotated, Any

import typer

from libs.cli.errors import CliError
from libs.cli.options import DEFAULT_SERVER, AsJson, Server
from libs.cli.output import table
from libs.cli.session import Session, session

app = typer.Typer(help="Accounts (admins only): list, create, disable, enable.", no_args_is_help=True)
UserId = Annotated[str, typer.Argument(metavar="ID", help="The account's id (from `reelforge users list`).")]


def _require_admin(s: Session) -> None:
    me = s.api.call("GET", "/users/me")
    if me.get("role") != "admin":
        raise CliError(f"{me.get('username')} is not an admin: only admins can make admins", status=403)


@app.command("list")
def list_users(
    page: Annotated[int, typer.Option(min=1)] = 1,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 20,
    server: Server = DEFAULT_SERVER,
    as_json: AsJson = False,
) -> None:
    """List every account, oldest first.

    Example: reelforge users list --limit 50
    """
    with session(server, as_json, {"page": "--page", "limit": "--limit"}) as s:
        answer = s.api.call("GET", "/admin/users", params={"page": page, "limit": limit})
        rows = [
            (user["id"], user["username"], user["email"], user["role"], user["subscription_tier"], user["is_active"])
            for user in answer["items"]
        ]
        columns = ["id", "username", "email", "role", "tier", "active"]
        s.out.result(answer, lambda console: console.print(table(columns, rows, f"{answer['total']} accounts")))


@app.command()
def create(
    email: Annotated[str, typer.Argument(help="The new account's email.")],
    username: Annotated[str, typer.Argument(help="3-32 letters, digits, '_', '.' or '-'.")],
    password: Annotated[
        str, typer.Option("--password", "-p", prompt=True, hide_input=True, help="8 characters or more.")
    ],
    admin: Annotated[bool, typer.Option("--admin", help="Make the account an admin.")] = False,
    server: Server = DEFAULT_SERVER,
    as_json: AsJson = False,
) -> None:
    """Create an account (an admin with --admin).

    Example: reelforge users create grace@example.com grace --admin
    """
    options = {"email": "EMAIL", "username": "USERNAME", "password": "--password", "role": "--admin"}
    with session(server, as_json, options) as s:
        if admin:
            _require_admin(s)
        user: dict[str, Any] = s.api.register(email, username, password)
        if admin:
            user = s.api.call("PATCH", f"/admin/users/{user['id']}", json={"role": "admin"})
        s.out.result(user, lambda console: console.print(f"{user['username']} ({user['role']}): {user['id']}"))


def _set_active(user_id: str, active: bool, server: str, as_json: bool) -> None:
    with session(server, as_json) as s:
        user = s.api.call("POST", f"/admin/users/{user_id}/{'enable' if active else 'disable'}")
        state = "enabled" if active else "disabled: their tokens and keys stop working now"
        s.out.result(user, lambda console: console.print(f"{user.get('username', user_id)} {state}", markup=False))


@app.command()
def disable(user_id: UserId, server: Server = DEFAULT_SERVER, as_json: AsJson = False) -> None:
    """Shut an account out at once: its tokens and API keys stop working, it cannot log in.

    Example: reelforge users disable 9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d
    """
    _set_active(user_id, False, server, as_json)


@app.command()
def enable(user_id: UserId, server: Server = DEFAULT_SERVER, as_json: AsJson = False) -> None:
    """Let a disabled account back in.

    Example: reelforge users enable 9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d
    """
    _set_active(user_id, True, server, as_json)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="users")
