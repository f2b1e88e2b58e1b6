"""How requests use the database: reads outside transactions, every connection back in the pool."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session, sessionmaker

from src.app import app
from src.database import get_db, request_sessions
from tests.conftest import MakeTask, driver_statements

Statements = list[tuple[str, bool]]


def in_transaction(dbapi_connection: Any) -> bool:
    if hasattr(dbapi_connection, "in_transaction"):  # sqlite3
        return bool(dbapi_connection.in_transaction)
    # psycopg2: IDLE (0) outside a transaction, INTRANS (2) inside one.
    return bool(dbapi_connection.info.transaction_status != 0)


@pytest.fixture
def statements(engine: Engine) -> Iterator[Statements]:
    """Each statement the app sends, with whether it ran inside a transaction."""
    seen: Statements = []

    def note(dbapi_connection: Any, statement: str) -> None:
        seen.append((statement.split()[0].upper(), in_transaction(dbapi_connection)))

    with driver_statements(engine, note):
        yield seen


def test_reads_run_outside_any_transaction(
    client: TestClient, make_task: MakeTask, statements: Statements
) -> None:
    # On PostgreSQL a transaction costs a BEGIN and a ROLLBACK round trip around each read.
    task = make_task()
    make_task()
    statements.clear()

    for path in [f"/tasks/{task['id']}", "/tasks?limit=1", "/tasks/count", "/tasks/stats"]:
        assert client.get(path).status_code == 200, path
    assert client.get("/health").status_code == 200

    assert [kind for kind, _ in statements] == ["SELECT"] * 6  # the list also counts
    assert not any(inside for _, inside in statements), statements


def test_writes_still_run_in_a_transaction_after_reads_on_the_same_connection(
    client: TestClient, make_task: MakeTask, statements: Statements
) -> None:
    # The reads' autocommit mode must end when their connection returns to the pool.
    task = make_task()
    for _ in range(3):
        assert client.get(f"/tasks/{task['id']}").status_code == 200
    statements.clear()

    assert client.patch(f"/tasks/{task['id']}", json={"status": "done"}).status_code == 200
    assert client.delete(f"/tasks/{task['id']}").status_code == 204

    assert ("UPDATE", True) in statements and ("DELETE", True) in statements, statements


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "expected"),
    [
        ("GET", "/tasks/{id}", None, {}, 200),
        ("GET", "/tasks/00000000-0000-4000-8000-000000000000", None, {}, 404),
        ("GET", "/tasks?limit=1", None, {}, 200),
        ("POST", "/tasks", {"title": "new"}, {}, 201),
        ("PATCH", "/tasks/{id}", {"title": "changed"}, {}, 200),
        ("PATCH", "/tasks/{id}", {"title": "stale"}, {"If-Match": '"99"'}, 412),
        ("DELETE", "/tasks/{id}", None, {"If-Match": '"99"'}, 412),
        ("DELETE", "/tasks/{id}", None, {}, 204),
    ],
)
def test_every_route_gives_its_connection_back_before_it_returns(
    client: TestClient,
    make_task: MakeTask,
    engine: Engine,
    session_factory: sessionmaker[Session],
    method: str,
    path: str,
    body: dict[str, str] | None,
    headers: dict[str, str],
    expected: int,
) -> None:
    # A connection still held when the route returns stays out of the pool while the answer
    # waits its turn on the event loop: with as many threads as connections, every thread could
    # end up waiting for a connection until the pool times out.
    task = make_task()
    open_at_exit: list[bool] = []

    async def get_recording_db() -> AsyncIterator[Session]:
        session = session_factory()
        try:
            yield session
        finally:
            open_at_exit.append(session.in_transaction())
            session.close()

    app.dependency_overrides[get_db] = get_recording_db
    response = client.request(method, path.format(id=task["id"]), json=body, headers=headers)

    assert response.status_code == expected, response.text
    assert open_at_exit == [False]
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "expected", "route"),
    [
        ("GET", "/tasks/{id}", None, {}, 200, "read_task"),
        ("GET", "/tasks?limit=1", None, {}, 200, "list_tasks"),
        ("GET", "/tasks/count", None, {}, 200, "count_tasks"),
        ("GET", "/tasks/stats", None, {}, 200, "task_stats"),
        ("POST", "/tasks", {"title": "new"}, {}, 201, "create_task"),
        ("PATCH", "/tasks/{id}", {"title": "changed"}, {}, 200, "update_task"),
        ("PUT", "/tasks/{id}", {"title": "changed"}, {}, 200, "update_task"),
        ("DELETE", "/tasks/{id}", None, {}, 204, "delete_task"),
        # Error answers take no trip of their own: the exception handlers are async.
        ("GET", "/tasks/00000000-0000-4000-8000-000000000000", None, {}, 404, "read_task"),
        ("PATCH", "/tasks/{id}", {"title": "stale"}, {"If-Match": '"99"'}, 412, "update_task"),
        ("DELETE", "/tasks/{id}", None, {"If-Match": '"99"'}, 412, "delete_task"),
    ],
)
def test_a_task_request_takes_one_trip_through_the_thread_pool(
    client: TestClient,
    make_task: MakeTask,
    thread_trips: list[str],
    method: str,
    path: str,
    body: dict[str, str] | None,
    headers: dict[str, str],
    expected: int,
    route: str,
) -> None:
    # The route needs its thread: it waits on the database. Each further trip (a plain `def`
    # dependency or exception handler, FastAPI checking a returned model against
    # response_model) costs a thread's wake-up and the event loop's, and under load a wait for
    # a free thread.
    task = make_task()
    thread_trips.clear()

    response = client.request(method, path.format(id=task["id"]), json=body, headers=headers)

    assert response.status_code == expected, response.text
    assert thread_trips == [route]


def test_a_request_session_holds_a_connection_only_inside_an_explicit_transaction(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    # Which is why the request's session needs no closing: nothing can leave a transaction open.
    session = anyio.run(request_sessions(session_factory))

    with pytest.raises(InvalidRequestError, match=r"[Aa]utobegin"):
        session.execute(text("SELECT 1"))
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]

    with session.begin():
        session.execute(text("SELECT 1"))
        assert engine.pool.checkedout() == 1  # type: ignore[attr-defined]
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_a_page_and_its_count_are_read_on_one_connection(
    client: TestClient, make_task: MakeTask, engine: Engine, statements: Statements
) -> None:
    for index in range(3):
        make_task(title=f"t{index}")
    checkouts: list[object] = []

    def count_checkout(dbapi_connection: object, *_: object) -> None:
        checkouts.append(dbapi_connection)

    event.listen(engine.pool, "checkout", count_checkout)
    statements.clear()
    try:
        response = client.get("/tasks", params={"limit": 2})
    finally:
        event.remove(engine.pool, "checkout", count_checkout)

    assert (len(response.json()), response.headers["X-Total-Count"]) == (2, "3")
    assert [verb for verb, _ in statements] == ["SELECT", "SELECT"]  # the page, then the count
    assert len(checkouts) == 1
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
