"""Synthesized background music: the requested length, a sound per mood, no click where it loops."""

from pathlib import Path

import numpy as np
import pytest

from libs.common.vocabulary import MOODS
from services.audio.music import RATE, ambient_track, folder_track

SECONDS = 20.0


@pytest.fixture(scope="module")
def tracks() -> dict[str, np.ndarray]:
    return {mood: ambient_track(mood, SECONDS) for mood in MOODS}  # type: ignore[arg-type]


def test_every_mood_has_exactly_the_requested_length_and_is_audible(tracks: dict[str, np.ndarray]) -> None:
    for mood, track in tracks.items():
        assert track.dtype == np.dtype("<i2") and track.size == SECONDS * RATE, mood
        rms = np.sqrt(np.mean(track.astype(np.float64) ** 2))
        assert 1500 < rms < 16000, mood
        assert np.abs(track).max() < 0.5 * 32767, mood


def test_the_loop_point_has_no_click(tracks: dict[str, np.ndarray]) -> None:
    """Played twice in a row, the seam bends the waveform no more than the music itself does anywhere."""
    for mood, track in tracks.items():
        looped = np.concatenate([track, track]).astype(np.float64)
        bend = np.abs(np.diff(looped, 2))
        seam = bend[track.size - 3 : track.size + 1].max()
        assert seam <= np.percentile(bend, 99.9), mood


def test_a_track_cut_short_would_click_so_the_check_above_can_fail(tracks: dict[str, np.ndarray]) -> None:
    cut = tracks["epic"][: -RATE // 7]
    looped = np.concatenate([cut, cut]).astype(np.float64)
    bend = np.abs(np.diff(looped, 2))
    assert bend[cut.size - 3 : cut.size + 1].max() > np.percentile(bend, 99.9)


def test_moods_sound_different(tracks: dict[str, np.ndarray]) -> None:
    spectra = {mood: np.abs(np.fft.rfft(track[: RATE * 4].astype(np.float64))) for mood, track in tracks.items()}
    centroids = {
        mood: float((spectrum * np.arange(spectrum.size)).sum() / spectrum.sum()) for mood, spectrum in spectra.items()
    }
    assert len({round(value, -1) for value in centroids.values()}) >= 8
    assert centroids["dark"] < centroids["happy"]


def test_a_long_track_grows_with_the_request() -> None:
    assert ambient_track("calm", 61.25).size == round(61.25 * RATE)


def test_the_music_folder_offers_the_moods_tracks_and_the_same_one_per_job(tmp_path: Path) -> None:
    for name in ("calm.mp3", "calm-2.ogg", "calmer.mp3", "epic_drums.wav", "notes.txt"):
        (tmp_path / name).write_bytes(b"x")
    picks = {folder_track(tmp_path, "calm", f"job-{index}") for index in range(20)}
    assert {path.name for path in picks if path} == {"calm.mp3", "calm-2.ogg"}
    assert folder_track(tmp_path, "calm", "job-1") == folder_track(tmp_path, "calm", "job-1")
    assert folder_track(tmp_path, "epic", "job-1") == tmp_path / "epic_drums.wav"
    assert folder_track(tmp_path, "sad", "job-1") is None
    assert folder_track(tmp_path / "missing", "calm", "job-1") is None
