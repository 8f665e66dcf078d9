"""One embedded stack per conformance module, started exactly as `make run` starts it.

A module may set `STACK_ENV` (a dict of environment variables) to configure its stack,
e.g. to turn request budgets on or let webhooks reach a receiver on loopback.
"""

from collections.abc import Iterator

import pytest

from tests.stack import EmbeddedStack


@pytest.fixture(scope="module")
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStack]:
    env: dict[str, str] = getattr(request.module, "STACK_ENV", {})
    running = EmbeddedStack(var_dir=tmp_path_factory.mktemp("compat-stack"), extra_env=env).start()
    try:
        yield running
    finally:
        running.stop()
