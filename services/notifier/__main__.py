from libs.common.service import run
from services.notifier.app import create_app
from services.notifier.settings import NotifierSettings

run(create_app, NotifierSettings())
