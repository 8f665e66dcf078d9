"""Joining phrase recordings into one narration whose cues sit exactly on their audio.

Every narrator (espeak-ng, OpenAI speech, the silent one) speaks a scene phrase by phrase and
joins the recordings here, so the cues of every provider are timed the same way: each cue spans
exactly its phrase's samples, with a fixed pause between phrases and a short tail at the end.
"""

import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from libs.common.events import Cue

PHRASE_GAP_S = 0.12
TAIL_S = 0.15
SILENT_PHRASE_S = 0.25
"""How long a phrase that a narrator renders as silence (an emoji, bare punctuation) stays on screen."""
SILENCE_LEVEL = 200
"""Samples quieter than this (of 32767) at a phrase's edges are the synthesizer's own padding."""
EDGE_KEEP_S = 0.02


@dataclass(frozen=True)
class Narration:
    """A narrated text: its audio length and one cue per phrase, timed from the start of the audio."""

    duration_s: float
    cues: list[Cue]


def trim(samples: np.ndarray, rate: int, keep_s: float = EDGE_KEEP_S) -> np.ndarray:
    """Cut a recording's silent lead-in and tail, keeping `keep_s` of each so soft edges survive."""
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > SILENCE_LEVEL)
    if loud.size == 0:
        return np.zeros(round(SILENT_PHRASE_S * rate), dtype="<i2")
    keep = round(keep_s * rate)
    return samples[max(loud[0] - keep, 0) : loud[-1] + 1 + keep]


def write_joined(phrases: list[str], recordings: list[np.ndarray], rate: int, wav_path: Path) -> Narration:
    """Join the phrase recordings with pauses into one mono 16-bit WAV; each cue spans exactly its phrase."""
    gap = np.zeros(round(PHRASE_GAP_S * rate), dtype="<i2")
    parts: list[np.ndarray] = []
    cues: list[Cue] = []
    frames = 0
    for index, (phrase, samples) in enumerate(zip(phrases, recordings, strict=True)):
        if index:
            parts.append(gap)
            frames += gap.size
        cues.append(Cue(start_s=frames / rate, end_s=(frames + samples.size) / rate, text=phrase))
        parts.append(samples)
        frames += samples.size
    parts.append(np.zeros(round(TAIL_S * rate), dtype="<i2"))
    joined = np.concatenate(parts)
    write_wav(wav_path, joined, rate)
    return Narration(duration_s=joined.size / rate, cues=cues)


def write_wav(path: Path, samples: np.ndarray, rate: int, channels: int = 1) -> None:
    with wave.open(str(path), "wb") as output:
        output.setnchannels(channels)
        output.setsampwidth(2)
        output.setframerate(rate)
        output.writeframes(samples.astype("<i2").tobytes())
