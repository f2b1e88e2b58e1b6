"""Writes that race other writers: the database orders them, and none is lost or overwritten.

Each write is one statement that names the versions it accepts and advances the version in SQL.
Another writer's commit is played just before the statement runs, on its own connection: the
statement then sees the row as that writer left it.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, update

from src.models import TaskModel
from tests.conftest import MakeTask


@contextmanager
def another_writer_before(engine: Engine, statement_start: str, task_id: str) -> Iterator[None]:
    """Advance the task's version, committed, just before the first statement that starts with
    `statement_start`."""
    done: list[bool] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith(statement_start) and not done:
            done.append(True)
            with engine.begin() as other:  # Core, past the ORM's own version check
                other.execute(
                    update(TaskModel)
                    .where(TaskModel.id == task_id)
                    .values(version=TaskModel.version + 1)
                    .execution_options(synchronize_session=False)
                )

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", before)


def test_an_update_naming_the_version_another_writer_just_replaced_is_412_and_changes_nothing(
    client: TestClient, make_task: MakeTask, engine: Engine
) -> None:
    task = make_task(title="before")

    with another_writer_before(engine, "UPDATE tasks", task["id"]):
        response = client.patch(
            f"/tasks/{task['id']}", json={"title": "after"}, headers={"If-Match": '"1"'}
        )

    assert response.status_code == 412, response.text
    after = client.get(f"/tasks/{task['id']}").json()
    assert (after["title"], after["version"]) == ("before", 2)


def test_an_update_without_if_match_applies_on_top_of_another_writers_change(
    client: TestClient, make_task: MakeTask, engine: Engine
) -> None:
    task = make_task(title="before")

    with another_writer_before(engine, "UPDATE tasks", task["id"]):
        response = client.patch(f"/tasks/{task['id']}", json={"title": "after"})

    assert response.status_code == 200, response.text
    # Both writes counted: the answer is the row as it is now, with its ETag.
    assert (response.json()["title"], response.json()["version"]) == ("after", 3)
    assert response.headers["ETag"] == '"3"'
    assert client.get(f"/tasks/{task['id']}").json() == response.json()


def test_a_delete_naming_a_replaced_version_is_412_and_keeps_the_task(
    client: TestClient, make_task: MakeTask, engine: Engine
) -> None:
    task = make_task()

    with another_writer_before(engine, "DELETE FROM tasks", task["id"]):
        response = client.delete(f"/tasks/{task['id']}", headers={"If-Match": '"1"'})

    assert response.status_code == 412, response.text
    assert client.get(f"/tasks/{task['id']}").json()["version"] == 2


def test_concurrent_updates_are_all_applied_and_each_gets_its_own_version(
    client: TestClient, make_task: MakeTask
) -> None:
    task = make_task()
    writers = 8

    def bump(index: int) -> int:
        response = client.patch(f"/tasks/{task['id']}", json={"description": f"writer {index}"})
        assert response.status_code == 200, response.text
        version: int = response.json()["version"]
        return version

    with ThreadPoolExecutor(max_workers=writers) as pool:
        versions = sorted(pool.map(bump, range(writers)))

    assert versions == list(range(2, 2 + writers))
    assert client.get(f"/tasks/{task['id']}").json()["version"] == 1 + writers
