"""The database: one place that turns DATABASE_URL into an engine, the session, and migrations."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from src.config import Settings, get_settings
from src.deadlines import RoundTripDeadlines, connection_class, was_cut
from src.errors import DATABASE_UNAVAILABLE
from src.pg_timestamps import read_timestamps_fast

logger = logging.getLogger("taskflow.database")

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
# Any constant works; it only has to be the same in every process that migrates.
MIGRATION_LOCK_KEY = 0x7A5F_10
# How often an app that started during an outage tries to migrate again: the schema follows
# the database back within seconds, and a down database costs one connect attempt each time.
MIGRATION_RETRY_S = 2.0


class Base(DeclarativeBase):
    pass


def database_url(raw: str) -> URL:
    """Parse DATABASE_URL, naming psycopg2 as the PostgreSQL driver.

    Render hands out `postgres://`, which SQLAlchemy does not know, and SQLAlchemy 2.1 maps a
    bare `postgresql://` to psycopg 3, which TaskFlow does not install.
    """
    url = make_url(raw)
    if url.drivername in ("postgres", "postgresql"):
        url = url.set(drivername="postgresql+psycopg2")
    return url


def storage_name(engine: Engine) -> str:
    """What /health calls the storage: "sqlite" or "postgresql"."""
    return engine.dialect.name


def _unicode_lower(value: str | None) -> str | None:
    # Character by character, as PostgreSQL's lower() does (no final-sigma rule, no
    # one-to-many mappings), so that both databases fold to the same string.
    if value is None:
        return None
    return "".join(low if len(low := char.lower()) == 1 else char for char in value)


def _configure_sqlite_connection(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # SQLite's lower() folds ASCII only; PostgreSQL's folds all of Unicode. Replacing it keeps
    # case-insensitive search (`q`) giving the same answer on both databases.
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
    _use_wal(dbapi_connection)


def _use_wal(dbapi_connection: sqlite3.Connection) -> None:
    """WAL lets readers proceed while a writer commits (several workers on one file).

    Turning a new file to WAL takes an exclusive lock, and SQLite answers SQLITE_BUSY ("database
    is locked") at once, without its busy handler, to a second process doing the same at the
    same moment (workers starting together on a fresh file). So wait here, as the handler would
    have, for up to the connection's busy timeout. Once the file is in WAL the statement takes
    no lock.
    """
    (busy_timeout_ms,) = dbapi_connection.execute("PRAGMA busy_timeout").fetchone()
    give_up_at = time.monotonic() + busy_timeout_ms / 1000
    while True:
        try:
            dbapi_connection.execute("PRAGMA journal_mode=WAL").close()
            return
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() >= give_up_at:
                raise
            time.sleep(0.01)


def make_engine(raw_url: str, settings: Settings | None = None) -> Engine:
    settings = settings or get_settings()
    url = database_url(raw_url)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            # Sessions are used from FastAPI's worker threads, one thread at a time.
            connect_args={"check_same_thread": False, "timeout": settings.db_pool_timeout},
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
        )
        event.listen(engine, "connect", _configure_sqlite_connection)
        return engine
    engine = create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_recycle=1800,
        connect_args={
            "connect_timeout": settings.db_connect_timeout,
            "application_name": "taskflow",
            # UTC sessions: timestamps arrive already in UTC, with nothing to convert per value.
            "options": f"-c statement_timeout={settings.db_statement_timeout_ms} -c timezone=UTC",
            # Without these, a host that silently stops answering holds a worker for the
            # kernel's TCP retransmission timeout (about 15 minutes).
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
            "tcp_user_timeout": settings.db_statement_timeout_ms,
            # And for a server that hangs while its host still acknowledges packets: a round trip
            # unanswered this long after the server's own timeout would have fired is cut.
            "connection_factory": connection_class(
                RoundTripDeadlines(settings.db_statement_timeout_ms / 1000 + ROUND_TRIP_GRACE_S)
            ),
        },
    )
    _check_connections_idle_since(engine, IDLE_CHECK_AFTER_S)
    event.listen(engine.pool, "checkin", _end_autocommit)
    event.listen(engine, "connect", read_timestamps_fast)
    return engine


# How long past the statement timeout a round trip may go unanswered before its socket is cut.
ROUND_TRIP_GRACE_S = 1.0

# A pooled connection that sat unused for longer than this is pinged before a request gets it.
IDLE_CHECK_AFTER_S = 5.0


def _check_connections_idle_since(engine: Engine, seconds: float) -> None:
    """Replace a broken pooled connection before a request uses it, pinging only idle ones.

    This is SQLAlchemy's pool_pre_ping, minus the round trip when the connection was in use a
    moment ago: under load every checkout would pay for a ping (a quarter of the round trips of
    a GET), and a connection that just answered is as good as checked. One that sat idle
    through a database restart or a dropped link is found here and replaced. When one breaks
    mid-request anyway, SQLAlchemy invalidates the whole pool, so the next requests get fresh
    connections.
    """

    def on_checkin(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info["idle_since"] = time.monotonic()

    def on_checkout(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        if was_cut(dbapi_connection):
            # Its socket is shut, however recently it answered (see deadlines._cut).
            raise DisconnectionError("pooled connection was cut by its round-trip deadline")
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            # The pool discards this connection and checks out another (a new one if need be).
            raise DisconnectionError(f"pooled connection failed its ping: {exc}") from exc

    event.listen(engine.pool, "checkin", on_checkin)
    event.listen(engine.pool, "checkout", on_checkout)


def engine_of(session: Session) -> Engine:
    """The engine a request's session is bound to (tests bind theirs to their own database)."""
    bind = session.get_bind()
    assert isinstance(bind, Engine)
    return bind


# Reads switch their connection to autocommit (see direct_reads); it ends when the connection
# returns to the pool, so a write on it next is in a transaction again.
def _end_autocommit(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    if dbapi_connection is not None and dbapi_connection.autocommit:
        dbapi_connection.autocommit = False


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    # The query layer takes only the engine from a request's session (engine_of); scripts and
    # tests use sessions in full. expire_on_commit=False: objects stay readable after a commit.
    # autobegin=False: a session opens a transaction only in `with session.begin()`, which always
    # ends it, so between those blocks it holds no connection (see request_sessions).
    return sessionmaker(bind=engine, autoflush=False, expire_on_commit=False, autobegin=False)


engine = make_engine(get_settings().database_url)
SessionLocal = make_sessionmaker(engine)


def request_sessions(factory: Callable[[], Session]) -> Callable[[], Awaitable[Session]]:
    """A FastAPI dependency giving each request its own session from `factory`.

    The query layer ends every transaction it begins, in the request's worker thread, so a
    connection is never held while its request waits for a thread (which, with as many threads
    as connections, could leave them all waiting on each other until the pool times out). A
    session from make_sessionmaker cannot begin one any other way, so after the request there
    is nothing to close, roll back or give back. Hence a plain async function: FastAPI wraps a
    generator dependency in an exit stack (a ninth of a GET's CPU), and runs a sync one in the
    thread pool, a thread hop.
    """

    async def get_request_session() -> Session:
        return factory()

    return get_request_session


# The app's dependency: one session per request (tests override it with their own database).
# Writes commit in the query layer before the answer is sent.
get_db = request_sessions(SessionLocal)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def init_db(target: Engine | None = None) -> None:
    """Bring the schema to the newest migration, in one transaction.

    Safe when several workers start at once: see the advisory lock in migrations/env.py.
    """
    target = target or engine
    with target.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    logger.info("database schema is at the newest migration (%s)", storage_name(target))


def init_db_when_reachable(
    target: Engine | None = None, retry_every: float = MIGRATION_RETRY_S
) -> threading.Event:
    """Keep trying init_db in a background thread until it succeeds; set the Event to stop.

    For an app that started while its database was down: its requests recover as soon as the
    database answers, and its schema must not wait for the next restart (an empty or older
    database would answer every request with an error until then).
    """
    stop = threading.Event()

    def keep_trying() -> None:
        while not stop.wait(retry_every):
            try:
                init_db(target)
            except DATABASE_UNAVAILABLE:
                continue
            return

    threading.Thread(target=keep_trying, name="db-migrate-retry", daemon=True).start()
    return stop
