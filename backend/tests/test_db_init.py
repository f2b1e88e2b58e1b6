"""The data tool: init, reset, seed, export, import and restore, on a database named by
--database-env (the URL, password included, never on the command line)."""

from __future__ import annotations

import getpass as getpass_module
import json
import os
import tracemalloc
from io import StringIO
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from sqlalchemy import delete, func, inspect, select, text, update

from src import db_init
from src.config import get_settings
from src.database import make_engine, make_sessionmaker
from src.models import Role, TaskModel
from src.schemas import TaskRead
from src.services import accounts
from tests.conftest import PASSWORD

DATABASE_VARIABLE = "TASKFLOW_TEST_DATA_TOOL_DATABASE"


def run(*args: str, database: str | None = None) -> int:
    """The tool's main, on `database` read from an environment variable, as the README says."""
    if database is None:
        return db_init.main(list(args))
    with mock.patch.dict(os.environ, {DATABASE_VARIABLE: database}):
        return db_init.main([*args, "--database-env", DATABASE_VARIABLE])


def tasks_in(url: str) -> list[dict[str, Any]]:
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine).begin() as session:
            rows = session.scalars(select(TaskModel).order_by(TaskModel.id)).all()
            return [TaskRead.model_validate(row).model_dump(mode="json") for row in rows]
    finally:
        engine.dispose()


def write_json(path: Path, data: Any) -> str:
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_init_creates_the_schema(fresh_database_url: str) -> None:
    assert run("init", database=fresh_database_url) == 0

    engine = make_engine(fresh_database_url)
    assert inspect(engine).has_table("tasks")
    engine.dispose()


def test_seed_makes_valid_realistic_tasks(fresh_database_url: str) -> None:
    assert run("seed", "--count", "120", "--random-seed", "7", database=fresh_database_url) == 0

    tasks = tasks_in(fresh_database_url)
    assert len(tasks) == 120
    assert len({t["status"] for t in tasks}) == 3 and len({t["priority"] for t in tasks}) == 3
    assert any(t["due_date"] for t in tasks) and any(t["assignee"] for t in tasks)


def planner_row_estimate(url: str) -> int | None:
    """What the query planner believes the tasks table holds (None: never counted)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                estimate = connection.scalar(
                    text("SELECT reltuples FROM pg_class WHERE relname = 'tasks'")
                )
                return None if estimate is None or estimate < 0 else int(estimate)
            has_stats = connection.scalar(
                text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            )
            if not has_stats:
                return None
            stat = connection.scalar(text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'tasks'"))
            return None if stat is None else int(str(stat).split()[0])
    finally:
        engine.dispose()


def test_seed_and_import_leave_the_planner_knowing_the_table(
    fresh_database_url: str, tmp_path: Path
) -> None:
    # Without fresh statistics PostgreSQL planned the list query for an empty table and
    # sorted every matching row instead of reading one page from an index.
    assert run("init", database=fresh_database_url) == 0
    assert planner_row_estimate(fresh_database_url) is None

    # A fixed seed: two random tasks without ids can be equal, and then the import refuses them.
    assert run("seed", "--count", "300", "--random-seed", "7", database=fresh_database_url) == 0
    assert planner_row_estimate(fresh_database_url) == 300

    exported = tmp_path / "tasks.json"
    assert run("export", "--output", str(exported), database=fresh_database_url) == 0
    records = json.loads(exported.read_text(encoding="utf-8"))["tasks"]
    extra = [{key: value for key, value in r.items() if key != "id"} for r in records[:50]]
    more = write_json(tmp_path / "more.json", extra)
    assert run("import", more, database=fresh_database_url) == 0
    assert planner_row_estimate(fresh_database_url) == 350


def test_reset_needs_yes(fresh_database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    run("seed", "--count", "3", database=fresh_database_url)

    assert run("reset", database=fresh_database_url) == 2
    assert "--yes" in capsys.readouterr().err
    assert len(tasks_in(fresh_database_url)) == 3

    assert run("reset", "--yes", database=fresh_database_url) == 0
    assert tasks_in(fresh_database_url) == []


def test_reset_refuses_in_production(
    fresh_database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run("seed", "--count", "2", database=fresh_database_url)
    monkeypatch.setenv("ENVIRONMENT", "production")
    get_settings.cache_clear()
    try:
        assert run("reset", "--yes", database=fresh_database_url) == 2
    finally:
        get_settings.cache_clear()

    assert "production" in capsys.readouterr().err
    assert len(tasks_in(fresh_database_url)) == 2


def test_export_then_import_copies_every_task(
    fresh_database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run("seed", "--count", "40", database=fresh_database_url)
    exported = tmp_path / "export.json"
    capsys.readouterr()

    assert run("export", "--output", str(exported), database=fresh_database_url) == 0
    document = json.loads(exported.read_text())
    assert document["format"] == "taskflow-export" and len(document["tasks"]) == 40

    target = f"sqlite:///{tmp_path / 'copy.db'}"
    assert run("import", str(exported), database=target) == 0
    assert tasks_in(target) == tasks_in(fresh_database_url)
    assert "40 new" in capsys.readouterr().out


def test_export_to_standard_output(
    fresh_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run("seed", "--count", "2", database=fresh_database_url)
    capsys.readouterr()

    assert run("export", database=fresh_database_url) == 0
    assert len(json.loads(capsys.readouterr().out)["tasks"]) == 2


def test_export_streams_in_constant_memory(tmp_path: Path) -> None:
    peaks = []
    for count in (1_000, 8_000):
        url = f"sqlite:///{tmp_path / f'{count}.db'}"
        run("seed", "--count", str(count), database=url)
        engine = make_engine(url)
        with make_sessionmaker(engine).begin() as session:
            out = _CountingSink()
            tracemalloc.start()
            assert db_init.export_tasks(session, out) == count
            peaks.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
        engine.dispose()

    # Eight times the tasks, about the same memory: nothing grows with the table.
    assert peaks[1] < peaks[0] * 1.5 + 512 * 1024, peaks


class _CountingSink(StringIO):
    """A sink that keeps nothing, so only the exporter's own memory is measured."""

    def write(self, text: str) -> int:
        return len(text)


