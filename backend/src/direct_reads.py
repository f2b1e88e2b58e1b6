"""DirectRead: a SELECT that SQLAlchemy compiles once per dialect and the driver's cursor runs.

SQLAlchemy's execution machinery (an execution context, a cursor result and its metadata, a
Row, the Connection around them) took about a fifth of a GET's CPU around its one round trip:
the largest single cost of the API's most frequent request. Run directly, the GET's query layer
takes 0.34 M instructions instead of 0.58 M (counted by callgrind). A DirectRead keeps what
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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, NamedTuple, Protocol, TypeVar, runtime_checkable

from sqlalchemy import Dialect, Engine, Enum, Select
from sqlalchemy.engine.interfaces import DBAPIModule
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.types import TypeEngine

R = TypeVar("R", bound=NamedTuple)

Processor = Callable[[Any], Any]
# A column's values, as the driver gave them, to the values its type's result processor makes.
ColumnProcessor = Callable[[Sequence[Any]], Iterable[Any]]


@runtime_checkable
class ProcessesColumns(Protocol):
    """A column type that can process a whole column of results at once, faster than value by
    value, and with the same results as its result processor."""

    def column_result_processor(self, dialect: Dialect) -> ColumnProcessor: ...


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # The parameters in the order the SQL names them, for positional styles (SQLite's `?`);
    # None for named ones (psycopg2's `%(name)s`), which take the dict.
    positions: tuple[str, ...] | None
    # Values written into the statement itself (`status != 'done'`, a CASE's ranks), processed.
    literals: dict[str, Any]
    bind_processors: dict[str, Processor]
    # Lists for `IN (...)`: each is rendered as one placeholder per item when the read runs.
    expanding: frozenset[str]
    # (column index, its type's result processor), for the columns that have one; and the same
    # done to a whole column at once, for many rows.
    result_processors: tuple[tuple[int, Processor], ...]
    column_processors: tuple[tuple[int, ColumnProcessor], ...]


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

    def first(self, source: Engine | Reading, params: dict[str, Any]) -> R | None:
        """The first row, or None: on a connection of its own, or on `source`'s."""
        compiled = self._compiled_for(source.dialect)
        row = _run(source, compiled, params, _fetchone)
        if row is None:
            return None
        values = list(row)
        for index, process in compiled.result_processors:
            values[index] = process(values[index])
        return self._record._make(values)

    def all(self, source: Engine | Reading, params: dict[str, Any]) -> list[R]:
        """Every row: on a connection of its own, or on `source`'s."""
        compiled = self._compiled_for(source.dialect)
        return self._records(compiled, _run(source, compiled, params, _fetchall))

    def _records(self, compiled: _Compiled, rows: list[Any]) -> list[R]:
        # Column by column: each column's processing is then one call (a `map` running in C,
        # mostly) rather than one Python call per value, 150 of them for a page's timestamps.
        # 90 → 44 µs of CPU for a page of 50; for one row, value by value is faster (2 µs, not 6).
        if not rows:
            return []
        columns: list[Iterable[Any]] = list(zip(*rows, strict=True))
        for index, process in compiled.column_processors:
            columns[index] = process(columns[index])  # type: ignore[arg-type]  # still a tuple
        return list(map(self._record._make, zip(*columns, strict=True)))

    def _compiled_for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.setdefault(dialect, self._compile(dialect))
        return compiled

    def _compile(self, dialect: Dialect) -> _Compiled:
        if dialect.paramstyle not in ("pyformat", "qmark"):
            raise ValueError(f"DirectRead does not render {dialect.paramstyle!r} parameters")
        compiled = self._statement.compile(dialect=dialect)
        literals: dict[str, Any] = {}
        bind_processors: dict[str, Processor] = {}
        expanding = set()
        for bind, name in compiled.bind_names.items():
            if bind.callable is not None:
                raise ValueError(f"DirectRead does not call parameter functions ({name!r})")
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if bind.expanding:
                if not bind.required:
                    raise ValueError(f"pass IN lists as parameters, not in the SQL ({name!r})")
                expanding.add(name)
            if not bind.required:  # a literal value
                literals[name] = bind.value if process is None else process(bind.value)
            elif process is not None:
                bind_processors[name] = process
        result_processors = []
        column_processors = []
        for index, column in enumerate(self._statement.selected_columns):
            read = _result_processor(column.type, dialect)
            if read is None:
                continue
            result_processors.append((index, read))
            if isinstance(column.type, ProcessesColumns):
                column_processors.append((index, column.type.column_result_processor(dialect)))
            else:
                column_processors.append((index, partial(map, read)))
        positions = tuple(compiled.positiontup or ()) if dialect.positional else None
        return _Compiled(
            compiled.string,
            positions,
            literals,
            bind_processors,
            frozenset(expanding),
            tuple(result_processors),
            tuple(column_processors),
        )


