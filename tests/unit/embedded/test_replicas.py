"""`REELFORGE_REPLICAS`: how many processes of each service the embedded supervisor runs, and where."""

from pathlib import Path

import pytest

from libs.embedded.replicas import parse_replicas, replica_counts, replica_label, replica_port
from libs.embedded.supervisor import SERVICES, Stack

POSTGRES = {"DATABASE_URL": "postgresql://u@127.0.0.1/reelforge"}


def test_named_services_run_as_many_times_as_asked_and_the_rest_once() -> None:
    counts = parse_replicas("story=2, render=3", SERVICES)
    assert counts == {"auth": 1, "story": 2, "imaging": 1, "audio": 1, "render": 3, "notifier": 1, "gateway": 1}
    assert parse_replicas("", SERVICES) == dict.fromkeys(SERVICES, 1)


def test_a_bare_number_is_that_many_of_every_service_but_auth() -> None:
    assert parse_replicas("2", SERVICES) == {name: 1 if name == "auth" else 2 for name in SERVICES}


@pytest.mark.parametrize(
    ("text", "why"),
    [("story", "is not <service>=<count>"), ("paint=2", "is not <service>=<count>"), ("story=0", "at least 1")],
)
def test_what_cannot_be_read_is_refused_saying_why(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse_replicas(text, SERVICES)


def test_auth_runs_once_and_replicas_need_postgresql() -> None:
    with pytest.raises(ValueError, match="REELFORGE_AUTH_URL"):
        parse_replicas("auth=2", SERVICES)
    with pytest.raises(ValueError, match="story would run several processes on SQLite"):
        replica_counts({"REELFORGE_REPLICAS": "story=2"}, SERVICES)
    assert replica_counts({"REELFORGE_REPLICAS": "story=2", **POSTGRES}, SERVICES)["story"] == 2
    assert replica_counts({}, SERVICES) == dict.fromkeys(SERVICES, 1)  # one of each: SQLite is fine


def test_each_further_replica_listens_100_ports_up_and_is_supervised_under_its_own_name(tmp_path: Path) -> None:
    assert [replica_port(8011, replica) for replica in (1, 2, 3)] == [8011, 8111, 8211]
    assert [replica_label("story", replica) for replica in (1, 2)] == ["story", "story-2"]
    stack = Stack({"REELFORGE_STORY_PORT": "9011", **POSTGRES}, tmp_path, {"story": 2, "gateway": 2})
    supervised = [(service.label, service.port) for service in stack.services if service.name in ("story", "gateway")]
    assert supervised == [("story", 9011), ("story-2", 9111), ("gateway", 8000), ("gateway-2", 8100)]
