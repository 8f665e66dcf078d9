"""The benchmark's storyboard composed with MoviePy, the engine popular peers use.

Run as a script by bench/render.py (with whichever Python has MoviePy installed):
`python bench/moviepy_compose.py manifest.json output.mp4`. It imports nothing from Reelforge, and
composes what the render engine composes: stills that zoom (in, then out) and pan in turn, crossfades
between scenes, captions with an outline, narration over music, fade in and out, encoded with the same
libx264 settings.
"""

import json
import sys

from moviepy import (
    AudioFileClip,
    CompositeAudioClip,
    CompositeVideoClip,
    ImageClip,
    TextClip,
    afx,
    vfx,
)

ZOOM = 0.12
"""How much a zooming scene's picture grows (or shrinks) over the scene, as the render engine's zoom does."""


def _zoom(still: ImageClip, length: float, inwards: bool) -> ImageClip:
    def scale(t: float) -> float:
        progress = t / length if inwards else 1 - t / length
        return 1.04 + ZOOM * progress

    return still.resized(scale).with_position(("center", "center"))


def _pan(still: ImageClip, width: int, height: int, length: float) -> ImageClip:
    travel, top = still.w - width, -(still.h - height) / 2
    return still.with_position(lambda t: (-travel * t / length, top))


def compose(manifest: dict, output: str) -> None:
    width, height, fps = manifest["width"], manifest["height"], manifest["fps"]
    transition = manifest["transition_s"]
    layers, voices = [], []
    for number, scene in enumerate(manifest["scenes"]):
        start, seconds = scene["start_s"], scene["duration_s"]
        head = transition / 2 if number > 0 else 0.0
        tail = transition / 2 if number < len(manifest["scenes"]) - 1 else 0.0
        length = seconds + head + tail
        if number % 2 == 0:
            clip = _zoom(ImageClip(scene["image"]).resized(height=height), length, inwards=number % 4 == 0)
        else:
            clip = _pan(ImageClip(scene["image"]).resized(height=round(height * 1.12)), width, height, length)
        clip = clip.with_duration(length).with_start(start - head)
        if number > 0:
            clip = clip.with_effects([vfx.CrossFadeIn(transition)])
        layers.append(clip)
        voices.append(AudioFileClip(scene["narration"]).with_start(start))
    for cue in manifest["cues"]:
        text = TextClip(
            font=manifest["font"],
            text=cue["text"],
            font_size=round(0.055 * width),
            color="white",
            stroke_color="black",
            stroke_width=max(2, round(0.0055 * width)),
            method="caption",
            size=(round(width * 0.84), None),
        )
        layers.append(
            text.with_start(cue["start_s"])
            .with_duration(cue["end_s"] - cue["start_s"])
            .with_position(("center", round(height * 0.72)))
        )
    total = manifest["duration_s"]
    video = CompositeVideoClip(layers, size=(width, height)).with_duration(total)
    video = video.with_effects([vfx.FadeIn(0.3), vfx.FadeOut(0.3)])
    music = AudioFileClip(manifest["music"]).with_effects([afx.AudioLoop(duration=total), afx.MultiplyVolume(0.25)])
    video = video.with_audio(CompositeAudioClip([music, *voices]).with_duration(total))
    video.write_videofile(
        output,
        fps=fps,
        codec="libx264",
        preset=manifest["preset"],
        ffmpeg_params=["-crf", str(manifest["crf"]), "-pix_fmt", "yuv420p"],
        audio_codec="aac",
        logger=None,
    )


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as file:
        compose(json.load(file), sys.argv[2])
