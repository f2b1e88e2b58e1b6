"""Faults: PostgreSQL stops, the database host goes silent, the app is killed mid-write."""

from __future__ import annotations

import io
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg2
import pytest
from sqlalchemy import insert
from sqlalchemy.exc import OperationalError

from src.config import Settings
from src.database import (
    IDLE_CHECK_AFTER_S,
    ROUND_TRIP_GRACE_S,
    init_db,
    make_engine,
    make_sessionmaker,
)
from src.db_init import BATCH, demo_tasks, export_tasks
from src.deadlines import _cut
from src.models import TaskModel
from system_tests.robustness.harness import (
    FAILURE_BUDGET_S,
    FAST_FAILURE_ENV,
    HEALTH_BOUND_S,
    new_database_url,
    require_nft,
)
from system_tests.robustness.netfaults import BlackHole, DroppedTraffic, FaultProxy
from tests.support.postgres import ThrowawayPostgres
from tests.support.server import AppServer

RECOVERY_BOUND_S = 20.0


def timed(call: Callable[[], httpx.Response]) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def assert_health_degraded_in_time(base_url: str) -> None:
    response, elapsed = timed(lambda: httpx.get(f"{base_url}/health", timeout=10))
    assert elapsed < HEALTH_BOUND_S, f"/health took {elapsed:.2f}s"
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["database"], body["tasks_count"]) == ("degraded", "error", None)


def task_requests(task_id: str) -> list[tuple[str, str, dict[str, object] | None]]:
    return [
        ("GET", "/tasks", None),
        ("GET", "/tasks/count", None),
        ("GET", "/tasks/stats", None),
        ("GET", f"/tasks/{task_id}", None),
        ("POST", "/tasks", {"title": "written while the database is down"}),
        ("PATCH", f"/tasks/{task_id}", {"title": "changed while down"}),
        ("DELETE", f"/tasks/{task_id}", None),
    ]


def assert_task_endpoints_unavailable_in_time(base_url: str, task_id: str) -> None:
    with httpx.Client(base_url=base_url, timeout=FAILURE_BUDGET_S + 20) as http:
        for method, path, body in task_requests(task_id):
            started = time.monotonic()
            response = http.request(method, path, json=body)
            elapsed = time.monotonic() - started
            where = f"{method} {path}"
            assert elapsed < FAILURE_BUDGET_S, f"{where} took {elapsed:.2f}s"
            assert response.status_code == 503, f"{where}: {response.status_code} {response.text}"
            assert response.json() == {"detail": "Database unavailable"}
            assert response.headers.get("retry-after", "").isdigit(), f"{where}: no Retry-After"


def assert_no_worker_hangs(base_url: str, expected: int, count: int = 24) -> None:
    """Many requests at once, more than one worker's thread pool and DB pool: all answer in time."""

    def one(i: int) -> tuple[int, float]:
        started = time.monotonic()
        path = "/health" if i % 3 == 0 else "/tasks"
        response = httpx.get(f"{base_url}{path}", timeout=FAILURE_BUDGET_S * 3 + 20)
        return response.status_code, time.monotonic() - started

    with ThreadPoolExecutor(count) as pool:
        results = list(pool.map(one, range(count)))
    assert {status for status, _ in results} == {expected}, results
    slowest = max(elapsed for _, elapsed in results)
    # Requests queue for the pool at most once behind the others' timeouts.
    assert slowest < FAILURE_BUDGET_S * 3, f"slowest request took {slowest:.2f}s"


