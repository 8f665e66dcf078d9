"""Render benchmark: a fixed 60-second, 8-scene vertical short, against the encoder alone and against MoviePy.

`make bench` (or `python -m bench.render`) runs, in one go:
1. the render engine on the storyboard (1080x1920, 30 fps, standard quality, zoom and pan motion,
   crossfades, captions, narration over ducked music);
2. the bare encode: the rendered video decoded once to a raw file, then that file encoded with
   the same libx264 settings, timed: the encoder's own cost for exactly these frames, which the
   render cannot beat;
3. the same storyboard composed with MoviePy, when a Python with MoviePy is available
   (`--moviepy-python`, default this one).
It writes bench/results/render.json and the Render section of docs/benchmarks.md. No test runs it and none
asserts a time.
"""

import argparse
import asyncio
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from bench.doc import write_section
from bench.processes import children_of, process_table, tree_bytes
from libs.common.events import Cue, RenderOptions
from services.render.compose import Look, SceneMedia, render_video
from services.render.segment import ENCODINGS
from services.render.settings import RenderSettings
from tests.media import tone_wav

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "render.json"
WIDTH, HEIGHT, FPS, SCENES, SCENE_S = 1080, 1920, 30, 8, 7.5
QUALITY = "standard"
LINES = [
    "The lighthouse keeper counted ships",
    "every night for forty years",
    "until one night a ship counted back",
    "Its lanterns blinked in his own code",
]


def paint_still(path: Path, seed: int) -> None:
    """A detailed procedural picture (gradient sky, hills, texture), so encoding it costs what art costs."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    top, bottom = rng.uniform(20, 235, 3), rng.uniform(20, 235, 3)
    sky = top + (bottom - top) * (y / HEIGHT)[..., None]
    ripple = 18 * np.sin(x / rng.uniform(15, 60) + y / rng.uniform(20, 90))[..., None]
    grain = rng.normal(0, 10, (HEIGHT, WIDTH, 1))
    picture = Image.fromarray(np.clip(sky + ripple + grain, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(picture)
    for _ in range(40):
        cx, cy, r = rng.uniform(0, WIDTH), rng.uniform(0, HEIGHT), rng.uniform(20, 260)
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=tuple(int(v) for v in rng.uniform(0, 255, 3)))
    picture.filter(ImageFilter.GaussianBlur(2)).save(path)


def storyboard(folder: Path) -> tuple[list[SceneMedia], list[Cue], Path]:
    scenes, cues = [], []
    for index in range(SCENES):
        image, voice = folder / f"scene-{index}.png", folder / f"scene-{index}.wav"
        paint_still(image, seed=index)
        voice.write_bytes(tone_wav(SCENE_S - 0.5, rate=24_000, hertz=220 + 30 * index))
        scenes.append(SceneMedia(image, voice, SCENE_S))
        start = index * SCENE_S
        cues.append(Cue(start_s=start + 0.2, end_s=start + 3.6, text=LINES[index % 4]))
        cues.append(Cue(start_s=start + 3.7, end_s=start + 6.9, text=LINES[(index + 1) % 4]))
    music = folder / "music.wav"
    music.write_bytes(tone_wav(4.0, rate=44_100, hertz=110))
    return scenes, cues, music


class PeakMemory:
    """Peak resident memory of a process and all its descendants together, sampled every 50 ms."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak = pid, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            table = process_table()
            self.peak = max(self.peak, tree_bytes(self.pid, table, children_of(table)))


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(run: Callable[[], Any], pid: int | None = None) -> dict[str, float]:
    """Wall time, children's CPU time and peak memory (of `pid`'s tree, or this process's) of `run()`."""
    cpu = children_cpu_s()
    started = time.perf_counter()
    with PeakMemory(pid or os.getpid()) as memory:
        run()
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "cpu_seconds": round(children_cpu_s() - cpu, 2),
        "peak_memory_mb": round(memory.peak / 2**20, 1),
    }


def bare_encode(video: Path, folder: Path) -> dict[str, float]:
    """Decode the render once to raw frames on disk, then time only encoding them with the same settings."""
    raw = folder / "frames.yuv"
    decode = ["ffmpeg", "-v", "error", "-y", "-i", str(video), "-f", "rawvideo", "-pix_fmt", "yuv420p", str(raw)]
    subprocess.run(decode, check=True)
    source = ["-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{WIDTH}x{HEIGHT}", "-framerate", str(FPS)]
    encode = ["ffmpeg", "-v", "error", "-y", *source, "-i", str(raw), *ENCODINGS[QUALITY].arguments()]
    try:
        return timed(lambda: subprocess.run([*encode, str(folder / "bare.mp4")], check=True))
    finally:
        raw.unlink()


