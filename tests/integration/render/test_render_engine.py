"""The render engine with the real ffmpeg, at tiny sizes: formats, timing, loudness, clips, cancellation, reuse."""

import asyncio
import os
from pathlib import Path
from uuid import uuid4

import numpy as np
import pytest
from PIL import Image

from libs.common.events import Cue, RenderOptions, SceneNarration
from libs.common.storage import LocalStore
from libs.common.tools import work_dir
from services.render.cache import StoredSegments
from services.render.captions import timeline
from services.render.compose import RenderedVideo, SceneMedia, render_video
from tests.media import colour_clip, frames_rgb, integrated_loudness, probe, samples, tone_level_db, tone_wav

VOICE_HZ, MUSIC_HZ = 330.0, 110.0
COLOURS = [(220, 30, 30), (30, 200, 40), (40, 60, 220)]


async def ignore_progress(fraction: float) -> None:
    del fraction


def scene(folder: Path, index: int, seconds: float, colour: tuple[int, int, int], spoken_s: float) -> SceneMedia:
    image = folder / f"scene-{index}.png"
    Image.new("RGB", (200, 300), colour).save(image)
    audio = folder / f"scene-{index}.wav"
    audio.write_bytes(tone_wav(spoken_s, hertz=VOICE_HZ))
    return SceneMedia(image, audio, seconds)


def storyboard(folder: Path, durations: list[float]) -> list[SceneMedia]:
    folder.mkdir(parents=True, exist_ok=True)
    return [scene(folder, index, seconds, COLOURS[index % 3], seconds - 0.3) for index, seconds in enumerate(durations)]


async def render(
    folder: Path, durations: list[float], options: RenderOptions, cues: list[Cue] | None = None, **extra: object
) -> RenderedVideo:
    scenes = storyboard(folder, durations)
    return await render_video(scenes, cues or [], options, folder, ignore_progress, **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("width", "height", "fps", "quality"),
    [
        (160, 284, 24, "draft"),
        (160, 284, 25, "standard"),
        (160, 284, 30, "high"),
        (160, 284, 60, "standard"),
        (284, 160, 30, "standard"),
        (160, 160, 30, "standard"),
    ],
)
async def test_every_shape_rate_and_quality_makes_an_mp4_of_exactly_the_storys_length(
    tmp_path: Path, width: int, height: int, fps: int, quality: str
) -> None:
    options = RenderOptions(width=width, height=height, fps=fps, quality=quality)  # type: ignore[arg-type]

    video = await render(tmp_path, [1.0, 1.3], options)

    info = probe(video.video_path)
    streams = {stream["codec_type"]: stream for stream in info["streams"]}
    assert (streams["video"]["codec_name"], streams["video"]["pix_fmt"]) == ("h264", "yuv420p")
    assert (streams["video"]["width"], streams["video"]["height"]) == (width, height)
    assert streams["video"]["r_frame_rate"] == f"{fps}/1"
    assert int(streams["video"]["nb_frames"]) == round(2.3 * fps)
    assert streams["audio"]["codec_name"] == "aac"
    for stream in info["streams"]:
        assert abs(float(stream["duration"]) - 2.3) <= 1 / fps
    with Image.open(video.thumbnail_path) as thumbnail:
        assert (thumbnail.format, thumbnail.size) == ("JPEG", (width, height))


async def test_adding_a_scene_lengthens_the_video_by_that_scenes_duration(tmp_path: Path) -> None:
    options = RenderOptions(width=160, height=284, fps=25)

    two = await render(tmp_path / "two", [1.0, 1.2], options)
    three = await render(tmp_path / "three", [1.0, 1.2, 0.8], options)

    lengths = [float(probe(video.video_path)["format"]["duration"]) for video in (two, three)]
    assert abs(lengths[1] - lengths[0] - 0.8) <= 1 / 25


