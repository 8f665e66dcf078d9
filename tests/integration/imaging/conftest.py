from tests.fakes.openai_fixtures import (
    fake_openai,
    fake_replicate,
    fake_stock,
    hermetic_settings,
    openai_server,
    replicate_server,
    stock_server,
)

__all__ = [
    "fake_openai",
    "fake_replicate",
    "fake_stock",
    "hermetic_settings",
    "openai_server",
    "replicate_server",
    "stock_server",
]
