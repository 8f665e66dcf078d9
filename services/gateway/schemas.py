"""Bodies of the native jobs API. Inputs forbid unknown fields so a typo is a 422, not a silent default."""

import re
from datetime import datetime
from typing import Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from libs.common.events import JobInput, RenderOptions, Storyboard, VideoOutput
from libs.common.vocabulary import ArtStyle, DurationPreset, Fps, JobStatus, Language, Topic, Voice
from services.gateway.store import Job

RESOLUTION = re.compile(r"^(\d{2,4})x(\d{2,4})$")
MIN_SIDE, MAX_SIDE = 128, 3840


class JobCreate(BaseModel):
    """Exactly one of `topic`, `prompt` or `script`, plus how the video should look."""

    model_config = ConfigDict(extra="forbid")

    topic: Topic | None = Field(None, description="A story topic; 'custom topic' needs `topic_text`.")
    topic_text: str | None = Field(None, min_length=1, max_length=500)
    prompt: str | None = Field(None, min_length=1, max_length=2000, description="A free description of the video.")
    script: str | None = Field(None, max_length=20000, description="Narration: one scene per line or paragraph.")
    art_style: ArtStyle = "cinematic"
    duration: DurationPreset = "short"
    language: Language = "english"
    voice: Voice = "alloy"
    resolution: str = Field("1080x1920", description="WIDTHxHEIGHT, even numbers from 128 to 3840.")
    fps: Fps = 30
    subtitles: bool = True

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

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        given = [name for name in ("topic", "prompt", "script") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of topic, prompt or script (got {', '.join(given) or 'none'})")
        if self.script is not None and not self.script.strip():
            raise ValueError("script is empty: write one line or paragraph per scene")
        if self.prompt is not None and not self.prompt.strip():
            raise ValueError("prompt is empty")
        if self.topic == "custom topic" and not (self.topic_text or "").strip():
            raise ValueError("topic 'custom topic' needs topic_text")
        return self

    def source(self) -> JobInput:
        return JobInput(topic=self.topic, topic_text=self.topic_text, prompt=self.prompt, script=self.script)

    def render_options(self) -> RenderOptions:
        width, height = map(int, self.resolution.split("x"))
        return RenderOptions(
            art_style=self.art_style,
            duration=self.duration,
            language=self.language,
            voice=self.voice,
            width=width,
            height=height,
            fps=self.fps,
            subtitles=self.subtitles,
        )


class JobPublic(BaseModel):
    id: UUID
    status: JobStatus
    progress: int
    stage: str | None
    message: str
    error: str | None
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
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None

    @classmethod
    def of(cls, job: Job) -> "JobPublic":
        return cls(
            id=job.id,
            status=job.status,  # type: ignore[arg-type]
            progress=job.progress,
            stage=job.stage,
            message=job.message,
            error=job.error,
            moderation_status=job.moderation_status,
            moderation_score=job.moderation_score,
            input=JobInput.model_validate_json(job.source),
            options=RenderOptions.model_validate_json(job.options),
            title=job.title,
            description=job.description,
            story_text=job.story_text,
            storyboard=Storyboard.model_validate_json(job.storyboard) if job.storyboard else None,
            output=VideoOutput.model_validate_json(job.output) if job.output else None,
            video_url=f"/api/v1/jobs/{job.id}/video" if job.output else None,
            created_at=job.created_at,
            updated_at=job.updated_at,
            completed_at=job.completed_at,
        )


class JobPage(BaseModel):
    items: list[JobPublic]
    total: int
    page: int
    limit: int
