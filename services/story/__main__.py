from libs.common.service import run
from services.story.app import create_app
from services.story.settings import StorySettings

run(create_app, StorySettings())
