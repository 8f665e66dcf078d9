"""The `reelforge` CLI as a user runs it: a subprocess against the shared embedded stack, its config in tmp_path.

The account is registered through the API, then everything else goes through the CLI: log in, make a
video with live progress, read and download it, keys and webhooks, and the exit codes scripts rely on
(0 done, 1 failed, 2 bad input naming the option, 3 server unreachable).
"""

import json
import os
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.media import probe
from tests.servers import free_port
from tests.stack import REPO, EmbeddedStack

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse 1"
CLI_TIMEOUT_S = 240


@dataclass
class Cli:
    """`python -m libs.cli` with its own config folder, talking to the stack unless told otherwise."""

    server: str
    config_home: Path
    cwd: Path

    def __call__(self, *args: str, server: str | None = None) -> subprocess.CompletedProcess[str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("REELFORGE_")}
        env.update(
            XDG_CONFIG_HOME=str(self.config_home),
            REELFORGE_SERVER=server or self.server,
            PYTHONPATH=str(REPO),
            COLUMNS="200",
        )
        return subprocess.run(
            [sys.executable, "-m", "libs.cli", *args],
            cwd=self.cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT_S,
        )

    def json(self, *args: str) -> object:
        done = self(*args, "--json")
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return json.loads(done.stdout)

    @property
    def credentials(self) -> Path:
        return self.config_home / "reelforge" / "credentials.json"


def register(stack: EmbeddedStack, name: str) -> None:
    body = {"email": f"{name}@example.com", "username": name, "password": PASSWORD}
    created = httpx.post(f"{stack.api}/auth/register", json=body, timeout=30)
    assert created.status_code == 201, created.text