def wait_until_healthy(base_url: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < RECOVERY_BOUND_S:
        try:
            if httpx.get(f"{base_url}/health", timeout=5).status_code == 200:
                return time.monotonic() - started
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    raise AssertionError(f"not healthy again within {RECOVERY_BOUND_S}s")


def assert_everything_works(base_url: str, task_id: str) -> None:
    """After recovery, every request succeeds at once: no stale pooled connection leaks a 5xx."""
    with httpx.Client(base_url=base_url, timeout=10) as http:
        for _ in range(10):
            assert http.get(f"/tasks/{task_id}").status_code == 200
            assert http.get("/tasks").status_code == 200
            assert http.post("/tasks", json={"title": "after recovery"}).status_code == 201


def wait_for_workers(server: AppServer, workers: int, timeout: float = 30) -> None:
    """AppServer.start returns when the first worker answers; a fault injected before the others
    finish starting would test start-up, not a running app."""
    deadline = time.monotonic() + timeout
    while server.log().count("Application startup complete.") < workers:
        assert time.monotonic() < deadline, f"workers did not start:\n{server.log()}"
        time.sleep(0.1)


@pytest.fixture
def postgres_app(own_postgres: ThrowawayPostgres) -> Iterator[tuple[ThrowawayPostgres, AppServer]]:
    """The app as production runs it (two workers) on a PostgreSQL this test may stop."""
    server = AppServer(own_postgres.url(), env=FAST_FAILURE_ENV, extra_args=["--workers", "2"])
    server.start()
    wait_for_workers(server, 2)
    try:
        yield own_postgres, server
    finally:
        server.stop()
        print(f"--- app log (shown when the test fails) ---\n{server.log()[-20000:]}")


def seed_task(base_url: str) -> str:
    with httpx.Client(base_url=base_url, timeout=10) as http:
        for _ in range(5):  # warm both workers' pools
            http.get("/tasks")
        created = http.post("/tasks", json={"title": "survives outages"})
        assert created.status_code == 201, created.text
        task_id: str = created.json()["id"]
        return task_id


@pytest.mark.parametrize("stop_mode", ["immediate", "fast"])
def test_postgres_stopped_gives_503_in_time_and_recovers_without_restart(
    postgres_app: tuple[ThrowawayPostgres, AppServer], stop_mode: str
) -> None:
    postgres, server = postgres_app
    task_id = seed_task(server.url)

    postgres.stop(stop_mode)
    assert_health_degraded_in_time(server.url)
    assert_task_endpoints_unavailable_in_time(server.url, task_id)
    assert_no_worker_hangs(server.url, expected=503)

    postgres.start()
    wait_until_healthy(server.url)
    assert_everything_works(server.url, task_id)
    assert server.process is not None and server.process.poll() is None, "the app restarted"


def test_postgres_restarted_while_the_app_is_idle_costs_no_request(
    postgres_app: tuple[ThrowawayPostgres, AppServer],
) -> None:
    """Pooled connections that sat idle through a restart are pinged and replaced, not used."""
    postgres, server = postgres_app
    task_id = seed_task(server.url)
    with httpx.Client(base_url=server.url, timeout=10) as http:
        for _ in range(10):  # fill both workers' pools
            assert http.get(f"/tasks/{task_id}").status_code == 200

        postgres.stop("fast")
        postgres.start()
        time.sleep(IDLE_CHECK_AFTER_S + 0.5)

        answers = [http.get(f"/tasks/{task_id}").status_code for _ in range(20)]
    assert answers == [200] * 20


def test_dropped_database_traffic_mid_run_gives_503_in_time_and_recovers(
    postgres_app: tuple[ThrowawayPostgres, AppServer],
) -> None:
    """Every packet to and from PostgreSQL is dropped while the app holds pooled connections."""
    require_nft()
    postgres, server = postgres_app
    task_id = seed_task(server.url)
    with DroppedTraffic(postgres.port) as drop:
        drop.start()
        assert_health_degraded_in_time(server.url)
        assert_task_endpoints_unavailable_in_time(server.url, task_id)
        assert_no_worker_hangs(server.url, expected=503)
    wait_until_healthy(server.url)
    assert_everything_works(server.url, task_id)
    assert server.process is not None and server.process.poll() is None, "the app restarted"


def test_hung_database_server_gives_503_in_time_and_recovers(
    own_postgres: ThrowawayPostgres,
) -> None:
    """PostgreSQL stops answering while TCP stays up (a frozen server behind a live kernel).

    No server-side timeout fires and the kernel acknowledges every packet: only the app's own
    deadline on each round trip (see src/deadlines.py) ends the requests waiting on the socket.
    """
    with FaultProxy(own_postgres.port) as proxy:
        server = AppServer(
            proxy.url_for(own_postgres.url()), env=FAST_FAILURE_ENV, extra_args=["--workers", "2"]
        )
        server.start()
        try:
            wait_for_workers(server, 2)
            task_id = seed_task(server.url)
            proxy.go_silent()
            # First, while the pools still hold connections that went silent under them.
            assert_task_endpoints_unavailable_in_time(server.url, task_id)
            for _ in range(3):  # checks keep answering while the probe in flight is stuck
                assert_health_degraded_in_time(server.url)
            assert_no_worker_hangs(server.url, expected=503)
            proxy.heal()
            wait_until_healthy(server.url)
            assert_everything_works(server.url, task_id)
        finally:
            server.stop()


def test_a_connection_cut_just_after_its_answer_is_not_reused(postgres: ThrowawayPostgres) -> None:
    """The watchdog may cut a round trip whose answer has just arrived: the request succeeds,
    and its connection goes back to the pool with its socket shut. The next request must get
    another connection, not that one's error."""
    engine = make_engine(postgres.create_database(f"cut_{uuid.uuid4().hex[:8]}"))
    try:
        with engine.begin() as connection:  # a request's transaction, committed
            assert connection.exec_driver_sql("SELECT 1").scalar() == 1
            cut_dbapi_connection = connection.connection.dbapi_connection
        assert isinstance(cut_dbapi_connection, psycopg2.extensions.connection)
        _cut(cut_dbapi_connection)  # what the watchdog does, here just after the commit's answer
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT 2").scalar() == 2
            assert connection.connection.dbapi_connection is not cut_dbapi_connection
    finally:
        engine.dispose()


def test_an_export_whose_server_hangs_mid_stream_fails_in_time(postgres: ThrowawayPostgres) -> None:
    """The export streams through a server-side cursor, whose FETCHes are round trips of their
    own: a server that hangs between two of them must end the export with an error, in time."""
    url = postgres.create_database(f"export_{uuid.uuid4().hex[:8]}")
    settings = Settings(database_url=url, db_statement_timeout_ms=500)
    direct = make_engine(url, settings)
    try:
        init_db(direct)
        with direct.begin() as connection:
            connection.execute(insert(TaskModel), list(demo_tasks(3 * BATCH, random.Random(1))))
    finally:
        direct.dispose()
    with FaultProxy(postgres.port) as proxy:
        engine = make_engine(proxy.url_for(url), settings)
        outcome: list[BaseException | str] = []

        class FirstBatchWritten(io.StringIO):
            def write(self, text: str) -> int:
                if '"title"' in text:  # a task: the first FETCH has answered
                    proxy.go_silent()
                return super().write(text)

        def export() -> None:
            try:
                with make_sessionmaker(engine).begin() as session:
                    export_tasks(session, FirstBatchWritten())
                outcome.append("finished")
            except Exception as exc:
                outcome.append(exc)

        worker = threading.Thread(target=export, daemon=True)
        started = time.monotonic()
        worker.start()
        worker.join(timeout=30)
        hung = worker.is_alive()  # asked before the proxy closes, which would end the wait
        engine.dispose()
    assert not hung, "the export still waits on a server that does not answer"
    assert isinstance(outcome[0], OperationalError), outcome
    # The deadline is the statement timeout plus ROUND_TRIP_GRACE_S; the rest is slack.
    assert time.monotonic() - started < 0.5 + ROUND_TRIP_GRACE_S + 5


def test_database_host_that_never_answers_gives_503_health_in_time() -> None:
    """The app starts while its database host accepts connections and never replies."""
    with BlackHole() as hole:
        server = AppServer(hole.url(), env=FAST_FAILURE_ENV)
        server.start(timeout=60)
        try:
            for _ in range(3):
                assert_health_degraded_in_time(server.url)
            assert_task_endpoints_unavailable_in_time(server.url, str(uuid.uuid4()))
        finally:
            server.stop()


def test_app_starting_while_postgres_is_down_serves_503_then_recovers(
    own_postgres: ThrowawayPostgres,
) -> None:
    """A deploy or a worker restart during a database outage: the app must come up degraded and
    heal, not exit (with several workers, one worker failing start-up stops the whole server)."""
    migrated = AppServer(own_postgres.url(), env=FAST_FAILURE_ENV)
    migrated.start()
    task_id = seed_task(migrated.url)
    migrated.stop()

    own_postgres.stop("fast")
    server = AppServer(own_postgres.url(), env=FAST_FAILURE_ENV, extra_args=["--workers", "2"])
    server.start(timeout=60)
    try:
        for _ in range(4):
            assert_health_degraded_in_time(server.url)
        assert_task_endpoints_unavailable_in_time(server.url, task_id)
        own_postgres.start()
        wait_until_healthy(server.url)
        assert_everything_works(server.url, task_id)
        assert server.process is not None and server.process.poll() is None
    finally:
        server.stop()
        print(f"--- app log (shown when the test fails) ---\n{server.log()[-20000:]}")


def test_app_started_during_an_outage_migrates_when_the_database_is_back(
    own_postgres: ThrowawayPostgres,
) -> None:
    """Started while its database is down, the app cannot migrate at start-up: it must migrate
    once the database answers, not at its next restart. The database is empty, so nothing
    works until it does (production's start command migrates first; a plain uvicorn does not)."""
    own_postgres.stop("fast")
    # One worker: a second one could finish starting after the database is back, and migrate.
    server = AppServer(own_postgres.url(), env=FAST_FAILURE_ENV)
    server.start(timeout=60)
    try:
        assert_health_degraded_in_time(server.url)
        own_postgres.start()
        wait_until_healthy(server.url)
        task_id = seed_task(server.url)
        assert_everything_works(server.url, task_id)
    finally:
        server.stop()
        print(f"--- app log (shown when the test fails) ---\n{server.log()[-20000:]}")


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_kill_9_during_creates_loses_no_acknowledged_task(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = new_database_url(kind, request, tmp_path)
    server = AppServer(url, env=FAST_FAILURE_ENV)
    server.start()
    acknowledged: dict[str, str] = {}
    lock = threading.Lock()
    stop = threading.Event()
    deadline = time.monotonic() + 20

    def writer(n: int) -> None:
        with httpx.Client(base_url=server.url, timeout=5) as http:
            i = 0
            while not stop.is_set() and time.monotonic() < deadline:
                title = f"writer {n} task {i}"
                i += 1
                try:
                    response = http.post("/tasks", json={"title": title})
                except httpx.TransportError:
                    continue
                if response.status_code == 201:
                    with lock:
                        acknowledged[response.json()["id"]] = title

    writers = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    try:
        for thread in writers:
            thread.start()
        while len(acknowledged) < 150 and time.monotonic() < deadline:
            time.sleep(0.05)
        server.kill()
    finally:
        stop.set()
        for thread in writers:
            thread.join(30)
        server.stop()
    assert len(acknowledged) >= 50, "too few creates before the kill to test anything"

    restarted = AppServer(url, env=FAST_FAILURE_ENV)
    restarted.start()
    try:
        with httpx.Client(base_url=restarted.url, timeout=10) as http:
            missing = [
                task_id
                for task_id, title in acknowledged.items()
                if (r := http.get(f"/tasks/{task_id}")).status_code != 200
                or r.json()["title"] != title
            ]
            total = http.get("/tasks/count").json()["total"]
    finally:
        restarted.stop()
    assert not missing, f"{len(missing)} of {len(acknowledged)} acknowledged tasks were lost"
    assert total >= len(acknowledged)
