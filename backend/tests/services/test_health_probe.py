"""The /health probe: one count at a time per database, shared by the checks that arrive meanwhile.

The probe is held at its count statement by a threading.Event, so each test decides when
the database answers instead of relying on timing.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from src.database import make_engine
from src.services.health import HealthProbe
from tests.conftest import MakeTask, driver_statements


@dataclass
class HeldCounts:
    """Once armed, counts the statements run and holds each one until `answer` is set."""

    engine: Engine
    started: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))
    answer: threading.Event = field(default_factory=threading.Event)
    statements: int = 0

    armed: ExitStack = field(default_factory=ExitStack)

    def hold(self, *_args: Any) -> None:
        self.statements += 1
        self.started.release()
        assert self.answer.wait(timeout=30), "the test never let the database answer"

    def arm(self) -> None:
        self.armed.enter_context(driver_statements(self.engine, self.hold))

    async def wait_started(self) -> None:
        assert await asyncio.to_thread(self.started.acquire, timeout=30), "no probe started"


@pytest.fixture
def held(engine: Engine) -> Iterator[HeldCounts]:
    counts = HeldCounts(engine)
    try:
        yield counts
    finally:
        counts.answer.set()
        counts.armed.close()


def test_checks_arriving_during_a_probe_share_its_count(
    engine: Engine, held: HeldCounts, make_task: MakeTask
) -> None:
    make_task()
    make_task()
    held.arm()

    async def scenario() -> list[int | None]:
        probe = HealthProbe()
        first = asyncio.create_task(probe.count_tasks(engine, timeout=30))
        await held.wait_started()
        others = [asyncio.create_task(probe.count_tasks(engine, timeout=30)) for _ in range(4)]
        await asyncio.sleep(0)  # the four join the probe in flight
        held.answer.set()
        return await asyncio.gather(first, *others)

    assert asyncio.run(scenario()) == [2] * 5
    assert held.statements == 1


def test_a_check_past_its_deadline_gives_none_and_the_probe_still_serves_the_next(
    engine: Engine, held: HeldCounts, make_task: MakeTask
) -> None:
    make_task()
    held.arm()

    async def scenario() -> tuple[int | None, int | None, int | None]:
        probe = HealthProbe()
        late = await probe.count_tasks(engine, timeout=0.05)
        # Still running: a new check joins it rather than starting another.
        joining = asyncio.create_task(probe.count_tasks(engine, timeout=30))
        await asyncio.sleep(0)
        held.answer.set()
        shared = await joining
        # That probe has finished: the next check starts a new one.
        fresh = await probe.count_tasks(engine, timeout=30)
        return late, shared, fresh

    assert asyncio.run(scenario()) == (None, 1, 1)
    assert held.statements == 2


def test_a_failing_database_gives_none(tmp_path: Path) -> None:
    broken = make_engine(f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}")
    try:
        assert asyncio.run(HealthProbe().count_tasks(broken, timeout=30)) is None
    finally:
        broken.dispose()
