"""Templates under /api/v1: the catalogue by category, and a job from a template."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel

from services.gateway.core import templates
from services.gateway.core.schemas import JobPublic
from services.gateway.core.templates import Template
from services.gateway.http.deps import CurrentUser, PageNumber, RuntimeDep

router = APIRouter(prefix="/templates", tags=["templates"])


class TemplatePublic(BaseModel):
    id: UUID
    slug: str
    name: str
    category: str
    description: str
    parameters: dict[str, Any]
    thumbnail_url: str | None
    is_public: bool
    usage_count: int

    @classmethod
    def of(cls, template: Template) -> "TemplatePublic":
        return cls(
            id=template.id,
            slug=template.slug,
            name=template.name,
            category=template.category,
            description=template.description,
            parameters=templates.template_parameters(template),
            thumbnail_url=template.thumbnail_url,
            is_public=template.is_public,
            usage_count=template.usage_count,
        )


class TemplatePage(BaseModel):
    items: list[TemplatePublic]
    total: int
    page: int
    limit: int
    categories: list[str]


@router.get("")
async def list_templates(
    runtime: RuntimeDep,
    _user: CurrentUser,
    category: Annotated[str | None, Query(description=f"One of {', '.join(templates.CATEGORIES)}.")] = None,
    page: PageNumber = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> TemplatePage:
    """The catalogue, most used first."""
    rows, total = await templates.list_templates(runtime, category, page, limit)
    items = [TemplatePublic.of(template) for template in rows]
    return TemplatePage(items=items, total=total, page=page, limit=limit, categories=list(templates.CATEGORIES))


@router.get("/{template_id}")
async def get_template(template_id: str, runtime: RuntimeDep, _user: CurrentUser) -> TemplatePublic:
    """One template, by UUID or slug."""
    return TemplatePublic.of(await templates.get_template(runtime, template_id))


@router.post("/{template_id}/use", status_code=202)
async def use_template(
    template_id: str,
    user: CurrentUser,
    runtime: RuntimeDep,
    overrides: Annotated[
        dict[str, Any] | None,
        Body(
            description="Fields of POST /jobs replacing the template's; a topic, prompt or script replaces its story. "
            "Any other name is refused (422), naming the fields."
        ),
    ] = None,
) -> JobPublic:
    """Start a job from the template; its usage count goes up with the job."""
    return JobPublic.of(await templates.use_template(runtime, user, template_id, overrides or {}))
