"""The audio track as one short ffmpeg run: narration on the video's clock, music ducked under it, faded.

Each narration is padded or cut to its scene's length in samples (the sample grid matching the
frame grid), so speech starts exactly when its scene does. With `include_voice` off the speech is
left out of the mix but still drives the timing. Music is looped to the video's length, set
below speech and pressed down further while someone speaks (a sidechain compressor keyed by the
narration), so narration stays intelligible over any track.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, pairwise
from pathlib import Path

AUDIO_RATE = 48_000
MUSIC_GAIN_DB = -12.0
"""The music's level under the narration before ducking."""
DUCKING = "threshold=0.02:ratio=8:attack=20:release=400:makeup=1"
FADE_S = 0.5
AUDIO_BITRATE = "128k"


@dataclass(frozen=True)
class Soundtrack:
    narrations: Sequence[Path]
    """One file per scene, in playing order."""
    scene_frames: Sequence[int]
    fps: int
    include_voice: bool = True
    music: Path | None = None

    @property
    def sample_bounds(self) -> list[int]:
        return [round(frame * AUDIO_RATE / self.fps) for frame in accumulate(self.scene_frames, initial=0)]

    @property
    def samples(self) -> int:
        return self.sample_bounds[-1]


def build_audio_command(track: Soundtrack, output: Path) -> list[str]:
    """The ffmpeg argument list writing the finished AAC track (in an .m4a) to `output`."""
    command = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y"]
    if track.include_voice:
        for narration in track.narrations:
            command += ["-i", str(narration)]
    if track.music is not None:
        command += ["-stream_loop", "-1", "-i", str(track.music)]
    command += ["-filter_complex", audio_graph(track), "-map", "[audio]"]
    command += ["-c:a", "aac", "-b:a", AUDIO_BITRATE, "-ar", str(AUDIO_RATE), "-vn", str(output)]
    return command


def audio_graph(track: Soundtrack) -> str:
    total = track.samples
    seconds = total / AUDIO_RATE
    stereo = f"aresample={AUDIO_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo"
    chains: list[str] = []
    if track.include_voice:
        count = len(track.narrations)
        chains += [
            f"[{index}:a]{stereo},apad=whole_len={end - start},atrim=end_sample={end - start}[n{index}]"
            for index, (start, end) in enumerate(pairwise(track.sample_bounds))
        ]
        chains.append("".join(f"[n{index}]" for index in range(count)) + f"concat=n={count}:v=0:a=1[voice]")
        music_input = count
    else:
        chains.append(f"anullsrc=r={AUDIO_RATE}:cl=stereo,atrim=end_sample={total}[voice]")
        music_input = 0
    if track.music is not None:
        chains.append(f"[{music_input}:a]{stereo},atrim=end_sample={total},volume={MUSIC_GAIN_DB}dB[music]")
        chains.append("[voice]asplit=2[speech][key]")
        chains.append(f"[music][key]sidechaincompress={DUCKING}[ducked]")
        chains.append("[speech][ducked]amix=inputs=2:duration=first:normalize=0[mixed]")
        last = "[mixed]"
    else:
        last = "[voice]"
    fade = min(FADE_S, seconds / 4)
    chains.append(f"{last}afade=t=in:d={fade:.3f},afade=t=out:st={seconds - fade:.6f}:d={fade:.3f}[audio]")
    return ";".join(chains)
