"""Alembic migrations: they agree with the models, go down and up again, and adopt the
tutorial's create_all() database with its rows."""

from __future__ import annotations

import enum
import multiprocessing
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import Column, DateTime, Engine, MetaData, String, Table, func, inspect, text
from sqlalchemy import Enum as SQLEnum

from src.app import app
from src.database import (
    Base,
    alembic_config,
    get_db,
    init_db,
    init_db_when_reachable,
    make_engine,
    make_sessionmaker,
)
from tests.conftest import sessions_from


@pytest.fixture
def fresh_engine(fresh_database_url: str) -> Iterator[Engine]:
    engine = make_engine(fresh_database_url)
    yield engine
    engine.dispose()


def schema_differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


HEAD = "0005"


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def downgrade_to_base(engine: Engine) -> None:
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "base")


def test_migrations_match_the_models(fresh_engine: Engine) -> None:
    init_db(fresh_engine)

    assert current_revision(fresh_engine) == HEAD
    assert schema_differences(fresh_engine) == []


def test_upgrade_downgrade_upgrade(fresh_engine: Engine) -> None:
    init_db(fresh_engine)
    downgrade_to_base(fresh_engine)

    assert not inspect(fresh_engine).has_table("tasks")
    assert current_revision(fresh_engine) is None

    init_db(fresh_engine)
    assert schema_differences(fresh_engine) == []


def test_init_db_twice_changes_nothing(fresh_engine: Engine) -> None:
    init_db(fresh_engine)
    init_db(fresh_engine)

    assert current_revision(fresh_engine) == HEAD


def _migrate_each_when_released(urls: list[str], released: Barrier, outcomes: Queue[str]) -> None:
    for url in urls:
        engine = make_engine(url)
        released.wait()
        try:
            init_db(engine)
            outcomes.put("migrated")
        except Exception as exc:  # reported to the test, which names it
            outcomes.put(f"{type(exc).__name__}: {exc}")
        finally:
            engine.dispose()


def test_processes_starting_together_migrate_one_at_a_time(
    fresh_database_urls: Callable[[int], list[str]],
) -> None:
    """Workers of one deployment start at the same moment on an empty database (several
    uvicorn workers, or a fresh SQLite file on a laptop): each must find the schema migrated or
    migrate it alone. Unserialised, SQLite failed in 8 of 10 such starts, so there are three."""
    workers = 3
    urls = fresh_database_urls(3)
    context = multiprocessing.get_context("spawn")  # no locks inherited from this process
    released = context.Barrier(workers)
    outcomes: Queue[str] = context.Queue()
    processes = [
        context.Process(target=_migrate_each_when_released, args=(urls, released, outcomes))
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)

    assert [outcomes.get(timeout=5) for _ in range(workers * len(urls))] == ["migrated"] * (
        workers * len(urls)
    )
    for url in urls:
        engine = make_engine(url)
        try:
            assert current_revision(engine) == HEAD
            assert schema_differences(engine) == []
        finally:
            engine.dispose()


