"""Bodies of the native jobs API. Inputs forbid unknown fields so a typo is a 422, not a silent default."""

import re
from datetime import datetime
from typing import Annotated, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, computed_field, field_validator, model_validator

from libs.common.events import CostBreakdown, JobInput, RenderOptions, Storyboard, VideoOutput
from libs.common.models import PICTURE_MODEL_IDS
from libs.common.pacing import PRESET_SECONDS
from libs.common.vocabulary import (
    DURATION_PRESETS,
    ArtStyle,
    CaptionStyle,
    DurationPreset,
    Fps,
    JobStatus,
    Language,
    Mood,
    Quality,
    Topic,
    Transition,
    Voice,
)
from services.gateway.core.store import Job

RESOLUTION = re.compile(r"^(\d{2,4})x(\d{2,4})$")
MIN_SIDE, MAX_SIDE = 128, 3840
MAX_PREFERENCES = 10
PreferenceName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
PreferenceValue = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
MIN_SECONDS, MAX_SECONDS = 5, 600
Seconds = Annotated[int, Field(ge=MIN_SECONDS, le=MAX_SECONDS)]


class JobCreate(BaseModel):
    """Exactly one of `topic`, `prompt` or `script` (or an `upload_id` alone), plus how the video should look."""

    model_config = ConfigDict(extra="forbid")

    topic: Topic | None = Field(None, description="A story topic; 'custom topic' needs `topic_text`.")
    topic_text: str | None = Field(None, min_length=1, max_length=500)
    prompt: str | None = Field(None, min_length=1, max_length=2000, description="A free description of the video.")
    script: str | None = Field(None, max_length=20000, description="Narration: one scene per line or paragraph.")
    art_style: ArtStyle = "cinematic"
    duration: DurationPreset | Seconds = Field(
        "short",
        description="`short` (about 45 s), `long` (about 3 minutes) or a length in seconds from 5 to 600. "
        "A script runs as long as it reads unless a duration is given.",
    )
    language: Language = "english"
    voice: Voice = "alloy"
    resolution: str = Field("1080x1920", description="WIDTHxHEIGHT, even numbers from 128 to 3840.")
    fps: Fps = 30
    subtitles: bool = True
    caption_style: CaptionStyle = Field(
        "phrase", description="`phrase`: each spoken phrase on screen; `karaoke`: the word being spoken lights up."
    )
    quality: Quality = "standard"
    transition: Transition = Field("crossfade", description="How one scene gives way to the next.")
    motion: bool = Field(True, description="Ken Burns pan and zoom on still images.")
    include_voice: bool = Field(True, description="Narrate the story.")
    include_music: bool = Field(False, description="Add background music, ducked under the voice.")
    mood: Mood | None = Field(None, description="The story's and the music's mood; unset lets the story decide.")
    genre: str | None = Field(None, min_length=1, max_length=40, description="A genre: noir, sci-fi, fairy tale...")
    style_preferences: dict[PreferenceName, PreferenceValue] = Field(
        default_factory=dict,
        max_length=MAX_PREFERENCES,
        description=f'Up to {MAX_PREFERENCES} picture preferences, e.g. {{"color_palette": "warm"}}.',
    )
    num_scenes: int | None = Field(None, ge=1, le=30, description="Exactly this many scenes (images).")
    preview: bool = Field(False, description="Also render a low-resolution draft preview.")
    model_id: str | None = Field(None, description="The picture model, from GET /api/v1/models; unset = default.")
    review: bool = Field(
        False,
        description="Stop once the story is written (`awaiting_review`): edit it, then POST /jobs/{id}/approve.",
    )
    project_id: int | UUID | None = Field(None, description="One of your projects, by its integer id or UUID.")
    upload_id: UUID | None = Field(
        None,
        description="A reference image from POST /uploads; alone (image-to-video) or with a topic, prompt or script.",
    )

    @field_validator("resolution")
    @classmethod
    def _resolution(cls, value: str) -> str:
        match = RESOLUTION.match(value)
        if match is None:
            raise ValueError("must look like 1080x1920 (WIDTHxHEIGHT)")
        for side in map(int, match.groups()):
            if not MIN_SIDE <= side <= MAX_SIDE or side % 2:
                raise ValueError(f"each side must be an even number from {MIN_SIDE} to {MAX_SIDE}")
        return value

    @field_validator("duration", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        """One error naming every allowed form, rather than one per member of the union."""
        if value in DURATION_PRESETS:
            return value
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool) and MIN_SECONDS <= value <= MAX_SECONDS:
            return value
        raise ValueError(f"Input should be 'short', 'long' or a number of seconds from {MIN_SECONDS} to {MAX_SECONDS}")

    @field_validator("model_id")
    @classmethod
    def _known_model(cls, value: str | None) -> str | None:
        if value is not None and value not in PICTURE_MODEL_IDS:
            allowed = ", ".join(f"'{model}'" for model in PICTURE_MODEL_IDS)
            raise ValueError(f"Input should be {allowed} (see GET /api/v1/models)")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        given = [name for name in ("topic", "prompt", "script") if getattr(self, name) is not None]
        if len(given) > 1 or (not given and self.upload_id is None):
            got = ", ".join(given) or "none"
            raise ValueError(f"give exactly one of topic, prompt or script, or an upload_id (got {got})")
        if self.script is not None and not self.script.strip():
            raise ValueError("script is empty: write one line or paragraph per scene")
        if self.prompt is not None and not self.prompt.strip():
            raise ValueError("prompt is empty")
        if self.topic == "custom topic" and not (self.topic_text or "").strip():
            raise ValueError("topic 'custom topic' needs topic_text")
        return self

    def source(self) -> JobInput:
        return JobInput(
            topic=self.topic,
            topic_text=self.topic_text,
            prompt=self.prompt,
            script=self.script,
            genre=self.genre,
            style_preferences=self.style_preferences,
        )

    def _seconds(self) -> int | None:
        """`duration` in seconds when it is one; a script asking for a preset gets the preset's seconds, since a
        script without a length runs as long as it reads."""
        if isinstance(self.duration, int):
            return self.duration
        if self.script is not None and "duration" in self.model_fields_set:
            return PRESET_SECONDS[self.duration]
        return None

    def render_options(self) -> RenderOptions:
        width, height = map(int, self.resolution.split("x"))
        return RenderOptions(
            art_style=self.art_style,
            duration=self.duration if isinstance(self.duration, str) else nearest_preset(self.duration),
            duration_s=self._seconds(),
            num_scenes=self.num_scenes,
            language=self.language,
            voice=self.voice,
            width=width,
            height=height,
            fps=self.fps,
            subtitles=self.subtitles,
            caption_style=self.caption_style,
            quality=self.quality,
            transition=self.transition,
            motion=self.motion,
            include_voice=self.include_voice,
            include_music=self.include_music,
            mood=self.mood,
            preview=self.preview,
            model_id=self.model_id,
            review=self.review,
        )


