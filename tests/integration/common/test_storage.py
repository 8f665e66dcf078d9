"""The object store against the local media folder and a real S3 server (moto, on loopback)."""

from pathlib import Path

import pytest

from libs.common.errors import NotFound
from libs.common.storage import ObjectStore

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB, larger than one streaming chunk


async def collect(store: ObjectStore, key: str, start: int, end: int) -> bytes:
    return b"".join([chunk async for chunk in store.stream(key, start, end)])


async def test_an_object_round_trips_with_its_size(object_store: ObjectStore, tmp_path: Path) -> None:
    source = tmp_path / "in.bin"
    source.write_bytes(PAYLOAD)
    await object_store.put_file("jobs/a/output/video.mp4", source, "video/mp4")
    assert await object_store.exists("jobs/a/output/video.mp4")
    assert await object_store.size("jobs/a/output/video.mp4") == len(PAYLOAD)
    target = tmp_path / "out.bin"
    await object_store.download("jobs/a/output/video.mp4", target)
    assert target.read_bytes() == PAYLOAD
    await object_store.put_bytes("jobs/a/storyboard.json", b'{"scenes": []}', "application/json")
    assert await object_store.get_bytes("jobs/a/storyboard.json") == b'{"scenes": []}'


async def test_byte_ranges_stream_exactly_the_asked_bytes(object_store: ObjectStore) -> None:
    await object_store.put_bytes("jobs/b/video.mp4", PAYLOAD, "video/mp4")
    assert await collect(object_store, "jobs/b/video.mp4", 0, 0) == PAYLOAD[:1]
    assert await collect(object_store, "jobs/b/video.mp4", 1000, 400_000) == PAYLOAD[1000:400_001]
    assert await collect(object_store, "jobs/b/video.mp4", 0, len(PAYLOAD) - 1) == PAYLOAD


async def test_writing_the_same_key_twice_leaves_one_object(object_store: ObjectStore) -> None:
    await object_store.put_bytes("jobs/c/images/scene-000-v1.png", b"first", "image/png")
    await object_store.put_bytes("jobs/c/images/scene-000-v1.png", b"second", "image/png")
    assert await object_store.get_bytes("jobs/c/images/scene-000-v1.png") == b"second"


async def test_deleting_a_job_prefix_removes_only_that_job(object_store: ObjectStore) -> None:
    for key in ("jobs/d/images/1.png", "jobs/d/output/video.mp4", "jobs/dd/output/video.mp4"):
        await object_store.put_bytes(key, b"x", "application/octet-stream")
    await object_store.delete_prefix("jobs/d/")
    assert not await object_store.exists("jobs/d/images/1.png")
    assert not await object_store.exists("jobs/d/output/video.mp4")
    assert await object_store.exists("jobs/dd/output/video.mp4")


async def test_a_missing_object_is_not_found(object_store: ObjectStore, tmp_path: Path) -> None:
    assert not await object_store.exists("jobs/none/video.mp4")
    with pytest.raises(NotFound):
        await object_store.size("jobs/none/video.mp4")
    with pytest.raises(NotFound):
        await object_store.get_bytes("jobs/none/video.mp4")
    with pytest.raises(NotFound):
        await object_store.download("jobs/none/video.mp4", tmp_path / "x")


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs/path", "jobs/../../x", ""])
async def test_keys_cannot_escape_the_store(object_store: ObjectStore, key: str) -> None:
    with pytest.raises(ValueError, match="invalid object key"):
        await object_store.put_bytes(key, b"x", "text/plain")


async def test_the_store_answers_its_readiness_check(object_store: ObjectStore) -> None:
    assert await object_store.ping()
