"""The ffmpeg argument lists and the frame plan, checked without running ffmpeg."""

from itertools import pairwise
from pathlib import Path

import pytest

from libs.common.errors import InvalidInput
from services.render.motion import Pan, Zoom, plan_motion
from services.render.segment import ENCODINGS, SceneVisual, SegmentSpec, build_segment_command, filter_path
from services.render.soundtrack import Soundtrack, build_audio_command
from services.render.timeline import plan_segments, scene_frames, transition_half

CAPTIONS = Path("/work/segment.ass")
VIDEO = Path("/work/segment.mp4")


def value_after(command: list[str], flag: str) -> str:
    return command[command.index(flag) + 1]


def still(frames: int, first: int = 0, moving: bool = False, scene: int = 1) -> SceneVisual:
    return SceneVisual("image", plan_motion(scene, 100, 540, 960, 30, moving), first, frames)


def pan_of(scene: int, frames: int) -> Pan:
    motion = plan_motion(scene, frames, 1080, 1920, 30, motion=True)
    assert isinstance(motion, Pan)
    return motion


def zoom_of(scene: int, frames: int) -> Zoom:
    motion = plan_motion(scene, frames, 1080, 1920, 30, motion=True)
    assert isinstance(motion, Zoom)
    return motion


def test_scene_frames_round_on_the_global_grid_so_the_total_matches_the_summed_durations() -> None:
    frames = scene_frames([1.01, 1.01, 1.01], fps=24)

    assert frames == [24, 24, 25]
    assert sum(frames) == round(3.03 * 24)


def test_a_scene_shorter_than_one_frame_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="scene 2"):
        scene_frames([1.0, 0.01], fps=30)


def test_no_scenes_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        scene_frames([], fps=30)


def test_segments_cover_every_frame_once_with_transitions_straddling_each_boundary() -> None:
    frames = [30, 45, 40]
    half = transition_half(frames, fps=30, transition_s=0.5)

    segments = plan_segments(frames, half)

    assert half == 8
    assert [(segment.first, segment.end, segment.scenes) for segment in segments] == [
        (0, 22, (0,)),
        (22, 38, (0, 1)),
        (38, 67, (1,)),
        (67, 83, (1, 2)),
        (83, 115, (2,)),
    ]


def test_transitions_shrink_for_short_scenes_and_vanish_when_off_or_alone() -> None:
    assert transition_half([4, 30], fps=30, transition_s=0.5) == 1
    assert transition_half([2, 30], fps=30, transition_s=0.5) == 0
    assert transition_half([30, 30], fps=30, transition_s=0.0) == 0
    assert transition_half([30], fps=30, transition_s=0.5) == 0
    assert plan_segments([30, 30], 0) == plan_segments([30, 30], 0)
    assert [segment.scenes for segment in plan_segments([30, 30], 0)] == [(0,), (1,)]


@pytest.mark.parametrize("scene", [1, 3, 5, 7])
def test_the_pan_moves_one_pixel_at_a_steady_cadence_and_stays_on_its_canvas(scene: int) -> None:
    pan = pan_of(scene, 225)

    positions = [pan.position(frame) for frame in range(225)]
    steps = {(x1 - x0, y1 - y0) for (x0, y0), (x1, y1) in pairwise(positions)}
    moves = [frame for frame in range(1, 225) if positions[frame] != positions[frame - 1]]

    assert steps <= {(0, 0), (pan.dx, pan.dy)} and pan.moves
    assert {later - earlier for earlier, later in pairwise(moves)} == {pan.cadence}
    for x, y in positions:
        assert 0 <= x <= pan.canvas_width - 1080 and 0 <= y <= pan.canvas_height - 1920


@pytest.mark.parametrize("scene", [0, 2, 4, 6])
def test_the_zoom_changes_the_size_by_whole_even_steps_at_a_steady_cadence_and_always_covers_the_frame(
    scene: int,
) -> None:
    zoom = zoom_of(scene, 225)

    sizes = [zoom.size(frame) for frame in range(225)]
    widths = [width for width, _ in sizes]
    changes = [frame for frame in range(1, 225) if widths[frame] != widths[frame - 1]]

    assert {later - earlier for earlier, later in pairwise(widths)} <= {0, 2 * zoom.direction}
    assert {later - earlier for earlier, later in pairwise(changes)} == {zoom.cadence}
    assert all(width % 2 == 0 and height % 2 == 0 for width, height in sizes), "an even size keeps the centre whole"
    assert all(1080 < width <= zoom.canvas_width and 1920 < height <= zoom.canvas_height for width, height in sizes)
    assert max(sizes) == (zoom.canvas_width, zoom.canvas_height)
    assert all(abs(height - width * 1920 / 1080) <= 3 for width, height in sizes), "the still keeps its shape"


