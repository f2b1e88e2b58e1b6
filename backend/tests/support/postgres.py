"""Throwaway PostgreSQL servers for tests and benchmarks, and a CLI that wraps a command in one.

A server lives in a temporary directory, listens on 127.0.0.1 and a free port, and requires a
password (so tests see the same URL shape as production). PostgreSQL refuses to run as root,
so as root the server binaries run as the `postgres` user through `runuser`.

    python -m tests.support.postgres -- CMD ARGS...

starts a server, runs CMD with TEST_DATABASE_URL set, stops the server and exits with CMD's
status. Without server binaries it prints a loud SKIPPED line and exits 0, or 1 when
REQUIRE_POSTGRES=1.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2

USER = "taskflow"
DEFAULT_DB = "taskflow"


def find_bindir() -> Path | None:
    """The directory holding initdb and pg_ctl: $PG_BINDIR, then Debian's layout, then PATH."""
    candidates = [os.environ.get("PG_BINDIR", "")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    found = shutil.which("pg_ctl")
    if found:
        candidates.append(str(Path(found).parent))
    for candidate in candidates:
        if (
            candidate
            and (Path(candidate) / "initdb").exists()
            and (Path(candidate) / "pg_ctl").exists()
        ):
            return Path(candidate)
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ThrowawayPostgres:
    """One PostgreSQL server in a temporary directory; start, stop and start again at will."""

    def __init__(self, bindir: Path | None = None) -> None:
        found = bindir or find_bindir()
        if found is None:
            raise RuntimeError("PostgreSQL server binaries not found (set PG_BINDIR)")
        self.bindir = found
        self.password = secrets.token_hex(12)
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="taskflow-pg-"))
        self.datadir = self.root / "data"
        self.logfile = self.root / "server.log"
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        pwfile = self.root / "pwfile"
        pwfile.write_text(self.password + "\n")
        if self._as_postgres:
            shutil.chown(pwfile, "postgres", "postgres")
        self._run(
            "initdb",
            "-D",
            str(self.datadir),
            "-U",
            USER,
            f"--pwfile={pwfile}",
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        pwfile.unlink()
        with (self.datadir / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\n"
                f"unix_socket_directories = '{self.root}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "max_connections = 300\n"
            )
        self.running = False

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bindir / tool), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> None:
        self._run(
            "pg_ctl", "-D", str(self.datadir), "-l", str(self.logfile), "-w", "-t", "30", "start"
        )
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; mode "immediate" is the closest to a crash that pg_ctl offers."""
        if self.running:
            self._run("pg_ctl", "-D", str(self.datadir), "-m", mode, "-w", "stop")
            self.running = False

    def url(self, database: str = DEFAULT_DB, scheme: str = "postgresql") -> str:
        return f"{scheme}://{USER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database and return its URL."""
        conn = psycopg2.connect(self.url("postgres"))
        try:
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            conn.close()
        return self.url(name)

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> ThrowawayPostgres:
        self.start()
        self.create_database(DEFAULT_DB)
        return self

    def __exit__(self, *exc: object) -> None:
        self.destroy()


def skip_line(what: str) -> str:
    return f"\n{'!' * 72}\n!! SKIPPED: {what}: no PostgreSQL server binaries found\n{'!' * 72}\n"


def main(argv: list[str]) -> int:
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print("usage: python -m tests.support.postgres -- CMD [ARGS...]", file=sys.stderr)
        return 2
    if find_bindir() is None:
        print(skip_line(" ".join(argv)), file=sys.stderr)
        return 1 if os.environ.get("REQUIRE_POSTGRES") == "1" else 0
    started = time.monotonic()
    with ThrowawayPostgres() as server:
        print(
            f"tests.support.postgres: server on port {server.port} "
            f"ready in {time.monotonic() - started:.1f}s",
            file=sys.stderr,
        )
        env = {**os.environ, "TEST_DATABASE_URL": server.url()}
        return subprocess.call(argv, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
