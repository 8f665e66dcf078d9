"""The ffmpeg argument list for a video, checked without running ffmpeg."""

from pathlib import Path

import pytest

from libs.common.errors import InvalidInput
from libs.common.events import RenderOptions
from services.render.compose import SceneMedia, build_command, filter_path, scene_frames

SUBTITLES = Path("/work/captions.ass")
VIDEO = Path("/work/video.mp4")


def scenes(*durations: float) -> list[SceneMedia]:
    return [
        SceneMedia(Path(f"/work/scene-{index}.png"), Path(f"/work/scene-{index}.wav"), duration)
        for index, duration in enumerate(durations)
    ]


def value_after(command: list[str], flag: str) -> str:
    return command[command.index(flag) + 1]


def filter_chains(command: list[str]) -> list[str]:
    return value_after(command, "-filter_complex").split(";")


def test_inputs_are_every_scenes_still_at_the_video_frame_rate_then_every_narration() -> None:
    command = build_command(scenes(2.0, 3.0), RenderOptions(fps=24), VIDEO, SUBTITLES)

    inputs = [command[index + 1] for index, argument in enumerate(command) if argument == "-i"]
    assert inputs == ["/work/scene-0.png", "/work/scene-1.png", "/work/scene-0.wav", "/work/scene-1.wav"]
    assert command[command.index("/work/scene-0.png") - 3 : command.index("/work/scene-0.png")] == [
        "-framerate",
        "24",
        "-i",
    ]


def test_each_still_is_scaled_to_cover_cropped_and_repeated_for_its_scenes_frames() -> None:
    command = build_command(scenes(2.0, 3.5), RenderOptions(width=540, height=960, fps=24), VIDEO, SUBTITLES)

    first, second = filter_chains(command)[:2]
    assert first.startswith("[0:v]scale=540:960:force_original_aspect_ratio=increase,crop=540:960,")
    assert "loop=loop=47:size=1" in first  # 2.0 s x 24 fps = 48 frames
    assert second.startswith("[1:v]")
    assert "loop=loop=83:size=1" in second  # 3.5 s x 24 fps = 84 frames


def test_each_narration_is_padded_and_cut_to_its_scenes_length_in_samples() -> None:
    command = build_command(scenes(2.0, 3.5), RenderOptions(fps=24), VIDEO, SUBTITLES)

    chains = filter_chains(command)
    assert chains[2].startswith("[2:a]aresample=48000,")
    assert "apad=whole_len=96000,atrim=end_sample=96000[a0]" in chains[2]
    assert chains[3].startswith("[3:a]")
    assert "apad=whole_len=168000,atrim=end_sample=168000[a1]" in chains[3]
    assert chains[-1] == "[a0][a1]concat=n=2:v=0:a=1[audio]"


def test_scene_frames_round_on_the_global_grid_so_the_total_matches_the_summed_durations() -> None:
    frames = scene_frames(scenes(1.01, 1.01, 1.01), fps=24)

    assert frames == [24, 24, 25]
    assert sum(frames) == round(3.03 * 24)


def test_a_scene_shorter_than_one_frame_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="scene 2"):
        scene_frames(scenes(1.0, 0.01), fps=30)


def test_no_scenes_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        scene_frames([], fps=30)


def test_output_is_h264_yuv420p_and_aac_at_the_requested_frame_rate_with_faststart() -> None:
    command = build_command(scenes(1.0), RenderOptions(fps=60), VIDEO, SUBTITLES)

    assert command[:6] == ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y"]
    assert value_after(command, "-c:v") == "libx264"
    assert value_after(command, "-pix_fmt") == "yuv420p"
    assert value_after(command, "-preset") == "veryfast"
    assert value_after(command, "-crf") == "23"
    assert value_after(command, "-r") == "60"
    assert value_after(command, "-c:a") == "aac"
    assert value_after(command, "-b:a") == "128k"
    assert value_after(command, "-ar") == "48000"
    assert value_after(command, "-movflags") == "+faststart"
    assert value_after(command, "-progress") == "pipe:1"
    assert "-nostats" in command
    assert "-threads" not in command
    assert command[-1] == str(VIDEO)


def test_quality_picks_the_encoder_preset() -> None:
    command = build_command(scenes(1.0), RenderOptions(), VIDEO, SUBTITLES, quality="draft")

    assert value_after(command, "-preset") == "ultrafast"


def test_subtitles_are_burned_in_from_the_ass_file_after_concatenation() -> None:
    command = build_command(scenes(1.0, 1.0), RenderOptions(subtitles=True), VIDEO, SUBTITLES)

    assert "[v0][v1]concat=n=2:v=1:a=0,ass=filename=/work/captions.ass[video]" in filter_chains(command)


def test_no_subtitles_filter_when_subtitles_are_off() -> None:
    command = build_command(scenes(1.0, 1.0), RenderOptions(subtitles=False), VIDEO, SUBTITLES)

    graph = value_after(command, "-filter_complex")
    assert "ass=" not in graph
    assert "subtitles=" not in graph
    assert "[v0][v1]concat=n=2:v=1:a=0[video]" in filter_chains(command)


def test_a_subtitles_path_with_spaces_quotes_colons_and_graph_punctuation_is_escaped_twice() -> None:
    path = Path("/tmp/my dir/it's: [a],b;c\\d/captions.ass")

    escaped = filter_path(path)

    # The option level escapes \ ' : and the graph level then escapes \ ' [ ] , ;
    assert escaped == r"/tmp/my dir/it\\\'s\\: \[a\]\,b\;c\\\\d/captions.ass"
    command = build_command(scenes(1.0), RenderOptions(), VIDEO, path)
    assert f"ass=filename={escaped}[video]" in value_after(command, "-filter_complex")
