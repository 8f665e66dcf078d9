"""Bad input gets a clear 4xx naming the field (and the allowed values), never a 500 or a trace."""

import httpx
import pytest

from tests.stack import EmbeddedStack, register_and_login

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def client(stack: EmbeddedStack) -> httpx.Client:
    token = register_and_login(stack, "e2e_badinput")
    with httpx.Client(base_url=stack.api, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        yield client


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({}, "body", "exactly one of topic, prompt or script"),
        ({"topic": "scary", "script": "x"}, "body", "exactly one of topic, prompt or script"),
        ({"topic": "cooking"}, "topic", "'scary'"),
        (
            {"topic": "scary", "art_style": "oil"},
            "art_style",
            "'photorealistic', 'cinematic', 'anime', 'comic-book' or 'pixar-art'",
        ),
        ({"topic": "scary", "language": "klingon"}, "language", "'english'"),
        ({"topic": "scary", "voice": "bob"}, "voice", "'alloy', 'echo', 'fable', 'onyx', 'nova' or 'shimmer'"),
        ({"topic": "scary", "duration": "medium"}, "duration", "'short', 'long' or a number of seconds from 5 to 600"),
        ({"topic": "scary", "fps": 29}, "fps", "24"),
        ({"topic": "scary", "resolution": "big"}, "resolution", "WIDTHxHEIGHT"),
        ({"topic": "scary", "resolution": "1081x1920"}, "resolution", "even number"),
        ({"script": "   \n  "}, "body", "script is empty"),
        ({"topic": "custom topic"}, "body", "topic_text"),
        ({"topic": "scary", "colour": "red"}, "colour", "unknown field"),
        (
            {"script": "Once there was a lighthouse. " * 20, "duration": 10},
            "duration",
            "does not fit the requested 10 s",
        ),
        ({"script": "A long day. " * 900}, "duration", "does not fit the longest video, 600 s,"),
    ],
)
def test_invalid_job_is_422_naming_the_field(client: httpx.Client, body: dict, field: str, says: str) -> None:
    response = client.post("/jobs", json=body)
    assert response.status_code == 422, response.text
    payload = response.json()
    assert says in payload["detail"]
    assert any(error["field"] == field and says in error["message"] for error in payload["errors"]), payload
    assert "Traceback" not in response.text


def test_malformed_json_is_422(client: httpx.Client) -> None:
    response = client.post("/jobs", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "JSON" in response.json()["detail"]


def test_bad_input_leaves_nothing_half_written(client: httpx.Client) -> None:
    before = client.get("/jobs").json()["total"]
    client.post("/jobs", json={"topic": "scary", "voice": "bob"})
    assert client.get("/jobs").json()["total"] == before


@pytest.mark.parametrize("path", ["/jobs/not-a-uuid", "/jobs/00000000-0000-0000-0000-000000000000"])
def test_unknown_job_is_404_or_422(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (404, 422)
    assert "detail" in response.json()


def test_requests_without_a_token_are_401(stack: EmbeddedStack) -> None:
    for method, path in [("GET", "/jobs"), ("POST", "/jobs"), ("GET", "/users/me")]:
        response = httpx.request(method, f"{stack.api}{path}", timeout=10)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"


def test_forged_token_is_401(stack: EmbeddedStack) -> None:
    forged = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxIn0."
    response = httpx.get(f"{stack.api}/jobs", headers={"Authorization": f"Bearer {forged}"}, timeout=10)
    assert response.status_code == 401


def test_registration_problems_name_the_field(stack: EmbeddedStack) -> None:
    register_and_login(stack, "e2e_taken")
    clash = httpx.post(
        f"{stack.api}/auth/register",
        json={"email": "other@example.com", "username": "e2e_taken", "password": "long enough 1"},
        timeout=30,
    )
    assert clash.status_code == 409
    assert clash.json()["errors"][0]["field"] == "username"
    weak = httpx.post(
        f"{stack.api}/auth/register", json={"email": "not-an-email", "username": "ok_name", "password": "x"}, timeout=30
    )
    assert weak.status_code == 422
    assert {error["field"] for error in weak.json()["errors"]} == {"email", "password"}


def test_wrong_password_is_401(stack: EmbeddedStack) -> None:
    register_and_login(stack, "e2e_pw")
    response = httpx.post(
        f"{stack.api}/auth/login", data={"username": "e2e_pw", "password": "wrong password"}, timeout=30
    )
    assert response.status_code == 401
    assert response.json()["detail"] == "Incorrect username or password"
