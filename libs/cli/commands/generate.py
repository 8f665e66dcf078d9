"""`reelforge generate`: ask for a video, follow it stage by stage, and download the MP4."""

from pathlib import Path
from typing import Annotated, Any

import typer

from libs.cli.commands.batch import read_bodies, run_batch
from libs.cli.commands.jobs import SaveTo, render_job, save
from libs.cli.errors import FAILED
from libs.cli.follow import follow
from libs.cli.options import DEFAULT_SERVER, AsJson, Server
from libs.cli.progress import Display
from libs.cli.session import Session, session
from libs.common.vocabulary import TOPICS

PRESET_TOPICS = tuple(topic for topic in TOPICS if topic != "custom topic")
"""The API's story topics (`topic`); any other TOPIC is sent as `custom topic` with `topic_text`."""
SAME_NAMED = ("duration", "language", "voice", "resolution", "fps", "quality", "transition", "mood", "genre")
OPTIONS = {
    **{name: f"--{name}" for name in (*SAME_NAMED, "subtitles", "motion", "preview")},
    "topic": "TOPIC",
    "topic_text": "TOPIC",
    "prompt": "--prompt",
    "script": "--script",
    "upload_id": "--image",
    "art_style": "--style",
    "include_music": "--music",
    "include_voice": "--narration",
    "num_scenes": "--scenes",
    "caption_style": "--captions",
    "model_id": "--model",
    "style_preferences": "--pref",
    "project_id": "--project",
}
"""The option each field of POST /jobs comes from, to name it when the API refuses a value."""


def source(topic: str | None, prompt: str | None, script: Path | None) -> dict[str, str]:
    given = [name for name, value in (("TOPIC", topic), ("--prompt", prompt), ("--script", script)) if value]
    if len(given) > 1:
        raise typer.BadParameter(f"give one of TOPIC, --prompt or --script, not {' and '.join(given)}")
    if script is not None:
        return {"script": script.read_text(encoding="utf-8")}
    if prompt:
        return {"prompt": prompt}
    if topic:
        preset = topic.strip().lower()
        return {"topic": preset} if preset in PRESET_TOPICS else {"topic": "custom topic", "topic_text": topic}
    return {}


def preferences(pairs: list[str]) -> dict[str, str]:
    chosen = {}
    for pair in pairs:
        name, sign, value = pair.partition("=")
        if not sign or not name.strip():
            raise typer.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="'--pref'")
        chosen[name.strip()] = value.strip()
    return chosen


def upload(s: Session, image: Path) -> str:
    s.out.note(f"Uploading {image}")
    with image.open("rb") as handle:
        return str(s.api.call("POST", "/uploads", files={"file": (image.name, handle)})["id"])


