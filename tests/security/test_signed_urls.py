"""Signed download URLs: work without credentials until they expire; altered or expired ones get 403."""

import asyncio
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from libs.common.settings import StorageSettings
from libs.common.storage import S3Store, open_store
from tests.security.conftest import Platform
from tests.servers import MotoS3


async def test_a_signed_url_downloads_the_video_until_it_expires(platform: Platform) -> None:
    user = platform.account()
    with platform.client(**user.headers) as client:
        job_id = client.post("/jobs", json={"script": "Signed.", "resolution": "128x128"}).json()["id"]
        assert client.post(f"/jobs/{job_id}/signed-url").status_code == 409  # not finished yet
        video = await platform.complete(job_id)
        for _ in range(300):
            if client.get(f"/jobs/{job_id}").json()["status"] == "completed":
                break
            await asyncio.sleep(0.1)
        signed = client.post(f"/jobs/{job_id}/signed-url").json()
        short = client.post(f"/jobs/{job_id}/signed-url", json={"file": "srt", "expires_in": 1}).json()
        bad = client.post(f"/jobs/{job_id}/signed-url", json={"file": "audio"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "file"
    async with httpx.AsyncClient(timeout=60) as anyone:
        whole = await anyone.get(signed["url"])
        assert whole.status_code == 200 and whole.content == video
        assert whole.headers["content-type"] == "video/mp4"
        part = await anyone.get(signed["url"], headers={"Range": "bytes=0-99"})
        assert part.status_code == 206 and part.content == video[:100]

        parts = urlsplit(signed["url"])
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        later = urlencode({**query, "expires": int(query["expires"]) + 86400})
        other_file = signed["url"].replace("video.mp4", "captions.vtt")
        flipped = query["signature"][:-1] + ("0" if query["signature"][-1] != "0" else "1")
        for tampered in (
            f"{parts.scheme}://{parts.netloc}{parts.path}?{later}",
            other_file,
            signed["url"].replace(query["signature"], flipped),
            f"{parts.scheme}://{parts.netloc}{parts.path}",
        ):
            answer = await anyone.get(tampered)
            assert answer.status_code == 403, tampered

        await asyncio.sleep(2.1)
        expired = await anyone.get(short["url"])
    assert expired.status_code == 403 and "expired" in expired.json()["detail"]


async def test_s3_presigns_its_own_urls(moto_s3: MotoS3) -> None:
    settings = StorageSettings(
        s3_endpoint=moto_s3.endpoint,
        s3_access_key=moto_s3.access_key,
        s3_secret_key=moto_s3.secret_key,
        s3_bucket="reelforge-presign",
    )
    store = await open_store(settings)
    assert isinstance(store, S3Store)
    await store.put_bytes("jobs/x/output/video.mp4", b"not really a video", "video/mp4")
    url = await store.presigned_get("jobs/x/output/video.mp4", 60)
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=60" in url
    async with httpx.AsyncClient(timeout=30) as anyone:
        answer = await anyone.get(url)
    assert answer.status_code == 200 and answer.content == b"not really a video"
