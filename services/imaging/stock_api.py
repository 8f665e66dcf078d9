"""The stock libraries' search APIs: Pexels and Pixabay, answered as `Candidate`s, and the chosen file downloaded.

Pexels: `GET {base}/v1/search` (photos) and `GET {base}/videos/search` (videos), the key in the
`Authorization` header. Pixabay: `GET {base}/` (photos) and `GET {base}/videos/` (videos), the key
as the `key` parameter. Each result becomes a `Candidate` carrying the words that describe it
(Pexels: a photo's `alt` and the page URL's slug, which is all a video has; Pixabay: `tags` and
the slug), the one file of it that best fits the frame, and the credit its licence asks for.

File URLs come from the library's answer, so each goes through the SSRF guard before it is
fetched (redirects too, each hop checked): public addresses, or the configured API's own host (a
self-hosted mirror or a test server).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import httpx

from libs.common.errors import ProviderError
from libs.common.provider_errors import http_failure, timed_out, unreachable
from libs.common.ssrf import Allowlist, UnsafeUrl, check_url
from services.imaging.pictures import PictureKind

Library = Literal["pexels", "pixabay"]
NAMES: dict[Library, str] = {"pexels": "Pexels", "pixabay": "Pixabay"}
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_REDIRECTS = 3
PEXELS_LARGE2X = (1880, 1300)
"""Pexels' `large2x` rendition fits within 940 x 650 at twice the pixel density."""
PIXABAY_WEBFORMAT, PIXABAY_LARGE = 640, 1280
"""Pixabay's `webformatURL` and `largeImageURL` have at most this long a side."""


@dataclass(frozen=True)
class Frame:
    """The video's size: what a stock file must cover."""

    width: int
    height: int

    def upscale(self, width: int, height: int) -> float:
        """How much a file of `width` x `height` must be enlarged to cover the frame (1 or less: it is sharp)."""
        return max(self.width / max(width, 1), self.height / max(height, 1))

    @property
    def shape(self) -> Literal["portrait", "landscape", "square"]:
        if self.width == self.height:
            return "square"
        return "landscape" if self.width > self.height else "portrait"


@dataclass(frozen=True)
class Candidate:
    """One search result: a photo or a video, the file of it that would be downloaded, and who made it."""

    library: Library
    id: str
    """Unique across libraries and kinds: `pexels:photo:2014422`, `pixabay:video:125`."""
    kind: PictureKind
    description: str
    """The words the library describes it with (alt text, tags, the page URL's slug)."""
    file_url: str
    width: int
    height: int
    """Of the file that would be downloaded."""
    duration_s: float
    page_url: str
    author: str
    rank: int
    """Its place in the library's answer, 0 first: the library's own idea of relevance."""

    @property
    def credit(self) -> str:
        noun = "Video" if self.kind == "clip" else "Photo"
        by = f" by {self.author}" if self.author else ""
        return f"{noun}{by} on {NAMES[self.library]}: {self.page_url}"


def best_file(files: Iterable[tuple[str, int, int]], frame: Frame) -> tuple[str, int, int] | None:
    """The smallest file that covers the frame without enlarging it; failing that, the largest there is."""
    usable = [file for file in files if file[0] and file[1] > 0 and file[2] > 0]
    if not usable:
        return None
    sharp = [file for file in usable if frame.upscale(file[1], file[2]) <= 1]
    if sharp:
        return min(sharp, key=lambda file: file[1] * file[2])
    return max(usable, key=lambda file: file[1] * file[2])


def slug_words(page_url: str) -> str:
    """`https://www.pexels.com/photo/brown-rocks-during-golden-hour-2014422/` → `brown rocks during golden hour`."""
    last = urlsplit(page_url).path.rstrip("/").rsplit("/", 1)[-1]
    return " ".join(word for word in last.split("-") if word and not word.isdigit() and word != "id")


def _within(width: int, height: int, box: tuple[int, int]) -> tuple[int, int]:
    scale = min(1.0, box[0] / max(width, 1), box[1] / max(height, 1))
    return round(width * scale), round(height * scale)


