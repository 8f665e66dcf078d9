"""One command's context: its API client and output, and the exit code its errors end it with."""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import typer

from libs.cli.client import ApiClient
from libs.cli.config import CredentialStore, normalise_server
from libs.cli.errors import CliError
from libs.cli.output import Output

ID_ARGUMENTS = {"job_id": "ID", "index": "SCENE", "key_id": "ID", "endpoint_id": "ID", "user_id": "ID"}


@dataclass
class Session:
    api: ApiClient
    out: Output


@contextmanager
def session(server: str, as_json: bool, options: Mapping[str, str] | None = None) -> Iterator[Session]:
    """Yield the command's session; a `CliError` inside is printed (naming the user's options for the
    API's fields) and ends the command with its exit code."""
    out = Output(as_json)
    named = {**ID_ARGUMENTS, **(options or {})}
    try:
        api = ApiClient(normalise_server(server), CredentialStore())
        try:
            yield Session(api, out)
        finally:
            api.close()
    except CliError as error:
        out.error(error, named)
        raise typer.Exit(error.exit_code) from None
