"""The data tool: python -m src.db_init {init,reset,seed,export,import,create-user}
[--database-env NAME]."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import random
import sys
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, time, timedelta
from pathlib import Path
from typing import Any, TextIO, cast

from alembic import command
from pydantic import ConfigDict, Field, TypeAdapter, ValidationError
from sqlalchemy import Connection, Engine, Table, delete, insert, make_url, select, text, update
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from src.config import get_settings
from src.database import alembic_config, init_db, make_engine, make_sessionmaker, storage_name
from src.errors import Conflict
from src.models import Role, TaskModel, TaskPriority, TaskStatus, UserModel, utcnow
from src.schemas import Email, PersonName, TaskCreate, TaskRead, UtcDatetime
from src.services import accounts

EXPORT_FORMAT = "taskflow-export"
BATCH = 1000
# What a task says, as opposed to its identity and history (id, timestamps, version).
CONTENT_FIELDS = (
    "title",
    "description",
    "status",
    "priority",
    "assignee",
    "due_date",
    "due_all_day",
)
# Records without an id get one derived from their content, so importing twice still matches.
ID_NAMESPACE = uuid.UUID("6f1c2a57-4b8e-4d1e-9a55-3f0f3c1b7d20")


class ImportError_(Exception):
    """Bad input for import: the message names the record and the field."""


class TaskImport(TaskCreate):
    """One record of an import file: the API's rules, plus what an export carries."""

    model_config = ConfigDict(extra="ignore")

    id: uuid.UUID | None = None
    created_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None
    version: int | None = Field(default=None, ge=1)
    due_all_day: bool | None = None
    created_by: uuid.UUID | None = None
    updated_by: uuid.UUID | None = None


# --- init and reset -------------------------------------------------------------------------


def cmd_init(engine: Engine, _args: argparse.Namespace) -> int:
    init_db(engine)
    print(f"schema is at the newest migration ({storage_name(engine)})")
    return 0


def cmd_reset(engine: Engine, args: argparse.Namespace) -> int:
    if get_settings().is_production:
        print("reset refused: ENVIRONMENT=production", file=sys.stderr)
        return 2
    if not args.yes:
        print("reset deletes every task; run again with --yes to confirm", file=sys.stderr)
        return 2
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    init_db(engine)
    print("database reset: schema recreated, no tasks")
    return 0


def refresh_statistics(engine: Engine) -> None:
    """Bring the planner's statistics and PostgreSQL's visibility map up to date after a bulk write.

    Until autovacuum gets to it, PostgreSQL plans with the statistics of the table before the
    load: with 10,000 new rows it took the list query for a 6-row table and sorted every
    matching row instead of reading 50 from an index (2.9 ms instead of 0.1 ms), and counts
    read the table instead of an index only (1.5 ms instead of 0.5 ms).
    """
    if engine.dialect.name == "postgresql":
        # VACUUM cannot run inside a transaction.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM (ANALYZE) tasks")
    else:
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE tasks")


# --- seed -----------------------------------------------------------------------------------

VERBS = ["Write", "Review", "Fix", "Plan", "Deploy", "Test", "Document", "Refactor", "Design"]
OBJECTS = [
    "login page", "release notes", "API rate limits", "database backup", "onboarding flow",
    "search results", "billing report", "CI pipeline", "mobile layout", "error messages",
]  # fmt: skip
PEOPLE = ["alice", "bob", "chloé", "dmitri", "eun-ji", "farah", None]


def demo_tasks(count: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    now = utcnow()
    for _ in range(count):
        created = now - timedelta(minutes=rng.randint(0, 60 * 24 * 90))
        due = created + timedelta(days=rng.randint(1, 60)) if rng.random() < 0.7 else None
        yield {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "title": f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}",
            "description": rng.choice([None, "Details in the team notes.", "Blocked on review."]),
            "status": rng.choice(list(TaskStatus)),
            "priority": rng.choices(list(TaskPriority), weights=[3, 5, 2])[0],
            "assignee": rng.choice(PEOPLE),
            "due_date": due,
            "created_at": created,
            "updated_at": created,
            "version": 1,
        }


