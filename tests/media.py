"""What the tests make and measure media with: ffprobe's view of a file, and a plain tone to narrate with."""

import io
import json
import subprocess
import wave
from pathlib import Path

import numpy as np


def probe(path: Path) -> dict:
    """ffprobe's JSON description of `path`: its streams and its format."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format", str(path)],
        capture_output=True,
        check=True,
        text=True,
    )
    return json.loads(out.stdout)


def tone_wav(seconds: float, rate: int = 22050, hertz: float = 330.0) -> bytes:
    """A mono 16-bit sine tone as WAV bytes: audible, exactly `seconds` long (to the sample)."""
    samples = (8000 * np.sin(2 * np.pi * hertz * np.arange(int(seconds * rate)) / rate)).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return buffer.getvalue()
