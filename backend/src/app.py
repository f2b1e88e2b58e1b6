"""The FastAPI app, assembled: settings, logging, middleware, routers, error handlers, lifespan."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from src.api.main import api_routes, include_api
from src.config import Settings, get_settings
from src.database import SessionLocal, engine, get_db, init_db, init_db_when_reachable
from src.errors import DATABASE_UNAVAILABLE, UnexpectedErrors, install_error_handlers
from src.events import EventHub
from src.logs import configure_logging
from src.rate_limit import ClientBudget
from src.request_body import MAX_BODY_BYTES, RequestBodyGuard
from src.response_headers import ResponseHeaders
from src.services import accounts

logger = logging.getLogger("taskflow")
# See the lifespan: how many new objects the collector lets come before a young collection.
GC_YOUNG_THRESHOLD = 10_000


def create_first_admin(settings: Settings) -> None:
    """ADMIN_EMAIL/ADMIN_PASSWORD's admin, when the database has nobody yet.

    How a new deployment without a shell gets its first person. A password against the rules
    stops the start-up, naming the rule and never the password.
    """
    if settings.admin_email is None or settings.admin_password is None:
        with SessionLocal() as session:
            if not accounts.has_people(session):
                logger.warning(
                    "accounts are on and nobody can sign in yet: set ADMIN_EMAIL and "
                    "ADMIN_PASSWORD, or run `python -m src.db_init create-user`"
                )
        return
    with SessionLocal() as session:
        try:
            admin = accounts.ensure_admin(
                session,
                email=settings.admin_email,
                password=settings.admin_password.get_secret_value(),
            )
        except ValueError as problem:
            raise RuntimeError(f"ADMIN_EMAIL/ADMIN_PASSWORD refused: {problem}") from None
    if admin is not None:
        logger.info("created the first admin, %s (from ADMIN_EMAIL)", admin.email)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    logger.info(
        "TaskFlow %s starting (%s) on %s",
        settings.version,
        settings.environment,
        engine.url.render_as_string(hide_password=True),
    )
    # One worker thread per pooled connection (anyio's documented limiter, which FastAPI's
    # thread pool uses): more threads than connections would only queue in the pool, and time
    # out there as 503s under load.
    anyio.to_thread.current_default_thread_limiter().total_tokens = settings.db_pool_size
    migration_retry = None
    first_admin = (lambda: create_first_admin(settings)) if settings.auth_required else None
    # Tests that override get_db bring their own database; don't touch the configured one.
    if get_db not in app.dependency_overrides:
        try:
            init_db()
            if first_admin is not None:
                first_admin()
        except DATABASE_UNAVAILABLE as exc:
            # Start degraded instead of exiting: /health must answer 503 during an outage, and
            # with several workers one worker failing start-up makes uvicorn stop them all.
            # Production migrates in its start command before uvicorn starts.
            logger.error(
                "database unavailable at start-up, schema not checked yet: %s; migrating once "
                "it answers",
                type(exc).__name__,
            )
            migration_retry = init_db_when_reachable(then=first_admin)
    # The live board's listener: the tests' own (on their database) when they brought one.
    hub: EventHub | None = getattr(app.state, "events", None)
    if hub is None and get_db not in app.dependency_overrides:
        hub = app.state.events = EventHub(engine)
    if hub is not None:
        hub.start()
    previous_handler = end_streams_on_sigterm(hub)
    # What is loaded by now lives as long as the process. Frozen, the collector's full passes
    # no longer walk all of it, tens of milliseconds in which every request in flight waited
    # (at 16 connections, list p99 went from 105 to 62 ms).
    gc.collect()
    gc.freeze()
    # A young collection every GC_YOUNG_THRESHOLD allocations instead of Python's 700. Each one
    # promotes the objects of the requests in flight, which then die in the old generation: at
    # 700 that brought on a full pass about every second, and a full pass walks every open stream
    # (an open board holds its suspended coroutines, tasks and scope), 28-38 ms with 500 of
    # them open, in which every request waited. Measured (2026-12-05, 16 connections, GET by
    # id): with 500 idle streams, 668-685 req/s and p99 52-55 ms at 700, 721 req/s and p99
    # 31.6 ms at 10,000, the same as with no stream; no full pass ran in the 35 s of runs.
    gc.set_threshold(GC_YOUNG_THRESHOLD)
    yield
    if migration_retry is not None:
        migration_retry.set()
    if previous_handler is not None:
        signal.signal(signal.SIGTERM, previous_handler)
    if hub is not None:
        hub.stop()


def end_streams_on_sigterm(hub: EventHub | None) -> Any:
    """On SIGTERM, end the event streams before uvicorn waits for open responses to finish: a
    stream never finishes by itself, and a deploy's graceful stop would wait for every open
    board. uvicorn's own handler (installed before the app starts) still runs: this one only
    comes first. Returns the handler it chained to, for the lifespan to put back."""
    if hub is None or threading.current_thread() is not threading.main_thread():
        return None  # signals reach the main thread only (a test client runs the app elsewhere)
    previous = signal.getsignal(signal.SIGTERM)
    loop = asyncio.get_running_loop()

    def handle(signum: int, frame: Any) -> None:
        loop.call_soon_threadsafe(hub.end_streams)
        if callable(previous):
            previous(signum, frame)

    signal.signal(signal.SIGTERM, handle)
    return previous


def create_app(settings: Settings) -> FastAPI:
    settings.refuse_to_serve_unsafely()
    app = FastAPI(
        title="TaskFlow API",
        version=settings.version,
        description="A task tracker: tasks with status, priority, assignee and due date.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.auth_budget = ClientBudget(settings.auth_rate_per_minute)
    # Middleware added first runs innermost. UnexpectedErrors inside CORS: a 500 carries the
    # CORS headers an allowed origin needs to read it.
    app.add_middleware(UnexpectedErrors)
    app.add_middleware(RequestBodyGuard, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "If-Match", "Last-Event-ID"],
        expose_headers=["X-Total-Count", "Link", "ETag", "Location", "Retry-After"],
    )
    # Nothing that answers for a person is kept by a cache: tasks and the accounts routes.
    app.add_middleware(
        ResponseHeaders,
        no_store_prefixes=("/tasks", "/auth", "/users", "/invitations", "/events"),
    )
    auth_required = settings.auth_required
    install_error_handlers(app, lambda: api_routes(auth_required=auth_required))
    include_api(app, auth_required=auth_required)
    return app


settings = get_settings()
configure_logging(settings.log_level)
app = create_app(settings)