def test_an_app_that_started_during_an_outage_migrates_once_the_database_answers(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "not-yet"  # SQLite cannot open a file in a missing folder: "down"
    engine = make_engine(f"sqlite:///{folder / 'late.db'}")
    stop = init_db_when_reachable(engine, retry_every=0.05)
    try:
        time.sleep(0.2)  # a few failed attempts
        folder.mkdir()
        deadline = time.monotonic() + 30
        while current_revision(engine) != HEAD:
            assert time.monotonic() < deadline, "not migrated after the database came back"
            time.sleep(0.05)
        assert schema_differences(engine) == []
    finally:
        stop.set()
        engine.dispose()


# The tutorial's models.py, as deployments created it with Base.metadata.create_all().
class TutorialStatus(str, enum.Enum):  # noqa: UP042  (as the tutorial wrote it)
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class TutorialPriority(str, enum.Enum):  # noqa: UP042
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


TaskStatus = TutorialStatus  # the enum type names come from the class names
TaskPriority = TutorialPriority


def tutorial_table(metadata: MetaData) -> Table:
    return Table(
        "tasks",
        metadata,
        Column("id", String, primary_key=True, index=True),
        Column("title", String(200), nullable=False),
        Column("description", String(1000), nullable=True),
        Column(
            "status",
            SQLEnum(TaskStatus, name="taskstatus", values_callable=lambda x: [e.value for e in x]),
            nullable=False,
        ),
        Column(
            "priority",
            SQLEnum(
                TaskPriority, name="taskpriority", values_callable=lambda x: [e.value for e in x]
            ),
            nullable=False,
        ),
        Column("assignee", String(100), nullable=True),
        Column("due_date", DateTime, nullable=True),
        Column("created_at", DateTime, nullable=False, server_default=func.now()),
        Column("updated_at", DateTime, nullable=False, server_default=func.now()),
    )


TUTORIAL_ROWS: list[dict[str, Any]] = [
    {
        "id": "3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b",
        "title": "From the tutorial",
        "description": "créé avant la migration",
        "status": "in_progress",
        "priority": "high",
        "assignee": "alice",
        "due_date": datetime(2026, 1, 15, 9, 30),
        "created_at": datetime(2025, 10, 22, 8, 0, 0),
        "updated_at": datetime(2025, 10, 23, 17, 45, 12),
    },
    {
        "id": "8d9e0f1a-2b3c-4d5e-8f70-8192a3b4c5d6",
        "title": "Second",
        "description": None,
        "status": "todo",
        "priority": "low",
        "assignee": None,
        # Midnight UTC: sent as a day, in all likelihood (revision 0003 makes it one).
        "due_date": datetime(2026, 2, 1),
        "created_at": datetime(2025, 10, 24, 12, 0, 0),
        "updated_at": datetime(2025, 10, 24, 12, 0, 0),
    },
]


def test_tutorial_database_is_adopted_with_its_rows(fresh_engine: Engine) -> None:
    metadata = MetaData()
    table = tutorial_table(metadata)
    metadata.create_all(fresh_engine)
    with fresh_engine.begin() as connection:
        connection.execute(table.insert(), TUTORIAL_ROWS)

    init_db(fresh_engine)

    assert current_revision(fresh_engine) == HEAD
    assert schema_differences(fresh_engine) == []
    with fresh_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM tasks")).scalar() == 2
    app.dependency_overrides[get_db] = sessions_from(make_sessionmaker(fresh_engine))
    try:
        with TestClient(app) as client:
            task = client.get(f"/tasks/{TUTORIAL_ROWS[0]['id']}").json()
            assert task["title"] == "From the tutorial"
            assert task["description"] == "créé avant la migration"
            assert (task["status"], task["priority"], task["assignee"]) == (
                "in_progress",
                "high",
                "alice",
            )
            assert (task["due_date"], task["due_all_day"]) == ("2026-01-15T09:30:00Z", False)
            day = client.get(f"/tasks/{TUTORIAL_ROWS[1]['id']}").json()
            assert (day["due_date"], day["due_all_day"]) == ("2026-02-01T00:00:00Z", True)
            assert task["created_at"] == "2025-10-22T08:00:00Z"
            assert task["updated_at"] == "2025-10-23T17:45:12Z"
            assert task["version"] == 1
            assert [
                t["title"] for t in client.get("/tasks", params={"sort": "priority"}).json()
            ] == [
                "Second",
                "From the tutorial",
            ]
            updated = client.patch(
                f"/tasks/{task['id']}", json={"status": "done"}, headers={"If-Match": '"1"'}
            )
            assert updated.status_code == 200 and updated.json()["version"] == 2
            assert client.post("/tasks", json={"title": "new one"}).status_code == 201
    finally:
        app.dependency_overrides.clear()


def test_adopted_database_downgrades_and_upgrades(fresh_engine: Engine) -> None:
    metadata = MetaData()
    tutorial_table(metadata)
    metadata.create_all(fresh_engine)
    init_db(fresh_engine)

    downgrade_to_base(fresh_engine)
    init_db(fresh_engine)

    assert schema_differences(fresh_engine) == []


def test_accounts_come_and_go_and_the_tasks_stay(fresh_engine: Engine) -> None:
    """0004 adds the accounts beside the tasks; downgrading to 0003 removes them and nothing
    else."""
    with fresh_engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
        connection.execute(
            text("INSERT INTO tasks (id, title, status, priority, version, due_all_day) VALUES "
                 "('20000000-0000-4000-8000-000000000001', 'Before accounts', 'todo', 'medium', "
                 "3, false)")
        )  # fmt: skip
    init_db(fresh_engine)
    with fresh_engine.connect() as connection:
        before = connection.execute(
            text("SELECT id, title, version, created_by, updated_by FROM tasks")
        ).all()
    assert [tuple(row) for row in before] == [
        ("20000000-0000-4000-8000-000000000001", "Before accounts", 3, None, None)
    ]
    with fresh_engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    assert not inspect(fresh_engine).has_table("users")
    assert "created_by" not in {c["name"] for c in inspect(fresh_engine).get_columns("tasks")}
    with fresh_engine.connect() as connection:
        assert connection.execute(text("SELECT id, version FROM tasks")).all() == [
            ("20000000-0000-4000-8000-000000000001", 3)
        ]
