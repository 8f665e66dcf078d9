"""The whole embedded stack, started the way `make run` starts it, shared by the end-to-end tests."""

from collections.abc import Iterator

import pytest

from tests.stack import EmbeddedStack

# The tests' webhook receivers listen on loopback, which only an allowlist lets through; retries come fast.
WEBHOOK_ENV = {"REELFORGE_WEBHOOK_ALLOWED_HOSTS": '["127.0.0.1"]', "REELFORGE_WEBHOOK_RETRY_SCHEDULE_S": "[0, 0.5, 1]"}


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStack]:
    running = EmbeddedStack(var_dir=tmp_path_factory.mktemp("stack-var"), extra_env=WEBHOOK_ENV).start()
    try:
        yield running
    finally:
        running.stop()
