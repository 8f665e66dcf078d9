"""Moderation by OpenAI's moderation endpoint (`POST {base_url}/moderations`)."""

from dataclasses import dataclass

from openai import AsyncOpenAI

from libs.common.errors import ProviderError
from libs.common.events import Moderation
from libs.common.provider_errors import openai_errors

PROVIDER = "openai"


@dataclass(frozen=True)
class OpenAIModerator:
    """OpenAI's verdict: rejected when it flags the text; the score is its highest category score."""

    client: AsyncOpenAI
    model: str

    async def moderate(self, text: str) -> Moderation:
        with openai_errors():
            answer = await self.client.moderations.create(model=self.model, input=text)
        if not answer.results:
            raise ProviderError("OpenAI moderation answered without a verdict; trying again", retryable=True)
        result = answer.results[0]
        scores: dict[str, float] = result.category_scores.model_dump(by_alias=True)
        flagged = [name for name, on in result.categories.model_dump(by_alias=True).items() if on]
        return Moderation(
            status="rejected" if result.flagged else "approved",
            score=min(max(scores.values(), default=0.0), 1.0),
            categories=sorted(flagged, key=lambda name: scores.get(name, 0.0), reverse=True),
            provider=PROVIDER,
        )
