"""Joining phrase recordings into one narration whose cues sit exactly on their audio.

Every narrator (espeak-ng, OpenAI speech, the silent one) speaks a scene phrase by phrase and
joins the recordings here, so the cues of every provider are timed the same way: each cue spans
exactly its phrase's samples, with a fixed pause between phrases and a short tail at the end, and
carries its words' times.
"""

import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from libs.common.events import Cue
from libs.common.word_timing import timed_cue

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


WordSpans = Sequence[tuple[int, int]]
"""Where each word of a phrase lies in its recording, as (first sample, end sample)."""


def loud_part(samples: np.ndarray, rate: int, keep_s: float = EDGE_KEEP_S) -> slice | None:
    """The recording without its silent lead-in and tail, keeping `keep_s` of each; None if all of it is silent."""
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > SILENCE_LEVEL)
    if loud.size == 0:
        return None
    keep = round(keep_s * rate)
    return slice(max(int(loud[0]) - keep, 0), int(loud[-1]) + 1 + keep)


def trim(samples: np.ndarray, rate: int, keep_s: float = EDGE_KEEP_S) -> np.ndarray:
    """Cut a recording's silent lead-in and tail, keeping `keep_s` of each so soft edges survive."""
    part = loud_part(samples, rate, keep_s)
    return np.zeros(round(SILENT_PHRASE_S * rate), dtype="<i2") if part is None else samples[part]


def write_joined(
    phrases: list[str],
    recordings: list[np.ndarray],
    rate: int,
    wav_path: Path,
    word_spans: Sequence[WordSpans | None] | None = None,
) -> Narration:
    """Join the phrase recordings with pauses into one mono 16-bit WAV; each cue spans exactly its phrase.

    A phrase's words are timed by its `word_spans` when the narrator knows them, else spread over it
    (`libs.common.word_timing`).
    """
    gap = np.zeros(round(PHRASE_GAP_S * rate), dtype="<i2")
    parts: list[np.ndarray] = []
    cues: list[Cue] = []
    frames = 0
    spans_of = word_spans or [None] * len(phrases)
    for index, (phrase, samples, spans) in enumerate(zip(phrases, recordings, spans_of, strict=True)):
        if index:
            parts.append(gap)
            frames += gap.size
        seconds = None if spans is None else [((frames + a) / rate, (frames + b) / rate) for a, b in spans]
        cues.append(timed_cue(phrase, frames / rate, (frames + samples.size) / rate, seconds))
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
