"""Moderation of a request: which of its text is judged, and the interface every moderator offers.

Only what the user wrote is judged (a custom topic's text, a prompt or a script); a topic picked
from the fixed list is approved without asking anyone, since its material is our own.
"""

from typing import Protocol

from libs.common.events import JobInput, Moderation

TOPIC_LIST = "topic-list"
"""The `provider` of a verdict given without a moderator: a topic from the fixed list."""


class Moderator(Protocol):
    """Judges a user's text. Raises `ProviderError` when it cannot give a verdict."""

    async def moderate(self, text: str) -> Moderation: ...


def moderated_text(source: JobInput) -> str | None:
    """The user's own words in a request, or None when there are none."""
    for text in (source.script, source.prompt, source.topic_text):
        if text is not None and text.strip():
            return text
    return None


async def moderate_request(source: JobInput, moderator: Moderator) -> Moderation:
    text = moderated_text(source)
    if text is None:
        return Moderation(status="approved", score=0.0, provider=TOPIC_LIST)
    return await moderator.moderate(text)


def rejection_reason(verdict: Moderation) -> str:
    """What a user reads when moderation rejected the request."""
    reason = "The request was rejected by moderation"
    return f"{reason}: {', '.join(verdict.categories)}" if verdict.categories else reason
