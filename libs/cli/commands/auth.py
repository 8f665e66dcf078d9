"""Accounts: register, log in (the tokens are stored for this server), log out, who am I."""

from typing import Annotated

import typer
from rich.console import Console

from libs.cli.options import DEFAULT_SERVER, AsJson, Server
from libs.cli.output import fields
from libs.cli.session import session

LOGIN_OPTIONS = {"login": "--user", "email": "--user", "username": "--user", "password": "--password"}
Password = Annotated[
    str, typer.Option("--password", "-p", prompt=True, hide_input=True, help="Your password (asked if left out).")
]


def login(
    user: Annotated[str, typer.Option("--user", "-u", prompt="Email or username", help="Your email or username.")],
    password: Password,
    server: Server = DEFAULT_SERVER,
    as_json: AsJson = False,
) -> None:
    """Log in; the tokens are kept in your config folder (mode 0600) for this server.

    Example: reelforge login --user ada@example.com
    """
    with session(server, as_json, LOGIN_OPTIONS) as s:
        s.api.store.put(s.api.server, s.api.log_in(user, password))
        s.out.result(
            {"server": s.api.server, "user": user, "credentials": str(s.api.store.path)},
            lambda console: console.print(f"Logged in to {s.api.server} as {user}", markup=False),
        )


def register_account(
    email: Annotated[str, typer.Argument(help="Your email address.")],
    username: Annotated[str, typer.Argument(help="3-32 letters, digits, '_', '.' or '-'.")],
    password: Annotated[
        str,
        typer.Option(
            "--password", "-p", prompt=True, hide_input=True, confirmation_prompt=True, help="8 characters or more."
        ),
    ],
    server: Server = DEFAULT_SERVER,
    as_json: AsJson = False,
) -> None:
    """Create an account and log in to it.

    Example: reelforge register ada@example.com ada
    """
    options = {"email": "EMAIL", "username": "USERNAME", "password": "--password"}
    with session(server, as_json, options) as s:
        account = s.api.register(email, username, password)
        s.api.store.put(s.api.server, s.api.log_in(username, password))
        s.out.result(account, lambda console: console.print(f"Registered and logged in as {username}", markup=False))


def logout(server: Server = DEFAULT_SERVER, as_json: AsJson = False) -> None:
    """Log out: the server forgets this login and the stored tokens are deleted.

    Example: reelforge logout
    """
    with session(server, as_json) as s:
        s.api.log_out()
        forgotten = s.api.store.forget(s.api.server)
        s.out.result(
            {"server": s.api.server, "logged_out": forgotten},
            lambda console: console.print("Logged out" if forgotten else "Not logged in"),
        )


def whoami(server: Server = DEFAULT_SERVER, as_json: AsJson = False) -> None:
    """Show the account you are logged in as.

    Example: reelforge whoami --json
    """
    with session(server, as_json) as s:
        me = s.api.call("GET", "/users/me")

        def render(console: Console) -> None:
            keys = ("username", "email", "role", "subscription_tier", "storage_used", "storage_limit", "id")
            console.print(fields((key, me.get(key)) for key in keys))

        s.out.result(me, render)


def register(app: typer.Typer) -> None:
    app.command()(login)
    app.command("register")(register_account)
    app.command()(logout)
    app.command()(whoami)
