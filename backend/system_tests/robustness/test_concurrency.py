"""Several app processes on one PostgreSQL: no lost writes, no lost updates, no stale reads."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import psycopg2
import pytest
from alembic.script import ScriptDirectory

from src.database import make_engine
from system_tests.robustness.harness import FAST_FAILURE_ENV
from tests.support.postgres import ThrowawayPostgres
from tests.support.server import BACKEND_DIR, AppServer


@pytest.fixture
def two_apps(postgres: ThrowawayPostgres) -> Iterator[tuple[AppServer, AppServer]]:
    url = postgres.create_database(f"two_{time.monotonic_ns()}")
    first = AppServer(url, env=FAST_FAILURE_ENV)
    first.start()
    second = AppServer(url, env=FAST_FAILURE_ENV)
    try:
        second.start()
        yield first, second
    finally:
        second.stop()
        first.stop()


def test_concurrent_creates_through_two_processes_store_exactly_the_201s(
    two_apps: tuple[AppServer, AppServer],
) -> None:
    servers = two_apps
    per_thread, threads = 25, 12

    def create_many(n: int) -> list[str]:
        ids = []
        with httpx.Client(base_url=servers[n % 2].url, timeout=30) as http:
            for i in range(per_thread):
                response = http.post("/tasks", json={"title": f"t{n}-{i}"})
                assert response.status_code == 201, response.text
                ids.append(response.json()["id"])
        return ids

    with ThreadPoolExecutor(threads) as pool:
        created = [task_id for ids in pool.map(create_many, range(threads)) for task_id in ids]

    assert len(created) == len(set(created)) == per_thread * threads
    for server in servers:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            assert http.get("/tasks/count").json() == {"total": len(created)}
            listed = http.get("/tasks", params={"limit": 500}).json()
            assert {t["id"] for t in listed} == set(created)


def test_concurrent_if_match_updates_give_one_200_and_412_for_the_rest(
    two_apps: tuple[AppServer, AppServer],
) -> None:
    servers = two_apps
    with httpx.Client(base_url=servers[0].url, timeout=30) as http:
        created = http.post("/tasks", json={"title": "contended"})
    task_id, etag = created.json()["id"], created.headers["etag"]
    contenders = 16

    for round_number in range(5):
        barrier = threading.Barrier(contenders)

        def contend(
            n: int, etag: str = etag, rnd: int = round_number, barrier: threading.Barrier = barrier
        ) -> tuple[int, str]:
            with httpx.Client(base_url=servers[n % 2].url, timeout=30) as http:
                http.get("/health")  # connection open before the race starts
                barrier.wait(10)
                response = http.patch(
                    f"/tasks/{task_id}",
                    json={"title": f"round {rnd} winner {n}"},
                    headers={"if-match": etag},
                )
                return response.status_code, response.text

        with ThreadPoolExecutor(contenders) as pool:
            results = list(pool.map(contend, range(contenders)))
        statuses = sorted(status for status, _ in results)
        assert statuses == [200] + [412] * (contenders - 1), results
        winner: dict[str, Any] = next(
            httpx.Response(200, text=text).json() for status, text in results if status == 200
        )

        for server in servers:
            current = httpx.get(f"{server.url}/tasks/{task_id}", timeout=10)
            assert current.json()["version"] == round_number + 2
            assert current.json()["title"] == winner["title"]
        etag = current.headers["etag"]


def test_what_one_process_writes_the_other_reads_at_once(
    two_apps: tuple[AppServer, AppServer],
) -> None:
    first, second = two_apps
    with (
        httpx.Client(base_url=first.url, timeout=10) as one,
        httpx.Client(base_url=second.url, timeout=10) as other,
    ):
        for i in range(20):
            created = one.post("/tasks", json={"title": f"written by one {i}"}).json()
            assert other.get(f"/tasks/{created['id']}").json() == created

            changed = other.patch(f"/tasks/{created['id']}", json={"status": "done"})
            assert changed.status_code == 200
            assert one.get(f"/tasks/{created['id']}").json() == changed.json()
            assert one.get("/tasks/stats").json() == other.get("/tasks/stats").json()

            assert one.delete(f"/tasks/{created['id']}").status_code == 204
            assert other.get(f"/tasks/{created['id']}").status_code == 404


def test_three_processes_starting_together_on_an_empty_database_migrate_it_once(
    database_url: str,
) -> None:
    url = database_url
    servers = [AppServer(url, env=FAST_FAILURE_ENV) for _ in range(3)]
    try:
        for server in servers:
            server.start(wait=False)
        for server in servers:
            server.wait_until_answering(60)
        for server in servers:
            health = httpx.get(f"{server.url}/health", timeout=10)
            assert health.status_code == 200, f"{health.text}\n{server.log()}"
            assert health.json()["tasks_count"] == 0
        for server in servers:
            created = httpx.post(f"{server.url}/tasks", json={"title": "hello"}, timeout=10)
            assert created.status_code == 201
        logs = "\n".join(server.log() for server in servers)
    finally:
        for server in servers:
            server.stop()

    assert "Traceback" not in logs, logs
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            versions = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
            rows = connection.exec_driver_sql("SELECT count(*) FROM tasks").scalar_one()
    finally:
        engine.dispose()
    head = ScriptDirectory(str(BACKEND_DIR / "migrations")).get_current_head()
    assert [tuple(version) for version in versions] == [(head,)]
    assert rows == 3
    # Each revision ran in exactly one of the three processes.
    upgrades = re.findall(r"Running upgrade .*?-> (\w+)", logs)
    assert upgrades, "alembic logged no upgrade at INFO"
    assert sorted(upgrades) == sorted(set(upgrades)), upgrades
    assert upgrades[-1] == head


def test_a_load_beyond_the_pool_reuses_the_pools_connections(postgres: ThrowawayPostgres) -> None:
    # A connection beyond the pool's size is closed when it comes back while the pool holds
    # enough idle ones. With more request threads than that, a load hovering around the pool's
    # size opened and closed PostgreSQL sessions all the time (hundreds a second over a 1 ms
    # link, at half the throughput). Request threads are as many as the pool keeps.
    url = postgres.create_database(f"pool_{time.monotonic_ns()}")
    pool_size, clients, requests_each = 4, 32, 40
    env = {**FAST_FAILURE_ENV, "DB_POOL_SIZE": str(pool_size), "DB_MAX_OVERFLOW": "4"}

    def sessions_opened() -> int:
        with psycopg2.connect(url) as conn, conn.cursor() as cursor:
            cursor.execute(
                "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
            )
            row = cursor.fetchone()
        conn.close()
        assert row is not None
        return int(row[0])

    with AppServer(url, env=env) as server:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            task_id = http.post("/tasks", json={"title": "read a lot"}).json()["id"]
        before = sessions_opened()

        def read_many(_client: int) -> set[int]:
            with httpx.Client(base_url=server.url, timeout=30) as http:
                return {http.get(f"/tasks/{task_id}").status_code for _ in range(requests_each)}

        with ThreadPoolExecutor(clients) as pool:
            statuses = set().union(*pool.map(read_many, range(clients)))
        # Sessions that ended have reported themselves; the reading below counts its own too.
        opened = sessions_opened() - before - 1

    assert statuses == {200}
    assert opened <= pool_size, f"{opened} PostgreSQL sessions opened for a pool of {pool_size}"