def _batches(items: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def cmd_seed(engine: Engine, args: argparse.Namespace) -> int:
    init_db(engine)
    rng = random.Random(args.random_seed)
    with make_sessionmaker(engine).begin() as session:
        for batch in _batches(demo_tasks(args.count, rng)):
            session.execute(insert(TaskModel), batch)
    refresh_statistics(engine)
    print(f"seeded {args.count} demo tasks")
    return 0


# --- export ---------------------------------------------------------------------------------


def export_tasks(session: Session, out: TextIO) -> int:
    """Write every task as JSON, one row at a time (constant memory at any size)."""
    out.write(f'{{"format": "{EXPORT_FORMAT}", "version": 1, ')
    out.write(f'"exported_at": {json.dumps(utcnow().isoformat())}, "tasks": [')
    count = 0
    # Plain rows, not ORM objects: nothing accumulates in the session's identity map, and
    # yield_per streams (a server-side cursor on PostgreSQL).
    statement = select(*TaskModel.__table__.columns).order_by(TaskModel.created_at, TaskModel.id)
    for row in session.execute(statement.execution_options(yield_per=BATCH)):
        out.write(",\n  " if count else "\n  ")
        out.write(TaskRead.model_validate(row._mapping).model_dump_json())
        count += 1
    out.write("\n]}\n")
    return count


def cmd_export(engine: Engine, args: argparse.Namespace) -> int:
    with make_sessionmaker(engine).begin() as session:
        if args.output:
            with Path(args.output).open("w", encoding="utf-8") as out:
                count = export_tasks(session, out)
        else:
            count = export_tasks(session, sys.stdout)
    print(f"exported {count} tasks", file=sys.stderr)
    return 0


# --- import ---------------------------------------------------------------------------------


def load_records(path: Path) -> list[Any]:
    """This tool's export, a plain list of tasks (the in-memory era), or {"tasks": [...]}."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportError_(f"{path}: not a readable JSON file ({exc})") from exc
    if isinstance(data, dict) and isinstance(data.get("tasks"), list):
        return list(data["tasks"])
    if isinstance(data, list):
        return data
    raise ImportError_(f'{path}: expected a list of tasks or an object with "tasks"')


def validate_records(records: Sequence[Any]) -> list[dict[str, Any]]:
    rows = []
    seen: set[str] = set()
    for index, record in enumerate(records):
        label = f"record {index}"
        if isinstance(record, dict) and record.get("id") is not None:
            label += f" (id {record['id']!r})"
        try:
            task = TaskImport.model_validate(record)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "(record)"
            raise ImportError_(f"{label}: field {field!r}: {first['msg']}") from exc
        row = task.model_dump(include=set(CONTENT_FIELDS))
        row["due_all_day"] = due_all_day(task)
        # Derived from the fields there were before due_all_day, so ids stay what they were.
        task_id = task.id or uuid.uuid5(
            ID_NAMESPACE, task.model_dump_json(include=set(CONTENT_FIELDS) - {"due_all_day"})
        )
        row["id"] = str(task_id)
        if row["id"] in seen:
            raise ImportError_(f"{label}: field 'id': appears twice in the file")
        seen.add(row["id"])
        now = utcnow()
        row["created_at"] = task.created_at or now
        row["updated_at"] = task.updated_at or row["created_at"]
        row["version"] = task.version or 1
        row["created_by"] = str(task.created_by) if task.created_by else None
        row["updated_by"] = str(task.updated_by) if task.updated_by else None
        rows.append(row)
    return rows


MIDNIGHT_UTC = time(0, tzinfo=UTC)


def due_all_day(task: TaskImport) -> bool:
    """The record's own flag (this tool's exports carry it); for a record without one, a due
    date at midnight UTC is a day, as migration 0003 decided for the tasks that existed then
    (and as a due date sent as "2026-12-01" is read)."""
    if task.due_date is None:
        return False
    if task.due_all_day is not None:
        return task.due_all_day
    return task.due_date.timetz() == MIDNIGHT_UTC


def with_known_authors(
    connection: Connection, rows: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """`rows`, naming as author only people this database has.

    A backup holds tasks, not accounts: restored onto its own deployment, a task keeps who made
    and changed it; onto another (or after that person's account is gone), nobody, as for a task
    from before accounts.
    """
    people = set(connection.scalars(select(UserModel.id)))
    return [
        {
            **row,
            "created_by": row.get("created_by") if row.get("created_by") in people else None,
            "updated_by": row.get("updated_by") if row.get("updated_by") in people else None,
        }
        for row in rows
    ]


def import_rows(
    session: Session, rows: Sequence[dict[str, Any]], progress: TextIO
) -> tuple[int, int]:
    """Insert new ids, update changed ones; the caller's transaction makes it all-or-nothing."""
    inserted = updated = done = 0
    rows = with_known_authors(session.connection(), rows)
    for batch in _batches(rows):
        ids = [row["id"] for row in batch]
        existing = {
            task.id: task
            for task in session.scalars(select(TaskModel).where(TaskModel.id.in_(ids)))
        }
        new_rows = [{**row, "version": 1} for row in batch if row["id"] not in existing]
        if new_rows:
            session.execute(insert(TaskModel), new_rows)
        for row in batch:
            task = existing.get(row["id"])
            if task is None or all(getattr(task, f) == row[f] for f in CONTENT_FIELDS):
                continue
            session.execute(
                update(TaskModel)
                .where(TaskModel.id == task.id)
                .values(**{f: row[f] for f in CONTENT_FIELDS}, updated_at=utcnow(),
                        version=TaskModel.version + 1)
            )  # fmt: skip
            updated += 1
        inserted += len(new_rows)
        done += len(batch)
        if len(rows) > BATCH:
            print(f"import: {done}/{len(rows)} records", file=progress, flush=True)
        session.expunge_all()
    return inserted, updated


def replace_rows(connection: Connection, rows: Sequence[dict[str, Any]], progress: TextIO) -> int:
    """Make the table hold exactly `rows`, ids, timestamps and versions as given; returns how many
    tasks were there before. The caller's transaction makes it all-or-nothing."""
    if connection.dialect.name == "postgresql":
        # Writers wait until the restore commits (readers do not), so no task written meanwhile
        # survives beside the restored ones or is lost half-way.
        connection.execute(text("LOCK TABLE tasks IN SHARE ROW EXCLUSIVE MODE"))
    # Core statements on the table: the ORM's version counter would set every version to 1.
    table = cast(Table, TaskModel.__table__)
    removed = connection.execute(delete(table)).rowcount
    rows = with_known_authors(connection, rows)
    done = 0
    for batch in _batches(rows):
        connection.execute(insert(table), batch)
        done += len(batch)
        if len(rows) > BATCH:
            print(f"import: {done}/{len(rows)} records", file=progress, flush=True)
    return removed


def cmd_import(engine: Engine, args: argparse.Namespace) -> int:
    if args.replace and not args.yes:
        print(
            f"import --replace deletes every task that is not in {args.file}; "
            "run again with --yes to confirm",
            file=sys.stderr,
        )
        return 2
    try:
        rows = validate_records(load_records(Path(args.file)))
    except ImportError_ as exc:
        print(f"import failed, nothing was written: {exc}", file=sys.stderr)
        return 1
    init_db(engine)
    if args.replace:
        with engine.begin() as connection:
            removed = replace_rows(connection, rows, sys.stderr)
        refresh_statistics(engine)
        print(f"restored {len(rows)} tasks from {args.file}, in place of the {removed} there were")
        return 0
    with make_sessionmaker(engine).begin() as session:
        inserted, updated = import_rows(session, rows, sys.stderr)
    refresh_statistics(engine)
    unchanged = len(rows) - inserted - updated
    print(f"imported {len(rows)} records: {inserted} new, {updated} updated, {unchanged} unchanged")
    return 0


# --- command line ---------------------------------------------------------------------------

# --- create-user ------------------------------------------------------------------------------


def read_password(stdin: TextIO) -> str:
    """The new person's password: typed twice without echo at a terminal, else stdin's first
    line. Never an argument: argv is in the process list and the shell's history."""
    if stdin.isatty():
        password = getpass.getpass("Password (not shown): ")
        if getpass.getpass("Same password again: ") != password:
            raise ValueError("the two passwords differ")
        return password
    return stdin.readline().rstrip("\r\n")


def cmd_create_user(engine: Engine, args: argparse.Namespace) -> int:
    try:
        email = TypeAdapter(Email).validate_python(args.email)
        name = TypeAdapter(PersonName).validate_python(args.name)
    except ValidationError as exc:
        print(f"error: {exc.errors()[0]['msg']}", file=sys.stderr)
        return 2
    try:
        password = read_password(sys.stdin)
        init_db(engine)
        with make_sessionmaker(engine)() as session:
            user = accounts.create_user(
                session, email=email, name=name, password=password, role=Role(args.role)
            )
    except (ValueError, Conflict) as exc:  # the reason, never the password
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"created {user.role.value} {user.email} ({user.id})", file=sys.stderr)
    return 0


