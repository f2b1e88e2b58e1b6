"""Test fixtures: the app with get_db overridden by a session on a temporary database.

The database is a temporary SQLite file, or the PostgreSQL at TEST_DATABASE_URL when set
(`make test` runs the suite both ways).
"""

from __future__ import annotations

import functools
import os
import sqlite3
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, event, make_url, text
from sqlalchemy.orm import Session, sessionmaker

# The suite from before accounts runs in single-user mode, unchanged; the accounts' tests make
# apps of their own with accounts on (accounts_app below). Set before the app is imported.
os.environ["AUTH_REQUIRED"] = "false"

from src.app import app, create_app
from src.config import Settings
from src.database import Base, get_db, make_engine, make_sessionmaker
from src.events import EventHub
from src.models import (
    CredentialModel,
    InvitationModel,
    Role,
    SignInFailureModel,
    TaskEventModel,
    TaskModel,
    UserModel,
)
from src.services import accounts

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
MakeTask = Callable[..., dict[str, Any]]
BACKEND = "postgresql" if POSTGRES_URL else "sqlite"
T = TypeVar("T")


def pytest_report_header() -> str:
    return f"TaskFlow test database: {BACKEND}"


def sessions_from(factory: sessionmaker[Session]) -> Callable[[], AsyncIterator[Session]]:
    """A stand-in for get_db that gives each request a session from `factory`."""

    async def get_test_db() -> AsyncIterator[Session]:
        with factory() as session:
            yield session

    return get_test_db


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    """The database under test, set up as the app's own: an autocommit engine."""
    if POSTGRES_URL:
        test_engine = make_engine(POSTGRES_URL, autocommit=True)
        Base.metadata.drop_all(test_engine)
        Base.metadata.create_all(test_engine)
        yield test_engine
        Base.metadata.drop_all(test_engine)
        test_engine.dispose()
        return
    with tempfile.TemporaryDirectory(prefix="taskflow-test-") as folder:
        test_engine = make_engine(f"sqlite:///{Path(folder) / 'test.db'}", autocommit=True)
        Base.metadata.create_all(test_engine)
        yield test_engine
        test_engine.dispose()


@pytest.fixture(scope="session")
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


