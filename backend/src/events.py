"""The live board's events: one listener per process, fanned out to every open stream.

Every committed change to a task leaves a row in task_events (a trigger on tasks, in the
change's own transaction) and, on PostgreSQL, a NOTIFY that every instance's listener hears.
The listener holds one dedicated connection (not a pooled one: PgBouncer's transaction pooling
cannot LISTEN), reads the new rows with the task as it was at that version, and hands them to
the event loop, where each open stream has a bounded queue. A stream therefore holds no thread
and no pooled connection. On SQLite (one process) the listener polls the table instead.

Event ids come from a sequence, so a transaction that commits later than another may carry the
smaller id. The listener delivers every row as soon as it is committed, and keeps a watermark:
every id at or below it has been delivered (or was never committed, a gap older than
GAP_GRACE_S). A stream's `id:` is the watermark, so a client that resumes from it gets
everything it may have missed; at worst an event twice, which a client applying versions ignores.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import selectors
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from fastapi.sse import format_sse_event
from pydantic import BaseModel
from sqlalchemy import Connection, Engine, create_engine, delete, func, select
from sqlalchemy.pool import NullPool
from starlette.concurrency import run_in_threadpool

from src.models import (
    EVENTS_CHANNEL,
    CredentialModel,
    TaskEventModel,
    UserModel,
    credential_live,
    utcnow,
)
from src.schemas import TaskRead

logger = logging.getLogger("taskflow.events")

# How long a missing id may stay missing before the watermark passes it: a sequence value taken
# by a transaction that rolled back never appears. Only a change that commits later than this
# after taking its id could be missed by a resuming client (the task API's writes take
# milliseconds).
GAP_GRACE_S = 30.0
POLL_S = 0.1  # SQLite: how often the table is read
CHECK_S = 2.0  # how often the listener proves its connection and checks streams' credentials
RECONNECT_S = 1.0  # between attempts to listen again (the contract: within 5 s)
BATCH = 500
# What a resuming client can get back: at least the last 1,000 events or 5 minutes of them.
KEEP_EVENTS = 1000
KEEP_FOR = timedelta(minutes=5)
PRUNE_EVERY_S = 60.0
# Events a stream may have waiting; a client that falls this far behind is told to resync.
STREAM_QUEUE = 1000
# A stream with nothing to send writes a comment this often, so proxies keep it open.
KEEPALIVE_S = 15.0

State = Literal["listening", "reconnecting", "in-process", "stopped"]


class TaskEvent(BaseModel):
    """The `data` of a task event; `task` is the task as that change left it (null for a
    deletion)."""

    type: Literal["task.created", "task.updated", "task.deleted"]
    id: str
    version: int
    task: TaskRead | None = None


RESYNC_DATA = '{"type": "resync"}'


@dataclass(frozen=True)
class Event:
    id: int
    data: str  # TaskEvent as JSON


@dataclass(frozen=True)
class Delivery:
    """What a stream sends: an event (or a resync when `event` is None), the id a client resumes
    from, and the two as the stream's bytes. One Delivery goes to every open stream, so the
    message is encoded once per event, not once per stream."""

    event: Event | None
    resume_from: int

    @functools.cached_property
    def message(self) -> bytes:
        if self.event is None:
            return format_sse_event(event="resync", data_str=RESYNC_DATA, id=str(self.resume_from))
        return format_sse_event(data_str=self.event.data, id=str(self.resume_from))


_END = object()  # the stream is over (shutdown, credential ended)
_KEEPALIVE = object()  # time for a comment line


class Stream:
    """One open /events response: its queue on the event loop."""

    def __init__(self, credential_id: str | None) -> None:
        self.credential_id = credential_id
        self.queue: asyncio.Queue[Delivery | object] = asyncio.Queue(maxsize=STREAM_QUEUE)

    def put(self, item: Delivery | object) -> None:
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            # Too far behind to catch up event by event: drop what waits, tell it to refetch.
            resume_from = item.resume_from if isinstance(item, Delivery) else 0
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(Delivery(None, resume_from))

    def end(self) -> None:
        self.put(_END)

    def keep_alive(self) -> None:
        # A stream with events waiting needs no comment, and one that is full must not resync.
        if self.queue.empty():
            self.queue.put_nowait(_KEEPALIVE)

    async def __aiter__(self) -> AsyncIterator[Delivery | None]:
        """The deliveries as they come, and None where a keep-alive comment is due."""
        while True:
            item = await self.queue.get()
            if item is _END:
                return
            if item is _KEEPALIVE:
                yield None
            else:
                assert isinstance(item, Delivery)
                yield item


def _snapshot(stored: str | None) -> TaskRead | None:
    """The task as the trigger wrote it (the database's JSON), read as the API's TaskRead."""
    if stored is None:
        return None
    fields = json.loads(stored)
    for name in ("due_date", "created_at", "updated_at"):
        # SQLite writes its naive UTC text; PostgreSQL an offset, the writing session's.
        if fields.get(name) is not None:
            moment = datetime.fromisoformat(fields[name])
            fields[name] = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return TaskRead.model_validate(fields)


def _events_after(connection: Connection, after: int, limit: int = BATCH) -> list[Event]:
    """The events after id `after`, in id order."""
    rows = connection.execute(
        select(
            TaskEventModel.id,
            TaskEventModel.type,
            TaskEventModel.task_id,
            TaskEventModel.version,
            TaskEventModel.task,
        )
        .where(TaskEventModel.id > after)
        .order_by(TaskEventModel.id)
        .limit(limit)
    )
    return [
        Event(
            id=event_id,
            data=TaskEvent(
                type=kind, id=task_id, version=version, task=_snapshot(stored)
            ).model_dump_json(),
        )
        for event_id, kind, task_id, version, stored in rows
    ]


class Watermark:
    """The highest id below which every event has been delivered or will never come."""

    def __init__(self, start: int) -> None:
        self.value = start
        self.delivered: set[int] = set()  # ids above the watermark, delivered
        self.missing: dict[int, float] = {}  # ids above it not seen yet, and since when

    def take(self, events: list[Event], now: float) -> list[Event]:
        """The events not delivered yet; moves the watermark past what is settled."""
        fresh = [e for e in events if e.id > self.value and e.id not in self.delivered]
        for event in fresh:
            self.delivered.add(event.id)
            self.missing.pop(event.id, None)
        top = max(self.delivered, default=self.value)
        for gap in range(self.value + 1, top):
            if gap not in self.delivered:
                self.missing.setdefault(gap, now)
        while True:
            following = self.value + 1
            if following in self.delivered:
                self.delivered.discard(following)
            elif following in self.missing and now - self.missing[following] > GAP_GRACE_S:
                del self.missing[following]
            else:
                break
            self.value = following
        return fresh


class EventHub:
    """The process's listener and its streams. Streams are served on the event loop; the
    listener runs in a thread of its own on a connection of its own."""

    def __init__(self, engine: Engine, *, keepalive_s: float = KEEPALIVE_S) -> None:
        self.postgresql = engine.dialect.name == "postgresql"
        # A connection of the listener's own: NullPool, so it is never a pooled one, in
        # autocommit, so that notifications arrive as they are sent.
        self._engine = create_engine(
            engine.url,
            poolclass=NullPool,
            isolation_level="AUTOCOMMIT",
            connect_args=_listener_connect_args(engine),
        )
        self._reader = engine  # for resuming clients (a pooled connection, briefly)
        self._state: State = "stopped"
        self._streams: set[Stream] = set()
        self._lock = threading.Lock()  # the credentials the listener reads from its thread
        self._credentials: dict[str, int] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop = threading.Event()
        # Written to on stop, so that a listener waiting for a notification wakes at once.
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._thread: threading.Thread | None = None
        self._watermark: Watermark | None = None
        self.closing = False
        # One timer for every stream's keep-alive, not one armed and cancelled around each
        # stream's wait for each event (a cost paid 500 times per change with 500 boards open).
        self._keepalive_s = keepalive_s
        self._keepalive: asyncio.TimerHandle | None = None

    @property
    def state(self) -> State:
        return self._state

    # --- on the event loop ------------------------------------------------------------------

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._keepalive = self._loop.call_later(self._keepalive_s, self._keep_streams_alive)
        self._thread = threading.Thread(target=self._listen, name="events-listener", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._keepalive is not None:
            self._keepalive.cancel()
        self.end_streams()
        self._stop.set()
        self._wake_writer.send(b"\0")
        if self._thread is not None:
            self._thread.join(timeout=CHECK_S + 1)
        self._engine.dispose()
        self._wake_reader.close()
        self._wake_writer.close()
        self._state = "stopped"

    def end_streams(self) -> None:
        """End every stream (shutting down): a deploy's graceful stop is not held up by them."""
        self.closing = True
        for stream in list(self._streams):
            stream.end()

    def subscribe(self, credential_id: str | None) -> Stream:
        stream = Stream(credential_id)
        if self.closing:
            stream.end()
            return stream
        self._streams.add(stream)
        if credential_id is not None:
            with self._lock:
                self._credentials[credential_id] = self._credentials.get(credential_id, 0) + 1
        return stream

    def unsubscribe(self, stream: Stream) -> None:
        self._streams.discard(stream)
        if stream.credential_id is not None:
            with self._lock:
                left = self._credentials.get(stream.credential_id, 1) - 1
                if left:
                    self._credentials[stream.credential_id] = left
                else:
                    self._credentials.pop(stream.credential_id, None)

    @property
    def resume_from(self) -> int:
        return self._watermark.value if self._watermark is not None else 0

    async def missed_since(self, last_event_id: str) -> list[Event] | None:
        """The events after a client's Last-Event-ID, or None when they cannot be told (an id
        the server cannot place, or events that have left the window): then it resyncs."""
        try:
            after = int(last_event_id)
        except ValueError:
            return None
        if after < 0:
            return None

        def read() -> list[Event] | None:
            with self._reader.connect() as connection:
                oldest, newest = connection.execute(
                    select(func.min(TaskEventModel.id), func.max(TaskEventModel.id))
                ).one()
                if newest is None:
                    return [] if after == 0 else None
                if after > newest or after < oldest - 1:
                    return None
                return _events_after(connection, after, limit=KEEP_EVENTS * 10)

        return await run_in_threadpool(read)

    def _publish(self, events: list[Event], resume_from: int) -> None:
        deliveries = [Delivery(event, resume_from) for event in events]
        for stream in list(self._streams):
            for delivery in deliveries:
                stream.put(delivery)

    def _resync(self) -> None:
        resync = Delivery(None, self.resume_from)
        for stream in list(self._streams):
            stream.put(resync)

    def _keep_streams_alive(self) -> None:
        for stream in self._streams:
            stream.keep_alive()
        assert self._loop is not None
        self._keepalive = self._loop.call_later(self._keepalive_s, self._keep_streams_alive)

    def _end_for(self, ended: set[str]) -> None:
        for stream in list(self._streams):
            if stream.credential_id in ended:
                stream.end()

    def _on_loop(self, callback: Callable[..., None], *args: Any) -> None:
        if self._loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: nobody listens
                self._loop.call_soon_threadsafe(callback, *args)

    # --- in the listener's thread -----------------------------------------------------------

    def _listen(self) -> None:
        dropped = False
        while not self._stop.is_set():
            try:
                with self._engine.connect() as connection:
                    self._serve(connection, resync=dropped)
            except Exception as exc:
                if self._stop.is_set():
                    return
                logger.error("events: the listening connection failed: %s", type(exc).__name__)
                dropped = True
                self._state = "reconnecting"
                self._on_loop(self._resync)
                self._stop.wait(RECONNECT_S)

    def _serve(self, connection: Connection, *, resync: bool) -> None:
        # psycopg2's own connection: LISTEN's notifications are read from it.
        raw: Any = connection.connection.dbapi_connection
        if self.postgresql:
            connection.exec_driver_sql(f"LISTEN {EVENTS_CHANNEL}")
        if self._watermark is None:
            newest = connection.scalar(select(func.max(TaskEventModel.id))) or 0
            self._watermark = Watermark(newest)
        self._state = "listening" if self.postgresql else "in-process"
        if resync:
            logger.info("events: listening again")
            self._on_loop(self._resync)
        checked = pruned = time.monotonic()
        with selectors.DefaultSelector() as notified:
            notified.register(self._wake_reader, selectors.EVENT_READ)
            if self.postgresql:
                notified.register(raw, selectors.EVENT_READ)
            while not self._stop.is_set():
                if self.postgresql:
                    # Woken by a notification (or by stop), or at CHECK_S to prove the
                    # connection.
                    if notified.select(timeout=CHECK_S):
                        raw.poll()
                        raw.notifies.clear()
                else:
                    self._stop.wait(POLL_S)
                self._deliver(connection)
                now = time.monotonic()
                if now - checked >= CHECK_S:
                    checked = now
                    connection.exec_driver_sql("SELECT 1")  # a dead connection fails here
                    self._check_credentials(connection)
                if now - pruned >= PRUNE_EVERY_S:
                    pruned = now
                    self._prune(connection)

    def _deliver(self, connection: Connection) -> None:
        watermark = self._watermark
        assert watermark is not None
        while True:
            events = _events_after(connection, watermark.value)
            fresh = watermark.take(events, time.monotonic())
            if fresh:
                self._on_loop(self._publish, fresh, watermark.value)
            if len(events) < BATCH or not fresh:
                return

    def _check_credentials(self, connection: Connection) -> None:
        with self._lock:
            open_ones = set(self._credentials)
        if not open_ones:
            return
        live = set(
            connection.scalars(
                select(CredentialModel.id)
                .join(UserModel, UserModel.id == CredentialModel.user_id)
                .where(CredentialModel.id.in_(open_ones), credential_live(utcnow()))
            )
        )
        if ended := open_ones - live:
            self._on_loop(self._end_for, ended)

    def _prune(self, connection: Connection) -> None:
        newest = connection.scalar(select(func.max(TaskEventModel.id))) or 0
        connection.execute(
            delete(TaskEventModel).where(
                TaskEventModel.id <= newest - KEEP_EVENTS, TaskEventModel.at < utcnow() - KEEP_FOR
            )
        )


def _listener_connect_args(engine: Engine) -> dict[str, Any]:
    if engine.dialect.name != "postgresql":
        return {}
    # A listener that cannot tell its connection is gone cannot listen again: TCP keepalives
    # and a bound on unacknowledged data find a silent peer within seconds.
    return {
        "connect_timeout": 3,
        "keepalives": 1,
        "keepalives_idle": 5,
        "keepalives_interval": 2,
        "keepalives_count": 2,
        "tcp_user_timeout": 5000,
        "application_name": "taskflow-events",
    }
