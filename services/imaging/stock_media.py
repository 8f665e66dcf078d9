"""Stock footage per scene: search a library, rank what it finds, never show one file twice, fit it to the frame.

A job's scenes are planned together before any file is fetched: each scene is searched by its
`search_query` (else its subjects, else the start of its image prompt) for photos and videos in the
frame's orientation; each result is scored by how much of the scene's subjects and query words its
description names (plural and singular folded), with a little extra for a video long enough for the
scene, a file that needs no enlarging, and the library's own ranking; scenes then take their best
unused results in scene order. Choosing in one place, before the scenes are fetched concurrently,
keeps the choice deterministic and free of races. A scene with no result relevant enough, an empty
search, or one still rate limited after a few tries gets the procedural picture instead: stock
media never fails a job for want of footage. A rejected key does fail it, naming the setting.
"""

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from libs.common.errors import ProviderError
from libs.common.events import CostBreakdown, RenderOptions, Scene
from libs.common.pacing import NARRATION_SHARE, spoken_seconds
from libs.common.pricing import Prices
from libs.common.vocabulary import Language
from services.imaging.clips import fit_clip
from services.imaging.pictures import PictureKind, PictureMaker, fit_to_frame, png, provider_image
from services.imaging.stock_api import Candidate, Frame, StockClient

log = logging.getLogger(__name__)
T = TypeVar("T")

SUBJECT_WEIGHT = 2.0
"""A subject counts twice a plain query word: it is what the scene must show."""
LONG_SCENE_S = 4.0
"""A shot at least this long would rather have a video that lasts it than a still."""
CLIP_SLACK_S = 1.0
"""A clip is kept up to this much longer than its shot's estimated length (the narration may run longer)."""
SEARCHES_AT_ONCE = 4
KINDS: tuple[PictureKind, ...] = ("clip", "image")
STOPWORDS = frozenset(
    "a an the of in on at to and or with for from by over under into onto near its his her their this that these "
    "those is are was were be being been as it some very".split()
)
_WORD = re.compile(r"[^\W\d_]+")


def fold(word: str) -> str:
    """A word's singular, roughly: `cities` → `city`, `boxes` → `box`, `cats` → `cat` (`glass`, `bus` kept)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> frozenset[str]:
    """The content words of `text`, lower-cased and folded to the singular."""
    return frozenset(fold(word) for word in _WORD.findall(text.lower()) if word not in STOPWORDS)


def prompt_query(prompt: str, most: int = 6) -> str:
    """The first content words of a prompt's first clause: `A lighthouse on a cliff, cinematic` → `lighthouse cliff`."""
    clause = prompt.split(",", 1)[0]
    found = [word for word in _WORD.findall(clause.lower()) if word not in STOPWORDS]
    return " ".join(found[:most])


@dataclass(frozen=True)
class Wanted:
    """What one scene's footage should show: its search query, and the subjects and words a result must name."""

    query: str
    subjects: tuple[frozenset[str], ...]
    extra: frozenset[str]
    """Query words no subject names."""

    @classmethod
    def of(cls, scene: Scene, prompt: str | None = None) -> "Wanted":
        """From the scene's query and subjects; a prompt a user gave when regenerating replaces both."""
        subjects: tuple[frozenset[str], ...] = ()
        if prompt:
            query = prompt_query(prompt)
        else:
            query = scene.search_query.strip() or " ".join(scene.subjects) or prompt_query(scene.image_prompt)
            subjects = tuple(found for subject in scene.subjects if (found := words(subject)))
        named: frozenset[str] = frozenset().union(*subjects)
        return cls(query, subjects, words(query) - named)

    def relevance(self, described: frozenset[str]) -> float:
        """0..1: the share of the subjects (each by the share of its words) and query words `described` names."""
        total = SUBJECT_WEIGHT * len(self.subjects) + len(self.extra)
        if total == 0:
            return 0.0
        named = sum(SUBJECT_WEIGHT * len(subject & described) / len(subject) for subject in self.subjects)
        return (named + len(self.extra & described)) / total


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    relevance: float
    score: float


