"""A local server that answers like the Pexels and Pixabay APIs, for testing stock media over real HTTP.

It speaks the real shapes. Pexels (base URL: the server's root): `GET /v1/search` answers
`{"page", "per_page", "total_results", "photos": [{id, width, height, url, photographer,
photographer_url, photographer_id, avg_color, src: {original, large2x, large, medium, small,
portrait, landscape, tiny}, liked, alt}]}` and `GET /videos/search` answers `{"page", "per_page",
"total_results", "url", "videos": [{id, width, height, url, image, duration, user: {id, name, url},
video_files: [{id, quality, file_type, width, height, fps, link}], video_pictures: [...]}]}`,
the key in `Authorization`. Pixabay (base URL: `<root>/pixabay/api`): `GET /` and `GET /videos/`
with `key`, `q`… answer `{"total", "totalHits", "hits": [...]}`: photos with id, pageURL, type,
tags, previewURL, webformatURL (+ size), largeImageURL, imageWidth, imageHeight, user; videos with
id, pageURL, type, tags, duration, videos: {large, medium, small, tiny: {url, width, height,
size, thumbnail}}, user. A wrong key is Pexels' 401 and Pixabay's 400 `[ERROR 400] Invalid or
missing API key`.

What a search finds: by default every query gets its own few photos and videos whose descriptions
repeat the query (as a real library's best results do), with ids stable per query; a test may set
`catalogue` to search a fixed list instead (its order is the library's ranking), make searches
come back `empty`, or queue failures (`fail`): 429 with `Retry-After`, 401, 500. The files are
real: JPEGs drawn with Pillow and H.264 MP4s made with ffmpeg, at the sizes the answers state.
"""

import hashlib
import io
import re
import subprocess
import tempfile
import threading
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from PIL import Image, ImageDraw

from tests.servers import ServedApp

Library = Literal["pexels", "pixabay"]
Kind = Literal["photo", "video"]
PEXELS_KEY = "pexels-test-key-0123456789"
PIXABAY_KEY = "12345678-pixabaytestkey0123"


@dataclass(frozen=True)
class Item:
    """One photo or video in a library: what describes it (Pexels' alt text or slug, Pixabay's tags)."""

    library: Library
    kind: Kind
    id: int
    description: str
    width: int = 540
    height: int = 960
    duration: int = 8
    author: str = "Jane Doe"

    def slug(self) -> str:
        return "-".join(re.findall(r"[a-z0-9]+", self.description.lower())) + f"-{self.id}"


@dataclass(frozen=True)
class Failure:
    status: int
    retry_after_s: float | None = None


@dataclass(frozen=True)
class Recorded:
    library: Library
    kind: Kind
    params: dict[str, str]
    headers: dict[str, str]
    status: int


def _words(text: str) -> set[str]:
    return {word.rstrip("s") for word in re.findall(r"[a-z]+", text.lower())}