def _result_processor(column_type: TypeEngine[Any], dialect: Dialect) -> Processor | None:
    """`column_type`'s result processor, or one doing the same faster; None for nothing to do."""
    impl = column_type.dialect_impl(dialect)
    process = impl.result_processor(dialect, None)
    if process is None:
        return None
    # An Enum's processor runs the text's own processor (none, on both databases here), then
    # looks the text up in a dict of stored values, None included. The dict's own lookup is the
    # same as one C call instead of two Python ones; an unknown value raises KeyError, which is
    # a LookupError as SQLAlchemy's is (tests/test_direct_reads checks all three).
    lookup = getattr(impl, "_object_lookup", None)
    if (
        isinstance(impl, Enum)
        and isinstance(lookup, dict)
        and super(Enum, impl).result_processor(dialect, None) is None
    ):
        return lookup.__getitem__
    return process


def _fetchone(cursor: Any) -> Any:
    return cursor.fetchone()


def _fetchall(cursor: Any) -> Any:
    return cursor.fetchall()


def _bound(compiled: _Compiled, params: dict[str, Any]) -> tuple[str, Any]:
    """The SQL and the driver's parameters for `params`, processed by their types."""
    sql = compiled.sql
    values = dict(compiled.literals)
    order = compiled.positions
    for name, value in params.items():
        process = compiled.bind_processors.get(name)
        if name not in compiled.expanding:
            values[name] = value if process is None else process(value)
            continue
        if not value:
            raise ValueError(f"an empty list for IN ({name!r}) matches nothing: leave it out")
        # Brackets: no name SQLAlchemy binds can take this form (it names literals `status_1`).
        names = [f"{name}[{n}]" for n in range(len(value))]
        for item_name, item in zip(names, value, strict=True):
            values[item_name] = item if process is None else process(item)
        if order is None:
            placeholders = ", ".join(f"%({item_name})s" for item_name in names)
        else:
            placeholders = ", ".join("?" for _ in names)
            at = order.index(name)
            order = (*order[:at], *names, *order[at + 1 :])
        sql = sql.replace(f"__[POSTCOMPILE_{name}]", placeholders)
    if order is None:
        return sql, values
    return sql, [values[name] for name in order]


def _run(
    source: Engine | Reading, compiled: _Compiled, params: dict[str, Any], fetch: Processor
) -> Any:
    if isinstance(source, Reading):
        return source.run(compiled, params, fetch)
    with Reading(source) as reading:
        return reading.run(compiled, params, fetch)


class Reading:
    """One pooled connection, for one DirectRead or several in a row (a page and its count): one
    checkout and checkin for all of them, 17 µs of CPU a pair."""

    __slots__ = ("_pooled", "dialect", "engine")

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect

    def __enter__(self) -> Reading:
        dbapi_error = self.dialect.loaded_dbapi.Error
        try:
            # The pool raises the driver's own error when it cannot connect.
            self._pooled = self.engine.raw_connection()
        except dbapi_error as exc:
            raise _wrapped(exc, self.engine, None, None, disconnect=False) from exc
        if self.dialect.name == "postgresql":
            # Autocommit: no BEGIN and ROLLBACK around a SELECT, two of a GET's three round
            # trips. Under READ COMMITTED, PostgreSQL's default, each statement sees its own
            # snapshot inside a transaction too, so the answers are the same. This is psycopg2's
            # client-side flag, not SQLAlchemy's isolation_level="AUTOCOMMIT", which costs a
            # `SET default_transaction_isolation` round trip each way; the pool's checkin turns
            # it off again (database._end_autocommit). SQLite's driver begins transactions only
            # before writes, so it needs nothing.
            try:
                self._pooled.dbapi_connection.autocommit = True  # type: ignore[union-attr]
            except dbapi_error as exc:  # closed as it was checked out
                error = self._failed(exc, None, None, None)
                self._pooled.close()
                raise error from exc
        return self

    def __exit__(self, *_exc_info: object) -> None:
        self._pooled.close()

    def run(self, compiled: _Compiled, params: dict[str, Any], fetch: Processor) -> Any:
        sql, parameters = _bound(compiled, params)
        cursor = None
        try:
            cursor = self._pooled.cursor()
            cursor.execute(sql, parameters)
            rows = fetch(cursor)
            cursor.close()
            return rows
        except self.dialect.loaded_dbapi.Error as exc:
            raise self._failed(exc, cursor, sql, parameters) from exc

    def _failed(
        self, exc: DBAPIModule.Error, cursor: Any, sql: str | None, parameters: Any
    ) -> StatementError:
        """The driver's error as SQLAlchemy's, after what Connection.execute does on one: the
        pool renewed when the connection is lost, the cursor closed otherwise."""
        pooled = self._pooled
        disconnect = self.dialect.is_disconnect(exc, pooled.dbapi_connection, cursor)
        if disconnect:
            _invalidate_pool(self.engine, pooled, exc)
        elif cursor is not None:
            with contextlib.suppress(self.dialect.loaded_dbapi.Error):
                cursor.close()
        return _wrapped(exc, self.engine, sql, parameters, disconnect=disconnect)


def _wrapped(
    exc: Exception, engine: Engine, sql: str | None, parameters: Any, *, disconnect: bool
) -> StatementError:
    """The driver's error as SQLAlchemy's exception (OperationalError and so on)."""
    dialect = engine.dialect
    return DBAPIError.instance(
        sql,
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
