"""The real server process on a SQLite file: restarts, and keep-alive after an error."""

from __future__ import annotations

import http.client
import json
import sqlite3
from pathlib import Path

import httpx

from tests.support.server import AppServer


def test_task_survives_server_restart(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'smoke.db'}"
    server = AppServer(database)
    server.start()
    try:
        health = httpx.get(f"{server.url}/health", timeout=5).json()
        assert health["status"] == "healthy" and health["storage"] == "sqlite"
        created = httpx.post(f"{server.url}/tasks", json={"title": "Survive"}, timeout=5)
        assert created.status_code == 201
        task_id = created.json()["id"]
    finally:
        server.stop()

    # A graceful stop: uvicorn re-raises the SIGTERM it handled once shutdown completed.
    assert server.process is not None and server.process.returncode in (0, -15)

    server.start()
    try:
        fetched = httpx.get(f"{server.url}/tasks/{task_id}", timeout=5)
        assert fetched.status_code == 200
        assert fetched.json()["title"] == "Survive"
        head = httpx.head(f"{server.url}/health", timeout=5)
        assert head.status_code == 200 and head.content == b""
    finally:
        server.stop()


def test_after_a_500_the_connection_serves_the_next_request_and_the_error_is_logged_once(
    tmp_path: Path,
) -> None:
    database = tmp_path / "broken-row.db"
    origin = "http://localhost:5173"  # one of the default CORS origins
    with AppServer(f"sqlite:///{database}") as server:
        task_id = httpx.post(f"{server.url}/tasks", json={"title": "ok"}, timeout=5).json()["id"]
        # A value no status can be read from: reading the task fails the way a bug would.
        with sqlite3.connect(database) as raw:
            raw.execute("UPDATE tasks SET status = 'bogus' WHERE id = ?", (task_id,))
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        try:
            connection.request("GET", f"/tasks/{task_id}", headers={"Origin": origin})
            failed = connection.getresponse()
            body = failed.read()
            connection.request("GET", "/health")  # the same keep-alive connection
            after = connection.getresponse()
            after.read()
        finally:
            connection.close()
        log = server.log()

    assert failed.status == 500
    assert json.loads(body) == {"detail": "Internal server error"}
    assert failed.getheader("Access-Control-Allow-Origin") == origin
    assert failed.getheader("Connection") != "close"
    assert after.status == 200
    # Once: the app's own line, not uvicorn's "Exception in ASGI application" after it.
    assert log.count(f"unhandled error on GET /tasks/{task_id}") == 1, log
    assert log.count("LookupError: 'bogus'") == 1, log
    assert "Exception in ASGI application" not in log, log
