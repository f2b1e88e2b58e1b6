"""One round trip per request: what each request sends to the database, and how it holds it.

Counted at the driver (below SQLAlchemy, so nothing SQLAlchemy sends is missed), on both
databases. Outside a transaction, neither driver sends a BEGIN or COMMIT of its own, so each
statement seen is one round trip.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.conftest import MakeTask, driver_statements

Statements = list[tuple[str, bool]]
MISSING = "00000000-0000-4000-8000-000000000000"


def in_transaction(dbapi_connection: Any) -> bool:
    if hasattr(dbapi_connection, "in_transaction"):  # sqlite3
        return bool(dbapi_connection.in_transaction)
    # psycopg2 outside autocommit sends BEGIN itself before the first statement.
    return not dbapi_connection.autocommit or dbapi_connection.info.transaction_status != 0


@pytest.fixture
def statements(engine: Engine) -> Iterator[Statements]:
    """Each statement the app sends, with whether it ran inside a transaction."""
    seen: Statements = []

    def note(dbapi_connection: Any, statement: str) -> None:
        seen.append((statement.split()[0].upper(), in_transaction(dbapi_connection)))

    with driver_statements(engine, note):
        yield seen


SUCCESS_PATHS = [
    ("GET", "/tasks/{id}", None, {}, 200, "SELECT"),
    ("GET", "/tasks?limit=2", None, {}, 200, "SELECT"),  # a page and its total
    ("GET", "/tasks?limit=2&offset=100", None, {}, 200, "SELECT"),  # past the end: the total
    ("GET", "/tasks?status=todo&q=task&overdue=false&sort=-priority", None, {}, 200, "SELECT"),
    ("GET", "/tasks/count?priority=high", None, {}, 200, "SELECT"),
    ("GET", "/tasks/stats", None, {}, 200, "SELECT"),
    ("POST", "/tasks", {"title": "new", "due_date": "2026-12-01"}, {}, 201, "INSERT"),
    ("PATCH", "/tasks/{id}", {"title": "changed"}, {}, 200, "UPDATE"),
    ("PATCH", "/tasks/{id}", {"status": "done"}, {"If-Match": '"1"'}, 200, "UPDATE"),
    ("PUT", "/tasks/{id}", {"priority": "low"}, {"If-Match": '"3", "1"'}, 200, "UPDATE"),
    ("DELETE", "/tasks/{id}", None, {}, 204, "DELETE"),
    ("DELETE", "/tasks/{id}", None, {"If-Match": '"1"'}, 204, "DELETE"),
    ("GET", "/health", None, {}, 200, "SELECT"),
]


@pytest.mark.parametrize(("method", "path", "body", "headers", "expected", "verb"), SUCCESS_PATHS)
def test_a_successful_request_sends_one_statement_outside_any_transaction(
    client: TestClient,
    make_task: MakeTask,
    statements: Statements,
    method: str,
    path: str,
    body: dict[str, str] | None,
    headers: dict[str, str],
    expected: int,
    verb: str,
) -> None:
    task = make_task(title="a task", due_date="2020-01-01")
    make_task(title="another task", priority="high")
    statements.clear()

    response = client.request(method, path.format(id=task["id"]), json=body, headers=headers)

    assert response.status_code == expected, response.text
    assert statements == [(verb, False)]


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "expected"),
    [
        ("GET", f"/tasks/{MISSING}", None, {}, 404),
        ("PATCH", f"/tasks/{MISSING}", {"title": "x"}, {}, 404),
        ("DELETE", f"/tasks/{MISSING}", None, {}, 404),
        ("PATCH", "/tasks/{id}", {"title": "stale"}, {"If-Match": '"99"'}, 412),
        ("DELETE", "/tasks/{id}", None, {"If-Match": '"99"'}, 412),
        ("PATCH", f"/tasks/{MISSING}", {"title": "x"}, {"If-Match": '"1"'}, 404),
    ],
)
def test_telling_404_from_412_takes_at_most_a_second_statement(
    client: TestClient,
    make_task: MakeTask,
    statements: Statements,
    method: str,
    path: str,
    body: dict[str, str] | None,
    headers: dict[str, str],
    expected: int,
) -> None:
    task = make_task()
    statements.clear()

    response = client.request(method, path.format(id=task["id"]), json=body, headers=headers)

    assert response.status_code == expected, response.text
    assert 1 <= len(statements) <= 2, statements
    assert not any(inside for _, inside in statements), statements


def test_an_id_that_cannot_be_a_task_is_404_without_a_round_trip(
    client: TestClient, statements: Statements
) -> None:
    assert client.get("/tasks/not-a-uuid").status_code == 404
    assert statements == []


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
        ("GET", f"/tasks/{MISSING}", None, {}, 404, "read_task"),
        ("PATCH", "/tasks/{id}", {"title": "stale"}, {"If-Match": '"99"'}, 412, "update_task"),
        ("DELETE", "/tasks/{id}", None, {"If-Match": '"99"'}, 412, "delete_task"),
    ],
)
def test_a_task_request_runs_its_route_in_the_thread_pool_and_gives_its_connection_back(
    client: TestClient,
    make_task: MakeTask,
    engine: Engine,
    thread_trips: list[str],
    method: str,
    path: str,
    body: dict[str, str] | None,
    headers: dict[str, str],
    expected: int,
    route: str,
) -> None:
    # The route needs its thread: it waits on the database. The session is made and closed on
    # the event loop (get_db is async, and does no I/O), so it takes no trip of its own. (FastAPI
    # checks a plain `def` route's answer against its response_model in a second trip.)
    task = make_task()
    thread_trips.clear()

    response = client.request(method, path.format(id=task["id"]), json=body, headers=headers)

    assert response.status_code == expected, response.text
    assert thread_trips[0] == route
    assert route not in thread_trips[1:]
    assert "get_db" not in thread_trips
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
