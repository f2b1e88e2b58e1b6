"""Alembic environment: migrates the app's database, or the connection init_db hands over."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection, text

import src.models  # noqa: F401  (registers the tables on Base.metadata)
from src.config import get_settings
from src.database import MIGRATION_LOCK_KEY, Base, make_engine

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def run(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # Held until this transaction ends: processes that start together migrate one at a
        # time, and the later ones find the schema already at head.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    elif connection.dialect.name == "sqlite":
        # SQLite's lock is the database's write lock. sqlite3 begins a transaction only before
        # DML, so without this each DDL statement committed alone, and processes starting
        # together all found the schema unmigrated and failed on each other's tables
        # ("duplicate column name", "database is locked"). IMMEDIATE takes the write lock now,
        # waiting out another process's migration for up to the busy timeout; the whole
        # migration then commits or rolls back as one.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


given = config.attributes.get("connection")
if context.is_offline_mode():
    context.configure(url=get_settings().database_url, target_metadata=Base.metadata)
    with context.begin_transaction():
        context.run_migrations()
elif given is not None:
    run(given)
else:
    with make_engine(get_settings().database_url).begin() as connection:
        run(connection)
