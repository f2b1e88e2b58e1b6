"""The database: one place that turns DATABASE_URL into an engine, the session, and migrations."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from src.config import Settings, get_settings

logger = logging.getLogger("taskflow.database")

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
# Any constant works; it only has to be the same in every process that migrates.
MIGRATION_LOCK_KEY = 0x7A5F_10


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
    cursor = dbapi_connection.cursor()
    # WAL lets readers proceed while a writer commits (several workers on one file).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


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
            pool_pre_ping=True,
        )
        event.listen(engine, "connect", _configure_sqlite_connection)
        return engine
    return create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        # A connection broken by a database restart is replaced instead of failing a request.
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args={
            "connect_timeout": settings.db_connect_timeout,
            "application_name": "taskflow",
            "options": f"-c statement_timeout={settings.db_statement_timeout_ms}",
            # Without these, a host that silently stops answering holds a worker for the
            # kernel's TCP retransmission timeout (about 15 minutes).
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
            "tcp_user_timeout": settings.db_statement_timeout_ms,
        },
    )


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: answering with the object just written needs no second SELECT.
    return sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)


engine = make_engine(get_settings().database_url)
SessionLocal = make_sessionmaker(engine)


def get_db() -> Iterator[Session]:
    """One session per request; writes commit in the query layer before the answer is sent."""
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
    with target.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    logger.info("database schema is at the newest migration (%s)", storage_name(target))
