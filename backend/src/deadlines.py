"""A client-side deadline on every PostgreSQL round trip, for a server that hangs with TCP up.

statement_timeout is enforced by the server, tcp_user_timeout and keepalives by the kernel, and
none of them fires when PostgreSQL stops answering while its host still acknowledges packets (a
frozen server, a stuck proxy in between): a request would wait on its socket for as long as the
hang lasts, holding its thread and connection. So every statement, commit and rollback on a
connection made here registers a deadline, and a watchdog thread shuts down the socket of a
round trip past it. libpq reports that as a lost connection: the request answers 503, and the
pool replaces the connection.
"""

from __future__ import annotations

import itertools
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from psycopg2.extensions import STATUS_BEGIN
from psycopg2.extensions import connection as PgConnection
from psycopg2.extensions import cursor as PgCursor

logger = logging.getLogger("taskflow.database")
T = TypeVar("T")


class Socketed(Protocol):
    """What the watchdog needs of a connection: its socket's descriptor, and whether it is shut."""

    @property
    def closed(self) -> int: ...

    def fileno(self) -> int: ...


def _cut(connection: Socketed) -> None:
    """Shut the connection's socket down, waking whatever waits on it."""
    if connection.closed:
        return
    # Usually the round trip then fails and SQLAlchemy discards the connection. But an answer
    # that arrived just before the cut still succeeds, and the connection would go back to the
    # pool dead, failing its next request: the pool's checkout looks for this mark first.
    connection.cut_by_deadline = True  # type: ignore[attr-defined]
    # A duplicate of the descriptor: shutting it down ends the one socket both refer to, and
    # closing it leaves libpq's descriptor for libpq to close.
    with socket.socket(fileno=os.dup(connection.fileno())) as sock:
        sock.shutdown(socket.SHUT_RDWR)


class RoundTripDeadlines:
    """Round trips in flight, each with a deadline, and the thread that enforces them."""

    def __init__(self, seconds: float, check_every: float = 0.25) -> None:
        self.seconds = seconds
        self._check_every = check_every
        self._lock = threading.Lock()
        self._running: dict[int, tuple[float, Socketed]] = {}
        self._tokens = itertools.count()
        self._watchdog: threading.Thread | None = None

    def begin(self, connection: Socketed) -> int:
        token = next(self._tokens)
        with self._lock:
            self._running[token] = (time.monotonic() + self.seconds, connection)
            if self._watchdog is None:
                self._watchdog = threading.Thread(
                    target=self._watch, name="db-deadlines", daemon=True
                )
                self._watchdog.start()
        return token

    def end(self, token: int) -> None:
        with self._lock:
            self._running.pop(token, None)

    def run(self, connection: Socketed, round_trip: Callable[..., T], *args: Any) -> T:
        """Call `round_trip(*args)` on `connection` under a deadline."""
        token = self.begin(connection)
        try:
            return round_trip(*args)
        finally:
            self.end(token)

    def _watch(self) -> None:
        while True:
            time.sleep(self._check_every)
            now = time.monotonic()
            # Under the lock: a round trip that ends meanwhile waits in end(), so its connection
            # cannot go back to the pool and serve another request before it is cut.
            with self._lock:
                overdue = [token for token, (at, _) in self._running.items() if at <= now]
                for token in overdue:
                    _, connection = self._running.pop(token)
                    logger.error(
                        "database round trip still unanswered after %.1fs: connection cut",
                        self.seconds,
                    )
                    try:
                        _cut(connection)
                    except OSError as exc:  # closed meanwhile: nothing left to wake
                        logger.debug("cutting a connection failed: %s", exc)


def was_cut(dbapi_connection: Any) -> bool:
    """Whether the watchdog cut this connection's socket (any DBAPI connection may be asked)."""
    return getattr(dbapi_connection, "cut_by_deadline", False) is True


def connection_class(deadlines: RoundTripDeadlines) -> type[PgConnection]:
    """A psycopg2 connection class whose statements, commits and rollbacks keep `deadlines`.

    Those are all the round trips SQLAlchemy makes on a connection (its pings are statements).
    """

    class DeadlineCursor(PgCursor):
        def execute(self, query: Any, vars: Any = None) -> None:
            deadlines.run(self.connection, super().execute, query, vars)

        def executemany(self, query: Any, vars_list: Any) -> None:
            deadlines.run(self.connection, super().executemany, query, vars_list)

        # A named (server-side) cursor's fetches are round trips of their own (FETCH, which
        # psycopg2 sends without execute). A client-side cursor already holds its rows.
        def fetchone(self) -> Any:
            if self.name is None:
                return super().fetchone()
            return deadlines.run(self.connection, super().fetchone)

        def fetchmany(self, size: int | None = None) -> Any:  # None: arraysize rows
            if self.name is None:
                return super().fetchmany(size)
            return deadlines.run(self.connection, super().fetchmany, size)

        def fetchall(self) -> Any:
            if self.name is None:
                return super().fetchall()
            return deadlines.run(self.connection, super().fetchall)

    class DeadlineConnection(PgConnection):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.cursor_factory = DeadlineCursor

        # Outside a transaction there is nothing to end: psycopg2 would send nothing, yet let go
        # of the GIL twice to do so, and each time another thread may take it and this one waits
        # its turn back (up to sys.getswitchinterval(), 5 ms, under load). The app's connections
        # are in autocommit (database.make_engine), and SQLAlchemy still ends every session
        # transaction with commit() and every checkin with rollback(): with 16 requests in
        # flight, that wait was a tenth of a list's time. A closed connection still goes to
        # psycopg2, which raises, so that the pool discards it.
        def _anything_to_end(self) -> bool:
            return self.status == STATUS_BEGIN or bool(self.closed)

        def commit(self) -> None:
            if self._anything_to_end():
                deadlines.run(self, super().commit)

        def rollback(self) -> None:
            if self._anything_to_end():
                deadlines.run(self, super().rollback)

    return DeadlineConnection
