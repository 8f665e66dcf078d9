"""Standard Webhooks signatures (https://www.standardwebhooks.com): what lets a receiver trust a request.

The signature is HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}`, keyed with the
base64-decoded part of the endpoint's `whsec_` secret, sent as `v1,<base64>`. A fresh timestamp
(and so a fresh signature) goes with every attempt; the id stays the same, so receivers dedupe.
"""

import base64
import hashlib
import hmac

SECRET_PREFIX = "whsec_"


def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{message_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return f"v1,{base64.b64encode(digest).decode()}"


def signed_headers(secret: str, message_id: str, timestamp: int, body: str) -> dict[str, str]:
    """The headers of one attempt; they carry the signature, never the secret."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
        "content-type": "application/json",
    }
