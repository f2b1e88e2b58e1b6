"""The real server process on a SQLite file: a task created over HTTP survives a restart."""

from __future__ import annotations

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
