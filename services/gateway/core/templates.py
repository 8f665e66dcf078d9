"""Templates: ready-made job requests in a catalogue, counted as they are used.

The catalogue is written into the gateway's `templates` table at start-up (ids are
derived from each template's slug, so they are the same on every installation and
usage counts survive restarts). Using a template is creating a job from its parameters
with the user's overrides on top; the use is counted in the job's own transaction.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError
from sqlalchemy import func, update
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from libs.common.errors import InvalidInput, NotFound
from libs.common.events import now
from libs.common.runtime import Runtime
from services.gateway.core.schemas import JobCreate
from services.gateway.core.security import Principal
from services.gateway.core.store import Job
from services.gateway.core.submission import submit_job

NAMESPACE = UUID("0b7c4f0e-3f7d-4b8e-a7a5-6c1d2e9f4a21")
SOURCE_FIELDS = ("topic", "topic_text", "prompt", "script", "upload_id")


class Template(SQLModel, table=True):
    __tablename__ = "templates"

    id: UUID = Field(primary_key=True)
    slug: str = Field(unique=True)
    name: str
    category: str = Field(index=True)
    description: str
    parameters: str  # the job request as JSON: JobCreate fields
    thumbnail_url: str | None = None
    is_public: bool = True
    usage_count: int = 0
    created_at: datetime = Field(default_factory=now)


TABLES = [Template.__table__]  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Definition:
    slug: str
    name: str
    category: str
    description: str
    parameters: dict[str, Any] = field(default_factory=dict)


CATALOGUE: tuple[Definition, ...] = (
    Definition(
        "campfire-horror",
        "Campfire Horror",
        "storytelling",
        "A slow-burning scary tale told in the dark, with a tense score.",
        {"topic": "scary", "art_style": "cinematic", "voice": "onyx", "mood": "tense", "include_music": True},
    ),
    Definition(
        "bedtime-story",
        "Bedtime Story",
        "storytelling",
        "A gentle story for winding down, painted in soft animation colours.",
        {"topic": "bedtime", "art_style": "pixar-art", "voice": "fable", "mood": "calm", "include_music": True},
    ),
    Definition(
        "history-in-a-minute",
        "History in a Minute",
        "education",
        "A surprising episode from history, told crisply.",
        {
            "topic": "interesting history",
            "art_style": "photorealistic",
            "voice": "echo",
            "mood": "epic",
            "duration": 60,
        },
    ),
    Definition(
        "fun-facts",
        "Fun Facts",
        "education",
        "Quick facts that make people say 'huh'.",
        {"topic": "fun facts", "art_style": "comic-book", "voice": "nova", "mood": "playful"},
    ),
    Definition(
        "morning-motivation",
        "Morning Motivation",
        "motivation",
        "An uplifting push to start the day.",
        {"topic": "motivational", "art_style": "cinematic", "voice": "alloy", "mood": "inspiring"},
    ),
    Definition(
        "nature-scene",
        "Nature Scene",
        "nature",
        "Wide landscapes and quiet wildlife with calm narration.",
        {
            "prompt": "A journey through mountains, forests and lakes from dawn to dusk",
            "art_style": "photorealistic",
            "voice": "shimmer",
            "mood": "calm",
            "include_music": True,
        },
    ),
    Definition(
        "product-teaser",
        "Product Teaser",
        "marketing",
        "A short, punchy teaser for a product or launch; put your product in `prompt`.",
        {
            "prompt": "A teaser for a new product that makes everyday life easier",
            "art_style": "cinematic",
            "duration": 20,
        },
    ),
    Definition(
        "anime-legend",
        "Anime Legend",
        "entertainment",
        "An urban legend retold as an anime short.",
        {"topic": "urban legends", "art_style": "anime", "voice": "nova", "mood": "mysterious"},
    ),
)
CATEGORIES: tuple[str, ...] = tuple(sorted({definition.category for definition in CATALOGUE}))


def template_id(slug: str) -> UUID:
    return uuid5(NAMESPACE, slug)


async def seed(runtime: Runtime) -> None:
    """Write the catalogue into the table: new templates are added, existing ones updated, counts kept."""
    async with runtime.db.transaction() as session:
        for definition in CATALOGUE:
            row = await session.get(Template, template_id(definition.slug))
            if row is None:
                row = Template(
                    id=template_id(definition.slug),
                    slug=definition.slug,
                    parameters="{}",
                    name=definition.name,
                    category=definition.category,
                    description=definition.description,
                )
            row.name, row.category, row.description = definition.name, definition.category, definition.description
            row.parameters = json.dumps(definition.parameters)
            session.add(row)


async def list_templates(
    runtime: Runtime, category: str | None = None, page: int = 1, limit: int = 20
) -> tuple[list[Template], int]:
    """One page of the catalogue, most used first; an unknown category is refused naming the known ones."""
    query = select(Template)
    if category is not None:
        if category not in CATEGORIES:
            allowed = ", ".join(f"'{name}'" for name in CATEGORIES)
            raise InvalidInput(f"category must be one of {allowed}", field="category")
        query = query.where(Template.category == category)
    async with runtime.db.sessions() as session:
        total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
        ordered = query.order_by(col(Template.usage_count).desc(), col(Template.slug))
        rows = await session.exec(ordered.offset((page - 1) * limit).limit(limit))
        return list(rows.all()), total


async def get_template(runtime: Runtime, ref: UUID | str) -> Template:
    """A template by its UUID or its slug."""
    async with runtime.db.sessions() as session:
        try:
            found = await session.get(Template, ref if isinstance(ref, UUID) else UUID(ref))
        except ValueError:
            found = (await session.exec(select(Template).where(Template.slug == ref))).first()
    if found is None:
        raise NotFound("Template not found")
    return found


def template_parameters(template: Template) -> dict[str, Any]:
    return json.loads(template.parameters)


def template_request(template: Template, overrides: dict[str, Any]) -> JobCreate:
    """The job request a template makes with `overrides` on top.

    A story source in the overrides (topic, prompt, script, upload) replaces the template's.
    Every name, the template's and the user's, must be a field of POST /jobs: one that is not is
    refused (422, each named with the allowed ones), never dropped; the values are checked (422).
    """
    parameters = template_parameters(template)
    refuse_unknown_parameters(parameters, overrides)
    if any(overrides.get(name) is not None for name in SOURCE_FIELDS):
        parameters = {name: value for name, value in parameters.items() if name not in SOURCE_FIELDS}
    return JobCreate.model_validate({**parameters, **overrides})


def refuse_unknown_parameters(parameters: dict[str, Any], overrides: dict[str, Any]) -> None:
    """Raise a `ValidationError` naming each of the template's or the user's names that POST /jobs does not offer."""
    allowed = ", ".join(JobCreate.model_fields)
    problems: list[InitErrorDetails] = [
        {
            "type": PydanticCustomError("unknown_parameter", f"{origin}; the parameters are {allowed}"),
            "loc": (name,),
            "input": value,
        }
        for origin, given in (
            ("set by the template but not a parameter of POST /jobs", parameters),
            ("not a parameter of POST /jobs", overrides),
        )
        for name, value in given.items()
        if name not in JobCreate.model_fields
    ]
    if problems:
        raise ValidationError.from_exception_data(JobCreate.__name__, problems)


async def use_template(runtime: Runtime, user: Principal, ref: UUID | str, overrides: dict[str, Any]) -> Job:
    """Create a job from the template (plus `overrides`), counting the use in the job's transaction."""
    template = await get_template(runtime, ref)
    request = template_request(template, overrides)

    async def count_use(session: AsyncSession) -> None:
        await session.exec(
            update(Template).where(col(Template.id) == template.id).values(usage_count=col(Template.usage_count) + 1)
        )

    return await submit_job(runtime, user, request, also=count_use)
