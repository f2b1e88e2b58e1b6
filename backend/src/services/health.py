"""/health's database probe: bounded in time, and one probe at a time per database."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from src.services import tasks

logger = logging.getLogger("taskflow.health")


def _count_tasks(bind: Engine) -> int | None:
    """How many tasks the database holds, or None when it cannot say."""
    try:
        with Session(bind) as session:
            return tasks.count_tasks(session)
    except Exception as exc:
        # Logged once per probe, however many /health requests share it.
        logger.error("health: database check failed: %s", type(exc).__name__)
        return None


def _settle(waiter: asyncio.Future[int | None], value: int | None) -> None:
    if not waiter.done():  # a waiter past its deadline was cancelled
        waiter.set_result(value)


class HealthProbe:
    """Counts tasks in its own thread; /health requests that arrive meanwhile share the count.

    A database that does not answer must not hold /health past its deadline, whatever libpq's
    connect timeout, so each request waits at most `timeout` and the probe runs on regardless.
    Sharing the probe in flight means a burst of health checks costs the database one count,
    not one each, and a hung database holds one thread and one connection, not one per check.
    A shared answer is at most one probe's duration older than the request.
    """

    def __init__(self) -> None:
        self._threads = ThreadPoolExecutor(max_workers=1, thread_name_prefix="health-probe")
        # Reentrant: a probe that has already finished runs _forget inside _start.
        self._lock = threading.RLock()
        self._running: dict[Engine, Future[int | None]] = {}

    def _start(self, bind: Engine) -> Future[int | None]:
        with self._lock:
            probe = self._running.get(bind)
            if probe is None:
                probe = self._threads.submit(_count_tasks, bind)
                self._running[bind] = probe
                probe.add_done_callback(lambda done: self._forget(bind, done))
            return probe

    def _forget(self, bind: Engine, probe: Future[int | None]) -> None:
        with self._lock:
            if self._running.get(bind) is probe:
                del self._running[bind]

    async def count_tasks(self, bind: Engine, timeout: float) -> int | None:
        """The task count from a probe running now, or None if none answers within `timeout`."""
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[int | None] = loop.create_future()

        def deliver(probe: Future[int | None]) -> None:
            # In the probe's thread, or here when it has already finished.
            # RuntimeError: the event loop has closed, so nobody is waiting any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_settle, waiter, probe.result())

        # The waiter alone is cancelled at the deadline, never the probe the others share.
        self._start(bind).add_done_callback(deliver)
        try:
            return await asyncio.wait_for(waiter, timeout=timeout)
        except TimeoutError:
            logger.error("health: database did not answer within %.1fs", timeout)
            return None
