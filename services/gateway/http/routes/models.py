"""The models registry under /api/v1/models: every provider model, what it can do, and whether it is usable here."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from libs.common.errors import NotFound
from libs.common.models import (
    KEY_NAMES,
    MODELS,
    Capabilities,
    MemoryRequirements,
    ModelSpec,
    Provider,
    Task,
    configured_providers,
    get_model,
)
from libs.common.settings import ProviderSettings
from services.gateway.http.deps import CurrentUser, RuntimeDep

router = APIRouter(prefix="/models", tags=["models"])


class ModelPublic(BaseModel):
    id: str
    name: str
    description: str
    provider: Provider
    task: Task
    is_available: bool
    requires: str | None
    """The setting the provider needs (`OPENAI_API_KEY`, `REELFORGE_COMFYUI_URL`); None for offline models."""
    usable_as_model_id: bool
    """Whether a job's `model_id` may name it (it paints or animates scenes)."""
    capabilities: Capabilities
    memory_requirements: MemoryRequirements

    @classmethod
    def of(cls, model: ModelSpec, configured: frozenset[Provider]) -> "ModelPublic":
        return cls(
            id=model.id,
            name=model.name,
            description=model.description,
            provider=model.provider,
            task=model.task,
            is_available=model.is_available(configured),
            requires=KEY_NAMES.get(model.provider),
            usable_as_model_id=model.makes_pictures,
            capabilities=model.capabilities,
            memory_requirements=model.memory,
        )


class ModelList(BaseModel):
    models: list[ModelPublic]
    total: int


def catalogue(keys: ProviderSettings, available_only: bool = False) -> ModelList:
    """Every model, with availability from the configured keys (what dialects serve too)."""
    configured = configured_providers(keys)
    listed = [ModelPublic.of(model, configured) for model in MODELS]
    if available_only:
        listed = [model for model in listed if model.is_available]
    return ModelList(models=listed, total=len(listed))


def describe(keys: ProviderSettings, model_id: str) -> ModelPublic:
    model = get_model(model_id)
    if model is None:
        raise NotFound(f"Model {model_id} not found; known models: {', '.join(spec.id for spec in MODELS)}")
    return ModelPublic.of(model, configured_providers(keys))


@router.get("")
async def list_models(
    _user: CurrentUser, runtime: RuntimeDep, available_only: Annotated[bool, Query()] = False
) -> ModelList:
    """Every model Reelforge knows; `is_available` says whether this server has its provider's key."""
    return catalogue(runtime.settings, available_only)


@router.get("/{model_id}")
async def get_model_info(model_id: str, _user: CurrentUser, runtime: RuntimeDep) -> ModelPublic:
    return describe(runtime.settings, model_id)
