"""What can go wrong in a command, each with the exit code scripts can rely on.

0 done; 1 the job (or the server) failed; 2 bad input, named by option or field; 3 the server
cannot be reached.
"""

FAILED, BAD_INPUT, UNREACHABLE = 1, 2, 3


class CliError(Exception):
    """An error shown to the user as `detail`; `errors` are the API's `{field, message}` pairs."""

    exit_code = FAILED

    def __init__(self, detail: str, errors: list[dict[str, str]] | None = None, status: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.status = status


class BadInput(CliError):
    """The request was refused as invalid (400/422), or a value given here cannot be used."""

    exit_code = BAD_INPUT


class Unreachable(CliError):
    exit_code = UNREACHABLE

    def __init__(self, server: str, reason: str) -> None:
        super().__init__(f"Cannot reach the Reelforge server at {server}: {reason}")


class NotLoggedIn(CliError):
    def __init__(self, server: str) -> None:
        super().__init__(f"Not logged in to {server}: run `reelforge login --server {server}` first", status=401)
