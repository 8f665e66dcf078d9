"""The option values users may choose, shared by the API, the events and the providers.

Each is a `Literal` so pydantic's 422 names the allowed values, and each has a
tuple next to it for code that needs to iterate them (docs, tests, voice maps).
"""

from typing import Literal, get_args

Topic = Literal[
    "scary",
    "mystery",
    "bedtime",
    "interesting history",
    "urban legends",
    "motivational",
    "fun facts",
    "long form jokes",
    "life pro tips",
    "philosophy",
    "love",
    "custom topic",
]
TOPICS: tuple[str, ...] = get_args(Topic)

ArtStyle = Literal["photorealistic", "cinematic", "anime", "comic-book", "pixar-art"]
ART_STYLES: tuple[str, ...] = get_args(ArtStyle)

DurationPreset = Literal["short", "long"]
DURATION_PRESETS: tuple[str, ...] = get_args(DurationPreset)

Language = Literal[
    "english",
    "czech",
    "danish",
    "dutch",
    "french",
    "german",
    "greek",
    "hindi",
    "indonesian",
    "italian",
    "chinese",
    "japanese",
    "norwegian",
    "polish",
    "portuguese",
    "russian",
    "spanish",
    "swedish",
    "turkish",
    "ukrainian",
]
LANGUAGES: tuple[str, ...] = get_args(Language)

Voice = Literal["alloy", "echo", "fable", "onyx", "nova", "shimmer"]
VOICES: tuple[str, ...] = get_args(Voice)

Mood = Literal[
    "inspiring",
    "calm",
    "happy",
    "playful",
    "romantic",
    "sad",
    "mysterious",
    "tense",
    "dark",
    "epic",
]
MOODS: tuple[str, ...] = get_args(Mood)

Quality = Literal["draft", "standard", "high"]
QUALITIES: tuple[str, ...] = get_args(Quality)

Transition = Literal["crossfade", "fadeblack", "wipeleft", "slideup", "none"]
TRANSITIONS: tuple[str, ...] = get_args(Transition)

CaptionStyle = Literal["phrase", "karaoke"]
"""`phrase` shows each spoken phrase; `karaoke` also colours each word while it is spoken."""
CAPTION_STYLES: tuple[str, ...] = get_args(CaptionStyle)

Fps = Literal[24, 25, 30, 60]
FPS_VALUES: tuple[int, ...] = get_args(Fps)

Stage = Literal["story", "images", "audio", "render"]
STAGES: tuple[str, ...] = get_args(Stage)

JobStatus = Literal[
    "pending",
    "queued",
    "moderating",
    "awaiting_review",
    "processing",
    "completed",
    "moderation_failed",
    "failed",
    "cancelled",
]
JOB_STATUSES: tuple[str, ...] = get_args(JobStatus)
FINAL_STATUSES: frozenset[str] = frozenset({"completed", "moderation_failed", "failed", "cancelled"})
WAITING_STATUSES: frozenset[str] = frozenset({"awaiting_review"})
"""Not final, but waiting for its user rather than for the pipeline: never a stalled job."""
