from pydantic import Field

from libs.common.settings import WorkerSettings, env


class StorySettings(WorkerSettings):
    port: int = Field(8011, validation_alias=env("STORY_PORT"))
