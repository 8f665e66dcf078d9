"""Command-line tools die with the service that started them; a restarted service sweeps dead work folders."""

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from libs.common.errors import ProviderError
from libs.common.tools import start_tool, sweep_orphaned_work_dirs, work_dir
from tests.servers import wait_until

STARTS_A_TOOL = """
import asyncio, sys
from libs.common.tools import start_tool

async def main():
    tool = await start_tool("sleep", "600")
    print(tool.pid, flush=True)
    await asyncio.sleep(600)

asyncio.run(main())
"""


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def test_a_tool_dies_when_its_service_is_killed() -> None:
    service = subprocess.Popen(
        [sys.executable, "-c", STARTS_A_TOOL], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[3]
    )
    assert service.stdout is not None
    tool_pid = int(service.stdout.readline())
    assert running(tool_pid)
    service.send_signal(signal.SIGKILL)
    service.wait()
    wait_until(lambda: not running(tool_pid), "the orphaned tool to die", timeout_s=10)


async def test_a_missing_tool_is_a_permanent_error_naming_its_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    with pytest.raises(ProviderError, match="ffprobe is not installed; install the ffmpeg package") as raised:
        await start_tool("ffprobe", "-version")
    assert raised.value.retryable is False


def test_only_folders_of_dead_processes_are_swept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = tmp_path / f"reelforge-render-{finished.stdout.strip()}-abc"
    alive = tmp_path / f"reelforge-render-{os.getppid()}-def"
    other_service = tmp_path / f"reelforge-audio-{finished.stdout.strip()}-ghi"
    for folder in (dead, alive, other_service):
        (folder / "part.mp4").parent.mkdir()
        (folder / "part.mp4").write_bytes(b"x")
    with work_dir("render") as mine:
        assert sweep_orphaned_work_dirs("render") == 1
        assert Path(mine).is_dir()
    assert not dead.exists() and alive.exists() and other_service.exists()
