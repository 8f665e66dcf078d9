"""The gateway's migration history (`versions/`) and the tables it builds, as the models declare them."""

from libs.common.migrations import RUNTIME_TABLES
from services.gateway import compat
from services.gateway.core import (
    access,
    api_keys,
    projects,
    ratelimit,
    scene_store,
    signed_urls,
    store,
    templates,
    uploads,
    webhooks,
)

TABLES = [
    *RUNTIME_TABLES,
    *store.TABLES,
    *webhooks.TABLES,
    *projects.TABLES,
    *templates.TABLES,
    *uploads.TABLES,
    *scene_store.TABLES,
    *compat.TABLES,
    *access.TABLES,
    *api_keys.TABLES,
    *ratelimit.TABLES,
    *signed_urls.TABLES,
]
