"""A public deployment's edges, against real servers: headers, text rules, what logs may hold,
and settings production refuses."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import psycopg2
import pytest

from system_tests.robustness.harness import FAST_FAILURE_ENV, all_tasks, new_database_url
from tests.support.server import AppServer

MISSING = "00000000-0000-4000-8000-000000000000"


def test_every_answer_is_nosniff_and_task_answers_are_never_stored(client: httpx.Client) -> None:
    task = client.post("/tasks", json={"title": "headers"}).json()
    answers = {
        "welcome": client.get("/"),
        "health": client.get("/health"),
        "document": client.get("/openapi.json"),
        "list": client.get("/tasks"),
        "head": client.head("/tasks"),
        "task": client.get(f"/tasks/{task['id']}"),
        "missing": client.get(f"/tasks/{MISSING}"),
        "invalid": client.post("/tasks", json={"title": ""}),
        "stale": client.patch(f"/tasks/{task['id']}", json={}, headers={"If-Match": '"9"'}),
        "count": client.get("/tasks/count"),
        "stats": client.get("/tasks/stats"),
        "unknown path": client.get("/nothing"),
    }

    for name, response in answers.items():
        assert response.headers.get("x-content-type-options") == "nosniff", name
        if response.request.url.path.startswith(("/tasks", "/health")):
            assert response.headers.get("cache-control") == "no-store", name


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "\u200b\u200d\u2060"}, "title"),  # only invisible characters: blank
        ({"title": "\u202e \u2066"}, "title"),  # bidi controls
        ({"title": "line\nbreak"}, "title"),
        ({"title": "ok", "assignee": "ana\tbel"}, "assignee"),
        ({"title": "ok", "assignee": "\x1b[31mred"}, "assignee"),
        ({"title": "ok", "description": "bell\x07"}, "description"),
    ],
)
def test_text_that_reads_as_nothing_or_holds_control_characters_is_refused(
    client: httpx.Client, fields: dict[str, str], field: str
) -> None:
    before = all_tasks(client)

    response = client.post("/tasks", json=fields)

    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", field]
    assert all_tasks(client) == before


def test_text_is_stored_composed(client: httpx.Client) -> None:
    created = client.post("/tasks", json={"title": "Cre\u0300me bru\u0302le\u0301e"}).json()

    assert created["title"] == "Crème brûlée"
    assert client.get(f"/tasks/{created['id']}").json()["title"] == "Crème brûlée"


def refuse_inserts(url: str) -> None:
    """Make every INSERT into tasks fail, behind the app's back (an unexpected database error)."""
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            db.execute(
                "CREATE TRIGGER refuse BEFORE INSERT ON tasks BEGIN SELECT RAISE(ABORT, 'no'); END"
            )
        return
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cursor:
            cursor.execute(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'no'; END $$"
            )
            cursor.execute(
                "CREATE TRIGGER refuse BEFORE INSERT ON tasks "
                "FOR EACH ROW EXECUTE FUNCTION refuse()"
            )
    finally:
        conn.close()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_logged_database_error_never_carries_a_tasks_content(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = new_database_url(kind, request, tmp_path)
    secret = "Quarterly numbers before the announcement"
    with AppServer(url, env=FAST_FAILURE_ENV) as server:
        refuse_inserts(url)
        response = httpx.post(
            f"{server.url}/tasks", json={"title": secret, "assignee": "ceo"}, timeout=10
        )
        log = server.log()

    assert response.status_code == 500, response.text
    assert "INSERT INTO tasks" in log, "the error was not logged"
    assert secret not in log
    assert secret not in response.text


def test_production_refuses_to_serve_any_origin(tmp_path: Path) -> None:
    server = AppServer(
        f"sqlite:///{tmp_path / 'any-origin.db'}",
        env={"ENVIRONMENT": "production", "CORS_ORIGINS": "*"},
    )
    with pytest.raises(RuntimeError, match="server exited"):
        server.start(timeout=20)

    assert "CORS_ORIGINS=* is refused when ENVIRONMENT=production" in server.log()
