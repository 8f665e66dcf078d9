"""The `reelforge` command: every command of `commands/` on one typer app, and its entry point."""

import typer

from libs.cli.commands import auth, generate, jobs, keys, stack, users, webhooks

app = typer.Typer(
    name="reelforge",
    help="Turn a topic, a prompt or a script into a narrated, subtitled MP4 with a Reelforge server.\n\n"
    "Exit codes: 0 done, 1 the job failed (or the server refused), 2 bad input, 3 the server cannot be reached.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
for module in (stack, auth, generate, jobs, keys, webhooks, users):
    module.register(app)


def main() -> None:
    app(prog_name="reelforge")