def scored(candidate: Candidate, wanted: Wanted, frame: Frame, shot_s: float) -> Scored:
    """Relevance decides whether a result may be used at all; the score, which adds small preferences, orders them."""
    relevance = wanted.relevance(words(candidate.description))
    bonus = 0.05 / (1 + candidate.rank)
    if frame.upscale(candidate.width, candidate.height) <= 1:
        bonus += 0.1
    if candidate.kind == "clip":
        if shot_s < LONG_SCENE_S:
            bonus += 0.05
        elif candidate.duration_s >= shot_s:
            bonus += 0.15
        else:
            bonus -= 0.1
    return Scored(candidate, relevance, relevance + bonus)


@dataclass(frozen=True)
class Footage:
    """What one scene shows: one stock file per shot, all of one kind, and how long each shot should last."""

    shots: tuple[Candidate, ...]
    shot_s: float

    @property
    def kind(self) -> PictureKind:
        return self.shots[0].kind

    @property
    def source(self) -> str:
        """The library (`pexels`), or libraries in shot order (`pexels+pixabay`) when shots came from two."""
        return "+".join(dict.fromkeys(shot.library for shot in self.shots))

    @property
    def credit(self) -> str:
        return "; ".join(shot.credit for shot in self.shots)

    @property
    def ids(self) -> list[str]:
        return [shot.id for shot in self.shots]


def scene_seconds(scene: Scene, language: Language) -> float:
    """About how long the scene is on screen: its narration, plus its share of the pauses between scenes."""
    return max(spoken_seconds(scene.narration, language) / NARRATION_SHARE, 1.0)


def assign(
    scenes: Sequence[Scene],
    wanted: Mapping[int, Wanted],
    found: Mapping[int, Sequence[Candidate]],
    options: RenderOptions,
    min_relevance: float,
    used: Iterable[str] = (),
) -> dict[int, Footage]:
    """Each scene's footage, chosen in scene order from its own results, never a file an earlier scene
    (or `used`) took; a scene without enough relevant results is left out (it gets procedural art)."""
    frame = Frame(options.width, options.height)
    taken = set(used)
    plan: dict[int, Footage] = {}
    for scene in sorted(scenes, key=lambda scene: scene.index):
        shot_s = scene_seconds(scene, options.language) / scene.shots
        unique = {candidate.id: candidate for candidate in reversed(found.get(scene.index, ()))}
        ranked = sorted(
            (
                entry
                for candidate in unique.values()
                if candidate.id not in taken
                and (entry := scored(candidate, wanted[scene.index], frame, shot_s)).relevance >= min_relevance
            ),
            key=lambda entry: (-entry.score, entry.candidate.id),
        )
        shots = _shots([entry.candidate for entry in ranked], scene.shots)
        if shots:
            plan[scene.index] = Footage(shots, shot_s)
            taken.update(shot.id for shot in shots)
    return plan


def _shots(ranked: list[Candidate], count: int) -> tuple[Candidate, ...]:
    """`count` results of one kind, the best one's kind first; none when neither kind has enough."""
    if not ranked:
        return ()
    kinds = (ranked[0].kind, "image" if ranked[0].kind == "clip" else "clip")
    for kind in kinds:
        same = [candidate for candidate in ranked if candidate.kind == kind][:count]
        if len(same) == count:
            return tuple(same)
    return ()


