"""Jobs after they are made: list, status, download (or a signed link), cancel, scenes, regenerate one."""

import time
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console

from libs.cli.client import ApiClient
from libs.cli.errors import FAILED
from libs.cli.follow import FINAL_STATUSES
from libs.cli.options import DEFAULT_SERVER, AsJson, JobId, Server
from libs.cli.output import fields, table
from libs.cli.session import Session, session

FileKind = Literal["video", "thumbnail", "srt", "vtt", "preview"]
FILE_PATHS: dict[str, tuple[str, str]] = {
    "video": ("video", ".mp4"),
    "thumbnail": ("thumbnail", "-thumbnail.jpg"),
    "srt": ("captions.srt", ".srt"),
    "vtt": ("captions.vtt", ".vtt"),
    "preview": ("preview", "-preview.mp4"),
}
PAGE_OPTIONS = {"status": "--status", "page": "--page", "limit": "--limit"}
SaveTo = Annotated[
    Path | None, typer.Option("--output", "-o", help="Where to save the file (a file or a folder).", show_default=False)
]


def describe(job: dict[str, Any]) -> str:
    source = job.get("input") or {}
    return job.get("title") or source.get("topic_text") or source.get("topic") or source.get("prompt") or "script"


def render_job(console: Console, job: dict[str, Any]) -> None:
    output, options = job.get("output") or {}, job.get("options") or {}
    size = f"{output['width']}x{output['height']}" if output else None
    console.print(
        fields(
            [
                ("id", job["id"]),
                ("title", describe(job)),
                ("status", job["status"]),
                ("progress", f"{job['progress']}%" + (f" ({job['stage']})" if job.get("stage") else "")),
                ("message", job.get("message")),
                ("error", job.get("error")),
                ("warnings", "; ".join(job.get("warnings") or [])),
                ("language", options.get("language")),
                ("voice", options.get("voice")),
                ("length", f"{output['duration_s']:.1f} s" if output else None),
                ("size", size),
                ("version", output.get("version") if output else None),
                ("created", job.get("created_at")),
            ]
        )
    )


def save(s: Session, job_id: str, file: str, output: Path | None) -> Path:
    """Download one of the job's files; a note on stderr while it runs. The saved file's absolute path."""
    route, suffix = FILE_PATHS[file]
    name = f"reelforge-{job_id}{suffix}"
    target = (output / name if output.is_dir() else output) if output is not None else Path.cwd() / name
    s.out.note(f"Downloading {file} to {target}")
    return s.api.download(f"/jobs/{job_id}/{route}", target).resolve()


def jobs(
    status: Annotated[str | None, typer.Option(help="Only jobs in this state, e.g. completed.")] = None,
    page: Annotated[int, typer.Option(min=1)] = 1,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 20,
    server: Server = DEFAULT_SERVER,
    as_json: AsJson = False,
) -> None:
    """List your jobs, newest first.

    Example: reelforge jobs --status completed --limit 5
    """
    with session(server, as_json, PAGE_OPTIONS) as s:
        params: dict[str, Any] = {"page": page, "limit": limit, **({"status": status} if status else {})}
        answer = s.api.call("GET", "/jobs", params=params)
        rows = [
            (job["id"], job["status"], f"{job['progress']}%", describe(job), job["created_at"][:19])
            for job in answer["items"]
        ]
        title = f"{answer['total']} jobs (page {answer['page']})"
        columns = ["id", "status", "progress", "title", "created"]
        s.out.result(answer, lambda console: console.print(table(columns, rows, title)))


def status(job_id: JobId, server: Server = DEFAULT_SERVER, as_json: AsJson = False) -> None:
    """Show one job: its state, progress, and the video once it is ready.

    Example: reelforge status 0b7e5d0c-4c4f-4a53-9a43-5d1b2f0f7c11
    """
    with session(server, as_json) as s:
        job = s.api.call("GET", f"/jobs/{job_id}")
        s.out.result(job, lambda console: render_job(console, job))


