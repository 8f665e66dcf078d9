"""Schemathesis walks the native API's own OpenAPI schema and finds no 5xx.

The schema is the one the running gateway serves at /openapi.json, narrowed to /api/v1.
Every operation gets a few derandomized examples (repeatable runs), sent with a real user's
bearer token; whatever it sends, the answer must be a 2xx-4xx, never a server error.
Operations are driven one by one with Hypothesis here rather than through schemathesis's
pytest plugin, which does not run under the pytest this project pins.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import Case
from schemathesis.schemas import BaseSchema

from tests.stack import EmbeddedStack, register_and_login

NATIVE = r"^/api/v1/"
STREAMING = r"/events(/stream)?$"
"""Server-Sent Events answer for as long as the job runs; the WebSocket is not in the schema at all."""
EXAMPLES_PER_OPERATION = 6


@pytest.fixture(scope="module")
def native_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BaseSchema, dict[str, str]]]:
    stack = EmbeddedStack(var_dir=Path(tmp_path_factory.mktemp("schema-var"))).start()
    try:
        token = register_and_login(stack, "schemathesis")
        schema = schemathesis.openapi.from_url(f"{stack.base_url}/openapi.json")
        yield schema.include(path_regex=NATIVE).exclude(path_regex=STREAMING), {"Authorization": f"Bearer {token}"}
    finally:
        stack.stop()


def server_errors(schema: BaseSchema, headers: dict[str, str]) -> list[str]:
    """Every operation's generated requests that got a 5xx, as 'METHOD path -> status' lines."""
    found: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def probe(case: Case) -> None:
            response = case.call(headers=headers, timeout=30)
            if response.status_code >= 500:
                found.append(f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:200]}")

        probe()
    return found


def test_no_operation_answers_with_a_server_error(native_api: tuple[BaseSchema, dict[str, str]]) -> None:
    schema, headers = native_api
    assert server_errors(schema, headers) == []
