"""Background music per mood: a track from the user's music folder, or an ambient one synthesized here.

A synthesized track is exactly periodic over its own length: every frequency (partials, tremolo)
is a whole number of cycles per track, and the chord changes and plucks wrap around the end. The
sample after the last one is therefore the first one again, and the render stage can loop the
track with no click at the seam.

A music folder (`REELFORGE_MUSIC_DIR`) holds tracks named by mood: `calm.mp3`, `calm-2.ogg`,
`epic_drums.wav`, ...; a job picks one of its mood's tracks by its id, so a job always gets the
same one. Looping those cleanly is up to the tracks.
"""

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from libs.common.errors import ProviderError
from libs.common.tools import start_tool
from libs.common.vocabulary import Mood

RATE = 24000
PEAK = 0.45
"""Peak level of a synthesized track, of full scale: music sits under the voice."""
CHORD_S = 8.0
CROSSFADE = 0.25
"""Share of a chord's span spent fading into the next on each side."""
MUSIC_SUFFIXES = (".mp3", ".ogg", ".oga", ".opus", ".wav", ".flac", ".m4a", ".aac")
CONTENT_TYPES = {".mp3": "audio/mpeg", ".wav": "audio/wav", ".flac": "audio/flac", ".m4a": "audio/mp4"}


@dataclass(frozen=True)
class MoodSound:
    """How a mood sounds: a root (Hz), chords (semitones above it), brightness, tremolo and plucks."""

    root: float
    chords: tuple[tuple[int, ...], ...]
    partials: int
    tremolo_hz: float
    pluck_every_s: float | None = None


MOOD_SOUNDS: dict[Mood, MoodSound] = {
    "calm": MoodSound(130.81, ((0, 7, 16), (5, 12, 21), (-3, 7, 12), (0, 7, 14)), 3, 0.08),
    "inspiring": MoodSound(146.83, ((0, 7, 16), (7, 14, 23), (9, 16, 24), (5, 12, 21)), 4, 0.12, 1.0),
    "happy": MoodSound(174.61, ((0, 4, 7, 12), (5, 9, 12, 17), (7, 11, 14, 19), (0, 4, 7, 16)), 4, 0.2, 0.5),
    "playful": MoodSound(196.0, ((0, 4, 7), (2, 5, 9), (4, 7, 11), (5, 9, 12)), 3, 0.3, 0.375),
    "romantic": MoodSound(138.59, ((0, 4, 11, 16), (5, 9, 16), (2, 5, 12), (7, 11, 17)), 3, 0.1, 1.5),
    "sad": MoodSound(110.0, ((0, 3, 7, 15), (-4, 3, 8, 12), (5, 8, 12), (-5, 2, 7, 10)), 2, 0.07),
    "mysterious": MoodSound(103.83, ((0, 3, 6, 10), (1, 5, 8), (0, 6, 11), (-1, 3, 10)), 3, 0.15),
    "tense": MoodSound(98.0, ((0, 1, 7), (0, 6, 7), (0, 3, 8), (0, 1, 6)), 5, 0.5, 0.5),
    "dark": MoodSound(73.42, ((0, 3, 7), (-2, 3, 8), (0, 1, 7), (-4, 3, 8)), 4, 0.06),
    "epic": MoodSound(87.31, ((0, 7, 12, 19), (-4, 3, 8, 15), (-2, 5, 10, 17), (-5, 2, 7, 14)), 5, 0.25, 0.5),
}


def ambient_track(mood: Mood, duration_s: float, rate: int = RATE) -> np.ndarray:
    """`duration_s` (to the sample) of mono 16-bit ambient music in `mood`, periodic over its length."""
    sound = MOOD_SOUNDS[mood]
    count = max(round(duration_s * rate), 1)
    period = count / rate
    segments = max(1, round(period / CHORD_S))
    music = np.zeros(count, np.float32)
    for index in range(segments):
        chord = sound.chords[index % len(sound.chords)]
        samples, weight = _chord_span(index, segments, count)
        music[samples] += weight * _pad(chord, sound, samples, count, period)
    if sound.pluck_every_s is not None:
        music += 0.35 * _plucks(sound, count, rate, period)
    tremolo_cycles = _whole_cycles(sound.tremolo_hz, period)
    music *= 1 + 0.2 * np.sin(np.arange(count) * np.float32(2 * np.pi * tremolo_cycles / count), dtype=np.float32)
    peak = float(np.abs(music).max()) or 1.0
    return np.round(music / peak * PEAK * 32767).astype("<i2")


