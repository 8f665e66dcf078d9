"""Landing a narration on its video's length when it runs over: spoken a little faster, never cut.

The story is written to its length at the language's measured rate, but a voice, a user's script
or a model's story can still run a few seconds over. Up to `MAX_SPEED_UP`, every scene is sped up
by the same factor (ffmpeg's `atempo`: tempo without a pitch change) and its cues scaled with it;
past that the video runs long rather than lose words (the gateway refuses a script that cannot fit).
The natural recordings stay stored, and a fitted one is keyed by its tempo, so a redelivered event
fits the same recordings to the same result.
"""

import wave
from pathlib import Path

from libs.common.errors import ProviderError
from libs.common.events import SceneNarration
from libs.common.pacing import MAX_SPEED_UP
from libs.common.storage import ObjectStore
from libs.common.tools import start_tool

TOLERANCE = 1.005
"""Narrations within half a percent of the length are left as they are."""


def tempo_for(narrations: list[SceneNarration], target_s: float | None) -> float:
    """The speed-up that fits the narrations into `target_s` (1.0 when they fit already), at most MAX_SPEED_UP."""
    spoken = sum(narration.duration_s for narration in narrations)
    if target_s is None or target_s <= 0 or spoken <= target_s * TOLERANCE:
        return 1.0
    return min(MAX_SPEED_UP, spoken / target_s)


async def fit_to_length(
    narrations: list[SceneNarration], target_s: float | None, store: ObjectStore, workdir: Path
) -> list[SceneNarration]:
    """The narrations, sped up together just enough to fit `target_s` (the same list when they fit)."""
    tempo = tempo_for(narrations, target_s)
    if tempo == 1.0:
        return narrations
    return [await _faster(narration, tempo, store, workdir) for narration in narrations]


async def _faster(narration: SceneNarration, tempo: float, store: ObjectStore, workdir: Path) -> SceneNarration:
    key = narration.key.removesuffix(".wav") + f"-x{tempo:.4f}.wav"
    fast = workdir / Path(key).name
    if await store.exists(key):
        await store.download(key, fast)
    else:
        natural = workdir / Path(narration.key).name
        await store.download(narration.key, natural)
        await _atempo(natural, fast, tempo)
        await store.put_file(key, fast, "audio/wav")
    with wave.open(str(fast), "rb") as recording:
        duration_s = recording.getnframes() / recording.getframerate()
    scale = duration_s / narration.duration_s if narration.duration_s else 1.0
    cues = [cue.retimed(scale=scale, high=duration_s) for cue in narration.cues]
    return narration.model_copy(update={"key": key, "duration_s": duration_s, "cues": cues})


async def _atempo(source: Path, target: Path, tempo: float) -> None:
    arguments = ["-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-i", str(source)]
    process = await start_tool(
        "ffmpeg", *arguments, "-filter:a", f"atempo={tempo:.4f}", "-c:a", "pcm_s16le", str(target)
    )
    _, stderr = await process.communicate()
    if process.returncode != 0:
        tail = stderr.decode(errors="replace").strip()[-500:]
        raise ProviderError(
            f"ffmpeg could not speed up the narration (exit {process.returncode}): {tail}", retryable=False
        )
