"""What the robustness tests share: fast-failure settings, time bounds, databases, a snapshot."""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from tests.support.postgres import ThrowawayPostgres, find_bindir

# Small timeouts so a fault shows up in seconds. Production keeps its own defaults.
DB_CONNECT_TIMEOUT_S = 1
DB_POOL_TIMEOUT_S = 2
DB_STATEMENT_TIMEOUT_MS = 2000
FAST_FAILURE_ENV = {
    "DB_CONNECT_TIMEOUT": str(DB_CONNECT_TIMEOUT_S),
    "DB_POOL_TIMEOUT": str(DB_POOL_TIMEOUT_S),
    "DB_STATEMENT_TIMEOUT_MS": str(DB_STATEMENT_TIMEOUT_MS),
    "CORS_ORIGINS": "https://allowed.example,taskflow-frontend.onrender.com",
}
# The longest a request may take when the database is gone: each configured timeout once, plus
# scheduling slack for a loaded 2-core machine.
FAILURE_BUDGET_S = DB_CONNECT_TIMEOUT_S + DB_POOL_TIMEOUT_S + DB_STATEMENT_TIMEOUT_MS / 1000 + 2.0
HEALTH_BOUND_S = 2.0  # named by the contract

DATABASES = ["sqlite", "postgresql"]


def require_postgres(what: str) -> None:
    """Skip loudly without server binaries; fail instead when REQUIRE_POSTGRES=1."""
    if find_bindir() is not None:
        return
    line = f"SKIPPED: {what}: no PostgreSQL server binaries found"
    print(f"\n{'!' * 72}\n!! {line}\n{'!' * 72}", file=sys.stderr)
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{line} and REQUIRE_POSTGRES=1")
    pytest.skip(line)


def require_nft() -> None:
    """Dropping packets needs nftables and root; CI (REQUIRE_POSTGRES=1) must have both."""
    from system_tests.robustness.netfaults import DroppedTraffic

    if DroppedTraffic.available():
        return
    line = "SKIPPED: dropped-traffic fault test: needs root and `nft` (apt-get install nftables)"
    print(f"\n{'!' * 72}\n!! {line}\n{'!' * 72}", file=sys.stderr)
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{line} and REQUIRE_POSTGRES=1")
    pytest.skip(line)


def new_database_url(kind: str, request: pytest.FixtureRequest, tmp_dir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_dir / f'taskflow-{uuid.uuid4().hex[:8]}.db'}"
    server: ThrowawayPostgres = request.getfixturevalue("postgres")
    return server.create_database(f"t_{uuid.uuid4().hex[:12]}")


def all_tasks(http: httpx.Client) -> list[dict[str, object]]:
    """Every stored task in a stable order (ties broken by id by the API itself)."""
    tasks: list[dict[str, object]] = []
    offset = 0
    while True:
        page = http.get("/tasks", params={"limit": 500, "offset": offset, "sort": "created_at"})
        assert page.status_code == 200, page.text
        tasks += page.json()
        if len(page.json()) < 500:
            return tasks
        offset += 500