def moviepy_compose(python: str, folder: Path, scenes: list[SceneMedia], cues: list[Cue], music: Path) -> dict:
    """Compose the storyboard with MoviePy in a child process; {"skipped": why} when MoviePy is missing."""
    check = subprocess.run([python, "-c", "import moviepy"], capture_output=True)
    if check.returncode != 0:
        return {"skipped": f"MoviePy is not installed for {python}"}
    font = subprocess.run(["fc-match", "-f", "%{file}", "Noto Sans:bold"], capture_output=True, text=True).stdout
    encoding = ENCODINGS[QUALITY]
    manifest = {
        "width": WIDTH,
        "height": HEIGHT,
        "fps": FPS,
        "transition_s": RenderSettings().transition_s,
        "duration_s": SCENES * SCENE_S,
        "preset": encoding.preset,
        "crf": encoding.crf,
        "font": font,
        "music": str(music),
        "scenes": [
            {"image": str(s.visual_path), "narration": str(s.audio_path), "start_s": i * SCENE_S, "duration_s": SCENE_S}
            for i, s in enumerate(scenes)
        ],
        "cues": [cue.model_dump() for cue in cues],
    }
    path = folder / "moviepy.json"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    output = folder / "moviepy.mp4"
    script = str(ROOT / "bench" / "moviepy_compose.py")
    process = subprocess.Popen([python, script, str(path), str(output)])
    result = timed(lambda: process.wait(), pid=process.pid)
    if process.returncode != 0:
        return {"skipped": f"MoviePy failed with exit code {process.returncode}"}
    return result | {"duration_s": _duration(output)}


def _duration(video: Path) -> float:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(video)],
        capture_output=True,
        text=True,
        check=True,
    )
    return round(float(out.stdout), 3)


def run(moviepy_python: str) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="reelforge-bench-"))
    try:
        scenes, cues, music = storyboard(folder)
        options = RenderOptions(width=WIDTH, height=HEIGHT, fps=FPS, quality=QUALITY, include_music=True)
        settings = RenderSettings()
        look = Look(transition_s=settings.transition_s, parallel=settings.render_parallel)
        out = folder / "render"
        out.mkdir()

        async def ignore(fraction: float) -> None:
            del fraction

        def render() -> None:
            asyncio.run(render_video(scenes, cues, options, out, ignore, music=music, look=look))

        rendered = timed(render) | {"duration_s": _duration(out / "video.mp4")}
        bare = bare_encode(out / "video.mp4", folder)
        moviepy = moviepy_compose(moviepy_python, folder, scenes, cues, music)
        return summary(rendered, bare, moviepy)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def summary(rendered: dict, bare: dict, moviepy: dict) -> dict:
    ratios = {"render_over_bare_encode": round(rendered["seconds"] / bare["seconds"], 2)}
    if "seconds" in moviepy:
        ratios["moviepy_over_render"] = round(moviepy["seconds"] / rendered["seconds"], 1)
    return {
        "storyboard": f"{SCENES} scenes x {SCENE_S} s, {WIDTH}x{HEIGHT} at {FPS} fps, quality {QUALITY}",
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end",
        "ffmpeg": subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout.splitlines()[0],
        "render": rendered,
        "bare_encode": bare,
        "moviepy": moviepy,
        "ratios": ratios,
        "targets": {"render_over_bare_encode": "<= 1.3", "moviepy_over_render": ">= 20"},
    }


def write_doc(result: dict) -> None:
    moviepy, ratios = result["moviepy"], result["ratios"]
    ran = "seconds" in moviepy
    mp_row = (
        f"{moviepy['seconds']} s | {moviepy['cpu_seconds']} s | {moviepy['peak_memory_mb']} MB"
        if ran
        else f"{moviepy['skipped']} | - | -"
    )
    table = [
        "| what | wall time | CPU time | peak memory | ratio |",
        "|---|---|---|---|---|",
        f"| Reelforge render | {result['render']['seconds']} s | {result['render']['cpu_seconds']} s"
        f" | {result['render']['peak_memory_mb']} MB | - |",
        f"| bare libx264 encode of the same frames | {result['bare_encode']['seconds']} s"
        f" | {result['bare_encode']['cpu_seconds']} s | {result['bare_encode']['peak_memory_mb']} MB"
        f" | render ÷ bare encode = **{ratios['render_over_bare_encode']}** (target ≤ 1.3) |",
        f"| MoviePy, same storyboard | {mp_row}"
        f" | MoviePy ÷ render = **{ratios.get('moviepy_over_render', '-')}** (target ≥ 20) |",
    ]
    write_section(
        "Render",
        f"`make bench` renders a fixed storyboard ({result['storyboard']}; zoom and pan motion, crossfades,\n"
        "captions, narration over ducked music) and, in the same run, times libx264 encoding exactly the frames\n"
        "the render produced (decoded once to a raw file, encoded with the same settings) and MoviePy composing\n"
        "the same storyboard (stills zoomed by a per-frame resize and panned by a moving position, crossfades,\n"
        "outlined captions, the same audio, "
        "the same encoder settings). Results: `bench/results/render.json`; `python -m bench.render --doc-only`\n"
        "rewrites this section from them.\n\n"
        f"Measured on {result['machine']}; {result['ffmpeg'].split(' Copyright')[0]}.\n\n" + "\n".join(table) + "\n\n"
        "Wall times are what a user waits; CPU time (user + system of the processes doing the work) is what\n"
        "the work costs and moves less with other load on the machine. Peak memory is the resident memory of\n"
        "all the processes of one side together, sampled every 50 ms.\n",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moviepy-python", default=sys.executable, help="a Python that has MoviePy installed")
    parser.add_argument(
        "--doc-only", action="store_true", help="rewrite its section of docs/benchmarks.md from the last results"
    )
    arguments = parser.parse_args()
    if arguments.doc_only:
        write_doc(json.loads(RESULTS.read_text(encoding="utf-8")))
        return
    result = run(arguments.moviepy_python)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    write_doc(result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
