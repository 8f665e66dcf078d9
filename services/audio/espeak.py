"""Offline narration with espeak-ng, timed phrase by phrase so subtitles match the speech exactly.

The text is cut into subtitle-sized phrases, each phrase is spoken on its own, and the
phrase recordings are joined with short pauses. Because we place every phrase ourselves,
each subtitle cue is exactly where its audio sits; no guessing from word counts. Chinese and
Japanese phrases are fed to espeak-ng as readings (pinyin, katakana: `readings`); cues keep the text.

Output format: espeak-ng's native 22050 Hz, mono, 16-bit PCM WAV (no resampling here;
the render stage resamples once when it encodes the video).
"""

import asyncio
import re
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from libs.common.errors import InvalidInput, ProviderError
from libs.common.lines import joined, words, wrap
from libs.common.tools import start_tool, work_dir
from libs.common.vocabulary import Language, Voice
from services.audio.joining import Narration, trim, write_joined
from services.audio.readings import espeak_reading

LINE_COLUMNS = 32
"""A subtitle line holds about this many columns (a CJK character takes two)."""
PHRASE_LINES = 2
SYNTHESIS_CONCURRENCY = 2

LANGUAGE_CODES: dict[Language, str] = {
    "english": "en-us",
    "czech": "cs",
    "danish": "da",
    "dutch": "nl",
    "french": "fr-fr",
    "german": "de",
    "greek": "el",
    "hindi": "hi",
    "indonesian": "id",
    "italian": "it",
    "chinese": "cmn-latn-pinyin",  # fed numbered pinyin (`readings.pinyin_reading`)
    "japanese": "ja",  # fed katakana (`readings.kana_reading`)
    "norwegian": "nb",
    "polish": "pl",
    "portuguese": "pt",
    "russian": "ru",
    "spanish": "es",
    "swedish": "sv",
    "turkish": "tr",
    "ukrainian": "uk",
}


@dataclass(frozen=True)
class VoiceStyle:
    """How one named voice sounds in espeak-ng: a variant, a speed (words/minute) and a pitch (0-99)."""

    variant: str
    speed: int
    pitch: int


VOICE_STYLES: dict[Voice, VoiceStyle] = {
    "alloy": VoiceStyle("m3", 170, 50),
    "echo": VoiceStyle("m1", 160, 42),
    "fable": VoiceStyle("f2", 175, 58),
    "onyx": VoiceStyle("m7", 150, 28),
    "nova": VoiceStyle("f4", 178, 66),
    "shimmer": VoiceStyle("f3", 168, 76),
}

_CLAUSE_END = re.compile(
    # Latin-style punctuation counts only when a space follows (not 3.14, 1,000), a no-break space not being one;
    # closing quotes stay with the clause (German `!“`, Danish `?«`), after a no-break space or standing alone too
    # (French `Oui ! »`)
    r"[.!?…;:,،؟।]+(?:[\u00a0\u202f]?[\"'”’“‘»«›‹)\]]|\s[»”’)\]](?=\s|$))*[^\S\u00a0\u202f]+"
    # CJK punctuation ends a clause as it stands, with the closing marks after it (`？）；`)
    r"|[。！？；：，、][。！？；：，、」』”’）)》〉】〕]*\s*"
)
_SEPARATORS = re.compile(r"[^\S\u00a0\u202f]+")
"""Runs of whitespace, which become one space; a no-break space stays, so no line breaks there."""


def espeak_voice(language: Language, voice: Voice) -> str:
    """The espeak-ng `-v` value for a language and a named voice, e.g. `en-us+m3`."""
    return f"{LANGUAGE_CODES[language]}+{VOICE_STYLES[voice].variant}"


def split_phrases(text: str, line_columns: int = LINE_COLUMNS, lines: int = PHRASE_LINES) -> list[str]:
    """Cut text into phrases at clause punctuation, and further so each wraps into `lines` lines.

    Breaks fall at word boundaries; text without spaces (CJK) may break between two characters
    where kinsoku shori allows, and a word longer than a line is cut into line-sized pieces
    (`libs.common.lines`). No phrase starts with the punctuation that closes the one before.
    """
    normal = _SEPARATORS.sub(" ", text).strip()
    phrases: list[str] = []
    for clause in _clauses(normal):
        wrapped = wrap(words(clause), line_columns)
        for first in range(0, len(wrapped), lines):
            phrase = joined([word for line in wrapped[first : first + lines] for word in line])
            if phrase:
                phrases.append(phrase)
    return phrases


def _clauses(text: str) -> list[str]:
    """Cut after each clause end, keeping the punctuation with its clause."""
    clauses: list[str] = []
    start = 0
    for match in _CLAUSE_END.finditer(text):
        clauses.append(text[start : match.end()].strip())
        start = match.end()
    clauses.append(text[start:].strip())
    return [clause for clause in clauses if clause]


async def narrate(text: str, language: Language, voice: Voice, wav_path: Path) -> Narration:
    """Speak `text` into `wav_path` (22050 Hz mono 16-bit) and time one cue per phrase.

    Cues are ordered, do not overlap, and lie within [0, duration_s]; duration_s is the
    final file's frames / rate.
    """
    phrases = split_phrases(text)
    if not phrases:
        raise InvalidInput("narration text is empty", field="narration")
    bound = asyncio.Semaphore(SYNTHESIS_CONCURRENCY)
    with work_dir("audio") as tmp:

        async def speak(index: int, phrase: str) -> tuple[np.ndarray, int]:
            async with bound:
                return await _synthesize(phrase, language, voice, Path(tmp) / f"phrase-{index:03d}.wav")

        recordings = await asyncio.gather(*(speak(index, phrase) for index, phrase in enumerate(phrases)))
    rate = recordings[0][1]
    return write_joined(phrases, [samples for samples, _ in recordings], rate, wav_path)


async def _synthesize(phrase: str, language: Language, voice: Voice, wav_path: Path) -> tuple[np.ndarray, int]:
    """Run espeak-ng on one phrase's reading; returns its speech with espeak-ng's edge padding trimmed, and the rate."""
    # espeak-ng writes no file at all for empty input (a reading may leave nothing of an emoji); a space is silence
    reading = await asyncio.to_thread(espeak_reading, phrase, language) or " "
    style = VOICE_STYLES[voice]
    arguments = ["-v", espeak_voice(language, voice), "-s", str(style.speed), "-p", str(style.pitch), "-b", "1"]
    process = await start_tool("espeak-ng", *arguments, "-w", str(wav_path), stdin=asyncio.subprocess.PIPE)
    _, stderr = await process.communicate(reading.encode())
    if process.returncode != 0:
        tail = stderr.decode(errors="replace").strip()[-500:]
        raise ProviderError(f"espeak-ng failed (exit {process.returncode}): {tail}", retryable=False)
    with wave.open(str(wav_path), "rb") as recording:
        rate = recording.getframerate()
        samples = np.frombuffer(recording.readframes(recording.getnframes()), dtype="<i2")
    return trim(samples, rate), rate
