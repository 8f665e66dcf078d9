"""The CLI's parts that need no server: the credentials file, naming options, stage bars, what stays in step
with the API's own vocabulary, and following a job by polling when its WebSocket cannot be opened."""

import stat
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from libs.cli.app import app
from libs.cli.commands import stack
from libs.cli.commands.generate import PRESET_TOPICS, source
from libs.cli.config import CredentialStore, Login, normalise_server
from libs.cli.follow import follow
from libs.cli.output import option_for
from libs.cli.progress import STAGE_BANDS, stage_fractions
from libs.common.events import STAGE_BANDS as PIPELINE_BANDS
from libs.common.vocabulary import TOPICS
from tests.servers import free_port


def test_credentials_are_private_and_kept_per_server(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path / "reelforge" / "credentials.json")
    store.put("http://a:1", Login("access-a", "refresh-a", "ada"))
    store.put("http://b:2", Login("access-b", None, "bob"))
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
    assert store.get("http://a:1") == Login("access-a", "refresh-a", "ada")
    assert store.forget("http://a:1") and not store.forget("http://a:1")
    assert store.get("http://a:1") is None and store.get("http://b:2") is not None
    assert list(store.path.parent.iterdir()) == [store.path], "no temporary file is left behind"


def test_a_broken_credentials_file_reads_as_logged_out(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    path.write_text("{not json")
    assert CredentialStore(path).get("http://a:1") is None


def test_server_urls_are_one_spelling() -> None:
    assert normalise_server("127.0.0.1:8000/") == "http://127.0.0.1:8000"
    assert normalise_server(" https://reelforge.example/ ") == "https://reelforge.example"


def test_api_fields_are_named_by_the_option_the_user_typed() -> None:
    options = {"art_style": "--style", "events": "--event"}
    assert option_for("art_style", options) == "--style"
    assert option_for("events.0", options) == "--event"
    assert option_for("status", options) is None


def test_the_cli_knows_the_apis_topics_and_stage_bands() -> None:
    assert set(PRESET_TOPICS) == set(TOPICS) - {"custom topic"}
    assert STAGE_BANDS == PIPELINE_BANDS


def test_a_topic_outside_the_list_is_a_custom_topic() -> None:
    assert source("Fun Facts", None, None) == {"topic": "fun facts"}
    assert source("a lighthouse keeper's cat", None, None) == {
        "topic": "custom topic",
        "topic_text": "a lighthouse keeper's cat",
    }


def test_a_stage_bar_is_its_share_of_its_band_and_later_stages_finish_earlier_ones() -> None:
    fractions = stage_fractions({"status": "processing", "stage": "story", "progress": 10}, {})
    assert fractions == {"story": 0.5}
    fractions = stage_fractions({"status": "processing", "stage": "images", "progress": 30}, fractions)
    assert fractions == {"story": 1.0, "images": 0.25}
    fractions = stage_fractions({"status": "processing", "stage": "images", "progress": 25}, fractions)
    assert fractions["images"] == 0.25, "a bar never goes back"
    fractions = stage_fractions({"status": "processing", "stage": "render", "progress": 80}, fractions)
    assert fractions == {"story": 1.0, "images": 1.0, "audio": 1.0, "render": 0.5}
    assert set(stage_fractions({"status": "completed", "progress": 100}, {}).values()) == {1.0}


class PollOnly:
    """Stands in for the API client where a socket cannot be opened; answers GET /jobs/{id} in turn."""

    def __init__(self, answers: list[dict[str, Any]]) -> None:
        self.answers = answers
        self.port = free_port()

    def websocket_url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def token(self) -> str:
        return "token"

    def call(self, method: str, path: str, **_: Any) -> dict[str, Any]:
        assert (method, path) == ("GET", "/jobs/j1")
        return self.answers.pop(0)


@pytest.mark.timeout(30)
def test_following_falls_back_to_polling_when_the_socket_fails() -> None:
    answers = [
        {"id": "j1", "status": "processing", "progress": 30, "stage": "images", "message": "Painted scene 1"},
        {"id": "j1", "status": "completed", "progress": 100, "stage": "render", "message": "Video ready"},
    ]
    seen: list[dict[str, Any]] = []
    job = follow(PollOnly(answers), "j1", seen.append, poll_s=0.01)  # type: ignore[arg-type]
    assert job["status"] == "completed"
    assert [(update["type"], update["progress"]) for update in seen] == [("poll", 30), ("poll", 100)]


def test_up_starts_the_embedded_stack_as_make_run_does(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[tuple[str, list[str], dict[str, str]]] = []
    monkeypatch.setattr(stack.os, "chdir", lambda folder: started.append(("chdir", [str(folder)], {})))
    monkeypatch.setattr(stack.os, "execve", lambda program, argv, env: started.append((program, argv, env)))
    result = CliRunner().invoke(app, ["up", "--port", "8123", "--json"])
    assert result.exit_code == 0, result.output
    assert started[0] == ("chdir", [str(stack.REPO)], {})
    program, argv, env = started[1]
    assert program == argv[0] == sys.executable
    assert argv[1:] == ["-m", "libs.embedded"] and env["REELFORGE_PORT"] == "8123"
    assert (stack.REPO / "libs" / "embedded" / "__main__.py").exists()
