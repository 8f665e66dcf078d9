"""What a command prints: rich tables and notes for people, or one JSON document with `--json`.

Results go to stdout; notes and progress go to stderr, so `path=$(reelforge generate ...)`
captures only the result. With `--json` an error is a JSON document too: `{"error": {...}}`.
"""

import json
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from libs.cli.errors import CliError


def option_for(field: str, options: Mapping[str, str]) -> str | None:
    """The option (or argument) the user typed for an API field (`art_style` → `--style`); None for a field
    the command has no option for (the job's `status` when cancelling a finished job)."""
    return options.get(field) or options.get(field.split(".", 1)[0])


class Output:
    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.out = Console(highlight=False, soft_wrap=True)
        self.err = Console(stderr=True, highlight=False, soft_wrap=True)

    def result(self, data: Any, render: Callable[[Console], None] | None = None) -> None:
        if self.as_json:
            sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
            sys.stdout.flush()
        elif render is not None:
            render(self.out)

    def note(self, text: str) -> None:
        """A line for people on stderr (never in `--json` mode)."""
        if not self.as_json:
            self.err.print(Text(text))

    def error(self, error: CliError, options: Mapping[str, str]) -> None:
        named = [
            {"field": item.get("field", ""), "option": option_for(item.get("field", ""), options), **item}
            for item in error.errors
        ]
        if self.as_json:
            body = {"detail": error.detail, "errors": named, "status": error.status, "exit_code": error.exit_code}
            self.result({"error": body})
            return
        blamed = [item for item in named if item["option"]]
        if error.exit_code == 2 and blamed:
            for item in blamed:
                self.err.print(Text(f"Error: Invalid value for '{item['option']}': {item.get('message', '')}"))
        else:
            self.err.print(Text(f"Error: {error.detail}"))


def cell(value: Any) -> Text:
    """A table cell shown as written (no rich markup from user data)."""
    return Text("" if value is None else str(value))


def table(columns: Sequence[str], rows: Iterable[Sequence[Any]], title: str | None = None) -> Table:
    grid = Table(*columns, title=title, title_justify="left")
    for row in rows:
        grid.add_row(*(cell(value) for value in row))
    return grid


def fields(pairs: Iterable[tuple[str, Any]]) -> Table:
    """A two-column `name  value` list, skipping empty values."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for name, value in pairs:
        if value not in (None, "", []):
            grid.add_row(cell(name), cell(value))
    return grid
