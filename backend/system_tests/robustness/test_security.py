"""Security: CORS only for configured origins, no password anywhere, no stack trace in a 500."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg2
import pytest

from system_tests.robustness.harness import FAST_FAILURE_ENV, new_database_url
from tests.support.postgres import ThrowawayPostgres
from tests.support.server import AppServer

ALLOWED = ["https://allowed.example", "https://taskflow-frontend.onrender.com"]
REFUSED = [
    "https://evil.example",
    "http://taskflow-frontend.onrender.com",  # a bare host in CORS_ORIGINS means https only
    "https://allowed.example.evil.example",
    "https://sub.allowed.example",
    "null",
]
EXPOSED = {"x-total-count", "link", "etag", "location"}
INTERNALS = ("Traceback", 'File "', "sqlalchemy", "psycopg2", "SELECT ", "INSERT ", "line ")


def header_set(value: str | None) -> set[str]:
    return {part.strip().lower() for part in (value or "").split(",") if part.strip()}


@pytest.mark.parametrize("origin", ALLOWED)
def test_cors_preflight_allows_configured_origins_and_if_match(
    client: httpx.Client, origin: str
) -> None:
    response = client.options(
        "/tasks/some-id",
        headers={
            "origin": origin,
            "access-control-request-method": "PATCH",
            "access-control-request-headers": "if-match, content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == origin
    assert "PATCH" in response.headers["access-control-allow-methods"]
    assert {"if-match", "content-type"} <= header_set(
        response.headers["access-control-allow-headers"]
    )


@pytest.mark.parametrize("origin", ALLOWED)
def test_cors_exposes_the_api_headers_to_configured_origins(
    client: httpx.Client, origin: str
) -> None:
    response = client.post("/tasks", json={"title": "cors"}, headers={"origin": origin})
    assert response.status_code == 201
    assert response.headers["access-control-allow-origin"] == origin
    assert header_set(response.headers.get("access-control-expose-headers")) >= EXPOSED


@pytest.mark.parametrize("origin", REFUSED)
def test_cors_answers_no_other_origin(client: httpx.Client, origin: str) -> None:
    preflight = client.options(
        "/tasks",
        headers={"origin": origin, "access-control-request-method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    simple = client.get("/tasks", headers={"origin": origin})
    assert simple.status_code == 200
    assert "access-control-allow-origin" not in simple.headers


@pytest.fixture
def password_app(own_postgres: ThrowawayPostgres) -> Iterator[tuple[ThrowawayPostgres, AppServer]]:
    """The app on a password-protected PostgreSQL in Render's `postgres://` form, at DEBUG."""
    server = AppServer(
        own_postgres.url(scheme="postgres"),
        env={**FAST_FAILURE_ENV, "LOG_LEVEL": "DEBUG"},
        extra_args=["--log-level", "debug"],
    )
    server.start()
    try:
        yield own_postgres, server
    finally:
        server.stop()


def test_database_password_never_appears_in_logs_or_responses(
    password_app: tuple[ThrowawayPostgres, AppServer],
) -> None:
    postgres, server = password_app
    secret = postgres.password
    seen: list[httpx.Response] = []
    with httpx.Client(base_url=server.url, timeout=30, event_hooks={}) as http:

        def call(method: str, path: str, **kwargs: object) -> None:
            seen.append(http.request(method, path, **kwargs))  # type: ignore[arg-type]

        call("GET", "/")
        call("GET", "/health")
        call("GET", "/openapi.json")
        call("POST", "/tasks", json={"title": "a"})
        task_id = seen[-1].json()["id"]
        call("GET", "/tasks")
        call("GET", f"/tasks/{task_id}")
        call("PATCH", f"/tasks/{task_id}", json={"title": None})
        call("PATCH", f"/tasks/{task_id}", json={"title": "b"}, headers={"if-match": '"9"'})
        call("POST", "/tasks", content=b"{", headers={"content-type": "application/json"})
        call("GET", "/tasks/nope")
        postgres.stop("immediate")  # the failure paths are where URLs get logged
        call("GET", "/health")
        call("GET", "/tasks")
        call("POST", "/tasks", json={"title": "c"})
        postgres.start()
        deadline = time.monotonic() + 20
        while http.get("/health").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.25)
        call("GET", "/health")
    server.stop()

    assert {r.status_code for r in seen} >= {200, 201, 404, 412, 422, 503}
    for response in seen:
        assert secret not in response.text, response.request.url
        assert secret not in str(response.headers), response.request.url
    log = server.log()
    assert log.strip(), "the app logged nothing at all"
    assert secret not in log


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_500_body_carries_no_stack_trace(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """A row no code path can read (an unknown status written behind the app's back)."""
    url = new_database_url(kind, request, tmp_path)
    server = AppServer(url, env=FAST_FAILURE_ENV)
    server.start()
    try:
        created = httpx.post(f"{server.url}/tasks", json={"title": "corrupt me"}, timeout=10)
        task_id = created.json()["id"]
        corrupt_status(url, task_id)
        responses = [
            httpx.get(f"{server.url}/tasks/{task_id}", timeout=10),
            httpx.get(f"{server.url}/tasks", timeout=10),
        ]
        log = server.log()
    finally:
        server.stop()
    for response in responses:
        assert response.status_code == 500, response.text
        assert response.json() == {"detail": "Internal server error"}
        for fragment in INTERNALS:
            assert fragment not in response.text
    assert "Traceback" in log or "Internal server error" in log.lower(), "the 500 was not logged"


def corrupt_status(url: str, task_id: str) -> None:
    if url.startswith("sqlite"):
        db = sqlite3.connect(url.removeprefix("sqlite:///"))
        with db:
            db.execute("PRAGMA ignore_check_constraints = ON")
            db.execute("UPDATE tasks SET status = 'exploded' WHERE id = ?", (task_id,))
        db.close()
        return
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cursor:
            # Whatever the column type, make it accept the bad value, as a hand-edited DB might.
            cursor.execute("ALTER TABLE tasks ALTER COLUMN status DROP DEFAULT")
            cursor.execute("ALTER TABLE tasks ALTER COLUMN status TYPE text USING status::text")
            cursor.execute("UPDATE tasks SET status = 'exploded' WHERE id = %s", (task_id,))
    finally:
        conn.close()
