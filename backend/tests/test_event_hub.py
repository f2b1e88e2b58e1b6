"""The live board's machinery in-process: the watermark over ids that commit out of order, the
stored snapshot read as the API's task, a stream that falls behind, the keep-alive."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import Engine

from src.events import (
    GAP_GRACE_S,
    KEEPALIVE_S,
    STREAM_QUEUE,
    Delivery,
    Event,
    EventHub,
    Stream,
    Watermark,
    _snapshot,
)


def events(*ids: int) -> list[Event]:
    return [Event(id=n, data=str(n)) for n in ids]


def test_the_watermark_follows_ids_delivered_in_order() -> None:
    mark = Watermark(10)
    assert [e.id for e in mark.take(events(11, 12), now=0)] == [11, 12]
    assert mark.value == 12
    assert mark.take(events(11, 12), now=0) == []  # nothing twice


def test_an_id_committed_late_is_delivered_and_the_watermark_waits_for_it() -> None:
    mark = Watermark(10)
    assert [e.id for e in mark.take(events(12, 13), now=0)] == [12, 13]
    assert mark.value == 10  # 11 may still commit: a client resuming must get it
    assert [e.id for e in mark.take(events(11, 12, 13), now=1)] == [11]
    assert mark.value == 13


def test_a_gap_that_never_fills_is_passed_after_the_grace() -> None:
    mark = Watermark(10)
    mark.take(events(12), now=0)
    assert mark.take([], now=GAP_GRACE_S - 1) == []
    assert mark.value == 10
    mark.take([], now=GAP_GRACE_S + 1)
    assert mark.value == 12


@pytest.mark.parametrize(
    ("stored", "created_at"),
    [
        ('{"id": "t", "title": "T", "description": null, "status": "todo", "priority": "low", '
         '"assignee": null, "due_date": null, "due_all_day": 0, "created_at": '
         '"2026-12-05 08:00:00.123456", "updated_at": "2026-12-05 08:00:00.123456", "version": 1, '
         '"created_by": null, "updated_by": null}', "2026-12-05T08:00:00.123456Z"),
        ('{"id": "t", "title": "T", "description": null, "status": "todo", "priority": "low", '
         '"assignee": null, "due_date": null, "due_all_day": false, "created_at": '
         '"2026-12-05T09:00:00.5+01:00", "updated_at": "2026-12-05T09:00:00.5+01:00", '
         '"version": 1, "created_by": null, "updated_by": null}', "2026-12-05T08:00:00.500000Z"),
    ],
    ids=["sqlite", "postgresql"],
)  # fmt: skip
def test_a_snapshot_reads_as_the_apis_task(stored: str, created_at: str) -> None:
    task = _snapshot(stored)
    assert task is not None
    assert task.model_dump(mode="json")["created_at"] == created_at
    assert task.due_all_day is False
    assert _snapshot(None) is None


def test_a_stream_that_falls_behind_is_told_to_resync() -> None:
    async def overflow() -> list[Delivery]:
        stream = Stream(credential_id=None)
        for n in range(STREAM_QUEUE + 5):
            stream.put(Delivery(Event(id=n, data=""), resume_from=n))
        got = []
        while not stream.queue.empty():
            item = stream.queue.get_nowait()
            assert isinstance(item, Delivery)
            got.append(item)
        return got

    delivered = asyncio.run(overflow())
    resyncs = [d for d in delivered if d.event is None]
    assert len(resyncs) == 1
    assert len(delivered) <= STREAM_QUEUE


def test_idle_streams_get_a_keepalive_and_end_when_the_hub_stops(engine: Engine) -> None:
    async def listen() -> list[Delivery | None]:
        hub = EventHub(engine, keepalive_s=0.05)
        hub.start()
        stream = hub.subscribe(credential_id=None)
        got: list[Delivery | None] = []
        try:
            async for item in stream:
                got.append(item)
                if len(got) == 2:
                    stream.put(Delivery(Event(id=1, data="1"), resume_from=1))
                elif len(got) == 3:
                    hub.stop()
        finally:
            hub.unsubscribe(stream)
        return got

    got = asyncio.run(asyncio.wait_for(listen(), timeout=10))
    assert [None if item is None else item.message for item in got] == [
        None,
        None,
        b"data: 1\nid: 1\n\n",
    ]
    # Proxies close a stream idle for 30-60 s; the contract says a comment every 15 s at most.
    assert KEEPALIVE_S <= 15