COMMANDS = {
    "init": cmd_init,
    "reset": cmd_reset,
    "seed": cmd_seed,
    "export": cmd_export,
    "import": cmd_import,
    "create-user": cmd_create_user,
}


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    where = common.add_mutually_exclusive_group()
    where.add_argument(
        "--database-env",
        metavar="NAME",
        help="read the database URL from environment variable NAME "
        "(default: DATABASE_URL, then backend/.env, then the SQLite file)",
    )
    where.add_argument(
        "--database-prompt",
        action="store_true",
        help="ask for the database URL (typed without echo)",
    )
    # A URL on the command line is in the process list and the shell's history: fine for a
    # local file or a throwaway server, not for a password that matters (see database_url).
    where.add_argument(
        "--database",
        metavar="URL",
        help="the database URL itself (a URL with a password is warned about: it ends up in "
        "the process list and the shell's history)",
    )
    root = argparse.ArgumentParser(prog="python -m src.db_init", description=__doc__)
    sub = root.add_subparsers(dest="command", required=True)
    sub.add_parser("init", parents=[common], help="migrate the schema to the newest version")
    reset = sub.add_parser("reset", parents=[common], help="delete everything, recreate schema")
    reset.add_argument("--yes", action="store_true", help="confirm deleting every task")
    seed = sub.add_parser("seed", parents=[common], help="add realistic demo tasks")
    seed.add_argument("--count", type=int, default=50)
    seed.add_argument("--random-seed", type=int, default=None, help="for repeatable demo data")
    export = sub.add_parser("export", parents=[common], help="write every task as JSON")
    export.add_argument("--output", "-o", metavar="FILE", help="default: standard output")
    imp = sub.add_parser("import", parents=[common], help="load tasks from a JSON file")
    imp.add_argument("file", metavar="FILE")
    imp.add_argument(
        "--replace",
        action="store_true",
        help="restore: the database then holds exactly FILE's tasks, versions and timestamps "
        "included (every other task is deleted)",
    )
    imp.add_argument("--yes", action="store_true", help="confirm --replace")
    user = sub.add_parser(
        "create-user",
        parents=[common],
        help="add a person who can sign in (password from a prompt, or stdin's first line)",
    )
    user.add_argument("--email", required=True)
    user.add_argument("--name", required=True)
    user.add_argument("--role", choices=[role.value for role in Role], default=Role.MEMBER.value)
    return root


class DatabaseNotGiven(Exception):
    """--database-env names a variable that is not set, or the prompt got nothing."""


def database_url(args: argparse.Namespace) -> str:
    """The URL to work on, read so that its password stays out of argv and shell history."""
    if args.database_prompt:
        url = getpass.getpass("Database URL (not shown): ").strip()
        if not url:
            raise DatabaseNotGiven("no database URL was entered")
        return url
    if args.database_env:
        url = os.environ.get(args.database_env, "").strip()
        if not url:
            raise DatabaseNotGiven(f"--database-env {args.database_env}: that variable is not set")
        return url
    if args.database:
        if _has_password(args.database):
            print(
                "warning: --database puts the database password in the process list and the "
                "shell's history; use --database-env NAME or --database-prompt",
                file=sys.stderr,
            )
        return str(args.database)
    return get_settings().database_url


def _has_password(url: str) -> bool:
    try:
        return bool(make_url(url).password)
    except ArgumentError:
        return False  # not a URL: make_engine says so


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        url = database_url(args)
    except DatabaseNotGiven as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    engine = make_engine(url)
    try:
        return COMMANDS[args.command](engine, args)
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
