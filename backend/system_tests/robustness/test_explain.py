"""On PostgreSQL, the list query the app really sends filters and sorts through an index.

The statement is taken from PostgreSQL's own log (psycopg2 binds parameters client-side, so the
logged text is complete SQL), then planned with EXPLAIN over 10,000 rows.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import uuid
from typing import Any

import httpx
import psycopg2
import pytest

from system_tests.robustness.harness import FAST_FAILURE_ENV
from tests.support.postgres import ThrowawayPostgres
from tests.support.server import BACKEND_DIR, AppServer

ROWS = 10_000
# The list a board column or a filtered list view asks for: one status, newest first, a page.
LIST_QUERY: dict[str, str | int] = {"status": "todo", "sort": "-created_at", "limit": 50}
ENTRY_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def logged_statements(log_text: str, marker: str) -> list[str]:
    """Statements PostgreSQL logged after the line holding `marker`."""
    entries: list[str] = []
    for line in log_text[log_text.index(marker) :].splitlines():
        if ENTRY_START.match(line):
            entries.append(line)
        elif entries:
            entries[-1] += "\n" + line
    found = []
    for entry in entries:
        _, sep, statement = entry.partition("statement: ")
        if sep:
            found.append(statement.strip())
    return found


def plan_nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    nodes = [plan]
    for child in plan.get("Plans", []):
        nodes += plan_nodes(child)
    return nodes


@pytest.fixture
def seeded(postgres: ThrowawayPostgres) -> str:
    url = postgres.create_database(f"explain_{uuid.uuid4().hex[:8]}")
    with AppServer(url, env=FAST_FAILURE_ENV):
        pass  # migrate the empty database the way the app does at start-up
    subprocess.run(
        [sys.executable, "-m", "src.db_init", "seed", "--count", str(ROWS), "--database", url],
        cwd=BACKEND_DIR,
        check=True,
        timeout=300,
    )
    conn = psycopg2.connect(url)
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("ANALYZE tasks")
            cursor.execute("SELECT current_database()")
            (name,) = cursor.fetchone() or ("",)
            cursor.execute(f'ALTER DATABASE "{name}" SET log_min_duration_statement = 0')
    finally:
        conn.close()
    return url


def test_list_query_filter_and_sort_use_an_index(postgres: ThrowawayPostgres, seeded: str) -> None:
    marker = f"explain-marker-{uuid.uuid4().hex}"
    with AppServer(seeded, env=FAST_FAILURE_ENV) as server:
        conn = psycopg2.connect(seeded)
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT %s", (marker,))
        finally:
            conn.close()
        response = httpx.get(f"{server.url}/tasks", params=LIST_QUERY, timeout=30)
        assert response.status_code == 200
        assert len(response.json()) == 50
    time.sleep(0.5)  # let the logger flush
    statements = logged_statements(postgres.logfile.read_text(errors="replace"), marker)
    list_statements = [
        s for s in statements if re.search(r"\bLIMIT\b", s, re.I) and "tasks" in s.lower()
    ]
    assert list_statements, f"no list query in the PostgreSQL log: {statements}"
    statement = list_statements[-1]

    conn = psycopg2.connect(seeded)
    try:
        with conn.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {statement}")
            explained: Any = (cursor.fetchone() or [None])[0]
    finally:
        conn.close()
    nodes = plan_nodes(explained[0]["Plan"])
    summary = [(n["Node Type"], n.get("Index Name"), n.get("Index Cond")) for n in nodes]
    scans = [n for n in nodes if n.get("Relation Name") == "tasks"]
    assert scans, summary
    assert all(n["Node Type"] != "Seq Scan" for n in scans), f"sequential scan: {summary}"
    assert any("status" in str(n.get("Index Cond", "")) for n in scans), (
        f"the status filter is not an index condition: {summary}\n{statement}"
    )
    assert all("Sort" not in n["Node Type"] for n in nodes), (
        f"the sort is not served by the index: {summary}\n{statement}"
    )
