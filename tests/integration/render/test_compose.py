"""Rendering with the real ffmpeg: what ffprobe and the decoded frames say about the finished video."""

import json
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from libs.common.errors import InvalidInput, ProviderError
from libs.common.events import Cue, RenderOptions, WordTiming
from services.render.compose import RenderedVideo, SceneMedia, render_video
from tests.media import probe, tone_wav

COLOURS = [(220, 30, 30), (30, 200, 40), (40, 60, 220)]
DURATIONS = [1.0, 0.75, 1.25]
"""Narration lengths that are not whole numbers of frames at 30 fps, so rounding must not accumulate."""
CUES = [
    Cue(start_s=0.1, end_s=0.6, text="The first scene, in red"),
    Cue(start_s=1.1, end_s=1.6, text="Then green"),
    Cue(start_s=2.0, end_s=2.9, text="Blue at last: {braces} and \\N a backslash"),
]
QUIET_AT_S = 0.85
"""A moment inside the first scene with no cue on screen."""


@dataclass
class Render:
    video: RenderedVideo
    options: RenderOptions
    reports: list[float]


def write_tone(path: Path, seconds: float) -> Path:
    path.write_bytes(tone_wav(seconds))
    return path


def storyboard(folder: Path) -> list[SceneMedia]:
    """Three stills of different shapes (landscape, portrait, square), each with narration shorter than its scene."""
    folder.mkdir(parents=True, exist_ok=True)
    sizes = [(400, 300), (300, 500), (256, 256)]
    scenes = []
    for index, (colour, size, seconds) in enumerate(zip(COLOURS, sizes, DURATIONS, strict=True)):
        image = folder / f"scene-{index}.png"
        Image.new("RGB", size, colour).save(image)
        audio = write_tone(folder / f"scene-{index}.wav", seconds - 0.2)
        scenes.append(SceneMedia(image, audio, seconds))
    return scenes


async def render(folder: Path, options: RenderOptions, cues: list[Cue] = CUES) -> Render:
    reports: list[float] = []

    async def report(fraction: float) -> None:
        reports.append(fraction)

    video = await render_video(storyboard(folder), cues, options, folder, report)
    return Render(video, options, reports)


async def ignore_progress(fraction: float) -> None:
    del fraction


def frame_at(video: Path, seconds: float, width: int, height: int) -> np.ndarray:
    raw = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-ss",
            f"{seconds}",
            "-i",
            str(video),
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(height, width, 3).astype(np.int16)


def top_level_boxes(path: Path) -> list[str]:
    """The MP4's top-level box types in file order."""
    boxes = []
    with path.open("rb") as file:
        while header := file.read(8):
            size, kind = struct.unpack(">I4s", header)
            if size == 1:
                size = struct.unpack(">Q", file.read(8))[0] - 8
            boxes.append(kind.decode("latin-1"))
            file.seek(size - 8, 1)
    return boxes


@pytest.fixture(scope="module")
async def vertical(tmp_path_factory: pytest.TempPathFactory) -> Render:
    folder = tmp_path_factory.mktemp("vertical") / "a dir with 'quotes', colons: and [brackets]"
    return await render(folder, RenderOptions(width=540, height=960, fps=24))


@pytest.fixture(scope="module")
async def landscape(tmp_path_factory: pytest.TempPathFactory) -> Render:
    return await render(tmp_path_factory.mktemp("landscape"), RenderOptions(width=320, height=180, fps=30))


@pytest.fixture(params=["vertical", "landscape"])
def rendered(request: pytest.FixtureRequest) -> Render:
    return request.getfixturevalue(request.param)


@pytest.fixture(scope="module")
async def unsubtitled(tmp_path_factory: pytest.TempPathFactory) -> Render:
    return await render(tmp_path_factory.mktemp("plain"), RenderOptions(width=540, height=960, fps=24, subtitles=False))


