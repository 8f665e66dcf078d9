"""Options every command takes: where the server is, and whether to print JSON."""

from typing import Annotated

import typer

from libs.cli.config import DEFAULT_SERVER

Server = Annotated[
    str,
    typer.Option("--server", envvar="REELFORGE_SERVER", help="The Reelforge server's URL.", show_envvar=True),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print one machine-readable JSON document.")]
JobId = Annotated[str, typer.Argument(metavar="ID", help="The job's id (a UUID).", show_default=False)]

__all__ = ["DEFAULT_SERVER", "AsJson", "JobId", "Server"]
