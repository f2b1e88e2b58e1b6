"""The benchmark's data: 10,000 seeded tasks, the reset between scenarios, and the files of ids
the wrk script reads (tasks to read and update, tasks to delete, versions for If-Match)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg2

from tests.support.server import BACKEND_DIR

TASKS = 10_000
# What create and delete add carries this prefix; the reset deletes it.
ADDED = "bench-create "
# Tasks to delete, kept at least this many ahead of the delete runs: more than a slice of a few
# seconds can delete at this machine's few thousand requests a second.
DELETABLE_AHEAD = 15_000


class BenchData:
    """The tasks of one database, reached directly (never through the delay proxy)."""

    def __init__(self, url: str, workdir: Path) -> None:
        self.url = url
        self.ids_file = workdir / "ids.txt"
        self.deletable_file = workdir / "deletable.txt"
        self.versions_file = workdir / "versions.txt"
        self.deletable: list[str] = []

    def _connect(self) -> psycopg2.extensions.connection:
        conn = psycopg2.connect(self.url)
        conn.autocommit = True
        return conn

    def seed(self) -> None:
        """10,000 tasks (the same ones every run), after the app has migrated the database."""
        subprocess.run(
            [sys.executable, "-m", "src.db_init", "seed", "--count", str(TASKS),
             "--random-seed", "21", "--database-env", "BENCH_DATABASE_URL"],
            cwd=BACKEND_DIR, check=True, stdout=subprocess.DEVNULL,
            env={**os.environ, "BENCH_DATABASE_URL": self.url},
        )  # fmt: skip
        conn = self._connect()
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT id FROM tasks")
                ids = [row[0] for row in cursor.fetchall()]
        finally:
            conn.close()
        self.ids_file.write_text("\n".join(ids) + "\n")
        self.reset()

    def reset(self) -> None:
        """Drop what create and delete runs added and compact the table, so every scenario sees
        the same 10,000 tasks in the same shape.

        Requests still queued in the server when wrk stops commit after wrk has gone, so delete
        until the count holds still (bounded).
        """
        self.deletable = []
        conn = self._connect()
        try:
            with conn.cursor() as cursor:
                deadline = time.monotonic() + 30
                count = -1
                while count != TASKS and time.monotonic() < deadline:
                    time.sleep(0.5)
                    cursor.execute("DELETE FROM tasks WHERE title LIKE %s", (ADDED + "%",))
                    cursor.execute("SELECT count(*) FROM tasks")
                    (count,) = cursor.fetchone() or (0,)
                # Compact: updates bloat every index (updated_at is indexed, so no update is HOT
                # and each writes a new entry in all eight), and the count of one status then
                # planned as a sequential scan: 1.34 ms of PostgreSQL's CPU instead of 0.42. So a
                # scenario's figures depended on which scenarios ran before it. VACUUM FULL
                # rewrites the table and its indexes; VACUUM then marks the pages all-visible,
                # which index-only scans need.
                cursor.execute("VACUUM FULL tasks")
                cursor.execute("VACUUM ANALYZE tasks")
        finally:
            conn.close()
        if count != TASKS:
            raise RuntimeError(f"expected {TASKS} tasks after reset, found {count}")

    def inputs(self, scenario: str) -> tuple[Path | None, dict[str, Path]]:
        """The ids file and any other files a run of `scenario` reads, written now."""
        if scenario == "delete":
            self._add_deletable()
            self.deletable_file.write_text("\n".join(self.deletable) + "\n")
            return self.deletable_file, {}
        if scenario == "put_if_match":
            conn = self._connect()
            try:
                with conn.cursor() as cursor:
                    cursor.execute(
                        "SELECT id, version FROM tasks WHERE title NOT LIKE %s", (ADDED + "%",)
                    )
                    rows = cursor.fetchall()
            finally:
                conn.close()
            self.versions_file.write_text("".join(f"{id_} {version}\n" for id_, version in rows))
            return None, {"BENCH_VERSIONS": self.versions_file}
        if scenario == "ceiling":
            return None, {}
        return self.ids_file, {}

    def used(self, scenario: str, sent: int) -> None:
        """A delete run sent `sent` requests: those tasks are gone (or going)."""
        if scenario == "delete":
            del self.deletable[:sent]

    def _add_deletable(self) -> None:
        if len(self.deletable) >= DELETABLE_AHEAD:
            return
        conn = self._connect()
        try:
            with conn.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO tasks (id, title, status, priority, due_all_day,"
                    " created_at, updated_at, version)"
                    " SELECT gen_random_uuid()::text, %s || n, 'todo', 'low', false,"
                    " now(), now(), 1 FROM generate_series(1, %s) AS n RETURNING id",
                    (ADDED + "delete ", DELETABLE_AHEAD),
                )
                self.deletable += [row[0] for row in cursor.fetchall()]
                cursor.execute("ANALYZE tasks")
        finally:
            conn.close()
