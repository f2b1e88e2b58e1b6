"""The live board's stream: every committed change to a task, as server-sent events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent

from src.api.deps import PrincipalDep
from src.errors import error_responses
from src.events import RESYNC_DATA, EventHub

router = APIRouter(tags=["events"], responses=error_responses(401))

# Browsers wait this long before reconnecting a stream that ended.
RETRY_MS = 2000


@router.get("/events", response_class=EventSourceResponse)
async def events(
    request: Request,
    principal: PrincipalDep,
    last_event_id: Annotated[
        str | None, Header(description="The `id:` of the last event received, to resume from")
    ] = None,
) -> AsyncIterator[ServerSentEvent]:
    """Every committed change to a task, as it happens: `data` is
    `{"type": "task.created" | "task.updated" | "task.deleted", "id", "version", "task"}`
    (`task`: the task as that change left it; null for a deletion). `event: resync` means:
    refetch, the events in between cannot be told. A comment line comes at least every 15
    seconds."""
    hub: EventHub = request.app.state.events
    # Subscribed before the missed events are read, so nothing falls between the two.
    stream = hub.subscribe(principal.credential_id if principal is not None else None)
    try:
        replayed: set[int] = set()
        yield ServerSentEvent(comment="connected", retry=RETRY_MS)
        if last_event_id is not None:
            missed = await hub.missed_since(last_event_id)
            if missed is None:
                yield ServerSentEvent(event="resync", raw_data=RESYNC_DATA, id=str(hub.resume_from))
            else:
                after = int(last_event_id)
                for event in missed:
                    replayed.add(event.id)
                    # Never past this instance's watermark: a change that takes longer to commit
                    # may still bring a smaller id (see src/events.py).
                    resume_from = max(after, min(event.id, hub.resume_from))
                    yield ServerSentEvent(raw_data=event.data, id=str(resume_from))
        async for delivery in stream:
            if delivery.event is None:
                yield ServerSentEvent(
                    event="resync", raw_data=RESYNC_DATA, id=str(delivery.resume_from)
                )
            elif delivery.event.id not in replayed:
                yield ServerSentEvent(raw_data=delivery.event.data, id=str(delivery.resume_from))
    finally:
        hub.unsubscribe(stream)
