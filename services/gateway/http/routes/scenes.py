"""Scenes of a job under /api/v1: narration, subtitles, image versions and timing; regenerate one image."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from services.gateway.core import scenes
from services.gateway.core.scenes import Regeneration, SceneView
from services.gateway.http.deps import CurrentUser, RuntimeDep, StoreDep
from services.gateway.http.media import serve_object

router = APIRouter(prefix="/jobs/{job_id}/scenes", tags=["scenes"])
SceneIndex = Annotated[int, Path(ge=0, le=1000, description="The scene's index, from 0.")]


class ScenesPublic(BaseModel):
    job_id: UUID
    scenes: list[SceneView]


class RegenerateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prompt: str | None = Field(None, max_length=2000, description="A new image prompt; leave out to reuse the scene's.")


@router.get("")
async def list_scenes(job_id: UUID, user: CurrentUser, runtime: RuntimeDep) -> ScenesPublic:
    """The job's scenes in order; empty until the story is written."""
    return ScenesPublic(job_id=job_id, scenes=await scenes.list_scenes(runtime, user, job_id))


@router.get("/{index}/image", response_class=Response, responses={200: {"content": {"image/png": {}, "video/mp4": {}}}})
async def scene_image(
    job_id: UUID,
    index: SceneIndex,
    request: Request,
    user: CurrentUser,
    runtime: RuntimeDep,
    store: StoreDep,
    version: Annotated[int | None, Query(ge=1, description="Leave out for the newest.")] = None,
) -> Response:
    """One version of the scene's picture (a PNG, or an MP4 clip for image-to-video scenes)."""
    key = await scenes.scene_image(runtime, user, job_id, index, version)
    media_type = "video/mp4" if key.endswith(".mp4") else "image/jpeg" if key.endswith(".jpg") else "image/png"
    return await serve_object(request, store, key, media_type)


@router.post("/{index}/regenerate", status_code=202)
async def regenerate(
    job_id: UUID,
    index: SceneIndex,
    user: CurrentUser,
    runtime: RuntimeDep,
    data: Annotated[RegenerateRequest | None, Body()] = None,
) -> Regeneration:
    """Paint a new version of the scene's image and render the video again (a higher `output.version`)."""
    prompt = data.prompt if data is not None else None
    return await scenes.regenerate_scene(runtime, user, job_id, index, prompt)
