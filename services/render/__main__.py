from libs.common.service import run
from services.render.app import create_app
from services.render.settings import RenderSettings

run(create_app, RenderSettings())
