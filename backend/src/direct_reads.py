"""DirectRead: a SELECT that SQLAlchemy compiles once per dialect and the driver's cursor runs.

SQLAlchemy's execution machinery (an execution context, a cursor result and its metadata, a
Row, the Connection around them) took a fifth of a GET's CPU, about 0.15 ms, around its one
round trip: the largest single cost of the API's most frequent request. A DirectRead keeps what
matters of SQLAlchemy: the SQL and parameter style compiled for the dialect, the types' bind and
result processors, the pool with its checkout and checkin events (and so the round-trip
deadlines and pings of database.py), driver errors raised as SQLAlchemy's exceptions (so they
map to 503 as any other), and a lost connection renewing the pool. What it leaves out: the
engine's execution events (before/after_cursor_execute, handle_error) and `echo` logging do not
see it. So it is for a few reads that run often and return plain values; everything else goes
through Connection.execute.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

from sqlalchemy import Dialect, Engine, Select
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.pool import PoolProxiedConnection

R = TypeVar("R", bound=NamedTuple)

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # The parameters in the order the SQL names them, for positional styles (SQLite's `?`);
    # None for named ones (psycopg2's `%(name)s`), which take the dict.
    positions: tuple[str, ...] | None
    bind_processors: dict[str, Processor]
    result_processors: tuple[Processor | None, ...]


class DirectRead(Generic[R]):
    """`statement`, whose columns are exactly `record`'s fields, returning `record`s."""

    def __init__(self, statement: Select[Any], record: type[R]) -> None:
        columns = tuple(column.key for column in statement.selected_columns)
        if columns != record._fields:
            raise ValueError(f"{record.__name__} has fields {record._fields}, not {columns}")
        self._statement = statement
        self._record = record
        # One entry per engine (tests make many, hence weak keys).
        self._compiled: weakref.WeakKeyDictionary[Dialect, _Compiled] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def first(self, engine: Engine, params: dict[str, Any]) -> R | None:
        compiled = self._compiled_for(engine.dialect)
        row = _fetchone(engine, compiled, params)
        if row is None:
            return None
        return self._record._make(
            value if process is None else process(value)
            for process, value in zip(compiled.result_processors, row, strict=True)
        )

    def _compiled_for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.setdefault(dialect, self._compile(dialect))
        return compiled

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self._statement.compile(dialect=dialect)
        bind_processors: dict[str, Processor] = {}
        for name, bind in compiled.binds.items():
            if bind.value is not None or bind.callable is not None or bind.expanding:
                # Filling those in is the execution machinery's work: name and pass each one.
                raise ValueError(f"DirectRead takes only plain named parameters, not {name!r}")
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                bind_processors[name] = process
        result_processors = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in self._statement.selected_columns
        )
        positions = tuple(compiled.positiontup or ()) if dialect.positional else None
        return _Compiled(compiled.string, positions, bind_processors, result_processors)


def _fetchone(engine: Engine, compiled: _Compiled, params: dict[str, Any]) -> Any:
    dialect = engine.dialect
    values = {
        name: process(params[name]) if (process := compiled.bind_processors.get(name)) else value
        for name, value in params.items()
    }
    parameters: Any = values
    if compiled.positions is not None:
        parameters = [values[name] for name in compiled.positions]
    dbapi_error = dialect.loaded_dbapi.Error
    try:
        # The pool raises the driver's own error when it cannot connect.
        pooled = engine.raw_connection()
    except dbapi_error as exc:
        raise _wrapped(exc, engine, compiled, parameters, disconnect=False) from exc
    cursor = None
    try:
        if dialect.name == "postgresql":
            # As in database.reading(): no BEGIN and ROLLBACK round trips around one SELECT. The
            # pool's checkin turns autocommit off again.
            pooled.dbapi_connection.autocommit = True  # type: ignore[union-attr]
        cursor = pooled.cursor()
        cursor.execute(compiled.sql, parameters)
        row = cursor.fetchone()
        cursor.close()
        return row
    except dbapi_error as exc:
        disconnect = dialect.is_disconnect(exc, pooled.dbapi_connection, cursor)
        if disconnect:
            _invalidate_pool(engine, pooled, exc)
        elif cursor is not None:
            with contextlib.suppress(dbapi_error):
                cursor.close()
        raise _wrapped(exc, engine, compiled, parameters, disconnect=disconnect) from exc
    finally:
        pooled.close()


def _wrapped(
    exc: Exception, engine: Engine, compiled: _Compiled, parameters: Any, *, disconnect: bool
) -> StatementError:
    """The driver's error as SQLAlchemy's exception (OperationalError and so on)."""
    dialect = engine.dialect
    return DBAPIError.instance(
        compiled.sql,
        parameters,
        exc,
        dialect.loaded_dbapi.Error,
        hide_parameters=engine.hide_parameters,
        connection_invalidated=disconnect,
        dialect=dialect,
    )


def _invalidate_pool(engine: Engine, pooled: PoolProxiedConnection, exc: Exception) -> None:
    """What Connection.execute does when the database drops a connection mid-statement.

    Not only this connection, but every pooled one opened before now is replaced at its next
    checkout: they went to the same server, and would each fail one more request. SQLAlchemy
    offers this only through the pool's `_invalidate`, which its own Connection calls.
    """
    engine.pool._invalidate(pooled, exc)
