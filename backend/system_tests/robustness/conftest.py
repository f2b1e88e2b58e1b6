"""Fixtures for the robustness suite: throwaway PostgreSQL, SQLite files, real app servers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg2
import pytest

from system_tests.robustness.harness import (
    DATABASES,
    FAST_FAILURE_ENV,
    new_database_url,
    require_postgres,
)
from tests.support.postgres import ThrowawayPostgres
from tests.support.server import AppServer


@pytest.fixture(scope="session")
def postgres() -> Iterator[ThrowawayPostgres]:
    """One PostgreSQL for the tests that do not stop it; each test takes a fresh database."""
    require_postgres("robustness tests on PostgreSQL")
    with ThrowawayPostgres() as server:
        yield server


@pytest.fixture
def own_postgres() -> Iterator[ThrowawayPostgres]:
    """A PostgreSQL of this test's own, which it may stop and start.

    ThrowawayPostgres trades durability for speed (synchronous_commit = off); a test that crashes
    the server and then counts rows needs commits that are on their way to disk when acknowledged,
    as production's are.
    """
    require_postgres("PostgreSQL fault tests")
    with ThrowawayPostgres() as server:
        conn = psycopg2.connect(server.url("postgres"))
        try:
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute("ALTER SYSTEM SET synchronous_commit = on")
                cursor.execute("SELECT pg_reload_conf()")
        finally:
            conn.close()
        yield server


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database, once on SQLite and once on PostgreSQL."""
    return new_database_url(request.param, request, tmp_path)


@pytest.fixture(scope="module", params=DATABASES)
def shared_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppServer]:
    """One app server per database for a whole module of tests that leave no trace."""
    url = new_database_url(request.param, request, tmp_path_factory.mktemp("db"))
    server = AppServer(url, env=FAST_FAILURE_ENV)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def client(shared_server: AppServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=shared_server.url, timeout=30) as http:
        yield http