def test_scenes_take_turns_zooming_in_panning_zooming_out_in_varied_directions_and_framings() -> None:
    motions = [plan_motion(scene, 150, 1080, 1920, 30, motion=True) for scene in range(8)]
    zooms = [motion for motion in motions if isinstance(motion, Zoom)]
    pans = [motion for motion in motions if isinstance(motion, Pan)]

    assert [type(motion) for motion in motions] == [Zoom, Pan] * 4
    assert [zoom.direction for zoom in zooms] == [1, -1, 1, -1]
    assert len({(pan.dx, pan.dy) for pan in pans}) == 4
    assert len({motion.canvas_width * 10_000 + motion.canvas_height for motion in motions[:5]}) == 5


def test_a_long_scene_moves_more_slowly_instead_of_further() -> None:
    short, long = pan_of(1, 150), pan_of(1, 1800)
    assert long.cadence > short.cadence
    assert long.canvas_width - 1080 <= 0.15 * 1080 + 0.13 * 1080

    short_zoom, long_zoom = zoom_of(0, 150), zoom_of(0, 1800)
    assert long_zoom.cadence > short_zoom.cadence
    assert long_zoom.canvas_width - long_zoom.size(0)[0] <= 0.12 * 1080


def test_motion_off_is_a_still_frame() -> None:
    for scene in (2, 3):
        assert plan_motion(scene, 150, 1080, 1920, 30, motion=False) == Pan(1080, 1920, 1080, 1920, 0, 0, 1)


def test_the_crop_filter_continues_the_pan_where_an_earlier_segment_stopped() -> None:
    pan = pan_of(1, 300)

    crop = pan.filter(first=101)

    x0, _ = pan.position(101)
    assert crop.startswith(f"crop=1080:1920:x='{x0}+1*floor((n+{101 % pan.cadence})/{pan.cadence})'")
    assert crop.endswith(":exact=1")


def test_the_zoom_filter_continues_the_zoom_where_an_earlier_segment_stopped() -> None:
    zoom = zoom_of(0, 300)

    scale = zoom.filter(first=101)

    step = f"({101 // zoom.cadence}+floor((n+{101 % zoom.cadence})/{zoom.cadence}))"
    assert scale.startswith(f"scale=w='({zoom.canvas_width}-2*({zoom.steps}-{step}))':")
    assert ":eval=frame:" in scale and scale.endswith(":exact=1")


def test_a_still_is_scaled_once_onto_its_canvas_then_repeated_and_panned_by_a_crop() -> None:
    visual = still(48, moving=True)
    spec = SegmentSpec(visuals=(visual,), fps=24, encoding=ENCODINGS["standard"])

    command = build_segment_command(spec, [Path("/work/a.png")], CAPTIONS, VIDEO, None)

    assert command[command.index("/work/a.png") - 3 : command.index("/work/a.png") + 1] == [
        "-framerate",
        "24",
        "-i",
        "/work/a.png",
    ]
    graph = value_after(command, "-filter_complex")
    canvas = f"{visual.motion.canvas_width}:{visual.motion.canvas_height}"
    assert graph.startswith(f"[0:v]scale={canvas}:force_original_aspect_ratio=increase,crop={canvas},")
    assert f"format=yuv420p,loop=loop=47:size=1:start=0,settb=1/24,setpts=N,{visual.motion.filter(0)}[s0]" in graph
    assert "zoompan" not in graph


def test_a_clip_is_used_as_is_at_the_video_rate_holding_its_last_frame() -> None:
    clip = SceneVisual("clip", plan_motion(0, 60, 540, 960, 30, False), 12, 30)
    spec = SegmentSpec(visuals=(clip,), fps=30, encoding=ENCODINGS["standard"])

    command = build_segment_command(spec, [Path("/work/clip.mp4")], CAPTIONS, VIDEO, None)

    assert "-framerate" not in command
    graph = value_after(command, "-filter_complex")
    assert graph.startswith("[0:v]fps=30,scale=540:960:force_original_aspect_ratio=increase,crop=540:960,")
    assert "tpad=stop=-1:stop_mode=clone,trim=start_frame=12:end_frame=42" in graph


@pytest.mark.parametrize("transition", ["fade", "fadeblack", "wipeleft", "slideup"])
def test_a_transition_segment_blends_two_scenes_with_xfade(transition: str) -> None:
    spec = SegmentSpec(visuals=(still(16, 40), still(16)), fps=30, encoding=ENCODINGS["draft"], transition=transition)

    graph = value_after(
        build_segment_command(spec, [Path("/a.png"), Path("/b.png")], CAPTIONS, VIDEO, None), "-filter_complex"
    )

    assert f"[s0][s1]xfade=transition={transition}:duration=0.533333:offset=0[blend]" in graph


