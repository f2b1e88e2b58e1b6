"""The live board's stream, against real servers: one on SQLite, two on one PostgreSQL."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import text

from src.database import make_engine
from tests.conftest import PASSWORD, POSTGRES_URL, fresh_database
from tests.support.server import AppServer
from tests.support.sse import EventStream

ADMIN = "admin@example.com"
ACCOUNTS = {"AUTH_REQUIRED": "true", "ADMIN_EMAIL": ADMIN, "ADMIN_PASSWORD": PASSWORD}


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[AppServer, AppServer]]:
    """Two instances on one PostgreSQL; on SQLite (one process), the same instance twice.
    Shared by the module's tests: each looks only at the tasks it makes."""
    with fresh_database() as url, AppServer(url, env=ACCOUNTS) as first:
        if not POSTGRES_URL:
            yield first, first
            return
        with AppServer(url, env=ACCOUNTS) as second:
            yield first, second


def sign_in(server: AppServer, email: str = ADMIN, password: str = PASSWORD) -> dict[str, str]:
    response = httpx.post(
        f"{server.url}/auth/token", data={"username": email, "password": password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_every_change_reaches_a_stream_on_another_instance_in_order(
    servers: tuple[AppServer, AppServer],
) -> None:
    writer, reader = servers
    headers = sign_in(writer)
    with EventStream(reader.url, headers) as stream:
        assert stream.status == 200
        made = httpx.post(f"{writer.url}/tasks", json={"title": "Live"}, headers=headers).json()
        task = f"{writer.url}/tasks/{made['id']}"
        changed = httpx.patch(task, json={"status": "done"}, headers=headers).json()
        refused = httpx.patch(task, json={"title": "x"}, headers={**headers, "If-Match": '"1"'})
        assert refused.status_code == 412
        assert httpx.delete(task, headers=headers).status_code == 204
        events = [stream.next() for _ in range(3)]
        assert [(e.json()["type"], e.json()["id"], e.json()["version"]) for e in events] == [
            ("task.created", made["id"], 1),
            ("task.updated", made["id"], 2),
            ("task.deleted", made["id"], 2),
        ]
        # What the board needs to apply a change without a refetch: the task at that version.
        assert events[0].json()["task"] == made
        assert events[1].json()["task"] == changed
        assert all(e.event == "message" and e.id is not None for e in events)
        assert [int(e.id or 0) for e in events] == sorted(int(e.id or 0) for e in events)
        # The refused change sent nothing.
        assert stream.quiet_for(1.0)


def test_a_client_resumes_on_any_instance_from_its_last_event(
    servers: tuple[AppServer, AppServer],
) -> None:
    first, second = servers
    headers = sign_in(first)
    with EventStream(first.url, headers) as stream:
        httpx.post(f"{first.url}/tasks", json={"title": "Seen"}, headers=headers)
        seen = stream.next()
    missed = [
        httpx.post(f"{first.url}/tasks", json={"title": f"Missed {n}"}, headers=headers).json()
        for n in range(3)
    ]
    with EventStream(second.url, {**headers, "Last-Event-ID": seen.id or ""}) as resumed:
        replayed = [resumed.next() for _ in range(3)]
        assert [e.json()["id"] for e in replayed] == [task["id"] for task in missed]
        assert resumed.quiet_for(0.5)


@pytest.mark.parametrize("last_event_id", ["999999999", "not-a-number", "-1"])
def test_an_id_the_server_cannot_place_gets_resync(
    servers: tuple[AppServer, AppServer], last_event_id: str
) -> None:
    server, _ = servers
    headers = sign_in(server)
    httpx.post(f"{server.url}/tasks", json={"title": "One"}, headers=headers)
    with EventStream(server.url, {**headers, "Last-Event-ID": last_event_id}) as stream:
        message = stream.next()
        assert message.event == "resync"
        assert message.json() == {"type": "resync"}


def test_a_stream_needs_a_credential_and_ends_with_its_session(
    servers: tuple[AppServer, AppServer],
) -> None:
    first, second = servers
    refused = httpx.get(f"{second.url}/events")
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == "Bearer"
    headers = sign_in(first)
    with EventStream(second.url, headers) as stream:
        assert stream.status == 200
        assert httpx.post(f"{first.url}/auth/logout", headers=headers).status_code == 204
        logged_out = time.monotonic()
        assert stream.ended.wait(6), "the stream outlived its session"
        assert time.monotonic() - logged_out < 5.5


def test_health_reports_the_listener(servers: tuple[AppServer, AppServer]) -> None:
    server, _ = servers
    events = httpx.get(f"{server.url}/health").json()["events"]
    assert events == ("listening" if POSTGRES_URL else "in-process")


# LISTEN is PostgreSQL's: the SQLite pass has no listening connection to cut.
if POSTGRES_URL:

    def test_a_terminated_listener_listens_again_and_its_streams_resync(
        fresh_database_url: str,
    ) -> None:
        with AppServer(fresh_database_url, env=ACCOUNTS) as server:
            headers = sign_in(server)
            with EventStream(server.url, headers) as stream:
                engine = make_engine(fresh_database_url)
                try:
                    with engine.connect() as connection:
                        terminated = connection.execute(
                            text(
                                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE application_name = 'taskflow-events' "
                                "AND datname = current_database()"
                            )
                        ).all()
                finally:
                    engine.dispose()
                assert terminated == [(True,)]
                cut = time.monotonic()
                message = stream.next(timeout=6)
                assert message.event == "resync"
                deadline = cut + 5
                while httpx.get(f"{server.url}/health").json()["events"] != "listening":
                    assert time.monotonic() < deadline, "not listening again within 5 s"
                    time.sleep(0.1)
                # And it delivers again.
                made = httpx.post(f"{server.url}/tasks", json={"title": "After"}, headers=headers)
                while (message := stream.next()).event == "resync":
                    pass
                assert message.json()["id"] == made.json()["id"]


def test_sigterm_ends_the_streams_so_the_server_stops_at_once(fresh_database_url: str) -> None:
    server = AppServer(fresh_database_url, env={"AUTH_REQUIRED": "false"})
    with server, EventStream(server.url) as stream:
        assert stream.status == 200
        assert server.process is not None
        os.kill(server.process.pid, signal.SIGTERM)
        stopped = time.monotonic()
        assert stream.ended.wait(5), "the stream was not ended"
        server.process.wait(timeout=10)
        assert time.monotonic() - stopped < 5
