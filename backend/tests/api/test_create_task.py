"""POST /tasks: defaults, limits, and every kind of bad input."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient


def count(client: TestClient) -> int:
    total: int = client.get("/tasks/count").json()["total"]
    return total


def test_create_returns_201_with_defaults_location_and_etag(client: TestClient) -> None:
    response = client.post("/tasks", json={"title": "Write the docs"})

    assert response.status_code == 201
    task = response.json()
    assert uuid.UUID(task["id"])
    assert task["title"] == "Write the docs"
    assert task["description"] is None
    assert task["status"] == "todo"
    assert task["priority"] == "medium"
    assert task["assignee"] is None
    assert task["due_date"] is None
    assert task["version"] == 1
    created = datetime.fromisoformat(task["created_at"])
    assert created.utcoffset() is not None
    assert abs((datetime.now(UTC) - created).total_seconds()) < 60
    assert task["updated_at"] == task["created_at"]
    assert response.headers["Location"] == f"/tasks/{task['id']}"
    assert response.headers["ETag"] == '"1"'
    assert client.get(response.headers["Location"]).json() == task


def test_create_stores_every_field(client: TestClient) -> None:
    sent = {
        "title": "Ship v3",
        "description": "All of it",
        "status": "in_progress",
        "priority": "high",
        "assignee": "alice",
        "due_date": "2030-01-02T03:04:05+02:00",
    }

    task = client.post("/tasks", json=sent).json()

    assert {k: task[k] for k in ("title", "description", "status", "priority", "assignee")} == {
        k: sent[k] for k in ("title", "description", "status", "priority", "assignee")
    }
    assert task["due_date"] == "2030-01-02T01:04:05Z"


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("2030-05-06", "2030-05-06T00:00:00Z"),
        ("2030-05-06T07:08:09", "2030-05-06T07:08:09Z"),
        ("2030-05-06T07:08:09-05:00", "2030-05-06T12:08:09Z"),
    ],
)
def test_due_date_without_offset_means_utc(client: TestClient, sent: str, stored: str) -> None:
    task = client.post("/tasks", json={"title": "t", "due_date": sent}).json()

    assert task["due_date"] == stored
    assert client.get(f"/tasks/{task['id']}").json()["due_date"] == stored


def test_title_is_trimmed(client: TestClient) -> None:
    task = client.post("/tasks", json={"title": "   padded \n"}).json()

    assert task["title"] == "padded"


def test_limits_are_inclusive(client: TestClient) -> None:
    response = client.post(
        "/tasks", json={"title": "t" * 200, "description": "d" * 1000, "assignee": "a" * 100}
    )

    assert response.status_code == 201


def test_non_ascii_text_round_trips_exactly(client: TestClient) -> None:
    title = "Café ☕ — 日本語 🚀 Ünïcödé"
    task = client.post("/tasks", json={"title": title, "assignee": "Zoë"}).json()

    fetched = client.get(f"/tasks/{task['id']}").json()
    assert fetched["title"] == title
    assert fetched["assignee"] == "Zoë"
    assert len(client.post("/tasks", json={"title": "🚀" * 200}).json()["title"]) == 200


def test_sql_looking_text_is_stored_literally(client: TestClient) -> None:
    title = "'; DROP TABLE tasks; --"
    task = client.post("/tasks", json={"title": title}).json()

    assert client.get(f"/tasks/{task['id']}").json()["title"] == title
    assert count(client) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "t" * 201}, "title"),
        ({"title": None}, "title"),
        ({"title": 42}, "title"),
        ({"title": "nul\x00inside"}, "title"),
        ({"title": "t", "description": "d" * 1001}, "description"),
        ({"title": "t", "description": "a\x00b"}, "description"),
        ({"title": "t", "status": "doing"}, "status"),
        ({"title": "t", "status": "TODO"}, "status"),
        ({"title": "t", "priority": "urgent"}, "priority"),
        ({"title": "t", "priority": 1}, "priority"),
        ({"title": "t", "assignee": ""}, "assignee"),
        ({"title": "t", "assignee": "a" * 101}, "assignee"),
        ({"title": "t", "assignee": "\x00"}, "assignee"),
        ({"title": "t", "due_date": "next tuesday"}, "due_date"),
        ({"title": "t", "due_date": True}, "due_date"),
        # Pydantic would read these as seconds (or milliseconds) since 1970.
        ({"title": "t", "due_date": 1700000000}, "due_date"),
        ({"title": "t", "due_date": 1763900000000.5}, "due_date"),
        ({"title": "t", "due_date": "1700000000"}, "due_date"),
        ({"title": "t", "id": "mine"}, "id"),
        ({"title": "t", "version": 7}, "version"),
    ],
)
def test_invalid_body_is_422_naming_the_field_and_stores_nothing(
    client: TestClient, body: dict[str, object], field: str
) -> None:
    response = client.post("/tasks", json=body)

    assert response.status_code == 422
    assert any(error["loc"][-1] == field for error in response.json()["detail"]), response.text
    assert count(client) == 0


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2", b"", b'"just a string"', b"[]"])
def test_malformed_or_non_object_json_is_422(client: TestClient, body: bytes) -> None:
    response = client.post("/tasks", content=body, headers={"Content-Type": "application/json"})

    assert response.status_code == 422
    assert "detail" in response.json()
    assert count(client) == 0


@pytest.mark.parametrize(
    "body",
    [
        b'{"title": NaN}',
        b'{"title": "t", "priority": Infinity}',
        b'{"title": 1e400}',
        b'{"title": "caf\xe9"}',  # Latin-1, not UTF-8
        b"[" * 5000 + b"]" * 5000,
    ],
)
def test_json_that_is_not_json_text_is_422(client: TestClient, body: bytes) -> None:
    response = client.post("/tasks", content=body, headers={"Content-Type": "application/json"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"
    assert count(client) == 0


def test_body_over_one_mebibyte_is_413(client: TestClient) -> None:
    body = json.dumps({"title": "t", "description": "x" * (1024 * 1024)}).encode()

    response = client.post("/tasks", content=body, headers={"Content-Type": "application/json"})

    assert response.status_code == 413
    assert response.json()["detail"]
    assert count(client) == 0


def test_chunked_body_over_one_mebibyte_is_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"title": "t", "description": "'
        for _ in range(20):
            yield b"x" * 65536
        yield b'"}'

    response = client.post("/tasks", content=chunks(), headers={"Content-Type": "application/json"})

    assert response.status_code == 413
    assert count(client) == 0


def test_body_just_under_the_limit_reaches_validation(client: TestClient) -> None:
    body = json.dumps({"title": "t", "description": "x" * (1024 * 1024 - 100)}).encode()

    response = client.post("/tasks", content=body, headers={"Content-Type": "application/json"})

    assert response.status_code == 422  # too long a description, but not too large a body


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_non_json_content_type_is_415(client: TestClient, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}

    response = client.post("/tasks", content=b'{"title": "t"}', headers=headers)

    assert response.status_code == 415
    assert response.json() == {"detail": "Content-Type must be application/json"}
    assert count(client) == 0


def test_json_with_charset_is_accepted(client: TestClient) -> None:
    response = client.post(
        "/tasks",
        content=b'{"title": "t"}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )

    assert response.status_code == 201


def test_text_is_stored_in_its_composed_form(client: TestClient) -> None:
    decomposed = "Cafe\u0301 au lait"
    task = client.post(
        "/tasks", json={"title": decomposed, "description": decomposed, "assignee": "Zoe\u0308"}
    ).json()

    assert (task["title"], task["description"], task["assignee"]) == (
        "Café au lait",
        "Café au lait",
        "Zoë",
    )
    # Searching either spelling finds it.
    assert len(client.get("/tasks", params={"q": "cafe\u0301"}).json()) == 1
    assert len(client.get("/tasks", params={"assignee": "Zoe\u0308"}).json()) == 1


@pytest.mark.parametrize(
    "title",
    ["\u200b", "\u200b \u200d", "\u202e\u2066\u2069", "\ufeff", "\u2060\u00ad", "\U000e0001"],
)
def test_a_title_of_invisible_characters_is_blank_and_refused(
    client: TestClient, title: str
) -> None:
    response = client.post("/tasks", json={"title": title})

    assert response.status_code == 422
    assert "blank" in response.json()["detail"][0]["msg"]
    assert client.get("/tasks/count").json() == {"total": 0}


@pytest.mark.parametrize("field", ["title", "assignee"])
@pytest.mark.parametrize("control", ["\n", "\t", "\r", "\x07", "\x1b", "\x7f", "\x85"])
def test_control_characters_are_refused_in_title_and_assignee(
    client: TestClient, field: str, control: str
) -> None:
    response = client.post("/tasks", json={"title": "ok", field: f"a{control}b"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", field]


def test_a_description_keeps_tabs_and_line_breaks_but_no_other_control_character(
    client: TestClient,
) -> None:
    kept = client.post("/tasks", json={"title": "t", "description": "line 1\r\nline\t2\n"})
    refused = client.post("/tasks", json={"title": "t", "description": "bell\x07"})

    assert kept.status_code == 201 and kept.json()["description"] == "line 1\r\nline\t2\n"
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "description"]


def test_visible_text_with_invisible_characters_inside_is_kept(client: TestClient) -> None:
    # Zero-width joiners hold emoji sequences and some scripts together.
    title = "Family \U0001f468\u200d\U0001f469\u200d\U0001f467 trip"
    assert client.post("/tasks", json={"title": title}).json()["title"] == title


def test_lengths_are_counted_after_trimming_and_composing(client: TestClient) -> None:
    padded = client.post("/tasks", json={"title": f" {'a' * 200} ", "assignee": f" {'b' * 100} "})
    # 200 characters that compose into more (U+0F73 has no composed form: it becomes two).
    longer = client.post("/tasks", json={"title": "\u0f73" * 150})

    assert padded.status_code == 201, padded.text
    assert (len(padded.json()["title"]), len(padded.json()["assignee"])) == (200, 100)
    assert longer.status_code == 422
    assert "composed form" in longer.json()["detail"][0]["msg"]
