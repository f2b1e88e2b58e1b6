"""Direct reads answer as SQLAlchemy's execution would, and fail as it would."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, NamedTuple

import pytest
from sqlalchemy import Engine, bindparam, event, select, text
from sqlalchemy.exc import DBAPIError

from src.database import Base, make_engine, make_sessionmaker
from src.direct_reads import DirectRead
from src.errors import TaskNotFound
from src.models import TaskModel, TaskPriority, TaskRecord, TaskStatus
from src.schemas import TaskFilters
from src.tasks import TASK_COLUMNS, _order_by, filter_parameters, get_task, task_conditions

_table = TaskModel.__table__


@pytest.fixture
def own_engine(fresh_database_url: str) -> Iterator[Engine]:
    """An engine and pool of the test's own, on an empty database with the tasks table."""
    engine = make_engine(fresh_database_url)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def _insert(engine: Engine, **fields: Any) -> str:
    task_id = str(uuid.uuid4())
    with make_sessionmaker(engine)() as session, session.begin():
        session.add(TaskModel(id=task_id, **fields))
    return task_id


def test_a_direct_read_gives_the_values_sqlalchemy_gives(own_engine: Engine) -> None:
    full = _insert(
        own_engine,
        title="Ünïcode 🚀 'quoted'",
        description="x" * 1000,
        status=TaskStatus.IN_PROGRESS,
        priority=TaskPriority.HIGH,
        assignee="ana",
        due_date=datetime(2030, 1, 2, 3, 4, 5, 678000, tzinfo=UTC),
    )
    bare = _insert(own_engine, title="t")
    session = make_sessionmaker(own_engine)()

    for task_id in (full, bare):
        direct = get_task(session, task_id)
        with own_engine.connect() as connection:
            executed = connection.execute(select(*TASK_COLUMNS).where(_table.c.id == task_id)).one()
        assert tuple(direct) == tuple(executed)
        assert [type(value) for value in direct] == [type(value) for value in executed]
    assert isinstance(direct.status, TaskStatus)
    assert direct.created_at.tzinfo is UTC
    assert own_engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_a_driver_error_is_raised_as_sqlalchemys_and_the_connection_goes_back(
    own_engine: Engine,
) -> None:
    with own_engine.begin() as connection:
        connection.execute(text("DROP TABLE tasks"))

    with pytest.raises(DBAPIError) as raised:
        get_task(make_sessionmaker(own_engine)(), str(uuid.uuid4()))

    assert "tasks" in str(raised.value.orig)
    assert not raised.value.connection_invalidated
    assert own_engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def _break_pooled_connections(engine: Engine, count: int) -> None:
    """Put `count` connections in the pool, then sever each behind the pool's back."""
    pooled = [engine.raw_connection() for _ in range(count)]
    dbapi_connections = [connection.dbapi_connection for connection in pooled]
    for connection in pooled:
        connection.close()
    if engine.dialect.name == "sqlite":
        for dbapi_connection in dbapi_connections:
            assert isinstance(dbapi_connection, sqlite3.Connection)
            dbapi_connection.close()
        return
    admin = make_engine(engine.url.render_as_string(hide_password=False))
    with admin.connect() as admin_connection:
        ended = admin_connection.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    admin.dispose()
    assert ended == count


def test_a_lost_connection_renews_the_whole_pool(own_engine: Engine) -> None:
    task_id = _insert(own_engine, title="t")
    _break_pooled_connections(own_engine, 2)
    session = make_sessionmaker(own_engine)()

    with pytest.raises(DBAPIError) as raised:
        get_task(session, task_id)

    assert raised.value.connection_invalidated
    # The other severed connection is replaced too, as Connection.execute would have it: the
    # next read does not fail on it.
    assert get_task(session, task_id).id == task_id
    assert own_engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_a_connection_that_dies_as_it_is_checked_out_renews_the_pool(own_engine: Engine) -> None:
    # On PostgreSQL the read fails as it switches the connection to autocommit, before any
    # statement; on SQLite as it opens a cursor.
    task_id = _insert(own_engine, title="t")
    session = make_sessionmaker(own_engine)()

    def close(dbapi_connection: Any, *_: object) -> None:
        dbapi_connection.close()

    event.listen(own_engine.pool, "checkout", close)
    try:
        with pytest.raises(DBAPIError) as raised:
            get_task(session, task_id)
    finally:
        event.remove(own_engine.pool, "checkout", close)

    assert raised.value.connection_invalidated
    assert own_engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    assert get_task(session, task_id).id == task_id


def test_an_unknown_id_reads_as_not_found(own_engine: Engine) -> None:
    with pytest.raises(TaskNotFound):
        get_task(make_sessionmaker(own_engine)(), str(uuid.uuid4()))


def test_a_record_must_have_the_statements_columns() -> None:
    class TitleOnly(NamedTuple):
        title: str

    statement = select(_table.c.id).where(_table.c.id == bindparam("id"))
    with pytest.raises(ValueError, match="TitleOnly"):
        DirectRead(statement, TitleOnly)
    assert DirectRead(select(*TASK_COLUMNS), TaskRecord)  # the one tasks.py uses


def test_a_read_with_lists_and_literals_gives_what_sqlalchemy_gives(own_engine: Engine) -> None:
    # IN lists are rendered per call, values written into the statement (the CASE ranks of a
    # priority sort on SQLite, overdue's `status != 'done'`) are bound as SQLAlchemy binds them.
    for n, (status, priority) in enumerate([(s, p) for s in TaskStatus for p in TaskPriority] * 2):
        _insert(
            own_engine,
            title=f"task {n}",
            status=status,
            priority=priority,
            due_date=datetime(2020 + n % 15, 1, 1, tzinfo=UTC),
        )
    filters = TaskFilters(status=["todo", "in_progress"], overdue=True)
    shape, values = filter_parameters(filters, datetime(2030, 6, 1, tzinfo=UTC))
    params = {**values, "limit": 50, "offset": 0}
    statement = (
        select(*TASK_COLUMNS)
        .where(*task_conditions(shape))
        .order_by(*_order_by(own_engine.dialect.name, "-priority"))
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )

    direct = DirectRead(statement, TaskRecord).all(own_engine, params)
    with own_engine.connect() as connection:
        executed = connection.execute(statement, params).all()

    assert 0 < len(direct) < 36  # the filters matter
    assert [tuple(record) for record in direct] == [tuple(row) for row in executed]


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        (_table.c.id == bindparam("id", callable_=lambda: "an id"), "parameter functions"),
        (_table.c.status.in_([TaskStatus.TODO, TaskStatus.DONE]), "IN lists as parameters"),
    ],
    ids=["computed", "literal-in-list"],
)
def test_a_direct_read_refuses_parameters_it_would_not_fill_in(
    own_engine: Engine, condition: Any, message: str
) -> None:
    read = DirectRead(select(*TASK_COLUMNS).where(condition), TaskRecord)
    with pytest.raises(ValueError, match=message):
        read.first(own_engine, {})


def test_an_empty_in_list_is_refused(own_engine: Engine) -> None:
    in_list = _table.c.status.in_(bindparam("status", expanding=True))
    read = DirectRead(select(*TASK_COLUMNS).where(in_list), TaskRecord)
    with pytest.raises(ValueError, match="empty list"):
        read.all(own_engine, {"status": []})
