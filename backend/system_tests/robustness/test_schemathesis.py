"""Fuzzing from the OpenAPI document: schemathesis against a running app on each database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from system_tests.robustness.harness import DATABASES, FAST_FAILURE_ENV, new_database_url
from tests.support.server import AppServer

# Every built-in check: besides no 500s and answers as documented, invalid input is refused
# (negative_data_rejection), valid input accepted (positive_data_acceptance), and a wrong method
# answered 405 with the path's methods in Allow. Their settings are in CONFIG.
CHECKS = "all"
CONFIG = Path(__file__).with_name("schemathesis.toml")
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "100"))
# A fixed seed keeps CI reproducible; set SCHEMATHESIS_SEED to explore other inputs.
SEED = os.environ.get("SCHEMATHESIS_SEED", "20261122")
STREAM_PATH = "/events"
RUN_TIMEOUT_S = float(os.environ.get("SCHEMATHESIS_TIMEOUT", "240"))


@pytest.mark.parametrize("kind", DATABASES)
def test_schemathesis_finds_no_failure(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = new_database_url(kind, request, tmp_path)
    with AppServer(url, env=FAST_FAILURE_ENV) as server:
        command = [
            str(Path(sys.executable).parent / "schemathesis"),
            "--config-file", str(CONFIG),
            "run",
            f"{server.url}/openapi.json",
            "--checks", CHECKS,
            "--max-examples", str(MAX_EXAMPLES),
            "--seed", SEED,
            "--generation-database", "none",
            "--request-timeout", "20",
            "--no-color",
            # A live stream (server-sent events) never ends: a fuzzer waiting for its end times
            # out on every call. Its refusals are walked in test_accounts.py.
            "--exclude-path", STREAM_PATH,
        ]  # fmt: skip
        print(f"\n$ {' '.join(command)}")
        # tmp_path as the working directory: reports and caches stay out of the tree.
        result = subprocess.run(
            command,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_S,
            env={**os.environ, "NO_COLOR": "1"},
        )
        server_log = server.log()
    print(result.stdout[-6000:], result.stderr[-3000:])
    assert result.returncode == 0, (
        f"schemathesis failed on {kind}; server log tail:\n" + (server_log[-4000:])
    )
    assert "Traceback" not in server_log, server_log[-4000:]
