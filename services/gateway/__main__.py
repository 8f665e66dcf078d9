from libs.common.service import run
from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings

run(create_app, GatewaySettings())