def generate(
    topic: Annotated[
        str | None,
        typer.Argument(metavar="TOPIC", help="What the story is about: one of the API's topics or any words."),
    ] = None,
    prompt: Annotated[str | None, typer.Option(help="A free description of the video instead of a TOPIC.")] = None,
    script: Annotated[
        Path | None,
        typer.Option(help="A file with the narration: one scene per line or paragraph.", exists=True, dir_okay=False),
    ] = None,
    image: Annotated[
        Path | None, typer.Option(help="A reference image (JPG, PNG, WEBP) to start from.", exists=True, dir_okay=False)
    ] = None,
    duration: Annotated[str | None, typer.Option(help="short (45 s), long (3 min) or seconds, 5-600.")] = None,
    language: Annotated[str | None, typer.Option(help="english, french, japanese... (20 languages).")] = None,
    voice: Annotated[str | None, typer.Option(help="alloy, echo, fable, onyx, nova or shimmer.")] = None,
    style: Annotated[
        str | None,
        typer.Option("--style", "--art-style", help="photorealistic, cinematic, anime, comic-book or pixar-art."),
    ] = None,
    resolution: Annotated[str | None, typer.Option(help="WIDTHxHEIGHT, e.g. 1080x1920 (vertical).")] = None,
    fps: Annotated[int | None, typer.Option(help="24, 25, 30 or 60.")] = None,
    quality: Annotated[str | None, typer.Option(help="draft, standard or high.")] = None,
    transition: Annotated[str | None, typer.Option(help="crossfade, fadeblack, wipeleft, slideup or none.")] = None,
    mood: Annotated[str | None, typer.Option(help="calm, dark, epic, happy, mysterious... (story and music).")] = None,
    genre: Annotated[str | None, typer.Option(help="Free text: noir, sci-fi, fairy tale...")] = None,
    pref: Annotated[list[str], typer.Option(help="A picture preference NAME=VALUE; repeat for more.")] = [],  # noqa: B006
    scenes: Annotated[int | None, typer.Option(help="Exactly this many scenes, 1-30.")] = None,
    model: Annotated[str | None, typer.Option(help="The picture model, e.g. offline:procedural.")] = None,
    music: Annotated[bool | None, typer.Option("--music/--no-music", help="Background music.")] = None,
    narration: Annotated[bool | None, typer.Option("--narration/--no-narration", help="Narrate the story.")] = None,
    subtitles: Annotated[bool | None, typer.Option("--subtitles/--no-subtitles", help="Burn in subtitles.")] = None,
    captions: Annotated[
        str | None, typer.Option(help="phrase (each spoken phrase) or karaoke (the spoken word lights up).")
    ] = None,
    motion: Annotated[bool | None, typer.Option("--motion/--no-motion", help="Pan and zoom the stills.")] = None,
    preview: Annotated[bool | None, typer.Option("--preview", help="Also render a draft preview.")] = None,
    project: Annotated[str | None, typer.Option(help="One of your projects, by id or UUID.")] = None,
    from_file: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="Many videos: a .csv (a header row of POST /jobs fields) or .jsonl (one body per line) file; "
            "the options above apply to every one that does not set them.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    variants: Annotated[int, typer.Option(min=1, max=10, help="Different videos of each request, 1-10.")] = 1,
    output: SaveTo = None,
    wait: Annotated[bool, typer.Option(help="Follow the job and download the MP4 (--no-wait: just start it).")] = True,
    server: Server = DEFAULT_SERVER,
    as_json: AsJson = False,
) -> None:
    """Make a video from a TOPIC, --prompt, --script or --image; show each stage's progress; download it.

    The MP4's path is printed when it is saved (with --json: the job and the path).

    Example: reelforge generate "a lighthouse keeper's cat" --duration short --voice nova -o cat.mp4

    Many at once: reelforge generate --from topics.csv --variants 2 -o videos/
    """
    body: dict[str, Any] = source(topic, prompt, script)
    options = {
        "duration": duration,
        "language": language,
        "voice": voice,
        "art_style": style,
        "resolution": resolution,
        "fps": fps,
        "quality": quality,
        "transition": transition,
        "mood": mood,
        "genre": genre,
        "num_scenes": scenes,
        "model_id": model,
        "include_music": music,
        "include_voice": narration,
        "subtitles": subtitles,
        "caption_style": captions,
        "motion": motion,
        "preview": preview,
        "project_id": project,
    }
    body.update({name: value for name, value in options.items() if value is not None})
    if pref:
        body["style_preferences"] = preferences(pref)
    if from_file is not None or variants > 1:
        bodies = [{**body, **each} for each in read_bodies(from_file, PRESET_TOPICS)] if from_file else [body]
        with session(server, as_json, OPTIONS) as s:
            if not run_batch(s, bodies, variants, wait, output):
                raise typer.Exit(FAILED)
        return
    if not body.keys() & {"topic", "prompt", "script"} and image is None:
        raise typer.BadParameter("give a TOPIC, --prompt, --script or --image", param_hint="TOPIC")
    with session(server, as_json, OPTIONS) as s:
        if image is not None:
            body["upload_id"] = upload(s, image)
        job = s.api.call("POST", "/jobs", json=body)
        s.out.note(f"Job {job['id']} accepted")
        if not wait:
            s.out.result(job, lambda console: console.print(job["id"]))
            return
        if as_json:
            job = follow(s.api, job["id"], lambda _update: None)
        else:
            with Display(s.out.err, job["id"]) as display:
                job = follow(s.api, job["id"], display.update)
        if job["status"] != "completed":
            if not as_json:
                render_job(s.out.err, job)
            s.out.result({"job": job, "path": None})
            raise typer.Exit(FAILED)
        path = save(s, job["id"], "video", output)
        s.out.result({"job": job, "path": str(path)}, lambda console: console.print(str(path)))


def register(app: typer.Typer) -> None:
    app.command()(generate)
