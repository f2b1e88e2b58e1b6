"""Direct reads answer as SQLAlchemy's execution would, and fail as it would."""

from __future__ import annotations

import sqlite3
import types
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, NamedTuple

import pytest
from sqlalchemy import Dialect, Engine, bindparam, create_engine, event, select, text
from sqlalchemy.exc import DBAPIError

from src.database import Base, make_engine, make_sessionmaker
from src.direct_reads import DirectRead, _result_processor
from src.errors import TaskNotFound
from src.models import (
    PRIORITY_TYPE,
    STATUS_TYPE,
    TaskModel,
    TaskPriority,
    TaskRecord,
    TaskStatus,
    UTCDateTime,
)
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


def test_a_page_gives_the_values_and_types_sqlalchemy_gives(own_engine: Engine) -> None:
    # Many rows are processed column by column (DirectRead._records), one row value by value.
    for n in range(6):
        _insert(
            own_engine,
            title=f"task {n}",
            status=list(TaskStatus)[n % 3],
            priority=list(TaskPriority)[n % 3],
            due_date=None if n % 2 else datetime(2030, 1, 2, 3, 4, n, 678000, tzinfo=UTC),
        )
    statement = select(*TASK_COLUMNS).order_by(_table.c.title)

    direct = DirectRead(statement, TaskRecord).all(own_engine, {})
    with own_engine.connect() as connection:
        executed = connection.execute(statement).all()

    assert [tuple(record) for record in direct] == [tuple(row) for row in executed]
    # A StrEnum member equals its text: only the types tell a looked-up status from a raw one.
    assert [[type(value) for value in record] for record in direct] == [
        [type(value) for value in row] for row in executed
    ]
    assert {task.created_at.tzinfo for task in direct} == {UTC}
    assert own_engine.pool.checkedout() == 0  # type: ignore[attr-defined]


# The two dialects, without a database: the processors are pure functions of the values.
_POSTGRESQL = create_engine("postgresql+psycopg2://").dialect
_SQLITE = create_engine("sqlite://").dialect
_DIALECTS = [_POSTGRESQL, _SQLITE]


@pytest.mark.parametrize("dialect", _DIALECTS, ids=lambda dialect: dialect.name)
@pytest.mark.parametrize("enum_type", [STATUS_TYPE, PRIORITY_TYPE], ids=["status", "priority"])
def test_an_enum_is_read_by_a_dict_lookup_as_sqlalchemy_reads_it(
    dialect: Dialect, enum_type: Any
) -> None:
    fast = _result_processor(enum_type, dialect)
    sqlalchemys = enum_type.dialect_impl(dialect).result_processor(dialect, None)
    assert isinstance(fast, types.BuiltinMethodType)  # one C call, not SQLAlchemy's two
    for stored in [*enum_type.enums, None]:
        assert fast(stored) is sqlalchemys(stored)
    for unknown in ("TODO", "", "low "):
        with pytest.raises(LookupError):
            sqlalchemys(unknown)
        with pytest.raises(LookupError):
            fast(unknown)


_KOLKATA = timezone(timedelta(hours=5, minutes=30))
_AT = datetime(2030, 1, 2, 3, 4, 5, 678000)


@pytest.mark.parametrize(
    "column",
    [
        [_AT.replace(tzinfo=UTC), None, _AT.replace(tzinfo=UTC, microsecond=0)],
        [None, None],
        [_AT.replace(tzinfo=UTC), _AT],  # naive: SQLite's, or a driver without time zones
        [_AT.replace(tzinfo=_KOLKATA), None, _AT.replace(tzinfo=UTC)],  # a session not in UTC
        [_AT.replace(tzinfo=timezone(timedelta(0), "UTC+0"))],  # zero, but not UTC itself
    ],
    ids=["utc", "nulls", "naive", "offset", "named-zero"],
)
def test_a_timestamp_column_is_processed_as_its_values_are(column: list[Any]) -> None:
    dialect = _POSTGRESQL
    column_type = UTCDateTime()
    by_value = [column_type.result_processor(dialect, None)(value) for value in column]  # type: ignore[misc]

    processed = list(column_type.column_result_processor(dialect)(tuple(column)))

    assert processed == by_value
    assert [value and value.tzinfo for value in processed] == [
        value and value.tzinfo for value in by_value
    ]
    assert all(value is None or value.tzinfo is UTC for value in processed)


def test_a_column_of_utc_timestamps_is_kept_as_it_is() -> None:
    dialect = _POSTGRESQL
    column = (_AT.replace(tzinfo=UTC), None, _AT.replace(tzinfo=UTC) + timedelta(days=1))
    assert UTCDateTime().column_result_processor(dialect)(column) is column


def test_sqlites_timestamp_text_is_parsed_value_by_value() -> None:
    dialect = _SQLITE
    column = ("2030-01-02 03:04:05.678000", None, "2030-01-02 03:04:05")
    processed = list(UTCDateTime().column_result_processor(dialect)(column))
    assert processed == [_AT.replace(tzinfo=UTC), None, _AT.replace(tzinfo=UTC, microsecond=0)]


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
