"""Voice benchmark: how well Whisper understands each named voice, Piper's and espeak-ng's, on the writer's English.

    .venv/bin/python -m bench.voices [--doc-only]

The passages of the intelligibility test (`tests/speech.py`: 16 of the offline writer's English
passages, slots filled with each role's first alternative) are narrated as the audio stage narrates
a scene, in each of the six voices, by Piper (English's offline voice) and by espeak-ng, then
transcribed by faster-whisper tiny.en (CPU, int8, beam 5; nothing downloaded). It prints and writes
bench/results/voices.json and the Voices section of docs/benchmarks.md; no test runs it.
"""

import argparse
import asyncio
import json
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.doc import write_section
from libs.common import pacing
from libs.common.vocabulary import VOICES, Voice
from services.audio.narrators import EspeakNarrator, Narrator
from services.audio.piper_voice import PiperNarrator
from tests.speech import english_passages, transcribe, word_error_rate

RESULTS = Path(__file__).resolve().parent / "results" / "voices.json"
ENGINES = {"Piper (en_US-joe-medium)": "piper", "espeak-ng": "espeak"}


async def measure(narrator: Narrator, voice: Voice, passages: list[str], folder: Path) -> dict:
    rates: list[float] = []
    seconds = 0.0
    for number, passage in enumerate(passages):
        wav = folder / f"{voice}-{number}.wav"
        spoken = await narrator.narrate(passage, "english", voice, wav)
        seconds += spoken.duration_s
        rates.append(word_error_rate(passage, await asyncio.to_thread(transcribe, wav)))
    words = sum(pacing.count_units(passage, "word") for passage in passages)
    return {
        "mean_wer": round(statistics.mean(rates), 4),
        "worst_wer": round(max(rates), 4),
        "seconds_per_word": round(seconds / words, 4),
    }


async def run() -> dict:
    passages = english_passages()
    narrators: dict[str, Narrator] = {"piper": PiperNarrator.load(), "espeak": EspeakNarrator()}
    started = time.perf_counter()
    results: dict[str, dict[str, dict]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for engine, narrator in narrators.items():
            results[engine] = {}
            for voice in VOICES:
                results[engine][voice] = await measure(narrator, voice, passages, Path(folder))  # type: ignore[arg-type]
                print(engine, voice, results[engine][voice], flush=True)
    return {
        "passages": len(passages),
        "words": sum(pacing.count_units(passage, "word") for passage in passages),
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "day": datetime.now(UTC).date().isoformat(),
        "seconds": round(time.perf_counter() - started, 1),
        "voices": results,
    }


def write_doc(result: dict) -> None:
    table = [
        "| voice | " + " | ".join(f"{name} mean WER" for name in ENGINES) + " | Piper s/word | espeak-ng s/word |",
        "|---|" + "---|" * (len(ENGINES) + 2),
    ]
    for voice in VOICES:
        cells = [f"{result['voices'][engine][voice]['mean_wer']:.3f}" for engine in ENGINES.values()]
        pace = [f"{result['voices'][engine][voice]['seconds_per_word']:.3f}" for engine in ENGINES.values()]
        table.append(f"| {voice} | " + " | ".join(cells + pace) + " |")
    write_section(
        "Voices",
        "`.venv/bin/python -m bench.voices` narrates the intelligibility test's passages "
        f"({result['passages']} of the offline writer's English passages, {result['words']} words) in every\n"
        "named voice, by Piper (English's offline voice) and by espeak-ng, as the audio stage narrates a scene,\n"
        "transcribes each with faster-whisper tiny.en (CPU, int8, beam 5) and averages the word error rate\n"
        "(jiwer, lower-cased, punctuation dropped) per voice. Results: `bench/results/voices.json`;\n"
        "`python -m bench.voices --doc-only` rewrites this section from them. "
        "`tests/integration/audio/test_intelligibility.py`\n"
        "holds the default English voice (Piper's `alloy`) to a mean WER of at most 0.08.\n\n"
        f"Measured {result['day']} on {result['machine']}, in {result['seconds']} s.\n\n" + "\n".join(table) + "\n\n"
        "s/word is the narration's length (phrase pauses included) over its words; the pacing plan's English\n"
        "rate (`libs/common/speech_rates.toml`) is measured on Piper's `alloy` by `scripts/measure_speech_rates.py`.\n",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--doc-only", action="store_true", help="rewrite its section of docs/benchmarks.md")
    arguments = parser.parse_args()
    if arguments.doc_only:
        write_doc(json.loads(RESULTS.read_text(encoding="utf-8")))
        return
    result = asyncio.run(run())
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    write_doc(result)


if __name__ == "__main__":
    main()
