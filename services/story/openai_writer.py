"""Storyboards written by an OpenAI chat model (or any OpenAI-compatible server) as structured output.

A model can answer with JSON that does not fit the schema (a local server may ignore it, an
answer may be cut off); such an answer is asked for again a couple of times here, since
another try of the same request usually fits. Errors of the API itself are left to the
runtime, which retries them with backoff.
"""

import logging
from dataclasses import dataclass
from uuid import UUID

from openai import AsyncOpenAI
from openai.types.chat import ChatCompletionMessageParam
from pydantic import ValidationError

from libs.common.errors import ProviderError
from libs.common.events import JobInput, RenderOptions, Storyboard
from libs.common.provider_errors import openai_errors
from services.story.direction import direct
from services.story.draft import StoryDraft, response_format, storyboard_from_draft
from services.story.offline_writer import storyboard_from_script
from services.story.story_prompt import story_messages

log = logging.getLogger(__name__)

INVALID_OUTPUT_RETRIES = 2


class InvalidOutput(Exception):
    """The model answered, but not with a usable storyboard."""


@dataclass(frozen=True)
class OpenAIWriter:
    client: AsyncOpenAI
    model: str

    async def write(self, source: JobInput, options: RenderOptions, job_id: UUID) -> Storyboard:
        """A told story from the model; a script keeps the user's words verbatim and never goes to the model."""
        direction = direct(source, options)
        if source.script is not None:
            return storyboard_from_script(source.script, options.art_style, direction)
        messages = story_messages(source, options)
        tries, problem = 1 + INVALID_OUTPUT_RETRIES, ""
        for attempt in range(1, tries + 1):
            try:
                draft = StoryDraft.model_validate_json(await self.answer(messages))
            except (InvalidOutput, ValidationError) as error:
                problem = _problem(error)
                log.warning("%s gave an unusable storyboard (try %d of %d): %s", self.model, attempt, tries, problem)
                continue
            return storyboard_from_draft(draft, options.art_style, direction)
        raise ProviderError(
            f"OpenAI model {self.model} answered {tries} times without a valid storyboard (last: {problem}); "
            "try again, or choose another REELFORGE_STORY_MODEL",
            retryable=False,
        )

    async def answer(self, messages: list[ChatCompletionMessageParam]) -> str:
        """The model's JSON text. Raises `InvalidOutput` for an answer worth asking again."""
        with openai_errors():
            completion = await self.client.chat.completions.create(
                model=self.model, messages=messages, response_format=response_format()
            )
        if not completion.choices:
            raise InvalidOutput("the answer had no choices")
        choice = completion.choices[0]
        if choice.message.refusal:
            raise ProviderError(f"OpenAI declined to write this story: {choice.message.refusal}", retryable=False)
        if choice.finish_reason == "content_filter":
            raise ProviderError("OpenAI's content filter stopped this story; change the request", retryable=False)
        if choice.finish_reason == "length":
            raise InvalidOutput("the answer was cut off at the model's length limit")
        if not choice.message.content:
            raise InvalidOutput("the answer was empty")
        return choice.message.content


def _problem(error: InvalidOutput | ValidationError) -> str:
    if isinstance(error, InvalidOutput):
        return str(error)
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "the answer"
    more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return f"{where}: {first['msg']}{more}"