@pytest.fixture(scope="module")
def cli(stack: EmbeddedStack, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """A user registered through the API and logged in with `reelforge login`."""
    register(stack, "cli_ada")
    runner = Cli(stack.base_url, tmp_path_factory.mktemp("cli-config"), tmp_path_factory.mktemp("cli-work"))
    done = runner("login", "--user", "cli_ada", "--password", PASSWORD)
    assert done.returncode == 0, done.stderr
    assert "cli_ada" in done.stdout
    return runner


@pytest.fixture(scope="module")
def finished_job(cli: Cli) -> tuple[str, Path, subprocess.CompletedProcess[str]]:
    """One video made with `reelforge generate` (small frames, so it renders quickly); its id, file and run."""
    target = cli.cwd / "cat.mp4"
    done = cli(
        "generate", "a lighthouse keeper's cat", "--duration", "short", "--resolution", "540x960", "--fps", "24",
        "-o", str(target),
    )  # fmt: skip
    assert done.returncode == 0, (done.stdout, done.stderr)
    job_id = done.stderr.split("Job ", 1)[1].split()[0]
    return job_id, target, done


def test_login_keeps_the_tokens_in_a_private_file(cli: Cli) -> None:
    mode = stat.S_IMODE(cli.credentials.stat().st_mode)
    assert mode == 0o600, oct(mode)
    assert stat.S_IMODE(cli.credentials.parent.stat().st_mode) == 0o700
    stored = json.loads(cli.credentials.read_text())["servers"][cli.server]
    assert stored["access_token"] and stored["refresh_token"]
    me = cli.json("whoami")
    assert isinstance(me, dict) and me["username"] == "cli_ada"


def test_wrong_password_is_refused_and_nothing_is_stored(stack: EmbeddedStack, tmp_path: Path) -> None:
    register(stack, "cli_wrong")
    runner = Cli(stack.base_url, tmp_path / "config", tmp_path)
    done = runner("login", "--user", "cli_wrong", "--password", "not the password")
    assert done.returncode == 1, done.stderr
    assert "Error:" in done.stderr
    assert not runner.credentials.exists()


def test_generate_shows_each_stage_and_leaves_a_playable_mp4(
    finished_job: tuple[str, Path, subprocess.CompletedProcess[str]],
) -> None:
    job_id, target, done = finished_job
    assert done.stdout.strip() == str(target.resolve()), "the MP4's path is the result on stdout"
    progress = [line for line in done.stderr.splitlines() if line.startswith("[")]
    stages = {line[1:].split("]", 1)[0] for line in progress}
    assert {"story", "images", "render"} <= stages, done.stderr
    percents = [int(line.split("]", 1)[1].split("%", 1)[0]) for line in progress]
    assert percents == sorted(percents) and percents[-1] == 100, percents

    info = probe(target)
    streams = {stream["codec_type"]: stream for stream in info["streams"]}
    assert streams["video"]["codec_name"] == "h264" and streams["audio"]["codec_name"] == "aac"
    assert (streams["video"]["width"], streams["video"]["height"]) == (540, 960)
    length = float(info["format"]["duration"])
    assert abs(length - 45) <= 4.5, f"a short is about 45 s, this one {length:.1f} s"
    assert job_id in done.stderr


def test_json_output_of_the_job_commands_parses(
    cli: Cli, finished_job: tuple[str, Path, subprocess.CompletedProcess[str]]
) -> None:
    job_id, _, _ = finished_job
    job = cli.json("status", job_id)
    assert isinstance(job, dict) and job["status"] == "completed" and job["input"]["topic_text"]
    page = cli.json("jobs", "--status", "completed")
    assert isinstance(page, dict) and job_id in [item["id"] for item in page["items"]]
    scenes = cli.json("scenes", job_id)
    assert isinstance(scenes, dict) and len(scenes["scenes"]) >= 3

    saved = cli.json("download", job_id, "--file", "srt", "-o", str(cli.cwd))
    assert isinstance(saved, dict) and Path(saved["path"]).read_text().startswith("1\n")
    link = cli.json("download", job_id, "--url", "--expires", "60")
    assert isinstance(link, dict)
    fetched = httpx.get(link["url"], timeout=30)  # a signed link needs no credentials
    assert fetched.status_code == 200 and fetched.headers["content-type"] == "video/mp4"


def test_regenerating_a_scene_renders_the_video_again(
    cli: Cli, finished_job: tuple[str, Path, subprocess.CompletedProcess[str]]
) -> None:
    job_id, _, _ = finished_job
    answer = cli.json("regenerate", job_id, "0", "--prompt", "a ginger cat on a rock", "--wait")
    assert isinstance(answer, dict) and answer["job"]["output"]["version"] == 2
    scene = cli.json("scenes", job_id)["scenes"][0]  # type: ignore[index]
    assert scene["image"]["version"] == 2 and not scene["regenerating"]


def test_a_job_started_without_waiting_can_be_cancelled(cli: Cli) -> None:
    job = cli.json("generate", "bedtime", "--duration", "20", "--no-wait")
    assert isinstance(job, dict) and job["input"]["topic"] == "bedtime" and job["options"]["duration_s"] == 20
    cancelled = cli.json("cancel", job["id"])
    assert isinstance(cancelled, dict) and cancelled["status"] == "cancelled"
    done = cli("status", job["id"])
    assert done.returncode == 0 and "cancelled" in done.stdout
    again = cli("cancel", job["id"])
    assert again.returncode == 2 and "already cancelled" in again.stderr, again.stderr
    assert "--status" not in again.stderr, "the API's field is not an option of `cancel`"


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["generate", "a cat", "--duration", "medium"], "--duration"),
        (["generate", "a cat", "--style", "watercolour"], "--style"),
        (["generate", "a cat", "--voice", "gravel"], "--voice"),
        (["generate", "a cat", "--resolution", "999x999"], "--resolution"),
        (["generate", "a cat", "--fps", "fast"], "--fps"),  # refused by the CLI itself
        (["generate", "a cat", "--prompt", "a dog"], "--prompt"),
        (["status", "not-a-job"], "ID"),
        (["download", "not-a-job", "--file", "gif"], "--file"),
    ],
)
def test_a_bad_value_exits_2_naming_the_option(cli: Cli, args: list[str], option: str) -> None:
    done = cli(*args)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert option in done.stderr, done.stderr


def test_a_bad_value_in_json_mode_names_the_option_in_the_document(cli: Cli) -> None:
    done = cli("generate", "a cat", "--duration", "medium", "--json")
    assert done.returncode == 2, done.stderr
    error = json.loads(done.stdout)["error"]
    assert error["status"] == 422 and error["exit_code"] == 2
    assert [(item["field"], item["option"]) for item in error["errors"]] == [("duration", "--duration")]


def test_an_unreachable_server_exits_3(cli: Cli) -> None:
    nobody = f"http://127.0.0.1:{free_port()}"
    for args in (["jobs"], ["generate", "a cat"], ["login", "--user", "cli_ada", "--password", PASSWORD]):
        done = cli(*args, server=nobody)
        assert done.returncode == 3, (args, done.stderr)
        assert nobody in done.stderr
    done = cli("jobs", "--json", server=nobody)
    assert done.returncode == 3 and json.loads(done.stdout)["error"]["exit_code"] == 3