def test_video_is_h264_yuv420p_with_aac_at_the_requested_size_and_rate(rendered: Render) -> None:
    streams = {stream["codec_type"]: stream for stream in probe(rendered.video.video_path)["streams"]}
    video, audio = streams["video"], streams["audio"]
    options = rendered.options

    assert (video["codec_name"], video["pix_fmt"]) == ("h264", "yuv420p")
    assert (video["width"], video["height"]) == (options.width, options.height)
    assert video["r_frame_rate"] == f"{options.fps}/1"
    assert (audio["codec_name"], audio["sample_rate"]) == ("aac", "48000")


def test_video_and_audio_last_the_summed_scene_durations_within_one_frame(rendered: Render) -> None:
    info = probe(rendered.video.video_path)
    frame = 1 / rendered.options.fps

    assert abs(rendered.video.duration_s - sum(DURATIONS)) <= frame / 2
    assert abs(float(info["format"]["duration"]) - sum(DURATIONS)) <= frame
    for stream in info["streams"]:
        assert abs(float(stream["duration"]) - sum(DURATIONS)) <= frame


def test_moov_comes_before_mdat_so_playback_starts_before_download_ends(rendered: Render) -> None:
    boxes = top_level_boxes(rendered.video.video_path)

    assert boxes.index("moov") < boxes.index("mdat")


