"""Signatures verify with the Standard Webhooks reference library, and change with what they cover."""

import base64
import json
import time

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from services.notifier.signing import signature, signed_headers

SECRET = "whsec_" + base64.b64encode(bytes(range(24))).decode()
BODY = json.dumps({"event": "generation.complete", "data": {"jobId": "j"}})


def test_signed_headers_verify_with_the_reference_library() -> None:
    headers = signed_headers(SECRET, "msg_1", int(time.time()), BODY)
    assert Webhook(SECRET).verify(BODY, headers) == json.loads(BODY)
    assert headers["webhook-signature"].startswith("v1,")
    assert SECRET not in json.dumps(headers) and SECRET.removeprefix("whsec_") not in json.dumps(headers)


@pytest.mark.parametrize(
    "tampered", [{"webhook-id": "msg_2"}, {"webhook-timestamp": "0"}, {"webhook-signature": "v1,AAAA"}]
)
def test_a_changed_id_timestamp_or_signature_fails_verification(tampered: dict[str, str]) -> None:
    headers = {**signed_headers(SECRET, "msg_1", int(time.time()), BODY), **tampered}
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(BODY, headers)


def test_the_signature_covers_the_body_and_the_timestamp() -> None:
    now = int(time.time())
    assert signature(SECRET, "msg_1", now, BODY) != signature(SECRET, "msg_1", now, BODY + " ")
    assert signature(SECRET, "msg_1", now, BODY) != signature(SECRET, "msg_1", now + 1, BODY)
