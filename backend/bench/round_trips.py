"""Round trips to the database, counted on PostgreSQL's side: pg_stat_statements and its log.

Every statement psycopg2 sends is one Query message answered by ReadyForQuery (the simple query
protocol; the app's engine is autocommit, so there is no BEGIN or COMMIT unless the app sends
one, and pg_stat_statements.track_utility counts those too). So the statements PostgreSQL ran
for the app's database during a run are its round trips on open connections. A connection opened
during a run costs more (TCP, the SSL request, start-up and SCRAM's two exchanges): those are
counted from the server's log (log_connections) and reported beside.

The counter reads from its own connection to the `postgres` database, so its queries are not the
app's. A run is counted from a quiet point (the previous run's requests all answered) to the next
one: requests still in flight when wrk stops are answered after it has gone, and their statements
belong to the requests wrk sent.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2

from tests.support.postgres import ThrowawayPostgres

# Appended to the throwaway server's postgresql.conf before it starts.
SERVER_SETTINGS = """
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = top
pg_stat_statements.track_utility = on
log_connections = on
"""

# SQLAlchemy's pool ping (database.py pings a connection that sat idle for 5 s) as
# pg_stat_statements normalises it.
PING = "SELECT $1"
POLL_S = 0.05


def configure(server: ThrowawayPostgres) -> None:
    """Load pg_stat_statements and log connections; call before the server starts."""
    extension = server.bindir.parent / "lib" / "pg_stat_statements.so"
    if not extension.exists():
        raise RuntimeError(
            f"{extension} not found: the bench counts round trips with pg_stat_statements "
            "(Debian: postgresql-15 ships it)"
        )
    with (server.datadir / "postgresql.conf").open("a") as conf:
        conf.write(SERVER_SETTINGS)


def kind(query: str) -> str:
    """A statement's kind: its first word (SELECT, INSERT, BEGIN, ...), "ping", or "events"."""
    if query.strip() == PING:
        return "ping"
    words = query.split(None, 1)
    # The live board's hub (src/events.py) reads the new events on its own listening connection
    # when a write's NOTIFY arrives (batched under load), prunes old ones, and every 2 s checks
    # that the credentials of its open streams still hold (one SELECT of credentials.id ... IN):
    # statements beside the requests, not in any request's path.
    reads_events = (
        bool(words) and words[0].upper() in {"SELECT", "DELETE"} and "task_events" in query
    )
    checks_streams = query.startswith("SELECT credentials.id") and "credentials.id IN" in query
    if reads_events or checks_streams:
        return "events"
    return words[0].upper() if words else "?"


@dataclass
class Count:
    """What PostgreSQL saw of the app during one run."""

    statements: int
    by_kind: dict[str, int] = field(default_factory=dict)
    connections_opened: int = 0


class RoundTripCounter:
    """Counts the statements PostgreSQL runs for `database`, and the connections opened to it."""

    def __init__(self, server: ThrowawayPostgres, database: str) -> None:
        self.database = database
        self.logfile: Path = server.logfile
        self.conn = psycopg2.connect(server.url("postgres"))
        self.conn.autocommit = True
        with self.conn.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            cursor.execute("SELECT oid FROM pg_database WHERE datname = %s", (database,))
            row = cursor.fetchone()
        if row is None:
            raise RuntimeError(f"no database {database!r}")
        self.dbid: int = row[0]
        self._log_offset = 0

    def _calls(self) -> int:
        with self.conn.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements(false) WHERE dbid = %s",
                (self.dbid,),
            )
            row = cursor.fetchone()
        return int(row[0]) if row else 0

    def _settle(self, at_least: int = 0, quiet_polls: int = 2, limit_s: float = 10.0) -> None:
        """Wait until the count holds still for `quiet_polls` polls and has reached `at_least`,
        or for six polls whatever it has reached (a request may send no statement: /health
        shares its probe), or `limit_s`."""
        deadline = time.monotonic() + limit_s
        last, still = self._calls(), 0
        while time.monotonic() < deadline:
            time.sleep(POLL_S)
            now = self._calls()
            still = still + 1 if now == last else 0
            last = now
            if (still >= quiet_polls and now >= at_least) or still >= 6:
                return

    def start(self) -> None:
        """Start counting from a quiet point."""
        self._settle()
        with self.conn.cursor() as cursor:
            cursor.execute("SELECT pg_stat_statements_reset()")
        self._log_offset = self.logfile.stat().st_size

    def finish(self, sent: int) -> Count:
        """Once the `sent` requests have been answered (the count holds still), what they cost."""
        self._settle(at_least=sent)
        with self.conn.cursor() as cursor:
            cursor.execute(
                "SELECT query, calls FROM pg_stat_statements WHERE dbid = %s", (self.dbid,)
            )
            rows = cursor.fetchall()
        by_kind: dict[str, int] = {}
        for query, calls in rows:
            by_kind[kind(query)] = by_kind.get(kind(query), 0) + int(calls)
        with self.logfile.open("rb") as log:
            log.seek(self._log_offset)
            opened = sum(
                1
                for line in log
                if b"connection authorized" in line and f"database={self.database}".encode() in line
            )
        return Count(statements=sum(by_kind.values()), by_kind=by_kind, connections_opened=opened)

    def close(self) -> None:
        self.conn.close()