def _whole_cycles(hertz: float, period: float) -> int:
    """The nearest whole number of cycles of `hertz` in `period` (at least one): what makes it loop."""
    return max(round(hertz * period), 1)


def _pad(chord: tuple[int, ...], sound: MoodSound, samples: np.ndarray, count: int, period: float) -> np.ndarray:
    """The chord's sustained tones at the sample indexes `samples`.

    Each tone is a whole number of cycles per track, and its partials whole multiples of that; the
    partials come from the Chebyshev recurrence sin((k+1)x) = 2 cos(x) sin(kx) - sin((k-1)x), which
    spares a sine per partial.
    """
    voice = np.zeros(samples.size, np.float32)
    for semitones in chord:
        cycles = _whole_cycles(sound.root * 2 ** (semitones / 12), period)
        phase = (samples * cycles % count).astype(np.float32) * np.float32(2 * np.pi / count)
        twice_cos = 2 * np.cos(phase)
        before, current = np.zeros_like(phase), np.sin(phase)
        for partial in range(1, sound.partials + 1):
            voice += current / np.float32(partial**1.5)
            before, current = current, twice_cos * current - before
    return voice / len(chord)


def _chord_span(index: int, segments: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The sample indexes where chord `index` sounds (wrapping past the end) and its weight there.

    Neighbouring chords fade into each other across each boundary with weights that sum to 1.
    """
    if segments == 1:
        return np.arange(count), np.ones(count, np.float32)
    span = count / segments
    fade = CROSSFADE * span
    first = math.floor(index * span - fade)
    positions = np.arange(first, math.ceil((index + 1) * span + fade))
    within = (positions - index * span) / span  # 0..1 inside the chord's own span
    weight = np.ones(positions.size)
    entering = within < CROSSFADE
    weight[entering] = 0.5 + 0.5 * np.sin(np.pi / 2 * within[entering] / CROSSFADE)
    leaving = within > 1 - CROSSFADE
    weight[leaving] = 0.5 + 0.5 * np.sin(np.pi / 2 * (1 - within[leaving]) / CROSSFADE)
    return positions % count, weight.astype(np.float32)


def _plucks(sound: MoodSound, count: int, rate: int, period: float) -> np.ndarray:
    """Soft plucked chord tones on a beat grid that divides the track evenly; each decay wraps past the end."""
    assert sound.pluck_every_s is not None
    beats = max(round(period / sound.pluck_every_s), 1)
    length = min(round(1.2 * rate), count)
    envelope = np.exp(-np.arange(length) / (0.25 * rate)) * np.minimum(np.arange(length) / (0.005 * rate), 1)
    out = np.zeros(count)
    for beat in range(beats):
        chord = sound.chords[(beat * len(sound.chords)) // beats]
        hertz = sound.root * 2 ** ((chord[beat % len(chord)] + 12) / 12)
        start = round(beat * count / beats)
        indexes = (start + np.arange(length)) % count
        cycles = _whole_cycles(hertz, period)
        out[indexes] += envelope * np.sin(2 * np.pi * (cycles * indexes % count) / count)
    return out


def folder_track(music_dir: Path, mood: Mood, job_key: str) -> Path | None:
    """The folder's track for `mood` (chosen by `job_key` among several), or None when it has none."""
    if not music_dir.is_dir():
        return None
    tracks = sorted(
        path
        for path in music_dir.iterdir()
        if path.is_file()
        and path.suffix.lower() in MUSIC_SUFFIXES
        and (path.stem.lower() == mood or path.stem.lower().startswith((f"{mood}-", f"{mood}_")))
    )
    if not tracks:
        return None
    return tracks[int(hashlib.sha256(job_key.encode()).hexdigest(), 16) % len(tracks)]


async def track_seconds(path: Path) -> float:
    """A music file's length from ffprobe; a file it cannot read is a clear, permanent error."""
    process = await start_tool("ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path))
    stdout, stderr = await process.communicate()
    try:
        seconds = float(json.loads(stdout)["format"]["duration"])
    except (ValueError, KeyError, TypeError):
        seconds = math.nan
    if process.returncode != 0 or not math.isfinite(seconds) or seconds <= 0:
        detail = stderr.decode(errors="replace").strip()[-200:]
        raise ProviderError(f"the music file {path.name} could not be read: {detail or 'no duration'}", False)
    return seconds


def content_type(path: Path) -> str:
    return CONTENT_TYPES.get(
        path.suffix.lower(), "audio/ogg" if path.suffix.lower() in (".ogg", ".oga", ".opus") else "audio/aac"
    )
