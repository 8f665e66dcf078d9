"""Make a provider's clip fit the video: exactly its size, H.264, no audio, ready to cut in as-is."""

from pathlib import Path

from libs.common.errors import ProviderError
from libs.common.tools import start_tool, work_dir


async def fit_clip(clip: bytes, width: int, height: int, max_seconds: float | None = None) -> bytes:
    """Scale to cover `width` x `height`, crop the middle, re-encode as H.264 yuv420p MP4 (frame rate kept);
    with `max_seconds`, only the clip's first `max_seconds` are kept."""
    with work_dir("imaging") as folder:
        source, target = Path(folder) / "source.mp4", Path(folder) / "clip.mp4"
        source.write_bytes(clip)
        scale = f"scale={width}:{height}:force_original_aspect_ratio=increase,crop={width}:{height},setsar=1"
        trim = ["-t", f"{max_seconds:.3f}"] if max_seconds is not None else []
        process = await start_tool(
            "ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(source), *trim, "-vf", scale, "-an",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
            "-movflags", "+faststart", str(target),
        )  # fmt: skip
        _, stderr = await process.communicate()
        if process.returncode != 0:
            tail = stderr.decode(errors="replace").strip()[-300:]
            raise ProviderError(f"the clip from the provider could not be read by ffmpeg: {tail}", retryable=False)
        return target.read_bytes()
