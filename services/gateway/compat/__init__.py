"""The seed contracts, each served under its own prefix as a thin adapter over the gateway's core."""

from collections.abc import Callable

from fastapi import FastAPI

from services.gateway.compat import platform, shorts, storyboard, studio, text2video

# prefix -> builder of the dialect's sub-application (given the gateway app, whose state it shares)
DIALECTS: dict[str, Callable[[FastAPI], FastAPI]] = {
    "/compat/studio/api/v1": studio.create_app,
    "/compat/platform/v1": platform.create_app,
    "/compat/shorts/v1": shorts.create_app,
    "/compat/text2video/api/v1": text2video.create_app,
    "/compat/storyboard": storyboard.create_app,
}
TABLES = [*studio.TABLES, *shorts.TABLES]


def mount_dialects(app: FastAPI) -> None:
    for prefix, build in DIALECTS.items():
        app.mount(prefix, build(app))
