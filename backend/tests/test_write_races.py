"""Versioned writes that lose a race: they write nothing, read the task again and retry.

On PostgreSQL the row lock taken by the read keeps other writers out, and on SQLite a writer
that commits in between makes the next write fail outright, so neither database can lose the
race on cue. Here another writer's commit is played inside the write's own transaction, just
before its UPDATE or DELETE: the version that statement names is then no longer the row's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from src.tasks import WRITE_ATTEMPTS
from tests.conftest import MakeTask


@contextmanager
def versions_advanced_before(
    engine: Engine, statement_start: str, task_id: str, times: int
) -> Iterator[list[str]]:
    """Advance the task's version just before each of the first `times` statements that start
    with `statement_start`; yield the list of those statements as they run."""
    seen: list[str] = []

    def before(_conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith(statement_start):
            seen.append(statement)
            if len(seen) <= times:
                # The id is one the test created (a UUID), so it can stand in the SQL.
                cursor.execute(f"UPDATE tasks SET version = version + 1 WHERE id = '{task_id}'")

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def test_an_update_that_loses_a_race_reads_again_and_applies(
    client: TestClient, make_task: MakeTask, engine: Engine
) -> None:
    task = make_task(title="before")

    with versions_advanced_before(engine, "UPDATE tasks", task["id"], times=1) as updates:
        response = client.patch(f"/tasks/{task['id']}", json={"title": "after"})

    assert len(updates) == 2  # the first matched no row
    assert response.status_code == 200, response.text
    # The lost attempt rolled back with the version it raced against.
    assert response.json()["version"] == 2
    assert response.headers["ETag"] == '"2"'
    assert client.get(f"/tasks/{task['id']}").json() == response.json()


def test_an_update_that_keeps_losing_is_409_and_changes_nothing(
    client: TestClient, make_task: MakeTask, engine: Engine
) -> None:
    task = make_task(title="before")

    with versions_advanced_before(
        engine, "UPDATE tasks", task["id"], times=WRITE_ATTEMPTS
    ) as updates:
        response = client.patch(f"/tasks/{task['id']}", json={"title": "after"})

    assert len(updates) == WRITE_ATTEMPTS
    assert response.status_code == 409, response.text
    assert response.json()["detail"]
    assert client.get(f"/tasks/{task['id']}").json() == task


@pytest.mark.parametrize("lost", [1, WRITE_ATTEMPTS])
def test_a_delete_that_loses_a_race_reads_again(
    client: TestClient, make_task: MakeTask, engine: Engine, lost: int
) -> None:
    task = make_task()

    with versions_advanced_before(engine, "DELETE FROM tasks", task["id"], lost) as deletes:
        response = client.delete(f"/tasks/{task['id']}")

    if lost < WRITE_ATTEMPTS:
        assert len(deletes) == lost + 1
        assert response.status_code == 204, response.text
        assert client.get(f"/tasks/{task['id']}").status_code == 404
    else:
        assert len(deletes) == WRITE_ATTEMPTS
        assert response.status_code == 409, response.text
        assert client.get(f"/tasks/{task['id']}").json() == task
