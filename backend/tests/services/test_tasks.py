"""The query layer, called directly: each function gives its connection back before it returns.

FastAPI validates a `def` route's answer in a worker thread of its own, after the route has
returned. A function that kept its session's connection until then would hold it while
waiting for that thread; with every thread waiting for a connection, the pool stalls until
its timeout and answers 503s (it did, at 64 connections, in the benchmark).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from src.errors import PreconditionFailed
from src.schemas import TaskCreate, TaskFilters, TaskListQuery
from src.services import tasks


def _task(session: Session) -> str:
    return tasks.create_task(session, data=TaskCreate(title="held?")).id


CALLS: dict[str, Callable[[Session, str], Any]] = {
    "list": lambda s, _id: tasks.list_tasks(s, query=TaskListQuery(status=["todo"])),
    "count": lambda s, _id: tasks.count_tasks(s, filters=TaskFilters(q="held")),
    "stats": lambda s, _id: tasks.task_stats(s, filters=TaskFilters(overdue=False)),
    "get": lambda s, task_id: tasks.get_task(s, task_id=task_id),
    "update": lambda s, task_id: tasks.update_task(
        s, task_id=task_id, changes={"title": "changed"}, if_match='"1"'
    ),
    "delete": lambda s, task_id: tasks.delete_task(s, task_id=task_id, if_match=None),
    "create": lambda s, _id: _task(s),
}


@pytest.mark.parametrize("call", CALLS)
def test_each_function_gives_its_connection_back(
    call: str, engine: Engine, db_session: Session
) -> None:
    task_id = _task(db_session)
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]

    CALLS[call](db_session, task_id)

    # The session is still open, as it is while FastAPI validates the answer.
    assert not db_session.in_transaction()
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_a_failed_write_gives_its_connection_back(engine: Engine, db_session: Session) -> None:
    task_id = _task(db_session)
    with pytest.raises(PreconditionFailed):
        tasks.update_task(db_session, task_id=task_id, changes={"title": "x"}, if_match='"7"')
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_statements_of_one_shape_bind_each_requests_values(db_session: Session) -> None:
    # One statement is built per shape and reused: the values must come from each call.
    for title, status in (("first", "todo"), ("second", "done")):
        tasks.create_task(db_session, data=TaskCreate(title=title, status=status))
    for status, title in (("todo", "first"), ("done", "second")):
        page, total = tasks.list_tasks(db_session, query=TaskListQuery(status=[status]))
        assert ([task.title for task in page], total) == ([title], 1)
        assert tasks.count_tasks(db_session, filters=TaskFilters(status=[status])) == 1
        stats = tasks.task_stats(db_session, filters=TaskFilters(status=[status]))
        assert stats.total == 1 and getattr(stats.by_status, status) == 1
