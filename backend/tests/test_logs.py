"""The process's log format: the app's lines and uvicorn's, access lines included."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import httpx

from src.logs import LOG_FORMAT, LineFormatter
from tests.support.server import AppServer


def _record(created: float) -> logging.LogRecord:
    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, "%s %d", ("GET", 200), None)
    record.created = created
    record.msecs = (created - int(created)) * 1000
    return record


def test_a_line_reads_as_the_plain_formatter_writes_it() -> None:
    """Within a second, across seconds, and back: the cached stamp never goes stale."""
    line_formatter, plain = LineFormatter(), logging.Formatter(LOG_FORMAT)
    for created in (1_700_000_000.0004, 1_700_000_000.9996, 1_700_000_001.5, 1_699_999_999.25):
        record = _record(created)
        assert line_formatter.format(record) == plain.format(record)


ACCESS_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO uvicorn\.access: "
    r'127\.0\.0\.1:\d+ - "GET /health HTTP/1\.1" 200$',
    re.MULTILINE,
)


def test_the_servers_access_lines_take_the_apps_format(tmp_path: Path) -> None:
    server = AppServer(f"sqlite:///{tmp_path / 'logs.db'}")
    server.start()
    try:
        assert httpx.get(f"{server.url}/health", timeout=5).status_code == 200
    finally:
        server.stop()

    assert ACCESS_LINE.search(server.log()), server.log()
