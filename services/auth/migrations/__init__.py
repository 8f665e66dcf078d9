"""The auth service's migration history (`versions/`) and the tables it builds, as the models declare them."""

from libs.common.migrations import RUNTIME_TABLES
from services.auth import store

TABLES = [*RUNTIME_TABLES, *store.TABLES]