IN_MEMORY_ERA: list[dict[str, Any]] = [
    {
        "id": "0b6f3a52-8c1e-4d2f-9a3b-5c6d7e8f9a0b",
        "title": "From the in-memory days",
        "description": None,
        "status": "done",
        "priority": "high",
        "assignee": "bob",
        "due_date": None,
        "created_at": "2025-09-01T10:00:00.123456",
        "updated_at": "2025-09-02T11:00:00",
    },
    {"title": "No id at all", "priority": "low"},
]


@pytest.mark.parametrize("wrap", [False, True])
def test_import_plain_list_or_tasks_object_is_idempotent(
    fresh_database_url: str, tmp_path: Path, wrap: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_json(tmp_path / "old.json", {"tasks": IN_MEMORY_ERA} if wrap else IN_MEMORY_ERA)

    assert run("import", path, database=fresh_database_url) == 0
    first = tasks_in(fresh_database_url)
    assert run("import", path, database=fresh_database_url) == 0

    assert tasks_in(fresh_database_url) == first
    assert len(first) == 2
    assert "0 new, 0 updated, 2 unchanged" in capsys.readouterr().out
    old = next(t for t in first if t["id"] == IN_MEMORY_ERA[0]["id"])
    assert old["created_at"] == "2025-09-01T10:00:00.123456Z"
    assert old["status"] == "done" and old["version"] == 1


def test_import_updates_changed_records_by_id(fresh_database_url: str, tmp_path: Path) -> None:
    path = write_json(tmp_path / "a.json", IN_MEMORY_ERA[:1])
    run("import", path, database=fresh_database_url)
    changed = [{**IN_MEMORY_ERA[0], "title": "Renamed"}]

    assert run("import", write_json(tmp_path / "b.json", changed), database=fresh_database_url) == 0

    [task] = tasks_in(fresh_database_url)
    assert task["title"] == "Renamed" and task["version"] == 2


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ([{"title": "fine"}, {"title": "x" * 201}], "record 1: field 'title'"),
        ([{"title": "fine"}, {"title": "t", "status": "later"}], "record 1: field 'status'"),
        ([{"id": "not-a-uuid", "title": "t"}], "record 0 (id 'not-a-uuid'): field 'id'"),
        ([{"title": "a\x00b"}], "record 0: field 'title'"),
        (
            [
                {"id": IN_MEMORY_ERA[0]["id"], "title": "a"},
                {"id": IN_MEMORY_ERA[0]["id"], "title": "b"},
            ],
            "appears twice",
        ),
        ({"not": "tasks"}, "expected a list of tasks"),
    ],
)
def test_bad_import_names_record_and_field_and_writes_nothing(
    fresh_database_url: str,
    tmp_path: Path,
    records: Any,
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run("seed", "--count", "1", database=fresh_database_url)
    before = tasks_in(fresh_database_url)

    assert (
        run("import", write_json(tmp_path / "bad.json", records), database=fresh_database_url) == 1
    )

    assert message in capsys.readouterr().err
    assert tasks_in(fresh_database_url) == before


def test_import_of_a_file_that_is_not_json_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "junk.json"
    path.write_text("{oops")

    assert run("import", str(path), database=f"sqlite:///{tmp_path / 'x.db'}") == 1
    assert "not a readable JSON file" in capsys.readouterr().err


def test_import_shows_progress_on_long_files(
    fresh_database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = [{"title": f"task {i}"} for i in range(2500)]

    assert (
        run("import", write_json(tmp_path / "long.json", records), database=fresh_database_url) == 0
    )

    err = capsys.readouterr().err
    assert "import: 1000/2500 records" in err and "import: 2500/2500 records" in err
    engine = make_engine(fresh_database_url)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(TaskModel)).scalar() == 2500
    engine.dispose()


# --- restore: import --replace ----------------------------------------------------------------


def export_text(url: str, path: Path) -> str:
    """An export of the database, with its one moment-dependent value (exported_at) blanked."""
    assert run("export", "--output", str(path), database=url) == 0
    text_ = path.read_text(encoding="utf-8")
    exported_at = json.loads(text_)["exported_at"]
    return text_.replace(json.dumps(exported_at), '"<exported_at>"', 1)


def change_tasks(url: str, random_seed: int) -> None:
    """What happens to a database after a backup: edits, deletions, new tasks."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            ids = connection.scalars(select(TaskModel.id).order_by(TaskModel.id)).all()
            connection.execute(
                update(TaskModel)
                .where(TaskModel.id.in_(ids[:3]))
                .values(title="Changed after the backup", version=TaskModel.version + 1)
            )
            connection.execute(delete(TaskModel).where(TaskModel.id.in_(ids[3:5])))
    finally:
        engine.dispose()
    assert run("seed", "--count", "5", "--random-seed", str(random_seed), database=url) == 0


def set_due_all_day(url: str, task_id: str, value: bool) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                update(TaskModel).where(TaskModel.id == task_id).values(due_all_day=value)
            )
    finally:
        engine.dispose()


# A due date at midnight UTC that is an instant, not a day: the restore must keep the file's flag
# rather than guess it from the time.
DUE_FORMS: list[dict[str, Any]] = [
    {
        "id": "5b0c7a1e-2f3d-4c5b-8a9e-0f1e2d3c4b5a",
        "title": "Call at midnight UTC",
        "due_date": "2026-12-01T00:00:00Z",
        "due_all_day": False,
    },
    {
        "id": "6c1d8b2f-3a4e-4d6c-9b0f-1a2b3c4d5e6f",
        "title": "Due that day",
        "due_date": "2026-12-02",
    },
]


def test_restore_drill_gives_back_exactly_the_exported_tasks(
    fresh_database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Seed, back up, change and add tasks, restore, back up again: the two backups are the same.
    assert run("seed", "--count", "25", "--random-seed", "3", database=fresh_database_url) == 0
    change_tasks(fresh_database_url, 4)  # the backup holds versions above 1
    assert (
        run("import", write_json(tmp_path / "due.json", DUE_FORMS), database=fresh_database_url)
        == 0
    )
    set_due_all_day(fresh_database_url, DUE_FORMS[0]["id"], False)  # as the API stores it
    backup = tmp_path / "backup.json"
    before = export_text(fresh_database_url, backup)
    assert '"version":2' in before
    change_tasks(fresh_database_url, 5)
    assert export_text(fresh_database_url, tmp_path / "changed.json") != before
    capsys.readouterr()

    assert run("import", str(backup), "--replace", "--yes", database=fresh_database_url) == 0

    assert "restored 30 tasks" in capsys.readouterr().out
    assert export_text(fresh_database_url, tmp_path / "after.json") == before


def test_restore_into_an_empty_database_copies_ids_versions_and_timestamps(
    fresh_database_url: str, tmp_path: Path
) -> None:
    assert run("seed", "--count", "10", "--random-seed", "5", database=fresh_database_url) == 0
    change_tasks(fresh_database_url, 6)  # versions above 1
    backup = tmp_path / "backup.json"
    before = export_text(fresh_database_url, backup)
    target = f"sqlite:///{tmp_path / 'restored.db'}"

    assert run("import", str(backup), "--replace", "--yes", database=target) == 0

    assert export_text(target, tmp_path / "restored.json") == before
    assert tasks_in(target) == tasks_in(fresh_database_url)


def test_restore_needs_yes_and_changes_nothing_without_it(
    fresh_database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run("seed", "--count", "3", database=fresh_database_url)
    before = tasks_in(fresh_database_url)
    empty = write_json(tmp_path / "empty.json", [])

    assert run("import", empty, "--replace", database=fresh_database_url) == 2

    assert "--yes" in capsys.readouterr().err
    assert tasks_in(fresh_database_url) == before


def test_restore_of_a_file_with_a_bad_record_changes_nothing(
    fresh_database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run("seed", "--count", "3", database=fresh_database_url)
    before = tasks_in(fresh_database_url)
    bad = write_json(tmp_path / "bad.json", [{"title": "fine"}, {"title": "t", "version": 0}])

    assert run("import", bad, "--replace", "--yes", database=fresh_database_url) == 1

    assert "record 1: field 'version'" in capsys.readouterr().err
    assert tasks_in(fresh_database_url) == before


def test_restore_that_fails_half_way_leaves_the_database_as_it_was(
    fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("seed", "--count", "4", database=fresh_database_url)
    before = tasks_in(fresh_database_url)
    records = [{"title": f"restored {i}"} for i in range(db_init.BATCH + 10)]
    path = write_json(tmp_path / "long.json", records)
    batches = db_init._batches

    def failing_after_the_first_batch(items: Any, size: int = db_init.BATCH) -> Any:
        for number, batch in enumerate(batches(items, size)):
            if number == 1:
                raise RuntimeError("the connection dropped")
            yield batch

    monkeypatch.setattr(db_init, "_batches", failing_after_the_first_batch)

    with pytest.raises(RuntimeError, match="connection dropped"):
        run("import", path, "--replace", "--yes", database=fresh_database_url)

    # The delete and the first batch were rolled back with the rest.
    assert tasks_in(fresh_database_url) == before


# --- where the database URL comes from -----------------------------------------------------------


def test_database_env_names_the_variable_holding_the_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'from-env.db'}"
    monkeypatch.setenv("PRODUCTION_DATABASE_URL", url)

    assert db_init.main(["seed", "--count", "2", "--database-env", "PRODUCTION_DATABASE_URL"]) == 0

    assert len(tasks_in(url)) == 2


def test_database_env_that_is_not_set_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)

    assert db_init.main(["init", "--database-env", "NOT_SET_ANYWHERE"]) == 2
    assert "NOT_SET_ANYWHERE" in capsys.readouterr().err


def test_database_prompt_reads_the_url_without_echo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'prompted.db'}"
    prompts: list[str] = []

    def getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return url

    monkeypatch.setattr(getpass_module, "getpass", getpass)

    assert db_init.main(["seed", "--count", "1", "--database-prompt"]) == 0
    assert prompts and len(tasks_in(url)) == 1


def test_a_password_on_the_command_line_is_warned_about(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with_password = db_init.parser().parse_args(
        ["init", "--database", "postgresql://taskflow:s3cret@db.example.test/taskflow"]
    )
    without = db_init.parser().parse_args(["init", "--database", "sqlite:///./local.db"])

    assert db_init.database_url(with_password).endswith("@db.example.test/taskflow")
    err = capsys.readouterr().err
    assert "--database-env" in err and "s3cret" not in err
    db_init.database_url(without)
    assert capsys.readouterr().err == ""


def test_one_way_to_name_the_database_at_a_time() -> None:
    with pytest.raises(SystemExit):
        db_init.parser().parse_args(
            ["init", "--database-env", "DATABASE_URL", "--database", "sqlite://"]
        )


@pytest.mark.parametrize("replace", [False, True], ids=["import", "restore"])
def test_import_keeps_the_authors_this_database_has(
    fresh_database_url: str, replace: bool, tmp_path: Path
) -> None:
    assert run("init", database=fresh_database_url) == 0
    engine = make_engine(fresh_database_url)
    try:
        with make_sessionmaker(engine)() as session:
            author = accounts.create_user(
                session, email="a@example.com", name="A", password=PASSWORD, role=Role.MEMBER
            ).id
    finally:
        engine.dispose()
    elsewhere = "00000000-0000-4000-8000-00000000000e"  # a person of another deployment
    records = [
        {"id": "10000000-0000-4000-8000-000000000001", "title": "Ours", "created_by": author,
         "updated_by": author},
        {"id": "10000000-0000-4000-8000-000000000002", "title": "Theirs", "created_by": elsewhere,
         "updated_by": author},
    ]  # fmt: skip
    args = ["import", write_json(tmp_path / "tasks.json", records)]
    assert (
        run(*args, *(["--replace", "--yes"] if replace else []), database=fresh_database_url) == 0
    )
    authors = {
        task["title"]: (task["created_by"], task["updated_by"])
        for task in tasks_in(fresh_database_url)
    }
    assert authors == {"Ours": (author, author), "Theirs": (None, author)}