@dataclass
class FakeStockMedia:
    base_url: str = ""
    catalogue: list[Item] | None = None
    """None: every query finds its own `per_query` photos and videos, described by the query."""
    per_query: int = 3
    empty: bool = False
    _failures: dict[Library, deque[Failure]] = field(default_factory=dict)
    _recorded: list[Recorded] = field(default_factory=list)
    _files: dict[tuple[str, int, int, int], bytes] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def pexels_url(self) -> str:
        return self.base_url

    @property
    def pixabay_url(self) -> str:
        return f"{self.base_url}/pixabay/api"

    def reset(self) -> None:
        with self._lock:
            self.catalogue, self.per_query, self.empty = None, 3, False
            self._failures.clear()
            self._recorded.clear()

    def fail(self, library: Library, status: int, times: int = 1, retry_after_s: float | None = None) -> None:
        """The next `times` searches of `library` answer `status` (429 with `Retry-After` when given)."""
        with self._lock:
            self._failures.setdefault(library, deque()).extend([Failure(status, retry_after_s)] * times)

    def searches(self, library: Library | None = None) -> list[Recorded]:
        with self._lock:
            return [record for record in self._recorded if library is None or record.library == library]

    def record(self, record: Recorded) -> None:
        with self._lock:
            self._recorded.append(record)

    def failure(self, library: Library) -> Failure | None:
        with self._lock:
            queued = self._failures.get(library)
            return queued.popleft() if queued else None

    def find(self, library: Library, kind: Kind, query: str, orientation: str | None, per_page: int) -> list[Item]:
        if self.empty:
            return []
        wanted = _words(query)
        if self.catalogue is None:
            seed = int(hashlib.sha256(f"{library}:{kind}:{query}".encode()).hexdigest()[:6], 16)
            size = (960, 540) if orientation in ("landscape", "horizontal") else (540, 960)
            found = [
                Item(library, kind, seed * 10 + n, f"{query} {['close up', 'wide', 'at dusk', 'aerial'][n % 4]}", *size)
                for n in range(self.per_query)
            ]
        else:
            found = [
                item
                for item in self.catalogue
                if item.library == library and item.kind == kind and wanted & _words(item.description)
            ]
        if orientation in ("portrait", "vertical"):
            found = [item for item in found if item.height > item.width]
        elif orientation in ("landscape", "horizontal"):
            found = [item for item in found if item.width > item.height]
        return found[:per_page]

    def jpeg(self, seed: str, width: int, height: int) -> bytes:
        key = ("jpeg:" + seed, width, height, 0)
        with self._lock:
            if key not in self._files:
                digest = hashlib.sha256(seed.encode()).digest()
                image = Image.new("RGB", (width, height), tuple(digest[:3]))
                draw = ImageDraw.Draw(image)
                draw.ellipse((width // 4, height // 4, 3 * width // 4, 3 * height // 4), fill=tuple(digest[3:6]))
                buffer = io.BytesIO()
                image.save(buffer, "JPEG", quality=85)
                self._files[key] = buffer.getvalue()
            return self._files[key]

    def mp4(self, width: int, height: int, duration: int) -> bytes:
        """A real H.264 clip of the stated size and length (10 fps, so it is quick to make and to read)."""
        key = ("mp4", width, height, duration)
        with self._lock:
            if key not in self._files:
                with tempfile.TemporaryDirectory() as folder:
                    path = Path(folder) / "clip.mp4"
                    subprocess.run(
                        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate=10",
                         "-t", str(duration), "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast",
                         str(path)],
                        check=True,
                    )  # fmt: skip
                    self._files[key] = path.read_bytes()
            return self._files[key]


def _pexels_photo(fake: FakeStockMedia, item: Item) -> dict[str, Any]:
    media = f"{fake.base_url}/media/pexels/photos/{item.id}"
    scale = min(1.0, 1880 / item.width, 1300 / item.height)
    large2x = f"{media}/{round(item.width * scale)}x{round(item.height * scale)}.jpeg"
    return {
        "id": item.id,
        "width": item.width,
        "height": item.height,
        "url": f"https://www.pexels.com/photo/{item.slug()}/",
        "photographer": item.author,
        "photographer_url": f"https://www.pexels.com/@{item.author.lower().replace(' ', '-')}",
        "photographer_id": 1001,
        "avg_color": "#7E7E7E",
        "src": {
            "original": f"{media}/{item.width}x{item.height}.jpeg",
            "large2x": large2x,
            "large": f"{media}/{round(item.width * scale / 2)}x{round(item.height * scale / 2)}.jpeg",
            "medium": f"{media}/{round(item.width * 350 / item.height)}x350.jpeg",
            "small": f"{media}/{round(item.width * 130 / item.height)}x130.jpeg",
            "portrait": f"{media}/800x1200.jpeg",
            "landscape": f"{media}/1200x627.jpeg",
            "tiny": f"{media}/280x200.jpeg",
        },
        "liked": False,
        "alt": item.description,
    }


def _pexels_video(fake: FakeStockMedia, item: Item) -> dict[str, Any]:
    media = f"{fake.base_url}/media/pexels/videos/{item.id}"
    small = (item.width // 2, item.height // 2)

    def video_file(file_id: int, quality: str, width: int, height: int) -> dict[str, Any]:
        link = f"{media}/{width}x{height}-{item.duration}.mp4"
        return {"id": file_id, "quality": quality, "file_type": "video/mp4", "width": width, "height": height,
                "fps": 10, "link": link}  # fmt: skip

    return {
        "id": item.id,
        "width": item.width,
        "height": item.height,
        "url": f"https://www.pexels.com/video/{item.slug()}/",
        "image": f"{fake.base_url}/media/pexels/photos/{item.id}/{item.width}x{item.height}.jpeg",
        "duration": item.duration,
        "full_res": None,
        "tags": [],
        "user": {"id": 2002, "name": item.author, "url": f"https://www.pexels.com/@{item.author.lower()}"},
        "video_files": [
            video_file(item.id * 10 + 1, "hd", item.width, item.height),
            video_file(item.id * 10 + 2, "sd", *small),
            {
                "id": item.id * 10 + 3,
                "quality": None,
                "file_type": "video/hls",
                "width": None,
                "height": None,
                "fps": None,
                "link": f"{media}/playlist.m3u8",
            },
        ],
        "video_pictures": [
            {"id": item.id * 10 + n, "nr": n, "picture": f"{fake.base_url}/media/pexels/photos/{item.id}/100x100.jpeg"}
            for n in range(3)
        ],
    }


def _pixabay_photo(fake: FakeStockMedia, item: Item) -> dict[str, Any]:
    media = f"{fake.base_url}/media/pixabay/photos/{item.id}"
    web = min(1.0, 640 / max(item.width, item.height))
    large = min(1.0, 1280 / max(item.width, item.height))
    web_size = (round(item.width * web), round(item.height * web))
    large_size = (round(item.width * large), round(item.height * large))
    return {
        "id": item.id,
        "pageURL": f"https://pixabay.com/photos/{item.slug()}/",
        "type": "photo",
        "tags": ", ".join(item.description.split()),
        "previewURL": f"{media}/150x150.jpeg",
        "previewWidth": 150,
        "previewHeight": 150,
        "webformatURL": f"{media}/{web_size[0]}x{web_size[1]}.jpeg",
        "webformatWidth": web_size[0],
        "webformatHeight": web_size[1],
        "largeImageURL": f"{media}/{large_size[0]}x{large_size[1]}.jpeg",
        "imageWidth": item.width,
        "imageHeight": item.height,
        "imageSize": 123456,
        "views": 1000,
        "downloads": 100,
        "likes": 10,
        "comments": 1,
        "user_id": 3003,
        "user": item.author,
        "userImageURL": "",
    }


def _pixabay_video(fake: FakeStockMedia, item: Item) -> dict[str, Any]:
    media = f"{fake.base_url}/media/pixabay/videos/{item.id}"

    def rendition(width: int, height: int) -> dict[str, Any]:
        thumbnail = f"{fake.base_url}/media/pixabay/photos/{item.id}/{width}x{height}.jpeg"
        return {"url": f"{media}/{width}x{height}-{item.duration}.mp4", "width": width, "height": height,
                "size": 100000, "thumbnail": thumbnail}  # fmt: skip

    return {
        "id": item.id,
        "pageURL": f"https://pixabay.com/videos/{item.slug()}/",
        "type": "film",
        "tags": ", ".join(item.description.split()),
        "duration": item.duration,
        "videos": {
            "large": {"url": "", "width": 0, "height": 0, "size": 0, "thumbnail": ""},  # no 4K rendition
            "medium": rendition(item.width, item.height),
            "small": rendition(item.width // 2, item.height // 2),
            "tiny": rendition(item.width // 4, item.height // 4),
        },
        "views": 1000,
        "downloads": 100,
        "likes": 10,
        "comments": 1,
        "user_id": 3003,
        "user": item.author,
        "userImageURL": "",
    }


def create_app(fake: FakeStockMedia) -> FastAPI:
    app = FastAPI()

    def search(request: Request, library: Library, kind: Kind) -> Response:
        params = dict(request.query_params)
        if library == "pexels":
            authorized = request.headers.get("authorization") == PEXELS_KEY
        else:
            authorized = params.get("key") == PIXABAY_KEY
        failure = fake.failure(library)
        status = failure.status if failure else 200 if authorized else 401
        fake.record(Recorded(library, kind, params, dict(request.headers), status))
        if status == 401:
            if library == "pixabay":
                return PlainTextResponse("[ERROR 400] Invalid or missing API key ([key] parameter).", 400)
            return JSONResponse({"status": 401, "code": "Unauthorized"}, 401)
        if status == 429:
            headers = {"retry-after": f"{failure.retry_after_s:g}"} if failure and failure.retry_after_s else {}
            if library == "pixabay":
                return PlainTextResponse("[ERROR 429] Too many requests.", 429, headers=headers)
            return JSONResponse({"status": 429, "code": "Too Many Requests"}, 429, headers=headers)
        if status != 200:
            return PlainTextResponse("Internal Server Error", status)
        query = params.get("query" if library == "pexels" else "q", "")
        per_page = int(params.get("per_page", "15" if library == "pexels" else "20"))
        if library == "pixabay" and not 3 <= per_page <= 200:
            return PlainTextResponse('[ERROR 400] "per_page" is out of valid range.', 400)
        found = fake.find(library, kind, query, params.get("orientation"), per_page)
        if library == "pexels":
            if kind == "photo":
                photos = [_pexels_photo(fake, item) for item in found]
                return JSONResponse({"page": 1, "per_page": per_page, "total_results": len(found), "photos": photos})
            videos = [_pexels_video(fake, item) for item in found]
            return JSONResponse(
                {"page": 1, "per_page": per_page, "total_results": len(found),
                 "url": f"https://www.pexels.com/search/videos/{query}/", "videos": videos}
            )  # fmt: skip
        hits = [(_pixabay_photo if kind == "photo" else _pixabay_video)(fake, item) for item in found]
        return JSONResponse({"total": len(hits), "totalHits": len(hits), "hits": hits})

    @app.get("/v1/search")
    async def pexels_photos(request: Request) -> Response:
        return search(request, "pexels", "photo")

    @app.get("/videos/search")
    async def pexels_videos(request: Request) -> Response:
        return search(request, "pexels", "video")

    @app.get("/pixabay/api/")
    async def pixabay_photos(request: Request) -> Response:
        return search(request, "pixabay", "photo")

    @app.get("/pixabay/api/videos/")
    async def pixabay_videos(request: Request) -> Response:
        return search(request, "pixabay", "video")

    @app.get("/media/{library}/photos/{item_id}/{size}.jpeg")
    async def photo(library: str, item_id: int, size: str) -> Response:
        width, height = map(int, size.split("x"))
        return Response(fake.jpeg(f"{library}:{item_id}", width, height), media_type="image/jpeg")

    @app.get("/media/{library}/videos/{item_id}/{name}.mp4")
    async def video(library: str, item_id: int, name: str) -> Response:
        size, _, duration = name.partition("-")
        width, height = map(int, size.split("x"))
        return Response(fake.mp4(width, height, int(duration)), media_type="video/mp4")

    return app


class FakeStockMediaServer(ServedApp):
    """Serves a `FakeStockMedia` on a free loopback port from a background thread."""

    def __init__(self, fake: FakeStockMedia) -> None:
        super().__init__(create_app(fake), "the fake stock media server")
        self.fake = fake

    def start(self) -> None:
        super().start()
        self.fake.base_url = self.url
