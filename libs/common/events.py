"""Every event on the bus, and the topic each travels on.

This is the one place payload shapes are defined: services import these models
and never build a payload dict by hand. Large data (images, audio, video) never
travels here, only object-store keys.
"""

import os
from datetime import UTC, datetime
from typing import Annotated, ClassVar, Literal, Self, get_args
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from libs.common.tracing import current_traceparent
from libs.common.vocabulary import (
    ArtStyle,
    CaptionStyle,
    DurationPreset,
    Fps,
    Language,
    Mood,
    Quality,
    Stage,
    Topic,
    Transition,
    Voice,
)


class Topics:
    """Kafka topic names. Job events are keyed by `job_id`, webhook events by `endpoint_id`,
    so the events of one job (or one endpoint) stay ordered."""

    JOBS_REQUESTED = "jobs.requested"
    JOBS_PROGRESS = "jobs.progress"
    JOBS_COMPLETED = "jobs.completed"
    JOBS_FAILED = "jobs.failed"
    JOBS_CANCELLED = "jobs.cancelled"
    JOBS_APPROVED = "jobs.approved"
    IMAGES_REGENERATE_REQUESTED = "images.regenerate.requested"
    STORY_COMPLETED = "story.completed"
    SCENE_IMAGE_COMPLETED = "scene.image.completed"
    IMAGES_COMPLETED = "images.completed"
    AUDIO_COMPLETED = "audio.completed"
    WEBHOOK_REQUESTS = "webhooks.requests"
    WEBHOOK_REPORTS = "webhooks.reports"

    ALL: ClassVar[tuple[str, ...]] = (
        JOBS_REQUESTED,
        JOBS_PROGRESS,
        JOBS_COMPLETED,
        JOBS_FAILED,
        JOBS_CANCELLED,
        JOBS_APPROVED,
        IMAGES_REGENERATE_REQUESTED,
        STORY_COMPLETED,
        SCENE_IMAGE_COMPLETED,
        IMAGES_COMPLETED,
        AUDIO_COMPLETED,
        WEBHOOK_REQUESTS,
        WEBHOOK_REPORTS,
    )


def new_traceparent() -> str:
    """A W3C `traceparent` for a new trace (version 00, sampled)."""
    return f"00-{os.urandom(16).hex()}-{os.urandom(8).hex()}-01"


def now() -> datetime:
    return datetime.now(UTC)


class Envelope(BaseModel):
    """The fields every event carries, whatever it is about."""

    model_config = ConfigDict(frozen=True)

    topic: ClassVar[str]

    event_id: UUID = Field(default_factory=uuid4)
    type: str
    version: int = 1
    user_id: str
    occurred_at: datetime = Field(default_factory=now)
    traceparent: str = Field(default_factory=new_traceparent)
    attempt: int = 1

    @property
    def key(self) -> bytes:
        """The message key: the subject whose events must stay in order."""
        raise NotImplementedError


class Event(Envelope):
    """An event about one job: keyed by `job_id`, so a job's events stay in order."""

    job_id: UUID

    @classmethod
    def after(cls, cause: "Event", **fields: object) -> Self:
        """Build this event as a consequence of `cause`, carrying its identity, trace and attempt.

        `attempt` is which run through the pipeline the job is on: 1, then one more each time
        the reconciler sends a stalled job through again. The trace goes on from the span that
        handles `cause` (`libs.common.tracing`), so each stage is a child of the one before.
        """
        traceparent = current_traceparent() or cause.traceparent  # the span handling `cause`, when there is one
        return cls(job_id=cause.job_id, user_id=cause.user_id, traceparent=traceparent, attempt=cause.attempt, **fields)

    @property
    def key(self) -> bytes:
        return str(self.job_id).encode()


class EndpointEvent(Envelope):
    """An event about one user's webhook endpoint: keyed by `endpoint_id`."""

    endpoint_id: UUID

    @property
    def key(self) -> bytes:
        return str(self.endpoint_id).encode()


# ---- what a job asks for ---------------------------------------------------------


class JobInput(BaseModel):
    """Exactly one source of the story: a topic, a free prompt or a full script; a reference image
    (an upload's object key) may come with a prompt or stand alone (image-to-video)."""

    topic: Topic | None = None
    topic_text: str | None = None
    prompt: str | None = None
    script: str | None = None
    reference_image_key: str | None = None
    genre: str | None = None
    style_preferences: dict[str, str] = Field(default_factory=dict)