LONG_FROM_S = 90


def nearest_preset(seconds: int) -> DurationPreset:
    """The preset a length in seconds is closest to, for code that only knows presets."""
    return "short" if seconds <= LONG_FROM_S else "long"


class CostPublic(CostBreakdown):
    """A cost in US dollars by kind of work, with its total."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total(self) -> float:
        return round(sum(getattr(self, name) for name in CostBreakdown.model_fields), 6)

    @classmethod
    def of(cls, cost: CostBreakdown) -> "CostPublic":
        return cls(**cost.model_dump())


class CostEstimate(BaseModel):
    """What a job would cost (seed 001's `estimate-cost`): the total and its breakdown."""

    estimated_cost: float
    currency: str = "USD"
    breakdown: CostPublic


class JobPublic(BaseModel):
    id: UUID
    status: JobStatus
    progress: int
    stage: str | None
    message: str
    error: str | None
    error_code: str | None = Field(description="A stable name for a failure clients can act on, when it has one.")
    warnings: list[str] = Field(description="What the job could not honour as asked (e.g. a script's language).")
    moderation_status: str | None
    moderation_score: float | None
    input: JobInput
    options: RenderOptions
    title: str | None
    description: str | None
    story_text: str | None
    storyboard: Storyboard | None
    output: VideoOutput | None
    video_url: str | None
    estimated_cost: CostPublic | None = Field(description="Priced when the job was created.")
    actual_cost: CostPublic = Field(description="Summed from what each stage reported it spent.")
    project_id: UUID | None
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None

    @classmethod
    def of(cls, job: Job) -> "JobPublic":
        storyboard = Storyboard.model_validate_json(job.storyboard) if job.storyboard else None
        return cls(
            id=job.id,
            status=job.status,
            progress=job.progress,
            stage=job.stage,
            message=job.message,
            error=job.error,
            error_code=job.error_code,
            warnings=storyboard.warnings if storyboard else [],
            moderation_status=job.moderation_status,
            moderation_score=job.moderation_score,
            input=JobInput.model_validate_json(job.source),
            options=RenderOptions.model_validate_json(job.options),
            title=job.title,
            description=job.description,
            story_text=job.story_text,
            storyboard=storyboard,
            output=VideoOutput.model_validate_json(job.output) if job.output else None,
            video_url=f"/api/v1/jobs/{job.id}/video" if job.output else None,
            estimated_cost=CostPublic.model_validate_json(job.estimated_cost) if job.estimated_cost else None,
            actual_cost=CostPublic.model_validate_json(job.actual_cost),
            project_id=job.project_id,
            created_at=job.created_at,
            updated_at=job.updated_at,
            completed_at=job.completed_at,
        )


class JobPage(BaseModel):
    items: list[JobPublic]
    total: int
    page: int
    limit: int


SubjectName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
MAX_SCENES = 30


class SceneEdit(BaseModel):
    """One scene of the approved story: an existing scene (`index`) with what changed, or a new one."""

    model_config = ConfigDict(extra="forbid")

    index: int | None = Field(None, ge=0, description="The scene, as written, this one starts from; unset: a new one.")
    narration: str | None = Field(
        None, min_length=1, max_length=2000, description="What is said; a new scene needs it."
    )
    image_prompt: str | None = Field(None, min_length=1, max_length=2000, description="What the picture shows.")
    subjects: list[SubjectName] | None = Field(
        None, max_length=8, description="The concrete things the picture shows, main subject first."
    )


class StoryApproval(BaseModel):
    """The story as approved: `scenes` in their new order (a scene left out is deleted); unset keeps them all."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=200)
    scenes: list[SceneEdit] | None = Field(None, min_length=1, max_length=MAX_SCENES)


MAX_BATCH = 100
MAX_VARIANTS = 10


class JobBatch(BaseModel):
    """Many jobs at once: each body is a `POST /jobs` body, checked on its own, so one bad body refuses only itself."""

    model_config = ConfigDict(extra="forbid")

    jobs: list[dict[str, object]] = Field(
        min_length=1, max_length=MAX_BATCH, description=f"Up to {MAX_BATCH} bodies of `POST /jobs`."
    )
    variants: int = Field(
        1, ge=1, le=MAX_VARIANTS, description="Videos made of each body: each is told and pictured anew."
    )

    @model_validator(mode="after")
    def _at_most_a_hundred(self) -> Self:
        if len(self.jobs) * self.variants > MAX_BATCH:
            raise ValueError(
                f"variants: {len(self.jobs)} bodies x {self.variants} variants is over {MAX_BATCH} jobs in one batch"
            )
        return self


class BatchItem(BaseModel):
    index: int = Field(description="The body's place in `jobs`, from 0.")
    variant: int = Field(description="Which of the body's `variants`, from 0.")
    job: JobPublic | None = Field(description="The job created, or null when the body was refused.")
    error: str | None = Field(description="Why the body was refused, naming the field.")
    field: str | None = Field(description="The field refused, as `jobs[index].name`.")


class BatchPublic(BaseModel):
    accepted: int
    refused: int
    items: list[BatchItem]


class JobUpdate(BaseModel):
    """The fields of a job its owner may change; only those sent are changed."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    project_id: int | UUID | None = Field(None, description="Move the job to this project; null takes it out.")
