"""The watchdog behind src/deadlines.py: a round trip past its deadline has its socket shut down.

A socket pair stands in for the link to PostgreSQL (the fault suite runs the whole thing against
a real server that hangs, in system_tests/robustness/test_faults.py).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import psycopg2
import pytest

from src.database import database_url
from src.deadlines import RoundTripDeadlines, Socketed, connection_class, was_cut
from tests.conftest import POSTGRES_URL


class Link:
    """The app's end of a socket pair, shaped like the part of a psycopg2 connection used."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.closed = 0

    def fileno(self) -> int:
        return self.sock.fileno()


@pytest.fixture
def link() -> Iterator[tuple[Link, socket.socket]]:
    app_end, server_end = socket.socketpair()
    with app_end, server_end:
        yield Link(app_end), server_end


def test_a_round_trip_past_its_deadline_is_cut(link: tuple[Link, socket.socket]) -> None:
    connection, server_end = link
    deadlines = RoundTripDeadlines(seconds=0.05, check_every=0.01)

    deadlines.begin(connection)  # and never ends: the server does not answer

    # What libpq would see while it waits for an answer: the socket reads end-of-file.
    connection.sock.settimeout(10)
    assert connection.sock.recv(1) == b""
    server_end.settimeout(10)
    assert server_end.recv(1) == b""
    # Marked, so the pool replaces it even if its answer had arrived just before the cut.
    assert was_cut(connection)


def test_a_round_trip_that_ends_in_time_is_left_alone(link: tuple[Link, socket.socket]) -> None:
    connection, server_end = link
    deadlines = RoundTripDeadlines(seconds=0.05, check_every=0.01)

    deadlines.end(deadlines.begin(connection))
    # A later round trip on another link gets cut: the watchdog did pass its deadline.
    other_end, other_server = socket.socketpair()
    with other_end, other_server:
        deadlines.begin(Link(other_end))
        other_server.settimeout(10)
        assert other_server.recv(1) == b""

    server_end.sendall(b"x")
    connection.sock.settimeout(1)
    assert connection.sock.recv(1) == b"x"
    assert not was_cut(connection)


class CountedDeadlines(RoundTripDeadlines):
    """The app's deadlines, counting the round trips they were asked to guard."""

    def __init__(self) -> None:
        super().__init__(seconds=30)
        self.guarded = 0

    def begin(self, connection: Socketed) -> int:
        self.guarded += 1
        return super().begin(connection)


# Deadlines are kept on psycopg2 connections only, so this runs in the PostgreSQL pass of
# the suite (scripts/test-backend.sh runs it on both databases).
if POSTGRES_URL:

    @pytest.mark.parametrize("end", ["commit", "rollback"])
    def test_ending_no_transaction_is_not_guarded(end: str) -> None:
        """SQLAlchemy ends every session transaction with commit() and the pool every checkin
        with rollback(), on connections in autocommit: psycopg2 then sends nothing, and no
        deadline is registered for it (nor is the GIL let go)."""
        assert POSTGRES_URL is not None
        deadlines = CountedDeadlines()
        dsn = database_url(POSTGRES_URL).set(drivername="postgresql")
        connection = psycopg2.connect(
            dsn.render_as_string(hide_password=False),
            connection_factory=connection_class(deadlines),
        )
        try:
            getattr(connection, end)()  # nothing begun yet
            assert deadlines.guarded == 0

            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            getattr(connection, end)()
            assert deadlines.guarded == 1  # the SELECT only

            connection.autocommit = False
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")  # BEGIN and the SELECT, sent as one
            getattr(connection, end)()  # a COMMIT or ROLLBACK sent: guarded
            assert deadlines.guarded == 3
            getattr(connection, end)()  # nothing left to end
            assert deadlines.guarded == 3
        finally:
            connection.close()
        with pytest.raises(psycopg2.InterfaceError):
            getattr(connection, end)()  # what the pool takes as a connection to discard
