"""What a job asks of its story beyond the source: length, scene count, mood, genre and picture notes.

Both writers (offline and OpenAI) follow the same direction, so an option means the same
thing whoever writes the story.
"""

import math
import re
from dataclasses import dataclass

from libs.common.events import JobInput, RenderOptions
from libs.common.pacing import narration_seconds_wanted, target_scenes
from libs.common.vocabulary import MOODS, Language, Mood

MIN_SCENE_SECONDS = 3.5
"""Less narration than this per scene reads as a stutter; asking for many scenes buys more story instead."""
MAX_NOTES_CHARS = 120

TOPIC_MOODS: dict[str, Mood] = {
    "scary": "dark",
    "mystery": "mysterious",
    "bedtime": "calm",
    "interesting history": "epic",
    "urban legends": "tense",
    "motivational": "inspiring",
    "fun facts": "playful",
    "long form jokes": "happy",
    "life pro tips": "happy",
    "philosophy": "calm",
    "love": "romantic",
}

WORD_MOODS: tuple[tuple[str, Mood], ...] = (
    (r"horror|ghost|haunt|scary|creepy|zombie|monster|curse|nightmare|dark|murder", "dark"),
    (r"thriller|chase|escape|danger|heist|suspense|storm", "tense"),
    (r"myster|noir|detective|secret|clue|riddle|puzzle|vanish", "mysterious"),
    (r"romance|romantic|love|wedding|heart|couple", "romantic"),
    (r"comedy|funny|joke|silly|cat|dog|puppy|kitten|prank", "playful"),
    (r"tragedy|drama|sad|loss|grief|lonely|farewell", "sad"),
    (r"epic|battle|war|hero|legend|dragon|fantasy|adventure|sci-?fi|space|empire|history", "epic"),
    (r"inspir|motivat|dream|success|overcome|courage|sunrise", "inspiring"),
    (r"happy|joy|celebrat|party|birthday|summer", "happy"),
    (r"calm|peace|sleep|bedtime|lullaby|forest|ocean|meditat|documentary|nature|fairy", "calm"),
)
"""Keywords of genres and free text, strongest first, and the mood each suggests."""


@dataclass(frozen=True)
class Direction:
    seconds: float
    """Narration wanted in all, in seconds of the language's measured speech rate."""
    language: Language
    scenes: int | None
    """Exactly this many scenes; None lets the plot decide (a preset length and no `num_scenes`)."""
    mood: Mood
    notes: str
    """Picture notes (genre, preferences, a chosen mood) placed before the art style in every image prompt."""
    reference_image: bool
    """The pictures animate the user's reference image (image-to-video)."""

    def passages(self, passage_seconds: float, pool: int) -> int:
        """How many hand-written passages (of `passage_seconds` on average) tell the story: enough to speak
        for its length, and enough for its scenes."""
        wanted = max(
            round(self.seconds / passage_seconds), math.ceil((self.scenes or 1) * MIN_SCENE_SECONDS / passage_seconds)
        )
        return min(pool, max(1, wanted))


def direct(source: JobInput, options: RenderOptions) -> Direction:
    custom = options.duration_s is not None or options.num_scenes is not None
    return Direction(
        seconds=narration_seconds_wanted(options),
        language=options.language,
        scenes=target_scenes(options) if custom else None,
        mood=story_mood(source, options),
        notes=picture_notes(source, options),
        reference_image=source.reference_image_key is not None,
    )


def chosen_mood(source: JobInput, options: RenderOptions) -> Mood | None:
    """The mood the user picked: the option, or a `mood` style preference naming one."""
    if options.mood is not None:
        return options.mood
    preferred = source.style_preferences.get("mood", "").strip().lower()
    return preferred if preferred in MOODS else None  # type: ignore[return-value]


def story_mood(source: JobInput, options: RenderOptions) -> Mood:
    """The user's mood, else the genre's, else the topic's, else one read from the words; calm at worst."""
    chosen = chosen_mood(source, options)
    if chosen is not None:
        return chosen
    for text in (source.genre, None if source.topic is None else TOPIC_MOODS.get(source.topic)):
        if text in MOODS:
            return text  # type: ignore[return-value]
        if text and (guessed := mood_of_words(text)) is not None:
            return guessed
    words = " ".join(part for part in (source.topic_text, source.prompt, source.script) if part)
    return mood_of_words(words) or "calm"


def mood_of_words(text: str) -> Mood | None:
    lowered = text.lower()
    for pattern, mood in WORD_MOODS:
        if re.search(rf"\b(?:{pattern})", lowered):
            return mood
    return None


def picture_notes(source: JobInput, options: RenderOptions) -> str:
    """The genre, the style preferences and a chosen mood, as words an image model reads."""
    notes: list[str] = []
    if source.genre:
        notes.append(f"{source.genre.strip()} genre")
    if (mood := chosen_mood(source, options)) is not None:
        notes.append(f"{mood} mood")
    for name, value in source.style_preferences.items():
        if name.strip().lower() != "mood":
            notes.append(f"{name.replace('_', ' ').strip()}: {value.strip()}")
    joined = ", ".join(note for note in notes if note)
    if len(joined) <= MAX_NOTES_CHARS:
        return joined
    return joined[: MAX_NOTES_CHARS + 1].rsplit(" ", 1)[0].rstrip(" ,:;")
