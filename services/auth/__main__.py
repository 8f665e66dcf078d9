from libs.common.service import run
from services.auth.app import create_app
from services.auth.settings import AuthSettings

run(create_app, AuthSettings())
