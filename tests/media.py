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


def frames_rgb(path: Path, width: int, height: int) -> np.ndarray:
    """Every decoded frame of `path` as an array (frames, height, width, 3) of int16."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, height, width, 3).astype(np.int16)


def samples(path: Path, rate: int = 48_000) -> np.ndarray:
    """The audio of `path` decoded to mono float samples in -1..1."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-vn", "-ac", "1", "-ar", str(rate), "-f", "f32le", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, dtype="<f4")


def tone_level_db(audio: np.ndarray, hertz: float, rate: int = 48_000) -> float:
    """The level of one sine frequency in `audio`, in dB relative to a full-scale sine."""
    window = np.hanning(len(audio))
    spectrum = np.abs(np.fft.rfft(audio * window)) * 2 / window.sum()
    bin_ = round(hertz * len(audio) / rate)
    peak = spectrum[max(bin_ - 2, 0) : bin_ + 3].max()
    return float(20 * np.log10(max(peak, 1e-9)))


def integrated_loudness(path: Path) -> float:
    """EBU R128 integrated loudness of `path` in LUFS, as ffmpeg's ebur128 filter measures it."""
    out = subprocess.run(
        ["ffmpeg", "-nostats", "-i", str(path), "-map", "0:a", "-af", "ebur128", "-f", "null", "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stderr
    summary = out[out.rindex("Summary:") :]
    return float(summary.split("I:")[1].split("LUFS")[0])


def colour_clip(path: Path, seconds: float, colour: str, width: int, height: int, fps: int = 25) -> Path:
    """A small H.264 clip of one colour, standing in for an image-to-video result."""
    source = f"color=c={colour}:s={width}x{height}:r={fps}:d={seconds}"
    encode = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)]
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", source, *encode], check=True)
    return path