def test_keys_are_made_listed_and_revoked(cli: Cli) -> None:
    key = cli.json("keys", "create", "cli-test")
    assert isinstance(key, dict) and key["key"]
    listed = cli.json("keys", "list")
    assert isinstance(listed, list) and key["id"] in [row["id"] for row in listed]
    assert "key" not in listed[0]
    assert httpx.get(f"{cli.server}/api/v1/jobs", headers={"X-API-Key": key["key"]}, timeout=30).status_code == 200
    cli.json("keys", "revoke", key["id"])
    assert key["id"] not in [row["id"] for row in cli.json("keys", "list")]  # type: ignore[union-attr]
    assert httpx.get(f"{cli.server}/api/v1/jobs", headers={"X-API-Key": key["key"]}, timeout=30).status_code == 401


def test_webhooks_are_made_listed_and_deleted(cli: Cli) -> None:
    url = f"http://127.0.0.1:{free_port()}/hook"
    hook = cli.json("webhooks", "create", url, "--event", "generation.complete", "--description", "cli")
    assert isinstance(hook, dict) and hook["secret"].startswith("whsec_") and hook["events"] == ["generation.complete"]
    listed = cli.json("webhooks", "list")
    assert isinstance(listed, list) and [row["url"] for row in listed if row["id"] == hook["id"]] == [url]
    cli.json("webhooks", "delete", hook["id"])
    assert hook["id"] not in [row["id"] for row in cli.json("webhooks", "list")]  # type: ignore[union-attr]
    done = cli("webhooks", "create", url, "--event", "no.such.event")
    assert done.returncode == 2 and "--event" in done.stderr, done.stderr


def test_admin_commands_are_refused_to_a_user(cli: Cli) -> None:
    done = cli("users", "list")
    assert done.returncode == 1 and "admin" in done.stderr.lower(), done.stderr
    done = cli("users", "create", "cli_grace@example.com", "cli_grace", "--password", PASSWORD, "--admin")
    assert done.returncode == 1 and "admin" in done.stderr.lower(), done.stderr


def test_logout_forgets_the_login(stack: EmbeddedStack, tmp_path: Path) -> None:
    register(stack, "cli_leaving")
    runner = Cli(stack.base_url, tmp_path / "config", tmp_path)
    assert runner("login", "-u", "cli_leaving", "-p", PASSWORD).returncode == 0
    assert runner.json("logout") == {"server": stack.base_url, "logged_out": True}
    assert cli_server_entries(runner) == {}
    done = runner("jobs")
    assert done.returncode == 1 and "reelforge login" in done.stderr, done.stderr


def cli_server_entries(runner: Cli) -> dict[str, object]:
    return json.loads(runner.credentials.read_text())["servers"]


def test_generate_from_a_csv_makes_every_good_row_and_names_the_bad_one(cli: Cli, tmp_path: Path) -> None:
    table = tmp_path / "topics.csv"
    table.write_text(
        "script,voice,resolution\nA paper boat sails.,nova,128x128\nA kite flies.,bob,128x128\nThe end.,,128x128\n",
        encoding="utf-8",
    )
    folder = tmp_path / "videos"
    folder.mkdir()

    done = cli("generate", "--from", str(table), "--fps", "24", "-o", str(folder), "--json")

    assert done.returncode == 1, "a refused row makes the batch a partial failure"
    result = json.loads(done.stdout)
    assert (result["accepted"], result["refused"]) == (2, 1)
    assert [item["field"] for item in result["items"] if not item["job"]] == ["jobs[1].voice"]
    saved = sorted(Path(entry["path"]) for entry in result["saved"])
    assert saved == sorted(folder.glob("*.mp4")) and len(saved) == 2
    for path in saved:
        streams = {stream["codec_type"] for stream in probe(path)["streams"]}
        assert streams == {"video", "audio"}
    voices = {entry["job"]["options"]["voice"] for entry in result["saved"]}
    assert voices == {"nova", "alloy"} and {entry["job"]["options"]["fps"] for entry in result["saved"]} == {24}


def test_a_malformed_batch_file_exits_2_naming_the_line(cli: Cli, tmp_path: Path) -> None:
    lines = tmp_path / "jobs.jsonl"
    lines.write_text('{"topic": "love"}\n{"topic": \n', encoding="utf-8")

    done = cli("generate", "--from", str(lines))

    assert done.returncode == 2
    assert "jobs.jsonl line 2: not JSON" in done.stderr and "--from" in done.stderr