def _number(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class StockClient:
    """What both libraries share: a GET with the errors mapped, and downloads through the SSRF guard."""

    library: Library
    key_setting: str
    base_url_setting: str

    def __init__(self, base_url: str, timeout_s: float, headers: Mapping[str, str] | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.api = httpx.AsyncClient(
            headers={"user-agent": "Reelforge", **(headers or {})},
            timeout=timeout_s,
            follow_redirects=False,
            trust_env=False,
        )
        self.downloads = httpx.AsyncClient(
            follow_redirects=False, trust_env=False, limits=httpx.Limits(max_keepalive_connections=0)
        )
        self.allowed = Allowlist.parse([urlsplit(self.base_url).hostname or ""])

    @property
    def name(self) -> str:
        return NAMES[self.library]

    async def close(self) -> None:
        await self.api.aclose()
        await self.downloads.aclose()

    async def search(self, kind: PictureKind, query: str, frame: Frame, per_page: int) -> list[Candidate]:
        """Photos (`image`) or videos (`clip`) matching `query`, best first as the library ranks them."""
        raise NotImplementedError

    async def _get(self, path: str, params: Mapping[str, str | int]) -> dict[str, Any]:
        try:
            response = await self.api.get(f"{self.base_url}{path}", params=dict(params))
        except httpx.TimeoutException:
            raise timed_out(self.name) from None
        except httpx.HTTPError:
            raise unreachable(self.name, self.base_url) from None
        if response.status_code >= 400:
            raise self._failure(response)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ProviderError(f"{self.name} sent a search answer that is not JSON; trying again", retryable=True)
        return body

    def _failure(self, response: httpx.Response) -> ProviderError:
        said = response.text[:200].strip()
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            said = str(body.get("error") or body.get("code") or body.get("message") or said)
        return http_failure(
            self.name,
            self.key_setting,
            response.status_code,
            said or response.reason_phrase,
            response.headers,
            base_url_setting=self.base_url_setting,
        )

    async def download(self, url: str) -> bytes:
        """Fetch a file a search answered with, at most MAX_FILE_BYTES, following a few checked redirects."""
        for _ in range(MAX_REDIRECTS + 1):
            try:
                target = await check_url(url, self.allowed)
            except UnsafeUrl as error:
                reason = f"{self.name} answered with a file URL that is not allowed: {error.reason}"
                raise ProviderError(reason, retryable=False) from None
            extensions = {"sni_hostname": target.hostname} if target.scheme == "https" else {}
            try:
                async with self.downloads.stream(
                    "GET", target.target, headers={"host": target.host_header}, extensions=extensions,
                    timeout=self.timeout_s,
                ) as response:  # fmt: skip
                    if response.is_redirect and "location" in response.headers:
                        url = urljoin(url, response.headers["location"])
                        continue
                    if response.status_code != 200:
                        raise ProviderError(
                            f"a {self.name} file could not be downloaded (HTTP {response.status_code})",
                            retryable=response.status_code >= 500 or response.status_code == 429,
                        )
                    chunks, size = [], 0
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > MAX_FILE_BYTES:
                            raise ProviderError(f"a {self.name} file is larger than 200 MB", retryable=False)
                        chunks.append(chunk)
                    return b"".join(chunks)
            except httpx.TimeoutException:
                raise timed_out(self.name) from None
            except httpx.HTTPError:
                raise unreachable(self.name, f"{target.scheme}://{target.host_header}") from None
        raise ProviderError(f"a {self.name} file redirected more than {MAX_REDIRECTS} times", retryable=False)


class PexelsClient(StockClient):
    """Pexels API v1: https://www.pexels.com/api/documentation/."""

    library: Library = "pexels"
    key_setting = "PEXELS_API_KEY"
    base_url_setting = "PEXELS_BASE_URL"

    def __init__(self, key: str, base_url: str, timeout_s: float) -> None:
        super().__init__(base_url, timeout_s, {"authorization": key})

    async def search(self, kind: PictureKind, query: str, frame: Frame, per_page: int) -> list[Candidate]:
        params: dict[str, str | int] = {
            "query": query,
            "orientation": frame.shape,
            "size": _pexels_size(kind, frame),
            "per_page": per_page,
            "page": 1,
        }
        if kind == "image":
            body = await self._get("/v1/search", params)
            return [c for rank, photo in enumerate(_items(body, "photos")) if (c := _pexels_photo(photo, rank, frame))]
        body = await self._get("/videos/search", params)
        return [c for rank, video in enumerate(_items(body, "videos")) if (c := _pexels_video(video, rank, frame))]


def _pexels_size(kind: PictureKind, frame: Frame) -> str:
    """The smallest of Pexels' minimum sizes that still covers the frame: photos by megapixels, videos by HD class."""
    if kind == "image":
        pixels = frame.width * frame.height
        return "small" if pixels <= 4_000_000 else "medium" if pixels <= 12_000_000 else "large"
    long_side, short_side = max(frame.width, frame.height), min(frame.width, frame.height)
    if long_side <= 1280 and short_side <= 720:
        return "small"
    return "medium" if long_side <= 1920 and short_side <= 1080 else "large"


def _pexels_photo(photo: dict[str, Any], rank: int, frame: Frame) -> Candidate | None:
    src = _dict(photo.get("src"))
    width, height = _number(photo.get("width")), _number(photo.get("height"))
    large = _within(width, height, PEXELS_LARGE2X)
    chosen = best_file(
        [(str(src.get("large2x") or ""), *large), (str(src.get("original") or ""), width, height)], frame
    )
    if chosen is None or photo.get("id") is None:
        return None
    page = str(photo.get("url") or "")
    return Candidate(
        library="pexels",
        id=f"pexels:photo:{photo['id']}",
        kind="image",
        description=f"{photo.get('alt') or ''} {slug_words(page)}",
        file_url=chosen[0],
        width=chosen[1],
        height=chosen[2],
        duration_s=0.0,
        page_url=page,
        author=str(photo.get("photographer") or ""),
        rank=rank,
    )


def _pexels_video(video: dict[str, Any], rank: int, frame: Frame) -> Candidate | None:
    files = [
        (str(file.get("link") or ""), _number(file.get("width")), _number(file.get("height")))
        for file in video.get("video_files") or []
        if isinstance(file, dict) and file.get("file_type") == "video/mp4"
    ]
    chosen = best_file(files, frame)
    if chosen is None or video.get("id") is None:
        return None
    page = str(video.get("url") or "")
    user = _dict(video.get("user"))
    return Candidate(
        library="pexels",
        id=f"pexels:video:{video['id']}",
        kind="clip",
        description=slug_words(page),
        file_url=chosen[0],
        width=chosen[1],
        height=chosen[2],
        duration_s=float(_number(video.get("duration"))),
        page_url=page,
        author=str(user.get("name") or ""),
        rank=rank,
    )


class PixabayClient(StockClient):
    """Pixabay API: https://pixabay.com/api/docs/. It answers a wrong key with a 400 that says so."""

    library: Library = "pixabay"
    key_setting = "PIXABAY_API_KEY"
    base_url_setting = "PIXABAY_BASE_URL"

    def __init__(self, key: str, base_url: str, timeout_s: float) -> None:
        super().__init__(base_url, timeout_s)
        self.key = key

    async def search(self, kind: PictureKind, query: str, frame: Frame, per_page: int) -> list[Candidate]:
        params: dict[str, str | int] = {"key": self.key, "q": query[:100], "per_page": per_page, "safesearch": "true"}
        if kind == "image":
            params |= {"image_type": "photo", "orientation": _pixabay_orientation(frame)}
            body = await self._get("/", params)
            return [c for rank, hit in enumerate(_items(body, "hits")) if (c := _pixabay_photo(hit, rank, frame))]
        params["video_type"] = "film"
        body = await self._get("/videos/", params)
        return [c for rank, hit in enumerate(_items(body, "hits")) if (c := _pixabay_video(hit, rank, frame))]

    def _failure(self, response: httpx.Response) -> ProviderError:
        if response.status_code == 400 and "key" in response.text.lower():
            return ProviderError(f"Pixabay rejected the API key (check {self.key_setting})", retryable=False)
        return super()._failure(response)


def _pixabay_orientation(frame: Frame) -> str:
    return {"portrait": "vertical", "landscape": "horizontal", "square": "all"}[frame.shape]


def _pixabay_photo(hit: dict[str, Any], rank: int, frame: Frame) -> Candidate | None:
    width, height = _number(hit.get("imageWidth")), _number(hit.get("imageHeight"))
    web = (_number(hit.get("webformatWidth")), _number(hit.get("webformatHeight")))
    if not all(web):
        web = _within(width, height, (PIXABAY_WEBFORMAT, PIXABAY_WEBFORMAT))
    large = _within(width, height, (PIXABAY_LARGE, PIXABAY_LARGE))
    chosen = best_file(
        [(str(hit.get("webformatURL") or ""), *web), (str(hit.get("largeImageURL") or ""), *large)], frame
    )
    if chosen is None or hit.get("id") is None:
        return None
    page = str(hit.get("pageURL") or "")
    return Candidate(
        library="pixabay",
        id=f"pixabay:photo:{hit['id']}",
        kind="image",
        description=f"{hit.get('tags') or ''} {slug_words(page)}",
        file_url=chosen[0],
        width=chosen[1],
        height=chosen[2],
        duration_s=0.0,
        page_url=page,
        author=str(hit.get("user") or ""),
        rank=rank,
    )


def _pixabay_video(hit: dict[str, Any], rank: int, frame: Frame) -> Candidate | None:
    files = [
        (str(file.get("url") or ""), _number(file.get("width")), _number(file.get("height")))
        for file in _dict(hit.get("videos")).values()
        if isinstance(file, dict)
    ]
    chosen = best_file(files, frame)
    if chosen is None or hit.get("id") is None:
        return None
    page = str(hit.get("pageURL") or "")
    return Candidate(
        library="pixabay",
        id=f"pixabay:video:{hit['id']}",
        kind="clip",
        description=f"{hit.get('tags') or ''} {slug_words(page)}",
        file_url=chosen[0],
        width=chosen[1],
        height=chosen[2],
        duration_s=float(_number(hit.get("duration"))),
        page_url=page,
        author=str(hit.get("user") or ""),
        rank=rank,
    )


def _items(body: dict[str, Any], field: str) -> list[dict[str, Any]]:
    items = body.get(field)
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []
