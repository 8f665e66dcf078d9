"""Running the command-line tools a stage works with (ffmpeg, espeak-ng), and the folders they work in.

A tool dies with the service that started it (Linux's parent-death signal), so a killed
render never leaves an ffmpeg running with nobody to answer to. Working folders carry the
owning process id in their name, so a restarted service sweeps away what a killed one left.
"""

import asyncio
import ctypes
import logging
import os
import shutil
import signal
import tempfile
from pathlib import Path

from libs.common.errors import ProviderError

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
_PACKAGE = {"ffmpeg": "ffmpeg", "ffprobe": "ffmpeg", "espeak-ng": "espeak-ng"}


def _die_with_parent() -> None:
    """Runs in the child between fork and exec: ask the kernel to SIGKILL it when its parent dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


async def start_tool(tool: str, *arguments: str, stdin: int | None = None) -> asyncio.subprocess.Process:
    """Start `tool` with an argument list (never a shell); stdout and stderr are pipes.

    A missing tool is a permanent ProviderError naming the package that provides it.
    """
    executable = shutil.which(tool)
    if executable is None:
        package = _PACKAGE.get(tool, tool)
        raise ProviderError(f"{tool} is not installed; install the {package} package", retryable=False)
    return await asyncio.create_subprocess_exec(
        executable,
        *arguments,
        stdin=stdin,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        preexec_fn=_die_with_parent if os.name == "posix" else None,
    )


def work_dir(service: str) -> tempfile.TemporaryDirectory[str]:
    """A temp folder for one piece of work, removed when the work ends (or swept after a crash)."""
    return tempfile.TemporaryDirectory(prefix=f"reelforge-{service}-{os.getpid()}-")


def sweep_orphaned_work_dirs(service: str) -> int:
    """Remove the working folders of `service` processes that no longer exist; returns how many."""
    swept = 0
    for folder in Path(tempfile.gettempdir()).glob(f"reelforge-{service}-*-*"):
        owner = folder.name.removeprefix(f"reelforge-{service}-").split("-", 1)[0]
        if owner.isdigit() and int(owner) != os.getpid() and not _alive(int(owner)):
            shutil.rmtree(folder, ignore_errors=True)
            swept += 1
    if swept:
        log.info("removed %d working folders left by stopped %s processes", swept, service)
    return swept


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
