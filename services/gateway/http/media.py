"""Serving stored files over HTTP with byte ranges, so players can seek and downloads can resume."""

import re

from fastapi import Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from libs.common.storage import ObjectStore

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive byte range asked for; None for the whole file; ValueError if unsatisfiable."""
    if not header:
        return None
    match = RANGE.match(header.strip())
    if match is None:
        return None  # multi-range or malformed: RFC 9110 lets us send the whole file
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":
        length = int(last)
        if length == 0:
            raise ValueError("empty suffix range")
        return max(size - length, 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        raise ValueError("range starts past the end")
    return start, end


async def serve_object(
    request: Request, store: ObjectStore, key: str, media_type: str, filename: str | None = None
) -> Response:
    size = await store.size(key)
    headers = {"Accept-Ranges": "bytes"}
    if filename:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    try:
        wanted = parse_range(request.headers.get("range"), size)
    except ValueError:
        unsatisfiable = f"Range not satisfiable: the file has {size} bytes"
        return JSONResponse(
            {"detail": unsatisfiable, "errors": [{"field": "range", "message": unsatisfiable}]},
            status_code=416,
            headers={"Content-Range": f"bytes */{size}"},
        )
    if wanted is None:
        headers["Content-Length"] = str(size)
        return StreamingResponse(store.stream(key, 0, size - 1), media_type=media_type, headers=headers)
    start, end = wanted
    headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    headers["Content-Length"] = str(end - start + 1)
    return StreamingResponse(store.stream(key, start, end), status_code=206, media_type=media_type, headers=headers)
