"""Running one ffmpeg: its progress as frames done, its failure as a ProviderError carrying the end of stderr.

When the awaiting task is cancelled (a cancelled job, a shutdown), ffmpeg is killed and reaped
before the cancellation goes on, so no process outlives the work it was doing.
"""

import asyncio
from collections.abc import Awaitable, Callable

from libs.common.errors import ProviderError
from libs.common.tools import start_tool

STDERR_TAIL_LINES = 15

FramesDone = Callable[[int], Awaitable[None]]


async def run_ffmpeg(command: list[str], on_frames: FramesDone | None = None) -> None:
    """Run `command` (an argument list, never a shell); `on_frames` hears each `-progress` frame count."""
    process = await start_tool(command[0], *command[1:])
    try:
        assert process.stdout is not None and process.stderr is not None
        stderr = asyncio.create_task(process.stderr.read())
        await _follow_frames(process.stdout, on_frames)
        returncode = await process.wait()
        errors = (await stderr).decode(errors="replace")
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    if returncode != 0:
        tail = "\n".join(errors.strip().splitlines()[-STDERR_TAIL_LINES:])
        raise ProviderError(f"ffmpeg failed (exit {returncode}): {tail}", retryable=False)


async def _follow_frames(stdout: asyncio.StreamReader, on_frames: FramesDone | None) -> None:
    async for raw in stdout:
        key, _, value = raw.decode(errors="replace").strip().partition("=")
        if key == "frame" and value.isdigit() and on_frames is not None:
            await on_frames(int(value))