def test_thumbnail_is_a_jpeg_of_the_video_size_showing_the_first_scene(rendered: Render) -> None:
    with Image.open(rendered.video.thumbnail_path) as thumbnail:
        assert thumbnail.format == "JPEG"
        assert thumbnail.size == (rendered.options.width, rendered.options.height)
        centre = thumbnail.getpixel((rendered.options.width // 2, rendered.options.height // 2))
    assert all(abs(got - want) <= 12 for got, want in zip(centre, COLOURS[0], strict=True))


def test_caption_files_are_written_next_to_the_video(rendered: Render) -> None:
    assert rendered.video.srt_path.parent == rendered.video.video_path.parent
    assert "Then green" in rendered.video.srt_path.read_text(encoding="utf-8")
    assert rendered.video.vtt_path.read_text(encoding="utf-8").startswith("WEBVTT")
    timings = json.loads(rendered.video.words_path.read_text(encoding="utf-8"))["cues"]
    assert [cue["text"] for cue in timings] == [cue.text for cue in CUES]
    # These cues carry no word times, so each word gets its letters' share of the cue, in order.
    green = timings[1]["words"]
    assert [word["text"] for word in green] == ["Then", "green"]
    assert green[0]["start_s"] == 1.1 and green[-1]["end_s"] == 1.6
    assert green[0]["end_s"] == green[1]["start_s"] == pytest.approx(1.1 + 0.5 * 4 / 9, abs=0.001)


def test_progress_reports_never_go_back_and_reach_the_end(rendered: Render) -> None:
    reports = rendered.reports

    assert reports
    assert reports == sorted(reports)
    assert reports[-1] >= 0.99


def test_each_scene_shows_its_own_still_between_its_transitions(unsubtitled: Render) -> None:
    starts = [0.0, DURATIONS[0], DURATIONS[0] + DURATIONS[1]]
    for start, seconds, colour in zip(starts, DURATIONS, COLOURS, strict=True):
        moment = start + seconds / 2
        pixel = frame_at(unsubtitled.video.video_path, moment, 540, 960)[480, 270]
        assert np.abs(pixel - colour).max() <= 12, f"at {moment:.2f}s expected {colour}, got {pixel}"


def test_scenes_blend_across_each_boundary(unsubtitled: Render) -> None:
    red, green = COLOURS[0], COLOURS[1]
    pixel = frame_at(unsubtitled.video.video_path, DURATIONS[0], 540, 960)[480, 270]

    assert np.abs(pixel - red).max() > 40 and np.abs(pixel - green).max() > 40, f"no crossfade: {pixel}"


def test_the_video_fades_in_from_black(unsubtitled: Render) -> None:
    first = frame_at(unsubtitled.video.video_path, 0.0, 540, 960)

    assert first.max() <= 24


def test_subtitles_are_burned_in_while_a_cue_is_on_screen(vertical: Render, unsubtitled: Render) -> None:
    cue = CUES[2]
    middle = (cue.start_s + cue.end_s) / 2

    with_text = frame_at(vertical.video.video_path, middle, 540, 960)
    without = frame_at(unsubtitled.video.video_path, middle, 540, 960)
    quiet_with = frame_at(vertical.video.video_path, QUIET_AT_S, 540, 960)
    quiet_without = frame_at(unsubtitled.video.video_path, QUIET_AT_S, 540, 960)

    changed = np.abs(with_text - without).max(axis=2) > 60
    rows = np.flatnonzero(changed.any(axis=1))
    assert changed.sum() > 500, "no caption drawn at the cue's midpoint"
    assert rows.min() > 960 // 2, "captions belong in the lower half"
    assert rows.max() < 960 - 0.15 * 960, "captions sit above the bottom margin"
    assert np.abs(quiet_with - quiet_without).max() <= 20, "a caption is drawn where no cue is on screen"


def yellow_columns(frame: np.ndarray) -> np.ndarray:
    """The columns of the karaoke highlight's pixels (a warm yellow: much red and green, little blue)."""
    red, green, blue = frame[..., 0], frame[..., 1], frame[..., 2]
    return np.flatnonzero(((red > 200) & (green > 170) & (blue < 100)).any(axis=0))


async def test_karaoke_captions_light_up_each_word_while_it_is_spoken(tmp_path: Path, vertical: Render) -> None:
    timed = [
        WordTiming(start_s=2.0, end_s=2.2, text="Blue"),
        WordTiming(start_s=2.3, end_s=2.45, text="at"),
        WordTiming(start_s=2.5, end_s=2.9, text="last"),
    ]
    cues = [*CUES[:2], Cue(start_s=2.0, end_s=2.9, text="Blue at last", words=timed)]
    options = RenderOptions(width=540, height=960, fps=24, caption_style="karaoke")
    karaoke = await render(tmp_path / "karaoke", options, cues)

    first = yellow_columns(frame_at(karaoke.video.video_path, 2.1, 540, 960))
    last = yellow_columns(frame_at(karaoke.video.video_path, 2.7, 540, 960))
    assert first.size > 10 and last.size > 10, "no word lit while it is spoken"
    assert first.max() < last.min(), "the lit word should move from the first word to the last"
    middle = (CUES[2].start_s + CUES[2].end_s) / 2
    assert yellow_columns(frame_at(vertical.video.video_path, middle, 540, 960)).size == 0, "phrase captions are white"
    timings = json.loads(karaoke.video.words_path.read_text(encoding="utf-8"))["cues"]
    assert [word["text"] for word in timings[2]["words"]] == ["Blue", "at", "last"]
    assert timings[2]["words"][2] == {"start_s": 2.5, "end_s": 2.9, "text": "last"}


async def test_captions_in_many_scripts_and_emoji_render(tmp_path: Path) -> None:
    cues = [
        Cue(start_s=0.0, end_s=1.0, text="很久很久以前，在一个遥远的国度里"),
        Cue(start_s=1.0, end_s=1.75, text="Μια φορά κι έναν καιρό — नमस्ते दुनिया"),
        Cue(start_s=1.75, end_s=3.0, text='مرحبا بالعالم 🎉 שלום עולם ✨ "quoted": done'),
    ]

    result = await render(tmp_path / "scripts", RenderOptions(width=360, height=640, fps=24), cues)

    assert result.video.video_path.stat().st_size > 0
    assert "🎉" in result.video.vtt_path.read_text(encoding="utf-8")


async def test_an_emoji_caption_is_drawn_on_the_picture(tmp_path: Path, unsubtitled: Render) -> None:
    cues = [Cue(start_s=0.5, end_s=2.5, text="🚀 ✨")]
    emoji = await render(tmp_path / "emoji", RenderOptions(width=540, height=960, fps=24), cues)

    changed = np.abs(
        frame_at(emoji.video.video_path, 1.5, 540, 960) - frame_at(unsubtitled.video.video_path, 1.5, 540, 960)
    )
    assert (changed.max(axis=2) > 60).sum() > 500, "the emoji left the caption area empty"


async def test_the_first_scene_zooms_in_on_the_centre_of_its_still(tmp_path: Path) -> None:
    image = tmp_path / "square.png"
    picture = Image.new("RGB", (540, 960), (0, 0, 0))
    picture.paste((255, 255, 255), (220, 430, 320, 530))  # a 100 px white square in the middle
    picture.save(image)
    scene = SceneMedia(image, write_tone(tmp_path / "scene.wav", 2.8), 3.0)
    options = RenderOptions(width=540, height=960, fps=24, subtitles=False, transition="none")

    video = await render_video([scene], [], options, tmp_path, ignore_progress)

    def square(seconds: float) -> tuple[int, float, float]:
        white = frame_at(video.video_path, seconds, 540, 960).min(axis=2) > 128
        rows, columns = np.flatnonzero(white.any(axis=1)), np.flatnonzero(white.any(axis=0))
        return len(columns), (columns[0] + columns[-1]) / 2, (rows[0] + rows[-1]) / 2

    early, late = square(0.6), square(2.4)
    assert late[0] >= early[0] + 3, f"the square did not grow: {early[0]} px, then {late[0]} px"
    for _, x, y in (early, late):
        assert abs(x - 269.5) <= 1.5 and abs(y - 479.5) <= 1.5, "the zoom drifted off the centre"


async def test_a_scene_with_a_focus_zooms_in_on_its_main_subject_holding_it_in_place(tmp_path: Path) -> None:
    image = tmp_path / "subject.png"
    picture = Image.new("RGB", (540, 960), (0, 0, 0))
    picture.paste((255, 255, 255), (112, 622, 212, 722))  # a 100 px white square around (162, 672): (0.3, 0.7)
    picture.save(image)
    scene = SceneMedia(image, write_tone(tmp_path / "scene.wav", 2.8), 3.0, focus=(0.3, 0.7))
    options = RenderOptions(width=540, height=960, fps=24, subtitles=False, transition="none")

    video = await render_video([scene], [], options, tmp_path, ignore_progress)

    def square(seconds: float) -> tuple[int, float, float]:
        white = frame_at(video.video_path, seconds, 540, 960).min(axis=2) > 128
        rows, columns = np.flatnonzero(white.any(axis=1)), np.flatnonzero(white.any(axis=0))
        return len(columns), (columns[0] + columns[-1]) / 2, (rows[0] + rows[-1]) / 2

    early, late = square(0.6), square(2.4)
    assert late[0] >= early[0] + 3, f"the square did not grow: {early[0]} px, then {late[0]} px"
    for _, x, y in (early, late):
        assert abs(x - 0.3 * 540) <= 3 and abs(y - 0.7 * 960) <= 3, f"the subject drifted to ({x}, {y})"


def test_the_video_credits_openmoji_in_its_metadata(rendered: Render) -> None:
    comment = probe(rendered.video.video_path)["format"]["tags"]["comment"]

    assert "All emojis designed by OpenMoji" in comment and "CC BY-SA 4.0" in comment


async def test_an_unreadable_image_fails_naming_its_scene(tmp_path: Path) -> None:
    scenes = storyboard(tmp_path)
    scenes[2].visual_path.write_bytes(b"\x89PNG\r\n\x1a\n this is not really a picture")

    with pytest.raises(InvalidInput, match="scene 3's image is not a readable image"):
        await render_video(scenes, CUES, RenderOptions(width=360, height=640, fps=24), tmp_path, ignore_progress)
    assert not (tmp_path / "video.mp4").exists()


async def test_an_ffmpeg_failure_is_a_permanent_provider_error_carrying_its_stderr(tmp_path: Path) -> None:
    scenes = storyboard(tmp_path)
    scenes[1].audio_path.write_bytes(b"RIFF but not really a wave file")

    with pytest.raises(ProviderError, match="ffmpeg failed") as raised:
        await render_video(scenes, CUES, RenderOptions(width=360, height=640, fps=24), tmp_path, ignore_progress)
    assert raised.value.retryable is False
    assert "scene-1.wav" in raised.value.message


async def test_missing_ffmpeg_is_a_permanent_provider_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")  # the tool cannot be found

    with pytest.raises(ProviderError, match="ffmpeg is not installed") as raised:
        await render_video(
            storyboard(tmp_path), CUES, RenderOptions(width=360, height=640, fps=24), tmp_path, ignore_progress
        )
    assert raised.value.retryable is False
