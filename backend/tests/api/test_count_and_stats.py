"""GET /tasks/count and /tasks/stats honour the same filters as the list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from tests.conftest import MakeTask

PAST = (datetime.now(UTC) - timedelta(days=2)).isoformat()


def test_count_is_total_and_honours_filters(client: TestClient, make_task: MakeTask) -> None:
    make_task(status="todo", assignee="alice")
    make_task(status="done", assignee="alice")
    make_task(status="done")

    assert client.get("/tasks/count").json() == {"total": 3}
    assert client.get("/tasks/count", params={"status": "done"}).json() == {"total": 2}
    assert client.get("/tasks/count", params={"assignee": "alice", "status": "done"}).json() == {
        "total": 1
    }
    assert client.get("/tasks/count", params={"status": "nope"}).status_code == 422


def test_stats_on_empty_database_has_every_key_at_zero(client: TestClient) -> None:
    assert client.get("/tasks/stats").json() == {
        "total": 0,
        "by_status": {"todo": 0, "in_progress": 0, "done": 0},
        "by_priority": {"low": 0, "medium": 0, "high": 0},
        "overdue": 0,
    }


def test_stats_counts_by_status_priority_and_overdue(
    client: TestClient, make_task: MakeTask
) -> None:
    make_task(status="todo", priority="high", due_date=PAST)
    make_task(status="in_progress", priority="high", due_date=PAST)
    make_task(status="done", priority="low", due_date=PAST)
    make_task(status="todo", priority="medium")

    assert client.get("/tasks/stats").json() == {
        "total": 4,
        "by_status": {"todo": 2, "in_progress": 1, "done": 1},
        "by_priority": {"low": 1, "medium": 1, "high": 2},
        "overdue": 2,
    }
    assert client.get("/tasks/stats", params={"priority": "high"}).json()["total"] == 2