def test_output_is_h264_yuv420p_at_the_requested_rate_with_progress_and_no_audio() -> None:
    spec = SegmentSpec(visuals=(still(30),), fps=60, encoding=ENCODINGS["standard"])

    command = build_segment_command(spec, [Path("/a.png")], CAPTIONS, VIDEO, None)

    assert command[:6] == ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y"]
    assert value_after(command, "-c:v") == "libx264"
    assert value_after(command, "-pix_fmt") == "yuv420p"
    assert (value_after(command, "-preset"), value_after(command, "-crf")) == ("veryfast", "23")
    assert value_after(command, "-r") == "60"
    assert value_after(command, "-progress") == "pipe:1"
    assert "-an" in command and command[-1] == str(VIDEO)


@pytest.mark.parametrize(("quality", "preset", "crf"), [("draft", "ultrafast", 28), ("high", "slow", 20)])
def test_quality_picks_the_encoder_settings(quality: str, preset: str, crf: int) -> None:
    spec = SegmentSpec(visuals=(still(30),), fps=30, encoding=ENCODINGS[quality])  # type: ignore[index]

    command = build_segment_command(spec, [Path("/a.png")], CAPTIONS, VIDEO, None)

    assert (value_after(command, "-preset"), value_after(command, "-crf")) == (preset, str(crf))


def test_fades_captions_and_preview_follow_the_spec() -> None:
    spec = SegmentSpec(
        visuals=(still(30),),
        fps=30,
        encoding=ENCODINGS["standard"],
        fade_in_frames=9,
        fade_out_frames=9,
        captions="[Script Info]",
        preview_size=(180, 320),
    )

    command = build_segment_command(spec, [Path("/a.png")], CAPTIONS, VIDEO, Path("/work/preview.mp4"))

    graph = value_after(command, "-filter_complex")
    assert "fade=t=in:s=0:n=9,fade=t=out:s=21:n=9,ass=filename=/work/segment.ass,split=2[video][full]" in graph
    assert "[full]scale=180:320:flags=area[preview]" in graph
    assert command[-1] == "/work/preview.mp4"


def test_no_captions_filter_when_the_segment_has_none() -> None:
    spec = SegmentSpec(visuals=(still(30),), fps=30, encoding=ENCODINGS["standard"])

    graph = value_after(build_segment_command(spec, [Path("/a.png")], CAPTIONS, VIDEO, None), "-filter_complex")

    assert "ass=" not in graph and "subtitles=" not in graph


def test_a_captions_path_with_spaces_quotes_colons_and_graph_punctuation_is_escaped_twice() -> None:
    path = Path("/tmp/my dir/it's: [a],b;c\\d/captions.ass")

    escaped = filter_path(path)

    # The option level escapes \ ' : and the graph level then escapes \ ' [ ] , ;
    assert escaped == r"/tmp/my dir/it\\\'s\\: \[a\]\,b\;c\\\\d/captions.ass"


def test_each_narration_is_padded_and_cut_to_its_scenes_length_in_samples() -> None:
    track = Soundtrack([Path("/a.wav"), Path("/b.wav")], [48, 84], fps=24)

    graph = value_after(build_audio_command(track, Path("/out.m4a")), "-filter_complex")

    assert "apad=whole_len=96000,atrim=end_sample=96000[n0]" in graph
    assert "apad=whole_len=168000,atrim=end_sample=168000[n1]" in graph
    assert "[n0][n1]concat=n=2:v=0:a=1[voice]" in graph


def test_music_is_looped_and_ducked_under_the_narration() -> None:
    track = Soundtrack([Path("/a.wav")], [60], fps=30, music=Path("/music.wav"))

    command = build_audio_command(track, Path("/out.m4a"))

    at = command.index("/music.wav")
    assert command[at - 4 : at + 1] == ["/a.wav", "-stream_loop", "-1", "-i", "/music.wav"]
    graph = value_after(command, "-filter_complex")
    assert "[1:a]aresample=48000" in graph and "atrim=end_sample=96000,volume=-12.0dB[music]" in graph
    assert "[music][key]sidechaincompress=" in graph
    assert "[speech][ducked]amix=inputs=2:duration=first:normalize=0[mixed]" in graph


def test_without_voice_the_timing_stays_but_the_speech_is_left_out() -> None:
    track = Soundtrack([Path("/a.wav")], [60], fps=30, include_voice=False)

    command = build_audio_command(track, Path("/out.m4a"))

    assert "/a.wav" not in command
    assert "anullsrc=r=48000:cl=stereo,atrim=end_sample=96000[voice]" in value_after(command, "-filter_complex")
