"""A user's webhook, end to end: register an endpoint, run a job, receive the signed `generation.complete`.

The receiver is a real HTTP server on loopback (the stack trusts 127.0.0.1 through its allowlist).
"""

import asyncio
from collections.abc import Awaitable, Callable, Iterator

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from tests.receiver import Receiver
from tests.stack import EmbeddedStack, register_and_login

pytestmark = pytest.mark.e2e


async def answer_when(
    request: Callable[[], Awaitable[httpx.Response]], holds: Callable[[dict], bool], timeout_s: float = 60.0
) -> dict:
    """The JSON answer of `request`, once `holds(answer)` is true."""
    async with asyncio.timeout(timeout_s):
        while not holds(answer := (await request()).json()):
            await asyncio.sleep(0.2)
    return answer


async def test_a_finished_job_is_delivered_signed_to_the_users_webhook(stack: EmbeddedStack) -> None:
    owner = {"Authorization": f"Bearer {register_and_login(stack, 'e2e_hooks')}"}
    stranger = {"Authorization": f"Bearer {register_and_login(stack, 'e2e_hooks_stranger')}"}
    async with Receiver() as receiver, httpx.AsyncClient(base_url=stack.api, timeout=30) as client:
        created = await client.post("/webhooks", json={"url": receiver.url, "description": "CI"}, headers=owner)
        assert created.status_code == 201, created.text
        endpoint = created.json()
        assert endpoint["secret"].startswith("whsec_")
        assert (endpoint["events"], endpoint["status"]) == (["generation.complete", "generation.failed"], "active")
        hook = f"/webhooks/{endpoint['id']}"
        listed = (await client.get("/webhooks", headers=owner)).json()
        assert [item["id"] for item in listed] == [endpoint["id"]] and "secret" not in listed[0]

        job = await client.post(
            "/jobs", json={"script": "One line.\nTwo lines.", "resolution": "360x640"}, headers=owner
        )
        job_id = job.json()["id"]
        [request] = await receiver.requests(1, timeout_s=120)
        payload = Webhook(endpoint["secret"]).verify(request.body, request.headers)
        assert payload["event"] == "generation.complete"
        assert payload["data"] | {"timestamp": "T"} == {
            "jobId": job_id,
            "clipId": job_id,
            "status": "COMPLETED",
            "timestamp": "T",
        }
        assert payload["data"]["timestamp"].endswith("Z")

        log = await answer_when(
            lambda: client.get(f"{hook}/deliveries", headers=owner), lambda page: page["total"] == 1
        )
        [delivery] = log["items"]
        assert (delivery["id"], delivery["status"], delivery["attempts"], delivery["http_status"]) == (
            request.headers["webhook-id"],
            "delivered",
            1,
            200,
        )

        replay = await client.post(f"{hook}/deliveries/{delivery['id']}/replay", headers=owner)
        assert replay.status_code == 202, replay.text
        [_, again] = await receiver.requests(2)
        assert again.headers["webhook-id"] == request.headers["webhook-id"]
        assert Webhook(endpoint["secret"]).verify(again.body, again.headers) == payload

        for method, path in [
            ("GET", hook),
            ("GET", f"{hook}/deliveries"),
            ("POST", f"{hook}/deliveries/{delivery['id']}/replay"),
            ("DELETE", hook),
        ]:
            response = await client.request(method, path, headers=stranger)
            assert response.status_code == 404, (method, path, response.text)
            assert response.json() == {"detail": "Webhook not found"}

        assert (await client.delete(hook, headers=owner)).status_code == 204
        assert (await client.get(hook, headers=owner)).status_code == 404

    key = endpoint["secret"].removeprefix("whsec_")
    assert not [service for service in ("gateway", "notifier") if key in stack.log(service)], "a secret was logged"


@pytest.fixture(scope="module")
def client(stack: EmbeddedStack) -> Iterator[httpx.Client]:
    token = register_and_login(stack, "e2e_hook_input")
    with httpx.Client(base_url=stack.api, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        yield client


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://169.254.169.254/latest/meta-data/", "a cloud metadata address"),
        ("http://10.0.0.1/hook", "a private address"),
        ("http://user:hunter2@example.com/hook", "credentials"),
        ("ftp://example.com/hook", "only http and https"),
    ],
)
def test_an_unsafe_webhook_url_is_422_naming_url(client: httpx.Client, url: str, says: str) -> None:
    response = client.post("/webhooks", json={"url": url})
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert error["field"] == "url" and says in error["message"]
    assert "hunter2" not in response.text


def test_unknown_webhook_events_are_422_naming_the_allowed_values(client: httpx.Client) -> None:
    response = client.post("/webhooks", json={"url": "https://example.com/hook", "events": ["video.done"]})
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert error["field"].startswith("events")
    assert "'generation.complete', 'generation.failed' or 'generation.progress'" in error["message"]
    assert client.get("/webhooks").json() == []