@dataclass
class StockMedia:
    """The `stock:*` models: footage from the first library, the others filling scenes it found nothing for."""

    libraries: tuple[StockClient, ...]
    fallback: PictureMaker
    """Paints a scene no library had footage for."""
    per_page: int = 15
    min_relevance: float = 0.3
    attempts: int = 3
    retry_max_s: float = 10.0
    retry_base_s: float = 0.5
    _by_library: dict[str, StockClient] = field(init=False)

    def __post_init__(self) -> None:
        self._by_library = {library.library: library for library in self.libraries}

    def cost(self, prices: Prices, has_reference: bool) -> CostBreakdown:
        """Free: the libraries' licences ask for no payment (credit is given per scene instead)."""
        return CostBreakdown()

    async def plan(
        self,
        scenes: Sequence[Scene],
        options: RenderOptions,
        used: Iterable[str] = (),
        prompts: Mapping[int, str] | None = None,
    ) -> dict[int, Footage]:
        """Search for every scene, then choose (`assign`); scenes left out of the answer get procedural art."""
        frame = Frame(options.width, options.height)
        wanted = {scene.index: Wanted.of(scene, (prompts or {}).get(scene.index)) for scene in scenes}
        found: dict[int, list[Candidate]] = {index: [] for index in wanted}
        used = tuple(used)
        plan: dict[int, Footage] = {}
        for position, library in enumerate(self.libraries):
            lacking = {index: want for index, want in wanted.items() if index not in plan and want.query}
            if not lacking:
                break
            try:
                results = await self._search_all(library, {want.query for want in lacking.values()}, frame)
            except ProviderError as error:
                if position == 0:
                    raise
                log.warning("%s adds no coverage to this job: %s", library.name, error.message)
                continue
            for index, want in lacking.items():
                found[index].extend(results[want.query])
            plan = assign(scenes, wanted, found, options, self.min_relevance, used)
        return plan

    async def fetch(self, candidate: Candidate, options: RenderOptions, shot_s: float) -> bytes:
        """The candidate's file at exactly the frame's size: a PNG still, or an H.264 clip of at most the shot's
        length plus `CLIP_SLACK_S` (the render holds a clip's last frame if the scene runs longer)."""
        library = self._by_library[candidate.library]
        data = await self._retrying(f"downloading {candidate.id}", lambda: library.download(candidate.file_url))
        if data is None:
            raise ProviderError(f"{library.name} kept failing to send {candidate.id}", retryable=True)
        if candidate.kind == "clip":
            return await fit_clip(data, options.width, options.height, max_seconds=shot_s + CLIP_SLACK_S)
        return await asyncio.to_thread(_still, data, options.width, options.height, library.name)

    async def _search_all(self, library: StockClient, queries: set[str], frame: Frame) -> dict[str, list[Candidate]]:
        """Photos and videos for each query, a few searches at once; a search that stays failing finds nothing."""
        bound = asyncio.Semaphore(SEARCHES_AT_ONCE)

        async def search(query: str, kind: PictureKind) -> list[Candidate]:
            async with bound:
                what = f"searching {library.name} for {kind}s of {query!r}"
                found = await self._retrying(what, lambda: library.search(kind, query, frame, self.per_page))
            return found or []

        ordered = sorted(queries)
        answers = await asyncio.gather(
            *(search(query, kind) for query in ordered for kind in KINDS), return_exceptions=True
        )
        for answer in answers:  # every search has ended: a failure that will not heal is raised
            if isinstance(answer, BaseException):
                raise answer
        found = iter(answer for answer in answers if not isinstance(answer, BaseException))
        return {query: [candidate for _ in KINDS for candidate in next(found)] for query in ordered}

    async def _retrying(self, what: str, call: Callable[[], Awaitable[T]]) -> T | None:
        """`call`, tried again after a retryable failure (waiting its Retry-After, cut to `retry_max_s`);
        None once the tries run out. A failure that will not heal (a rejected key) is raised."""
        for attempt in range(1, self.attempts + 1):
            try:
                return await call()
            except ProviderError as error:
                if not error.retryable:
                    raise
                if attempt == self.attempts:
                    log.warning("gave up %s after %d tries: %s", what, attempt, error.message)
                    return None
                backoff = self.retry_base_s * 2 ** (attempt - 1)
                await asyncio.sleep(
                    min(backoff if error.retry_after_s is None else error.retry_after_s, self.retry_max_s)
                )
        return None


def _still(data: bytes, width: int, height: int, library: str) -> bytes:
    return png(fit_to_frame(provider_image(data, library), width, height))
