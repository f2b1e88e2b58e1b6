"""The live board's stream: every committed change to a task, as server-sent events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import StreamingResponse
from fastapi.sse import KEEPALIVE_COMMENT, format_sse_event

from src.api.deps import PrincipalDep
from src.errors import error_responses
from src.events import Delivery, EventHub

router = APIRouter(tags=["events"], responses=error_responses(401))

# Browsers wait this long before reconnecting a stream that ended.
RETRY_MS = 2000
# As FastAPI's EventSourceResponse sends them: no cache, and no buffering in nginx-like proxies.
STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={200: {"description": "The stream", "content": {"text/event-stream": {}}}},
)
async def events(
    request: Request,
    principal: PrincipalDep,
    last_event_id: Annotated[
        str | None, Header(description="The `id:` of the last event received, to resume from")
    ] = None,
) -> StreamingResponse:
    """Every committed change to a task, as it happens: `data` is
    `{"type": "task.created" | "task.updated" | "task.deleted", "id", "version", "task"}`
    (`task`: the task as that change left it; null for a deletion). `event: resync` means:
    refetch, the events in between cannot be told. A comment line comes at least every 15
    seconds."""
    hub: EventHub = request.app.state.events
    credential_id = principal.credential_id if principal is not None else None
    return StreamingResponse(
        _messages(hub, credential_id, last_event_id),
        media_type="text/event-stream",
        headers=STREAM_HEADERS,
    )


async def _messages(
    hub: EventHub, credential_id: str | None, last_event_id: str | None
) -> AsyncIterator[bytes]:
    """The stream's bytes. Not FastAPI's EventSourceResponse: it validates a ServerSentEvent and
    passes it through two tasks and two memory streams per event and stream, which made one
    change cost ~148 µs per open stream (docs/PERFORMANCE.md); here an event is encoded once
    (src/events.py) and each stream writes those bytes."""
    # Subscribed before the missed events are read, so nothing falls between the two.
    stream = hub.subscribe(credential_id)
    try:
        replayed: set[int] = set()
        yield format_sse_event(comment="connected", retry=RETRY_MS)
        if last_event_id is not None:
            missed = await hub.missed_since(last_event_id)
            if missed is None:
                yield Delivery(None, hub.resume_from).message
            else:
                after = int(last_event_id)
                for event in missed:
                    replayed.add(event.id)
                    # Never past this instance's watermark: a change that takes longer to commit
                    # may still bring a smaller id (see src/events.py).
                    resume_from = max(after, min(event.id, hub.resume_from))
                    yield Delivery(event, resume_from).message
        async for delivery in stream:
            if delivery is None:
                yield KEEPALIVE_COMMENT
            elif delivery.event is None or delivery.event.id not in replayed:
                yield delivery.message
    finally:
        hub.unsubscribe(stream)
