"""Pytest fixtures for the fake OpenAI API; a conftest imports the ones its tests use.

They live here rather than in one conftest so that any stage's tests (story today, images and
narration later) can share the same session-wide server.
"""

import os
from collections.abc import Iterator

import pytest

from tests.fakes.openai_api import FakeOpenAI, FakeOpenAIServer
from tests.fakes.replicate_api import FakeReplicate, FakeReplicateServer
from tests.fakes.stock_media import FakeStockMedia, FakeStockMediaServer


@pytest.fixture(scope="session")
def openai_server() -> Iterator[FakeOpenAIServer]:
    server = FakeOpenAIServer(FakeOpenAI())
    with server:
        yield server


@pytest.fixture
def fake_openai(openai_server: FakeOpenAIServer) -> Iterator[FakeOpenAI]:
    """The fake API with nothing recorded or scripted; it listens at `fake_openai.base_url` (…/v1)."""
    openai_server.fake.reset()
    yield openai_server.fake
    openai_server.fake.reset()


@pytest.fixture(autouse=True)
def hermetic_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come from defaults and what a test passes: a key in the developer's shell must not send
    tests to the real OpenAI, nor a provider choice change what they test. Autouse where imported."""
    for name in list(os.environ):
        if name.startswith(("REELFORGE_", "OPENAI_", "REPLICATE_", "PEXELS_", "PIXABAY_")):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def replicate_server() -> Iterator[FakeReplicateServer]:
    server = FakeReplicateServer(FakeReplicate())
    with server:
        yield server


@pytest.fixture
def fake_replicate(replicate_server: FakeReplicateServer) -> Iterator[FakeReplicate]:
    """The fake Replicate with nothing recorded or scripted; its API is at `fake_replicate.base_url + "/v1"`."""
    replicate_server.fake.reset()
    yield replicate_server.fake
    replicate_server.fake.reset()


@pytest.fixture(scope="session")
def stock_server() -> Iterator[FakeStockMediaServer]:
    server = FakeStockMediaServer(FakeStockMedia())
    with server:
        yield server


@pytest.fixture
def fake_stock(stock_server: FakeStockMediaServer) -> Iterator[FakeStockMedia]:
    """Fake Pexels (at `fake_stock.pexels_url`) and Pixabay (`fake_stock.pixabay_url`), nothing scripted or recorded."""
    stock_server.fake.reset()
    yield stock_server.fake
    stock_server.fake.reset()
