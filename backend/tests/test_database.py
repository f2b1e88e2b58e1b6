"""The engine TaskFlow makes from DATABASE_URL, on the database under test."""

from __future__ import annotations

from contextlib import ExitStack

from sqlalchemy import text

from src.database import make_engine


def test_a_request_after_another_reuses_the_connection_that_just_answered(
    fresh_database_url: str,
) -> None:
    """Last in, first out: after a burst has filled the pool, one request at a time keeps using
    one connection, warm and never idle long enough to be pinged. First in, first out would
    cycle through the whole pool, and under a trickle of requests every connection would have
    sat idle long enough to cost a ping (a second round trip)."""
    engine = make_engine(fresh_database_url, autocommit=True)
    try:
        with ExitStack() as burst:
            for _ in range(3):
                burst.enter_context(engine.connect()).execute(text("SELECT 1"))
        used = set()
        for _ in range(5):
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
                used.add(id(connection.connection.dbapi_connection))
        assert engine.pool.checkedin() == 3  # type: ignore[attr-defined]
        assert len(used) == 1
    finally:
        engine.dispose()
