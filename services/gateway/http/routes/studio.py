"""The web studio: static files at `/` and `/studio`, a page that talks to the public API under /api/v1 only.

No build step and nothing fetched from elsewhere: `services/gateway/studio/` holds the page, its ES modules
and its CSS as they are served. Every answer carries a Content-Security-Policy that allows only this origin
(plus `blob:`/`data:` for pictures the page fetched with the user's token, and the S3 endpoint for media when
signed URLs point there). None of these routes is in the OpenAPI schema.
"""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse, RedirectResponse, Response

from libs.common.errors import NotFound
from services.gateway.http.deps import SettingsDep
from services.gateway.settings import GatewaySettings

router = APIRouter(include_in_schema=False)

STUDIO = Path(__file__).resolve().parents[2] / "studio"
ASSETS = STUDIO / "assets"
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".txt": "text/plain; charset=utf-8",
}
"""What each asset is served as; anything else under assets/ is not served (no guessing from the system)."""


def content_security_policy(settings: GatewaySettings) -> str:
    """Only this origin; pictures the page fetched itself are `blob:`; signed media URLs may point at S3."""
    media = "'self' blob:"
    if settings.s3_endpoint:
        media += f" {'https' if settings.s3_secure else 'http'}://{settings.s3_endpoint}"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' blob: data:",
            f"media-src {media}",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def security_headers(settings: SettingsDep) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(settings),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cache-Control": "no-cache",
    }


Headers = Annotated[dict[str, str], Depends(security_headers)]


@router.api_route("/", methods=["GET", "HEAD"])
@router.api_route("/studio", methods=["GET", "HEAD"])
async def studio_page(headers: Headers) -> Response:
    """The studio's one page; its views live behind `#/...` so any link to it serves this file."""
    return FileResponse(STUDIO / "index.html", media_type=MEDIA_TYPES[".html"], headers=headers)


@router.get("/studio/")
async def studio_slash() -> Response:
    return RedirectResponse("/studio", status_code=308)


@router.api_route("/studio/assets/{name:path}", methods=["GET", "HEAD"])
async def studio_asset(name: str, headers: Headers) -> Response:
    """A file under studio/assets, by one of the known suffixes; nothing outside that folder."""
    path = (ASSETS / name).resolve()
    if not path.is_relative_to(ASSETS) or not path.is_file() or path.suffix not in MEDIA_TYPES:
        raise NotFound(f"No studio file {name}")
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix], headers=headers)