async def test_burned_in_captions_appear_and_leave_within_one_frame_of_the_audio_cues(tmp_path: Path) -> None:
    fps, width, height = 25, 270, 480
    narrations = [
        SceneNarration(scene_index=0, key="a", duration_s=1.3, cues=[Cue(start_s=0.2, end_s=0.9, text="First line")]),
        SceneNarration(scene_index=1, key="b", duration_s=1.1, cues=[Cue(start_s=0.33, end_s=0.87, text="Second")]),
    ]
    cues = timeline(narrations, [1.3, 1.1])
    options = RenderOptions(width=width, height=height, fps=fps, motion=False, transition="none")

    shown = await render(tmp_path / "on", [1.3, 1.1], options, cues)
    hidden = await render(tmp_path / "off", [1.3, 1.1], options.model_copy(update={"subtitles": False}), cues)

    difference = np.abs(frames_rgb(shown.video_path, width, height) - frames_rgb(hidden.video_path, width, height))
    with_text = (difference.max(axis=3) > 60).sum(axis=(1, 2)) > 30
    runs = np.flatnonzero(np.diff(np.concatenate([[0], with_text.astype(int), [0]])))
    spans = [(start / fps, end / fps) for start, end in zip(runs[::2], runs[1::2], strict=True)]
    assert len(spans) == len(cues)
    for (start, end), cue in zip(spans, cues, strict=True):
        assert abs(start - cue.start_s) <= 1 / fps, (start, cue)
        assert abs(end - cue.end_s) <= 1 / fps, (end, cue)


async def test_narration_stays_audible_over_ducked_music_and_the_loudness_is_sane(tmp_path: Path) -> None:
    music = tmp_path / "music.wav"
    music.write_bytes(tone_wav(0.7, hertz=MUSIC_HZ))
    options = RenderOptions(width=160, height=284, fps=25, include_music=True)
    folder = tmp_path / "mix"
    folder.mkdir()
    scenes = [scene(folder, 0, 2.0, COLOURS[0], 1.0), scene(folder, 1, 1.0, COLOURS[1], 0.6)]

    video = await render_video(scenes, [], options, folder, ignore_progress, music=music)

    audio = samples(video.video_path)
    speech, pause = audio[int(0.5 * 48_000) : int(0.9 * 48_000)], audio[int(1.6 * 48_000) : int(1.95 * 48_000)]
    assert tone_level_db(speech, VOICE_HZ) - tone_level_db(speech, MUSIC_HZ) >= 10, "music drowns the narration"
    assert tone_level_db(pause, MUSIC_HZ) > -40, "no music between sentences"
    assert tone_level_db(pause, MUSIC_HZ) - tone_level_db(speech, MUSIC_HZ) >= 3, "music is not ducked under speech"
    assert -30 <= integrated_loudness(video.video_path) <= -8


async def test_without_voice_the_music_plays_and_the_timing_is_kept(tmp_path: Path) -> None:
    music = tmp_path / "music.wav"
    music.write_bytes(tone_wav(0.7, hertz=MUSIC_HZ))
    options = RenderOptions(width=160, height=284, fps=25, include_voice=False)

    video = await render(tmp_path / "quiet", [1.0, 1.2], options, music=music)

    audio = samples(video.video_path)
    assert abs(len(audio) / 48_000 - 2.2) <= 1 / 25
    middle = audio[int(0.3 * 48_000) : int(0.7 * 48_000)]
    assert tone_level_db(middle, VOICE_HZ) < -50 and tone_level_db(middle, MUSIC_HZ) > -30