def download(
    job_id: JobId,
    output: SaveTo = None,
    file: Annotated[FileKind, typer.Option(help="Which of the job's files.")] = "video",
    url: Annotated[bool, typer.Option("--url", help="Print a link that needs no login instead.")] = False,
    expires: Annotated[int | None, typer.Option(help="Seconds the --url link works.", min=1)] = None,
    server: Server = DEFAULT_SERVER,
    as_json: AsJson = False,
) -> None:
    """Download a finished job's video (or thumbnail, captions, preview), or print a signed link to it.

    Example: reelforge download 0b7e5d0c-4c4f-4a53-9a43-5d1b2f0f7c11 -o lighthouse.mp4
    """
    with session(server, as_json, {"file": "--file", "expires_in": "--expires"}) as s:
        if url:
            body: dict[str, Any] = {"file": file, **({"expires_in": expires} if expires else {})}
            link = s.api.call("POST", f"/jobs/{job_id}/signed-url", json=body)
            s.out.result(link, lambda console: console.print(link["url"], markup=False))
            return
        path = save(s, job_id, file, output)
        s.out.result({"job_id": job_id, "file": file, "path": str(path)}, lambda console: console.print(str(path)))


def cancel(job_id: JobId, server: Server = DEFAULT_SERVER, as_json: AsJson = False) -> None:
    """Cancel a job that has not ended.

    Example: reelforge cancel 0b7e5d0c-4c4f-4a53-9a43-5d1b2f0f7c11
    """
    with session(server, as_json) as s:
        job = s.api.call("POST", f"/jobs/{job_id}/cancel")
        s.out.result(job, lambda console: console.print(f"Job {job['id']} is {job['status']}", markup=False))


def scenes(job_id: JobId, server: Server = DEFAULT_SERVER, as_json: AsJson = False) -> None:
    """List a job's scenes: timing, narration and the newest image version.

    Example: reelforge scenes 0b7e5d0c-4c4f-4a53-9a43-5d1b2f0f7c11
    """
    with session(server, as_json) as s:
        answer = s.api.call("GET", f"/jobs/{job_id}/scenes")

        def seconds(value: float | None) -> str:
            return "" if value is None else f"{value:.1f}"

        rows = [
            (
                scene["index"],
                seconds(scene.get("start_s")),
                seconds(scene.get("duration_s")),
                (scene.get("image") or {}).get("version", ""),
                "yes" if scene.get("regenerating") else "",
                scene["narration"],
            )
            for scene in answer["scenes"]
        ]
        columns = ["scene", "start s", "length s", "image v", "repainting", "narration"]
        s.out.result(answer, lambda console: console.print(table(columns, rows)))


def _version(job: dict[str, Any]) -> int:
    return int((job.get("output") or {}).get("version") or 0)


def _wait_for_render(api: ApiClient, job_id: str, before: int, poll_s: float = 1.0) -> dict[str, Any]:
    while True:
        job = api.call("GET", f"/jobs/{job_id}")
        if _version(job) > before or job["status"] in FINAL_STATUSES - {"completed"}:
            return job
        time.sleep(poll_s)


def regenerate(
    job_id: JobId,
    scene: Annotated[int, typer.Argument(metavar="SCENE", help="The scene's index, from 0.", min=0)],
    prompt: Annotated[str | None, typer.Option(help="A new image prompt; left out, the scene's own.")] = None,
    wait: Annotated[bool, typer.Option(help="Wait until the video is rendered again.")] = False,
    output: SaveTo = None,
    server: Server = DEFAULT_SERVER,
    as_json: AsJson = False,
) -> None:
    """Paint a new image for one scene; a finished video is then rendered again.

    Example: reelforge regenerate 0b7e5d0c-4c4f-4a53-9a43-5d1b2f0f7c11 2 --prompt "a cat on a rock" --wait
    """
    with session(server, as_json, {"prompt": "--prompt"}) as s:
        before = _version(s.api.call("GET", f"/jobs/{job_id}"))
        body = {"prompt": prompt} if prompt is not None else None
        asked = s.api.call("POST", f"/jobs/{job_id}/scenes/{scene}/regenerate", json=body)
        if not wait:
            s.out.result(asked, lambda console: console.print(f"Scene {scene} is being painted again"))
            return
        s.out.note(f"Scene {scene} is being painted again; waiting for the new render")
        job = _wait_for_render(s.api, job_id, before)
        if _version(job) <= before:
            s.out.result({"job": job, "path": None}, lambda console: render_job(console, job))
            raise typer.Exit(FAILED)
        path = save(s, job_id, "video", output) if output is not None else None
        s.out.result({"job": job, "path": str(path) if path else None}, lambda console: render_job(console, job))


def register(app: typer.Typer) -> None:
    for command in (jobs, status, download, cancel, scenes, regenerate):
        app.command()(command)
