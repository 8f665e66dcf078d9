"""One attempt against a real receiver: the checked address is the one connected to, and the guard runs again."""

import socket
from collections.abc import AsyncIterator
from dataclasses import replace
from uuid import uuid4

import pytest

from libs.common.ssrf import Allowlist
from services.notifier.sender import WebhookSender, webhook_client
from services.notifier.store import DueAttempt
from tests.integration.notifier.webhooks import SECRET
from tests.receiver import Receiver
from tests.servers import free_port


@pytest.fixture
async def sender() -> AsyncIterator[WebhookSender]:
    client = webhook_client()
    try:
        yield WebhookSender(client, Allowlist.parse(["127.0.0.1"]), timeout_s=5)
    finally:
        await client.aclose()


def attempt_at(url: str) -> DueAttempt:
    return DueAttempt("msg_test", 1, uuid4(), url, SECRET, '{"event":"generation.complete"}')


async def test_the_request_goes_to_the_checked_address_naming_the_original_host(
    sender: WebhookSender, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name that resolves to an allowed address once and elsewhere afterwards (DNS rebinding) is
    still requested at the address that passed: the name is resolved once, by the guard."""
    answers = iter(["127.0.0.1"])

    def rebinding(host: str, port: int, **_: object) -> list[tuple]:
        assert host == "hooks.example"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers, "10.9.9.9"), port))]

    async with Receiver() as receiver:
        monkeypatch.setattr(socket, "getaddrinfo", rebinding)
        result = await sender.attempt(attempt_at(f"http://hooks.example:{receiver.port}/hook?source=test"))
    assert (result.http_status, result.error) == (200, None)
    [request] = receiver.received
    assert (request.path, request.headers["host"]) == ("/hook", f"hooks.example:{receiver.port}")
    assert request.body == b'{"event":"generation.complete"}'


async def test_a_url_that_fails_the_send_time_check_is_a_failed_attempt(sender: WebhookSender) -> None:
    result = await sender.attempt(attempt_at("http://169.254.169.254/latest/meta-data/"))
    assert (result.http_status, result.delivered) == (None, False)
    assert result.error == "url is not allowed: 169.254.169.254 is a cloud metadata address"


async def test_an_endpoint_that_does_not_listen_is_a_failed_attempt(sender: WebhookSender) -> None:
    result = await sender.attempt(attempt_at(f"http://127.0.0.1:{free_port()}/hook"))
    assert result.http_status is None
    assert result.error is not None and result.error.startswith("could not reach the endpoint")


async def test_the_webhook_carries_its_jobs_trace(sender: WebhookSender) -> None:
    trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    due = DueAttempt("msg_trace", 1, uuid4(), "", SECRET, "{}", trace)
    async with Receiver() as receiver:
        result = await sender.attempt(replace(due, url=f"http://127.0.0.1:{receiver.port}/hook"))
    assert result.http_status == 200
    assert receiver.received[0].headers["traceparent"] == trace
