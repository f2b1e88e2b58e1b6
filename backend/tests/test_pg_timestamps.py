"""src/pg_timestamps.py: the app's connections read timestamptz exactly as psycopg2 itself does.

PostgreSQL writes the values, in several session time zones, and both casters read them: the
app's (on a connection from make_engine) and psycopg2's own (on a plain connection).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import psycopg2
from sqlalchemy import Engine

from src.database import database_url, make_engine
from src.pg_timestamps import TIMESTAMPTZ, TIMESTAMPTZ_OID, cast_timestamptz
from tests.conftest import POSTGRES_URL

# What PostgreSQL accepts as a timestamptz, and the ones Python's datetime cannot hold.
LITERALS = [
    "2026-11-24 01:38:13.123456+00",
    "2026-11-24 01:38:13.12+00",
    "2026-11-24 01:38:13+00",
    "2026-03-29 02:30:00+01",
    "1850-01-01 00:00:00+00",  # a zone's local mean time: offsets with seconds in Amsterdam
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
    "infinity",
    "-infinity",
]
OUT_OF_RANGE = ["0044-03-15 12:00:00+00 BC", "10000-01-01 00:00:00+00"]
ZONES = ["UTC", "Asia/Kolkata", "America/St_Johns", "Europe/Amsterdam"]


def test_values_not_written_as_iso_8601_go_to_psycopg2s_own_caster() -> None:
    assert cast_timestamptz(None, None) is None
    # psycopg2 reads infinity as datetime.max in UTC, and needs no cursor for it.
    assert cast_timestamptz("infinity", None) == datetime.max.replace(tzinfo=UTC)
    assert cast_timestamptz("2026-11-24 01:38:13.5+00", None) == datetime(
        2026, 11, 24, 1, 38, 13, 500000, tzinfo=UTC
    )
    assert cast_timestamptz("2026-11-24 01:38:13+00", None).tzinfo is UTC  # type: ignore[union-attr]


if POSTGRES_URL:

    def _plain_dsn() -> str:
        assert POSTGRES_URL is not None
        url = database_url(POSTGRES_URL).set(drivername="postgresql")
        return url.render_as_string(hide_password=False)

    def _read(cursor: Any, zone: str, literal: str) -> tuple[str, Any]:
        cursor.execute("SET TIME ZONE %s", (zone,))
        try:
            cursor.execute("SELECT %s::timestamptz", (literal,))
            value = cursor.fetchone()[0]
        except ValueError as exc:  # a year Python's datetime has not
            return "error", type(exc)
        return "value", (value, None if value.tzinfo is None else value.utcoffset())

    def test_the_apps_connections_read_timestamptz_as_psycopg2_does() -> None:
        assert POSTGRES_URL is not None
        engine: Engine = make_engine(POSTGRES_URL)
        plain = psycopg2.connect(_plain_dsn())
        try:
            with engine.connect() as connection:
                dbapi_connection: Any = connection.connection.dbapi_connection
                assert dbapi_connection.string_types[TIMESTAMPTZ_OID] is TIMESTAMPTZ
                ours, theirs = dbapi_connection.cursor(), plain.cursor()
                for zone in ZONES:
                    for literal in [*LITERALS, *OUT_OF_RANGE]:
                        assert _read(ours, zone, literal) == _read(theirs, zone, literal), (
                            zone,
                            literal,
                        )
                    ours.execute("SELECT NULL::timestamptz")
                    assert ours.fetchone() == (None,)
                # Rolled back, with the session's zone: the pool hands the connection on.
                dbapi_connection.rollback()
        finally:
            plain.close()
            engine.dispose()

    def test_utc_sessions_give_the_shared_utc_zone() -> None:
        """What models.UTCDateTime counts on to hand values back without converting them."""
        assert POSTGRES_URL is not None
        engine = make_engine(POSTGRES_URL)
        try:
            with engine.connect() as connection:
                raw: Any = connection.connection.dbapi_connection
                cursor = raw.cursor()
                cursor.execute("SELECT '2026-11-24 02:38:13.5+01'::timestamptz")
                value = cursor.fetchone()[0]
        finally:
            engine.dispose()
        assert value == datetime(2026, 11, 24, 1, 38, 13, 500000, tzinfo=UTC)
        assert value.tzinfo is UTC
