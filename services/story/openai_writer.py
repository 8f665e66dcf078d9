"""Storyboards written by an OpenAI chat model (or any OpenAI-compatible server) as structured output.

A model can answer with JSON that does not fit the schema (a local server may ignore it, an
answer may be cut off); such an answer is asked for again a couple of times here, since
another try of the same request usually fits. A model can also answer in another language than
the one asked for (small local models often fall back to English): the answer's language is
identified, the model is asked once more, and then the job fails with `story_language_mismatch`
rather than becoming a video in the wrong language. Errors of the API itself are left to the
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
from libs.common.vocabulary import Language
from services.story.direction import direct
from services.story.draft import StoryDraft, response_format, storyboard_from_draft
from services.story.language_check import identify, language_name, written_in
from services.story.offline_writer import storyboard_from_script
from services.story.story_prompt import story_messages

log = logging.getLogger(__name__)

INVALID_OUTPUT_RETRIES = 2
LANGUAGE_RETRIES = 1
LANGUAGE_MISMATCH = "story_language_mismatch"


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
            return storyboard_from_script(source.script, options, direction)
        messages = story_messages(source, options)
        found = ""
        for language_try in range(1, LANGUAGE_RETRIES + 2):
            draft = await self.draft(messages)
            spoken = "\n".join([draft.title, *(scene.narration for scene in draft.scenes)])
            if written_in(spoken, options.language):
                return storyboard_from_draft(draft, options, direction)
            found = language_name(identify(spoken).code)
            log.warning("%s wrote in %s, not %s (try %d)", self.model, found, options.language, language_try)
            messages = [*messages, _language_reminder(found, options.language)]
        raise ProviderError(
            f"OpenAI model {self.model} wrote the story in {found} instead of {options.language}, "
            f"{LANGUAGE_RETRIES + 1} times; choose a model that writes this language (REELFORGE_STORY_MODEL)",
            retryable=False,
            code=LANGUAGE_MISMATCH,
        )

    async def draft(self, messages: list[ChatCompletionMessageParam]) -> StoryDraft:
        """A valid draft, asked for again when the answer does not fit the schema."""
        tries, problem = 1 + INVALID_OUTPUT_RETRIES, ""
        for attempt in range(1, tries + 1):
            try:
                return StoryDraft.model_validate_json(await self.answer(messages))
            except (InvalidOutput, ValidationError) as error:
                problem = _problem(error)
                log.warning("%s gave an unusable storyboard (try %d of %d): %s", self.model, attempt, tries, problem)
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


def _language_reminder(found: str, wanted: Language) -> ChatCompletionMessageParam:
    return {
        "role": "user",
        "content": f"Your storyboard was written in {found}. Write it again, with the title, description, "
        f"narration and subtitles in {wanted.capitalize()} "
        "(image prompts, subjects and search queries stay in English).",
    }


def _problem(error: InvalidOutput | ValidationError) -> str:
    if isinstance(error, InvalidOutput):
        return str(error)
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "the answer"
    more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return f"{where}: {first['msg']}{more}"