class RenderOptions(BaseModel):
    """How the finished video looks. Defaults make a vertical short."""

    art_style: ArtStyle = "cinematic"
    duration: DurationPreset = "short"
    duration_s: int | None = Field(None, ge=5, le=600, description="A target length that overrides `duration`.")
    num_scenes: int | None = Field(None, ge=1, le=30, description="Scenes (images) wanted; None lets the story decide.")
    language: Language = "english"
    voice: Voice = "alloy"
    width: int = 1080
    height: int = 1920
    fps: Fps = 30
    subtitles: bool = True
    caption_style: CaptionStyle = "phrase"
    quality: Quality = "standard"
    transition: Transition = "crossfade"
    motion: bool = Field(True, description="Ken Burns pan and zoom on still images.")
    include_voice: bool = True
    include_music: bool = False
    mood: Mood | None = Field(None, description="The music's mood; None lets the story's mood decide.")
    preview: bool = Field(False, description="Also render a low-resolution draft preview.")
    model_id: str | None = Field(None, description="The imaging model from /models; None picks the default.")
    review: bool = Field(False, description="Stop after the story (`awaiting_review`) until the user approves it.")


# ---- what the stages produce -----------------------------------------------------


class Scene(BaseModel):
    index: int
    narration: str
    image_prompt: str
    subtitle: str
    mood: Mood | None = None
    shots: int = Field(
        1, ge=1, description="Pictures shown in turn while the narration plays (more pictures asked than sentences)."
    )
    subjects: list[str] = Field(
        default_factory=list,
        max_length=4,
        description="What the picture shows, as English nouns, main subject first (e.g. lighthouse, cat, storm).",
    )
    search_query: str = Field("", description="A short English stock-media query, e.g. 'lighthouse storm night'.")


class Storyboard(BaseModel):
    title: str
    description: str
    text: str
    scenes: list[Scene]
    mood: Mood | None = None
    target_s: float | None = Field(
        None, description="The length the video lands on; None: as long as the narration (a script with no length)."
    )
    warnings: list[str] = Field(default_factory=list, description="What the story could not honour, in words.")


class SceneImage(BaseModel):
    """A scene's picture: a still image, or a short clip (image-to-video) used as-is; a scene of several
    shots has its further pictures (same version and kind) in `shot_keys`, in playing order."""

    scene_index: int
    key: str
    version: int = 1
    kind: Literal["image", "clip"] = "image"
    shot_keys: list[str] = Field(default_factory=list)
    depicts: list[str] = Field(
        default_factory=list, description="The scene's subjects the picture draws (offline art only; else empty)."
    )
    focus: tuple[float, float] | None = Field(
        None, description="The main subject's centre as fractions of the width and height; None: no main subject."
    )
    source: str = Field(
        "", description="Where the picture came from: pexels, pixabay, procedural, openai, replicate; '' unknown."
    )
    credit: str | None = Field(
        None,
        description="The attribution a stock library asks for, e.g. 'Photo by Jane Doe on Pexels: <page URL>' "
        "(one per shot, joined by '; ').",
    )
    source_ids: list[str] = Field(
        default_factory=list,
        description="The stock library's ids of the photos or clips, one per shot (pexels:video:123), so a job never "
        "shows one twice.",
    )

    @property
    def keys(self) -> list[str]:
        return [self.key, *self.shot_keys]


class WordTiming(BaseModel):
    """When one word of a cue is spoken, on the cue's clock.

    A word is what `libs.common.lines.words` makes of the cue's text: a word with the punctuation
    that touches it, or a single character of text written without spaces (Chinese, Japanese).
    """

    start_s: float
    end_s: float
    text: str


class Cue(BaseModel):
    """One subtitle line, timed relative to the start of its scene's narration."""

    start_s: float
    end_s: float
    text: str
    words: list[WordTiming] = Field(
        default_factory=list, description="Each word as spoken; empty from a narration made before words were timed."
    )

    def retimed(self, scale: float = 1.0, shift: float = 0.0, low: float = 0.0, high: float = float("inf")) -> Self:
        """The cue and its words on another clock: every time `t` becomes `t * scale + shift`, kept in [low, high]."""

        def moved(seconds: float) -> float:
            return min(max(seconds * scale + shift, low), high)

        words = [
            word.model_copy(update={"start_s": moved(word.start_s), "end_s": moved(word.end_s)}) for word in self.words
        ]
        return self.model_copy(update={"start_s": moved(self.start_s), "end_s": moved(self.end_s), "words": words})


