"""Real TaskFlow server processes for smoke, fault and end-to-end tests.

Starts `uvicorn src.app:app` (or another app) from backend/ as a child process on a free port,
waits until it answers, and stops or kills it by its own PID only.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.support.postgres import free_port

BACKEND_DIR = Path(__file__).resolve().parents[2]


class AppServer:
    """One uvicorn process serving the app; its stdout and stderr go to `self.logfile`."""

    def __init__(
        self,
        database_url: str,
        *,
        env: dict[str, str] | None = None,
        port: int | None = None,
        app: str = "src.app:app",
        extra_args: list[str] | None = None,
    ) -> None:
        self.database_url = database_url
        self.port = port or free_port()
        self.app = app
        self.extra_args = extra_args or []
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "ENVIRONMENT": "test",
            "LOG_LEVEL": "INFO",
            # Single-user mode unless a test turns accounts on (AUTH_REQUIRED=true in `env`).
            "AUTH_REQUIRED": "false",
            **(env or {}),
        }
        self.logfile = Path(tempfile.mkstemp(prefix="taskflow-app-", suffix=".log")[1])
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait: bool = True, timeout: float = 30.0) -> None:
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            self.app,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            *self.extra_args,
        ]
        with self.logfile.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=BACKEND_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        if wait:
            self.wait_until_answering(timeout)

    def wait_until_answering(self, timeout: float = 30.0) -> None:
        """Wait until the server answers /health at all (200 or 503)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.log()}")
            try:
                httpx.get(f"{self.url}/health", timeout=2.0)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise TimeoutError(f"server did not answer within {timeout}s:\n{self.log()}")

    def log(self) -> str:
        return self.logfile.read_text(errors="replace")

    def stop(self, timeout: float = 15.0) -> None:
        """Graceful stop (SIGTERM), then SIGKILL if it does not exit in time."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers run, as in a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def __enter__(self) -> AppServer:
        try:
            self.start()
        except BaseException:
            self.stop()  # a server that never answered is still running: __exit__ will not run
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
