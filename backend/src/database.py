"""The database: one place that turns DATABASE_URL into an engine, the session, and migrations."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
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


def make_engine(
    raw_url: str, settings: Settings | None = None, *, autocommit: bool = False
) -> Engine:
    """The one place a database URL becomes an engine.

    autocommit=True is the app's engine: each statement commits by itself, and no BEGIN or
    COMMIT is ever sent. Every request sends one statement (services/tasks.py), which is atomic
    on its own, so a transaction around it would only add two round trips. Work of several
    statements (migrations, the data tool) takes a transaction: `transactional(engine)`.
    """
    settings = settings or get_settings()
    url = database_url(raw_url)
    common: dict[str, Any] = {
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_timeout": settings.db_pool_timeout,
        # Last in, first out: a request takes the connection that answered a moment ago, warm
        # on both sides and never pinged (see _check_connections_idle_since). In first-in,
        # first-out order a trickle of requests cycles through every pooled connection, each
        # idle long enough to be pinged: two round trips per request instead of one.
        "pool_use_lifo": True,
        # A logged error names the statement, never a task's content.
        "hide_parameters": True,
    }
    if autocommit:
        common["isolation_level"] = "AUTOCOMMIT"
    if url.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            # Sessions are used from FastAPI's worker threads, one thread at a time.
            connect_args={"check_same_thread": False, "timeout": settings.db_pool_timeout},
            **common,
        )
        event.listen(engine, "connect", _configure_sqlite_connection)
        return engine
    engine = create_engine(
        url,
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
        **common,
    )
    _check_connections_idle_since(engine, IDLE_CHECK_AFTER_S)
    return engine


# The isolation level of work that needs a transaction, on each database: the one its
# connections have by default.
_TRANSACTION_ISOLATION = {"postgresql": "READ COMMITTED", "sqlite": "SERIALIZABLE"}


def transactional(engine: Engine) -> Engine:
    """`engine`, with transactions: for work of several statements that must commit as one.

    On an autocommit engine this sets the level on the connection for the block (SQLAlchemy's
    documented execution option); the pool puts autocommit back when the connection returns.
    """
    return engine.execution_options(isolation_level=_TRANSACTION_ISOLATION[engine.dialect.name])


@contextmanager
def transaction(session: Session) -> Iterator[None]:
    """A transaction of the session that is one in the database too, on the autocommit engine.

    For work of several statements that must commit as one (the accounts' writes). The level is
    set on the transaction's connection, as SQLAlchemy documents for a single transaction; the
    pool puts autocommit back when the connection returns.
    """
    with session.begin():
        dialect = session.get_bind().dialect.name
        session.connection(execution_options={"isolation_level": _TRANSACTION_ISOLATION[dialect]})
        yield


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


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: what a write returns stays readable after its commit, for the
    # answer, without another SELECT.
    return sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)


engine = make_engine(get_settings().database_url, autocommit=True)
SessionLocal = make_sessionmaker(engine)


async def get_db() -> AsyncIterator[Session]:
    """One session per request (tests override this with their own database).

    Async, as FastAPI's documentation writes it: making and closing a session does no I/O
    (the engine is autocommit, so there is nothing to roll back when its connection goes back
    to the pool), and so needs no trip to a worker thread. A request that cannot get a thread
    (an outage, with every thread waiting on the database) still gets its session, and /health
    its answer in time. The routes that use it are plain `def`, in FastAPI's thread pool.
    """
    with SessionLocal() as session:
        yield session


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def init_db(target: Engine | None = None) -> None:
    """Bring the schema to the newest migration, in one transaction.

    Safe when several workers start at once: see the advisory lock in migrations/env.py.
    """
    target = target or engine
    with transactional(target).begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    logger.info("database schema is at the newest migration (%s)", storage_name(target))


def init_db_when_reachable(
    target: Engine | None = None,
    retry_every: float = MIGRATION_RETRY_S,
    then: Callable[[], None] | None = None,
) -> threading.Event:
    """Keep trying init_db in a background thread until it succeeds, then call `then`; set the
    Event to stop.

    For an app that started while its database was down: its requests recover as soon as the
    database answers, and its schema must not wait for the next restart (an empty or older
    database would answer every request with an error until then).
    """
    stop = threading.Event()

    def keep_trying() -> None:
        while not stop.wait(retry_every):
            try:
                init_db(target)
                if then is not None:
                    then()
            except DATABASE_UNAVAILABLE:
                continue
            except Exception:
                logger.exception("after migrating, the start-up work failed")
            return

    threading.Thread(target=keep_trying, name="db-migrate-retry", daemon=True).start()
    return stop