class SceneNarration(BaseModel):
    scene_index: int
    key: str
    duration_s: float
    cues: list[Cue]


class MusicTrack(BaseModel):
    """A background track that loops cleanly; render trims or loops it and ducks it under speech."""

    key: str
    duration_s: float
    mood: Mood


class CostBreakdown(BaseModel):
    """US dollars by kind of work, as seed 001's `estimate-cost` names them (plus the story)."""

    story_generation: float = 0.0
    image_generation: float = 0.0
    video_generation: float = 0.0
    voice_synthesis: float = 0.0
    music_synthesis: float = 0.0
    ffmpeg_processing: float = 0.0

    @property
    def total(self) -> float:
        return round(sum(self.model_dump().values()), 6)

    def __add__(self, other: "CostBreakdown") -> "CostBreakdown":
        mine, theirs = self.model_dump(), other.model_dump()
        return CostBreakdown(**{name: round(mine[name] + theirs[name], 6) for name in mine})


class VideoOutput(BaseModel):
    video_key: str
    thumbnail_key: str
    srt_key: str
    vtt_key: str
    duration_s: float
    words_key: str | None = Field(None, description="The word timings as JSON (none for videos rendered before).")
    width: int
    height: int
    size_bytes: int
    fps: int = 30
    preview_key: str | None = None
    version: int = Field(1, description="1, then one more per re-render after a regenerated image.")


# ---- the events ------------------------------------------------------------------


class JobRequested(Event):
    topic: ClassVar[str] = Topics.JOBS_REQUESTED
    type: Literal["jobs.requested"] = "jobs.requested"
    input: JobInput
    options: RenderOptions


class JobApproved(Event):
    """The user approved a story that waited for review (`RenderOptions.review`), edited as they liked."""

    topic: ClassVar[str] = Topics.JOBS_APPROVED
    type: Literal["jobs.approved"] = "jobs.approved"
    storyboard: Storyboard
    input: JobInput
    options: RenderOptions


class StoryCompleted(Event):
    topic: ClassVar[str] = Topics.STORY_COMPLETED
    type: Literal["story.completed"] = "story.completed"
    storyboard: Storyboard
    storyboard_key: str
    options: RenderOptions
    cost: CostBreakdown = Field(default_factory=CostBreakdown)
    reference_image_key: str | None = Field(
        None, description="JobInput.reference_image_key, passed on: imaging bases the scenes' pictures on it."
    )


class ImageRegenerationRequested(Event):
    """A user asked for a new version of one scene's image; the job is rendered again with it."""

    topic: ClassVar[str] = Topics.IMAGES_REGENERATE_REQUESTED
    type: Literal["images.regenerate.requested"] = "images.regenerate.requested"
    scene_index: int
    prompt: str | None = Field(None, description="A new image prompt; None reuses the scene's.")


class SceneImageCompleted(Event):
    topic: ClassVar[str] = Topics.SCENE_IMAGE_COMPLETED
    type: Literal["scene.image.completed"] = "scene.image.completed"
    image: SceneImage


class ImagesCompleted(Event):
    topic: ClassVar[str] = Topics.IMAGES_COMPLETED
    type: Literal["images.completed"] = "images.completed"
    images: list[SceneImage]
    options: RenderOptions
    cost: CostBreakdown = Field(default_factory=CostBreakdown)


class AudioCompleted(Event):
    topic: ClassVar[str] = Topics.AUDIO_COMPLETED
    type: Literal["audio.completed"] = "audio.completed"
    narrations: list[SceneNarration]
    options: RenderOptions
    music: MusicTrack | None = None
    cost: CostBreakdown = Field(default_factory=CostBreakdown)
    target_s: float | None = Field(None, description="Storyboard.target_s, passed on: render lands the video on it.")


class Moderation(BaseModel):
    """The verdict on a request's text. `score` runs 0..1; higher is more likely to break the rules."""

    status: Literal["approved", "rejected"]
    score: float = Field(ge=0, le=1)
    categories: list[str] = Field(default_factory=list, description="The rule categories that matched.")
    provider: str


class JobProgress(Event):
    topic: ClassVar[str] = Topics.JOBS_PROGRESS
    type: Literal["jobs.progress"] = "jobs.progress"
    status: Literal["moderating", "awaiting_review", "processing"] = "processing"
    stage: Stage
    progress: int = Field(ge=0, le=100)
    message: str
    scene_index: int | None = None
    storyboard: Storyboard | None = None
    moderation: Moderation | None = None