async def test_a_clip_is_played_as_is_and_holds_its_last_frame(tmp_path: Path) -> None:
    folder = tmp_path / "clip"
    folder.mkdir()
    clip = colour_clip(folder / "clip.mp4", 0.6, "blue", 320, 240)
    still = scene(folder, 0, 1.0, COLOURS[0], 0.5)
    spoken = scene(folder, 1, 1.4, COLOURS[1], 0.5)
    scenes = [still, SceneMedia(clip, spoken.audio_path, 1.4, "clip")]
    options = RenderOptions(width=160, height=284, fps=25, subtitles=False)

    video = await render_video(scenes, [], options, folder, ignore_progress)

    frames = frames_rgb(video.video_path, 160, 284)
    assert len(frames) == 60
    for moment in (1.5, 2.2):  # inside the clip, then after it ended (held)
        pixel = frames[round(moment * 25), 142, 80]
        assert pixel[2] > 150 and pixel[0] < 60 and pixel[1] < 60, f"at {moment}s: {pixel}"


async def test_a_preview_is_rendered_at_low_resolution_when_asked(tmp_path: Path) -> None:
    options = RenderOptions(width=400, height=720, fps=24, preview=True)

    video = await render(tmp_path, [1.0, 1.0], options)

    assert video.preview_path is not None
    streams = {stream["codec_type"]: stream for stream in probe(video.preview_path)["streams"]}
    assert (streams["video"]["width"], streams["video"]["height"]) == (360, 648)
    assert abs(float(streams["video"]["duration"]) - 2.0) <= 1 / 24
    assert streams["audio"]["codec_name"] == "aac"


def ffmpeg_children() -> list[int]:
    """Process ids of the ffmpeg processes this test process started."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        parent = int(text[text.rindex(")") + 2 :].split()[1])
        if name == "ffmpeg" and parent == os.getpid():
            found.append(int(stat.parent.name))
    return found


async def test_cancelling_a_render_kills_ffmpeg_and_removes_its_files(tmp_path: Path) -> None:
    folders: list[Path] = []
    scenes = storyboard(tmp_path / "inputs", [4.0, 4.0, 4.0])
    cache = StoredSegments(LocalStore(tmp_path / "media"), uuid4())
    reports: list[float] = []

    async def report(fraction: float) -> None:
        reports.append(fraction)

    async def work() -> None:
        with work_dir("render") as tmp:
            folders.append(Path(tmp))
            options = RenderOptions(width=720, height=1280, fps=30, quality="high")
            await render_video(scenes, [], options, Path(tmp), report, cache=cache)

    task = asyncio.create_task(work())
    for _ in range(1200):  # until a short transition segment is done and longer ones are under way
        if reports and reports[-1] >= 0.2 and ffmpeg_children():
            break
        await asyncio.sleep(0.05)
    assert ffmpeg_children(), "the render never started ffmpeg"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert ffmpeg_children() == []
    assert not folders[0].exists()
    assert not [path for path in (tmp_path / "media").rglob("*") if path.is_file()], "a cancelled render kept segments"


async def test_a_re_render_after_one_image_changed_renders_only_that_scenes_segments(tmp_path: Path) -> None:
    cache = StoredSegments(LocalStore(tmp_path / "media"), uuid4())
    options = RenderOptions(width=160, height=284, fps=25, subtitles=False)
    scenes = storyboard(tmp_path / "first", [1.0, 1.0, 1.0])
    first = await render_video(scenes, [], options, tmp_path / "first", ignore_progress, cache=cache)
    Image.new("RGB", (200, 300), (250, 250, 250)).save(scenes[1].visual_path)
    second_dir = tmp_path / "second"
    second_dir.mkdir()

    second = await render_video(scenes, [], options, second_dir, ignore_progress, cache=cache)

    assert len(first.rendered_segments) == 5 and first.reused_segments == []
    assert len(second.rendered_segments) == 3, "scene 2's body and its two transitions"
    assert len(second.reused_segments) == 2 and set(second.reused_segments) <= set(first.rendered_segments)
    frames = frames_rgb(second.video_path, 160, 284)
    assert len(frames) == 75
    assert np.abs(frames[37, 142, 80] - (250, 250, 250)).max() <= 12, "the new image is not shown"
    assert np.abs(frames[12, 142, 80] - COLOURS[0]).max() <= 12