@pytest.fixture(autouse=True)
def _empty_tasks_table(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "engine" in request.fixturenames:
        engine: Engine = request.getfixturevalue("engine")
        with engine.begin() as connection:
            for table in (
                TaskModel,
                TaskEventModel,
                CredentialModel,
                InvitationModel,
                SignInFailureModel,
                UserModel,
            ):
                connection.execute(delete(table))


@pytest.fixture
def db_session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture
def client(engine: Engine, session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    app.dependency_overrides[get_db] = sessions_from(session_factory)
    app.state.events = EventHub(engine)  # the live board's listener, on the test database
    try:
        with TestClient(app) as test_client:
            yield test_client
    finally:
        app.dependency_overrides.clear()
        del app.state.events


@contextmanager
def driver_statements(engine: Engine, on_statement: Callable[[Any, str], None]) -> Iterator[None]:
    """Call `on_statement(dbapi_connection, sql)` for each statement run on `engine`'s connections.

    Seen by the driver, below SQLAlchemy: on SQLite, the trace also shows the BEGIN and COMMIT
    its driver sends itself; on PostgreSQL, each statement is seen once it has run (psycopg2
    sends BEGIN itself too, outside autocommit: callers check `autocommit` for that).

    SQLite's trace reports the statement again for each statement a trigger runs within it
    (the live board's triggers on tasks): those repeats are part of one round trip, not more.
    """
    last_traced: dict[int, str] = {}

    def new_execute(_conn: Any, _cursor: Any, _statement: Any, _params: Any, *_args: Any) -> None:
        last_traced.clear()

    def traced(dbapi_connection: sqlite3.Connection, sql: str) -> None:
        if last_traced.get(id(dbapi_connection)) == sql:
            return  # a trigger's statement, inside this one
        last_traced[id(dbapi_connection)] = sql
        on_statement(dbapi_connection, sql)

    def on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.set_trace_callback(lambda sql: traced(dbapi_connection, sql))
            return
        cursor_class = record.info["cursor_class"] = dbapi_connection.cursor_factory

        class ReportingCursor(cursor_class):  # type: ignore[misc,valid-type]
            def execute(self, query: str, vars: Any = None) -> None:
                super().execute(query, vars)
                on_statement(self.connection, query)

        dbapi_connection.cursor_factory = ReportingCursor

    def on_checkin(dbapi_connection: Any, record: Any) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.set_trace_callback(None)
        elif "cursor_class" in record.info:
            dbapi_connection.cursor_factory = record.info.pop("cursor_class")

    event.listen(engine.pool, "checkout", on_checkout)
    event.listen(engine.pool, "checkin", on_checkin)
    event.listen(engine, "before_cursor_execute", new_execute)
    try:
        yield
    finally:
        event.remove(engine.pool, "checkout", on_checkout)
        event.remove(engine.pool, "checkin", on_checkin)
        event.remove(engine, "before_cursor_execute", new_execute)


@pytest.fixture
def make_task(client: TestClient) -> MakeTask:
    """Create a task through the API and return its JSON."""

    def make(**fields: Any) -> dict[str, Any]:
        response = client.post("/tasks", json={"title": "A task", **fields})
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    return make


@contextmanager
def fresh_database() -> Iterator[str]:
    if not POSTGRES_URL:
        with tempfile.TemporaryDirectory(prefix="taskflow-fresh-") as folder:
            yield f"sqlite:///{Path(folder) / 'fresh.db'}"
        return
    name = f"taskflow_fresh_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def fresh_database_url() -> Iterator[str]:
    """The URL of an empty database of the kind under test, dropped afterwards."""
    with fresh_database() as url:
        yield url


@pytest.fixture
def fresh_database_urls() -> Iterator[Callable[[int], list[str]]]:
    """Make that many empty databases, all dropped afterwards."""
    with ExitStack() as stack:
        yield lambda count: [stack.enter_context(fresh_database()) for _ in range(count)]


@pytest.fixture
def thread_trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of each function FastAPI runs in its thread pool from now on (a plain `def`
    route or dependency)."""
    trips: list[str] = []
    run_sync = anyio.to_thread.run_sync

    async def recording_run_sync(func: Callable[[], T], *args: Any, **kwargs: Any) -> T:
        named: Any = func
        # FastAPI passes a partial: for an endpoint, one of its telemetry wrapper, which holds
        # the endpoint as `function`.
        while isinstance(named, functools.partial):
            named = named.keywords.get("function", named.func)
        trips.append(named.__name__)
        return await run_sync(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", recording_run_sync)
    return trips


# --- accounts ----------------------------------------------------------------------------------

PASSWORD = "correct horse battery staple"


def accounts_settings(**overrides: Any) -> Settings:
    """Settings of an app with accounts on; the per-client budget out of the way unless a test
    is about it."""
    return Settings(
        **{
            "auth_required": True,
            "auth_rate_per_minute": 1_000_000,
            "signup": "invite",
            **overrides,
        }
    )


@contextmanager
def accounts_app(session_factory: sessionmaker[Session], **overrides: Any) -> Iterator[TestClient]:
    """A client of a second app, made like the production one but with accounts on."""
    accounts_on = create_app(accounts_settings(**overrides))
    accounts_on.dependency_overrides[get_db] = sessions_from(session_factory)
    accounts_on.state.events = EventHub(session_factory.kw["bind"])
    with TestClient(accounts_on) as test_client:
        yield test_client


@pytest.fixture
def auth_client(session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    with accounts_app(session_factory) as test_client:
        yield test_client


class Person:
    """Someone with an account in the database under test, and how to act as them."""

    def __init__(self, client: TestClient, user: UserModel, password: str) -> None:
        self.client = client
        self.id = user.id
        self.email = user.email
        self.role = user.role
        self.password = password
        self._token: str | None = None

    def sign_in(self) -> str:
        response = self.client.post(
            "/auth/token", data={"username": self.email, "password": self.password}
        )
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    @property
    def headers(self) -> dict[str, str]:
        """A session of this person's, signed in once and then reused."""
        if self._token is None:
            self._token = self.sign_in()
        return bearer(self._token)

    def api_token(self, scope: str = "write", days: int = 30) -> str:
        response = self.client.post(
            "/users/me/tokens",
            json={"name": f"{scope} script", "scope": scope, "expires_in_days": days},
            headers=self.headers,
        )
        assert response.status_code == 201, response.text
        token: str = response.json()["token"]
        return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


MakePerson = Callable[..., Person]


@pytest.fixture
def make_person(auth_client: TestClient, session_factory: sessionmaker[Session]) -> MakePerson:
    """Create someone directly in the database (quicker than an invitation) for `auth_client`."""
    made = 0

    def make(role: str = "member", *, email: str | None = None, name: str | None = None) -> Person:
        nonlocal made
        made += 1
        with session_factory() as session:
            user = accounts.create_user(
                session,
                email=email or f"{role}{made}-{uuid.uuid4().hex[:6]}@example.com",
                name=name or f"{role.title()} {made}",
                password=PASSWORD,
                role=Role(role),
            )
        return Person(auth_client, user, PASSWORD)

    return make