class JobCompleted(Event):
    topic: ClassVar[str] = Topics.JOBS_COMPLETED
    type: Literal["jobs.completed"] = "jobs.completed"
    output: VideoOutput
    cost: CostBreakdown = Field(default_factory=CostBreakdown, description="The render's own cost.")


class JobFailed(Event):
    topic: ClassVar[str] = Topics.JOBS_FAILED
    type: Literal["jobs.failed"] = "jobs.failed"
    stage: Stage
    reason: str
    moderation: bool = False
    code: str | None = Field(None, description="A stable name for the failure, e.g. story_language_mismatch.")


class JobCancelled(Event):
    topic: ClassVar[str] = Topics.JOBS_CANCELLED
    type: Literal["jobs.cancelled"] = "jobs.cancelled"


# ---- webhooks: the gateway asks, the notifier reports ----------------------------------------

WebhookEventName = Literal["generation.complete", "generation.failed", "generation.progress"]
WEBHOOK_EVENT_NAMES: tuple[str, ...] = get_args(WebhookEventName)
DeliveryOutcome = Literal["delivered", "retrying", "failed", "endpoint_disabled"]


class WebhookEndpointRegistered(EndpointEvent):
    """A user registered an endpoint. The secret (`whsec_...`) travels only on this internal topic."""

    topic: ClassVar[str] = Topics.WEBHOOK_REQUESTS
    type: Literal["webhooks.endpoint.registered"] = "webhooks.endpoint.registered"
    url: str
    secret: str
    events: list[WebhookEventName]


class WebhookEndpointRemoved(EndpointEvent):
    topic: ClassVar[str] = Topics.WEBHOOK_REQUESTS
    type: Literal["webhooks.endpoint.removed"] = "webhooks.endpoint.removed"


class WebhookReplayRequested(EndpointEvent):
    """Deliver one earlier message again (same `webhook-id`), whatever its last outcome."""

    topic: ClassVar[str] = Topics.WEBHOOK_REQUESTS
    type: Literal["webhooks.replay.requested"] = "webhooks.replay.requested"
    message_id: str


class WebhookDeliveryRecorded(EndpointEvent):
    """One attempt at delivering one message (`message_id` is the stable `webhook-id`)."""

    topic: ClassVar[str] = Topics.WEBHOOK_REPORTS
    type: Literal["webhooks.delivery.recorded"] = "webhooks.delivery.recorded"
    message_id: str
    event: WebhookEventName
    job_id: UUID | None
    attempt_number: int
    outcome: DeliveryOutcome
    http_status: int | None = None
    error: str | None = None
    next_attempt_at: datetime | None = None


class WebhookEndpointDisabled(EndpointEvent):
    """The notifier stopped delivering to an endpoint (it answered 410 Gone, or kept failing)."""

    topic: ClassVar[str] = Topics.WEBHOOK_REPORTS
    type: Literal["webhooks.endpoint.disabled"] = "webhooks.endpoint.disabled"
    reason: str


AnyEvent = Annotated[
    JobRequested
    | JobApproved
    | StoryCompleted
    | ImageRegenerationRequested
    | SceneImageCompleted
    | ImagesCompleted
    | AudioCompleted
    | JobProgress
    | JobCompleted
    | JobFailed
    | JobCancelled
    | WebhookEndpointRegistered
    | WebhookEndpointRemoved
    | WebhookReplayRequested
    | WebhookDeliveryRecorded
    | WebhookEndpointDisabled,
    Field(discriminator="type"),
]
ANY_EVENT: TypeAdapter[AnyEvent] = TypeAdapter(AnyEvent)


def parse_event(raw: bytes | str) -> Envelope:
    """Decode any event from its JSON form (the outbox stores events this way)."""
    return ANY_EVENT.validate_json(raw)


# Overall progress bands per stage: images and audio run in parallel in the same band.
STAGE_BANDS: dict[str, tuple[int, int]] = {
    "story": (0, 20),
    "images": (20, 60),
    "audio": (20, 60),
    "render": (60, 100),
}


def overall_progress(stage: Stage, fraction: float) -> int:
    """Map a stage's own completion (0..1) to the job's overall 0..100 progress."""
    low, high = STAGE_BANDS[stage]
    clamped = min(max(fraction, 0.0), 1.0)
    return round(low + (high - low) * clamped)
