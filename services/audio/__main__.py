from libs.common.service import run
from services.audio.app import create_app
from services.audio.settings import AudioSettings

run(create_app, AudioSettings())
