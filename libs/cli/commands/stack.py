"""`reelforge up`: the whole platform on this machine, started as `make run` starts it."""

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from libs.cli.options import AsJson

REPO = Path(__file__).resolve().parents[3]


def up(
    host: Annotated[str | None, typer.Option(help="Address the gateway listens on (REELFORGE_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="The gateway's port (REELFORGE_PORT).", min=1, max=65535)] = None,
    as_json: AsJson = False,
) -> None:
    """Start the broker and every service (`python -m libs.embedded`) in this terminal; Ctrl-C stops them.

    Example: reelforge up --port 8000
    """
    env = dict(os.environ)
    if host is not None:
        env["REELFORGE_HOST"] = host
    if port is not None:
        env["REELFORGE_PORT"] = str(port)
    command = [sys.executable, "-m", "libs.embedded"]
    address = f"http://{env.get('REELFORGE_HOST', '127.0.0.1')}:{env.get('REELFORGE_PORT', '8000')}"
    if as_json:
        sys.stdout.write(json.dumps({"command": command, "server": address, "cwd": str(REPO)}) + "\n")
    else:
        typer.echo(f"Starting Reelforge on {address} (Ctrl-C stops it)", err=True)
    sys.stdout.flush()
    os.chdir(REPO)
    os.execve(sys.executable, command, env)


def register(app: typer.Typer) -> None:
    app.command()(up)
