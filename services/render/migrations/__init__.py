"""The render service's migration history (`versions/`) and the tables it builds, as the models declare them."""

from libs.common.migrations import RUNTIME_TABLES
from services.render import store

TABLES = [*RUNTIME_TABLES, *store.TABLES]
