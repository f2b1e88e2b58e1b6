"""The processes a benchmark run starts, each pinned to its core.

The app and the ceiling run as production starts them on one core; PostgreSQL, the delay proxy and
wrk share the other (the database's "other host").
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg2

from tests.support.postgres import ThrowawayPostgres, free_port
from tests.support.server import BACKEND_DIR, AppServer

# render.yaml's startCommand with a local host. WEB_CONCURRENCY is left at its default of 1: one
# worker per core the server is given. Two workers on the one core measured slower everywhere
# (2026-11-23, back-to-back runs at 16 connections: ceiling 1716 against 2577 req/s, get 726
# against 940, list p99 352 against 143 ms): two processes and their thread pools thrash one core.
PRODUCTION_FLAGS = ["--workers", "1", "--proxy-headers", "--forwarded-allow-ips=*"]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class PinnedAppServer(AppServer):
    """An AppServer whose uvicorn (and so every worker it spawns) runs only on `cpus`."""

    def __init__(self, database_url: str, *, cpus: str, **kwargs: object) -> None:
        super().__init__(database_url, **kwargs)  # type: ignore[arg-type]
        self.cpus = cpus

    def start(self, wait: bool = True, timeout: float = 60.0) -> None:
        command = [
            "taskset", "-c", self.cpus, sys.executable, "-m", "uvicorn", self.app,
            "--host", "127.0.0.1", "--port", str(self.port), *self.extra_args,
        ]  # fmt: skip
        with self.logfile.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=BACKEND_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        if wait:
            self.wait_until_answering(timeout)

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by uvicorn and the workers it spawned."""
        assert self.process is not None
        return _cpu_seconds_of(_with_children(self.process.pid))


def _cpu_seconds_of(pids: list[int]) -> float:
    """CPU time (user + system) the processes `pids` have used so far."""
    total = 0.0
    for pid in pids:
        try:
            # Fields 14 and 15 of /proc/PID/stat, counted after the ")" ending the name.
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # a process that has just exited
            continue
        total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return total


def _with_children(pid: int) -> list[int]:
    """`pid` and the processes it has started and not yet reaped."""
    children = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    return [pid, *map(int, children)]


def _postmaster(server: ThrowawayPostgres) -> int:
    return int((server.datadir / "postmaster.pid").read_text().split()[0])


def pin_postgres(server: ThrowawayPostgres, cpus: str) -> None:
    """Pin the postmaster and its current children; backends forked later inherit the mask."""
    for pid in _with_children(_postmaster(server)):
        subprocess.run(["taskset", "-a", "-p", "-c", cpus, str(pid)], check=False,
                       stdout=subprocess.DEVNULL)  # fmt: skip


def postgres_cpu_seconds(server: ThrowawayPostgres) -> float:
    """CPU time used so far by PostgreSQL's processes that are still running (the app's pooled
    connections live through a run, so their backends' time is all counted)."""
    return _cpu_seconds_of(_with_children(_postmaster(server)))


class DelayProxyProcess:
    """bench.delay_proxy in its own process, pinned next to PostgreSQL."""

    def __init__(self, upstream_port: int, delay_ms: float, cpus: str, stats_file: Path) -> None:
        self.port = free_port()
        self.stats_file = stats_file
        self.process = subprocess.Popen(
            [
                "taskset",
                "-c",
                cpus,
                sys.executable,
                "-m",
                "bench.delay_proxy",
                "--listen",
                str(self.port),
                "--upstream",
                str(upstream_port),
                "--delay-ms",
                f"{delay_ms:.4f}",
                "--stats",
                str(stats_file),
            ],
            cwd=BACKEND_DIR,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                psycopg2.connect(host="127.0.0.1", port=self.port, connect_timeout=1).close()
            except psycopg2.OperationalError as error:
                if "password" in str(error) or "authentication" in str(error):
                    return  # PostgreSQL answered through the proxy
            time.sleep(0.1)
        raise TimeoutError("delay proxy did not start")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(15)


def measure_round_trip_ms(database_url: str, samples: int = 400) -> float:
    """Median time of `SELECT 1` on one open connection."""
    conn = psycopg2.connect(database_url)
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            timings = []
            for _ in range(samples):
                started = time.perf_counter()
                cursor.execute("SELECT 1")
                cursor.fetchone()
                timings.append(time.perf_counter() - started)
    finally:
        conn.close()
    timings.sort()
    return timings[len(timings) // 2] * 1000
