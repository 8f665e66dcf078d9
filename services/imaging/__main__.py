from libs.common.service import run
from services.imaging.app import create_app
from services.imaging.settings import ImagingSettings

run(create_app, ImagingSettings())
