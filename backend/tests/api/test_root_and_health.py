"""GET /, GET and HEAD /health, and /health when the database fails."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from src import __version__
from src.app import GC_YOUNG_THRESHOLD, app
from src.database import get_db, make_engine, make_sessionmaker
from tests.conftest import BACKEND, MakeTask, sessions_from


def test_after_start_up_young_collections_come_every_gc_young_threshold_objects(
    client: TestClient,
) -> None:
    # At Python's 700, open event streams made every full pass of the collector long and
    # frequent (src/app.py): the start-up must leave the raised threshold in place.
    assert gc.get_threshold()[0] == GC_YOUNG_THRESHOLD


def test_root_welcomes_and_points_to_docs_and_health(client: TestClient) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert response.json() == {
        "message": "Welcome to TaskFlow API",
        "version": __version__,
        "docs": "/docs",
        "health": "/health",
    }


def test_root_and_health_take_no_request_thread(
    client: TestClient, thread_trips: list[str]
) -> None:
    # Under load every request thread can be busy; these two must not wait for one (the
    # health probe has a thread of its own).
    for path in ["/", "/health"]:
        assert client.get(path).status_code == 200, path

    assert thread_trips == []


def test_health_reports_connected_database_and_task_count(
    client: TestClient, make_task: MakeTask
) -> None:
    make_task()
    make_task()

    response = client.get("/health")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy"
    assert body["database"] == "connected"
    assert body["storage"] == BACKEND
    assert body["tasks_count"] == 2
    assert body["version"] == __version__
    assert body["environment"]
    assert datetime.fromisoformat(body["timestamp"]).utcoffset() is not None


def test_head_health_answers_200_without_body(client: TestClient) -> None:
    response = client.head("/health")

    assert response.status_code == 200
    assert response.content == b""


@pytest.fixture
def broken_database_client(tmp_path: Path) -> Iterator[TestClient]:
    # A SQLite file in a folder that does not exist: every connection attempt fails.
    broken = make_engine(f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}")
    app.dependency_overrides[get_db] = sessions_from(make_sessionmaker(broken))
    try:
        with TestClient(app, raise_server_exceptions=False) as test_client:
            yield test_client
    finally:
        app.dependency_overrides.clear()
        broken.dispose()


def test_health_is_503_degraded_when_database_fails(broken_database_client: TestClient) -> None:
    response = broken_database_client.get("/health")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"] == "error"
    assert body["tasks_count"] is None


def test_task_endpoints_answer_503_with_retry_after_when_database_fails(
    broken_database_client: TestClient,
) -> None:
    for method, path in [("GET", "/tasks"), ("GET", "/tasks/count"), ("GET", "/tasks/stats")]:
        response = broken_database_client.request(method, path)
        assert response.status_code == 503, path
        assert response.json() == {"detail": "Database unavailable"}
        assert int(response.headers["Retry-After"]) > 0

    response = broken_database_client.post("/tasks", json={"title": "lost?"})
    assert response.status_code == 503
    assert response.json() == {"detail": "Database unavailable"}


def test_a_503_is_answered_without_waiting_for_a_thread(
    broken_database_client: TestClient, thread_trips: list[str]
) -> None:
    # In an outage the thread pool fills with requests still trying to connect; a request that
    # has already failed must not queue behind them to be told so.
    response = broken_database_client.get("/tasks/00000000-0000-4000-8000-000000000000")

    assert response.status_code == 503
    assert thread_trips == ["read_task"]
