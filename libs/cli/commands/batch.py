"""`reelforge generate --from FILE`: many videos in one `POST /jobs/batch`, then each followed and downloaded.

A `.jsonl` file holds one `POST /jobs` body per line; a `.csv` file has a header row naming the
fields (`topic`, `prompt`, `script`, `duration`, `voice`...) and one video per row, empty cells
left out. A TOPIC that is not one of the API's topics becomes a custom topic, as on the command line.
"""

import csv
import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from libs.cli.commands.jobs import save
from libs.cli.follow import follow
from libs.cli.session import Session

NUMBERS = frozenset({"fps", "num_scenes"})
SWITCHES = frozenset({"subtitles", "motion", "include_voice", "include_music", "preview"})
TRUE, FALSE = frozenset({"true", "yes", "1"}), frozenset({"false", "no", "0"})


def read_bodies(path: Path, preset_topics: tuple[str, ...]) -> list[dict[str, Any]]:
    """The bodies `path` describes, in order; a malformed line or cell is a usage error naming where it is."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".jsonl":
        bodies = [_json_line(line, number, path) for number, line in enumerate(text.splitlines(), 1) if line.strip()]
    elif path.suffix.lower() == ".csv":
        bodies = [_csv_row(row, number, path) for number, row in enumerate(csv.DictReader(text.splitlines()), 2)]
    else:
        raise _bad(path, "", "give a .csv or a .jsonl file")
    if not bodies:
        raise _bad(path, "", "it holds no video")
    return [_with_topic(body, preset_topics) for body in bodies]


def run_batch(s: Session, bodies: list[dict[str, Any]], variants: int, wait: bool, output: Path | None) -> bool:
    """Submit, report what was refused, and (with `wait`) follow and download each job; whether all succeeded."""
    result = s.api.call("POST", "/jobs/batch", json={"jobs": bodies, "variants": variants})
    for item in result["items"]:
        where = f"video {item['index'] + 1}" + (f", variant {item['variant'] + 1}" if variants > 1 else "")
        s.out.note(f"{where}: job {item['job']['id']} accepted" if item["job"] else f"{where}: {item['error']}")
    saved: list[dict[str, Any]] = []
    for item in result["items"]:
        if item["job"] is None or not wait:
            continue
        job = follow(s.api, item["job"]["id"], lambda _update: None)
        path = save(s, job["id"], "video", output) if job["status"] == "completed" else None
        s.out.note(f"job {job['id']}: {job['status']}" + (f", saved to {path}" if path else ""))
        saved.append({"job": job, "path": str(path) if path else None})

    def paths(console: Console) -> None:
        for entry in saved:
            if entry["path"]:
                console.print(entry["path"])

    s.out.result({**result, "saved": saved}, paths)
    return result["refused"] == 0 and all(entry["path"] for entry in saved)


def _json_line(line: str, number: int, path: Path) -> dict[str, Any]:
    try:
        body = json.loads(line)
    except json.JSONDecodeError as error:
        raise _bad(path, f"line {number}", f"not JSON ({error.msg})") from None
    if not isinstance(body, dict):
        raise _bad(path, f"line {number}", "not a JSON object")
    return body


def _csv_row(row: dict[str | None, str | None], number: int, path: Path) -> dict[str, Any]:
    if None in row:
        raise _bad(path, f"row {number}", "more cells than the header names")
    body: dict[str, Any] = {}
    for name, cell in row.items():
        value = (cell or "").strip()
        if name is None or not value:
            continue
        if name in NUMBERS or (name == "duration" and value.isdigit()):
            if not value.isdigit():
                raise _bad(path, f"row {number}", f"{name} must be a number")
            body[name] = int(value)
        elif name in SWITCHES:
            if value.lower() not in TRUE | FALSE:
                raise _bad(path, f"row {number}", f"{name} must be true or false")
            body[name] = value.lower() in TRUE
        else:
            body[name] = value
    return body


def _bad(path: Path, where: str, what: str) -> typer.BadParameter:
    return typer.BadParameter(f"{path.name}{' ' + where if where else ''}: {what}", param_hint="'--from'")


def _with_topic(body: dict[str, Any], preset_topics: tuple[str, ...]) -> dict[str, Any]:
    topic = body.get("topic")
    if isinstance(topic, str) and topic.strip().lower() not in preset_topics and topic != "custom topic":
        return {**body, "topic": "custom topic", "topic_text": topic}
    return body
