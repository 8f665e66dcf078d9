"""The story service's migration history (`versions/`): only the runtime's tables (outbox, ledger, cancellations)."""

from libs.common.migrations import RUNTIME_TABLES

TABLES = RUNTIME_TABLES
