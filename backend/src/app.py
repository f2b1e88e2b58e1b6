"""The FastAPI app: routes, /health, request limits, CORS, error mapping."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Query, Request, Response, status
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from src import tasks
from src.config import get_settings
from src.database import engine, get_db, init_db, make_sessionmaker, storage_name
from src.errors import DATABASE_UNAVAILABLE, install_error_handlers
from src.models import TaskModel, utcnow
from src.schemas import (
    ErrorResponse,
    Health,
    TaskCount,
    TaskCreate,
    TaskFilters,
    TaskListQuery,
    TaskRead,
    TaskStats,
    TaskUpdate,
    Welcome,
)

settings = get_settings()
logging.basicConfig(
    level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
)
logger = logging.getLogger("taskflow")

MAX_BODY_BYTES = 1024 * 1024

SessionDep = Annotated[Session, Depends(get_db)]
IfMatch = Annotated[str | None, Header(description="An ETag from an earlier answer, or *")]


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    descriptions = {
        404: "No task has this id",
        409: "Other writers kept changing the task; retry",
        412: "If-Match does not match the task's current ETag",
        413: "Request body over 1 MiB",
        415: "Request body is not JSON",
        500: "Internal server error",
        503: "Database unavailable (retry after Retry-After seconds)",
    }
    return {code: {"model": ErrorResponse, "description": descriptions[code]} for code in codes}


COMMON_ERRORS = _errors(500, 503)


class BodySizeLimit:
    """Answer 413 to bodies over the limit before anything parses them.

    The body is read here (at most limit + one chunk) and replayed, so a chunked upload
    without Content-Length is bounded too.
    """

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[MutableMapping[str, Any]]],
        send: Callable[[MutableMapping[str, Any]], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._reject(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        problem = _not_json_text(scope, body)
        if problem is not None:
            await _invalid_json(problem)(scope, receive, send)
            return
        replayed = False

        async def replay() -> MutableMapping[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _reject(self, scope: Any, receive: Any, send: Any) -> None:
        response = JSONResponse(
            {"detail": "Request body too large (limit 1 MiB)"},
            status_code=413,
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


def _not_json_text(scope: MutableMapping[str, Any], body: bytes) -> str | None:
    """Why a JSON-typed body is not JSON text Python holds faithfully, or None when it is.

    FastAPI answers 400 (undocumented) when its parser raises anything but a JSONDecodeError
    (bytes that are not UTF-8, 5,000-digit integers, deep nesting), and 500 when NaN or an
    overflowing number reaches a 422 answer, which cannot be serialised. Caught here, all are 422.
    """
    content_type = dict(scope["headers"]).get(b"content-type", b"").split(b";")[0].strip().lower()
    if not body.strip() or not (
        content_type == b"application/json" or content_type.endswith(b"+json")
    ):
        return None

    def reject_constant(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    def finite(text: str) -> float:
        value = float(text)
        if not math.isfinite(value):
            raise ValueError(f"{text} is out of range")
        return value

    try:
        json.loads(body, parse_constant=reject_constant, parse_float=finite)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        return str(exc)[:200] or type(exc).__name__
    return None


def _invalid_json(problem: str) -> JSONResponse:
    # The shape FastAPI gives a JSONDecodeError, so clients see one kind of 422 for bad JSON.
    error = {
        "type": "json_invalid",
        "loc": ["body"],
        "msg": "JSON decode error",
        "input": {},
        "ctx": {"error": problem},
    }
    return JSONResponse({"detail": [error]}, status_code=422)


def require_json(request: Request) -> None:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json" and not content_type.endswith("+json"):
        raise UnsupportedMediaType


class UnsupportedMediaType(Exception):
    pass


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    logger.info(
        "TaskFlow %s starting (%s) on %s",
        settings.version,
        settings.environment,
        engine.url.render_as_string(hide_password=True),
    )
    # Tests that override get_db bring their own database; don't touch the configured one.
    if get_db not in app.dependency_overrides:
        try:
            init_db()
        except DATABASE_UNAVAILABLE as exc:
            # Start degraded instead of exiting: /health must answer 503 during an outage, and
            # with several workers one worker failing start-up makes uvicorn stop them all.
            # Production migrates in its start command before uvicorn starts.
            logger.error(
                "database unavailable at start-up, schema not checked: %s", type(exc).__name__
            )
    yield


app = FastAPI(
    title="TaskFlow API",
    version=settings.version,
    description="A task tracker: tasks with status, priority, assignee and due date.",
    lifespan=lifespan,
)
app.add_middleware(
    CORSMiddleware,
    allow_origins=settings.cors_origins,
    allow_methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    allow_headers=["Content-Type", "If-Match"],
    expose_headers=["X-Total-Count", "Link", "ETag", "Location", "Retry-After"],
)
app.add_middleware(BodySizeLimit, max_bytes=MAX_BODY_BYTES)
install_error_handlers(app)


@app.exception_handler(UnsupportedMediaType)
def unsupported_media_type(_request: Request, _exc: UnsupportedMediaType) -> JSONResponse:
    return JSONResponse({"detail": "Content-Type must be application/json"}, status_code=415)


@app.get("/", response_model=Welcome)
def root() -> Welcome:
    return Welcome(
        message="Welcome to TaskFlow API", version=settings.version, docs="/docs", health="/health"
    )


# A database that does not answer must not hold /health past its deadline, whatever libpq's
# connect timeout; so the probe runs in its own thread and /health stops waiting for it.
_health_probes = ThreadPoolExecutor(max_workers=4, thread_name_prefix="health-probe")


def _probe(bind: Engine) -> int:
    with make_sessionmaker(bind)() as probe_session:
        return tasks.count_tasks(probe_session)


@app.get("/health", response_model=Health, responses={503: {"model": Health}})
@app.head(
    "/health", response_model=Health, responses={503: {"model": Health}}, include_in_schema=False
)
def health(session: SessionDep) -> JSONResponse:
    bind = session.get_bind()
    assert isinstance(bind, Engine)
    tasks_count: int | None
    try:
        tasks_count = _health_probes.submit(_probe, bind).result(timeout=settings.health_timeout)
    except FutureTimeout:
        logger.error("health: database did not answer within %.1fs", settings.health_timeout)
        tasks_count = None
    except Exception as exc:
        logger.error("health: database check failed: %s", type(exc).__name__)
        tasks_count = None
    healthy = tasks_count is not None
    body = Health(
        status="healthy" if healthy else "degraded",
        database="connected" if healthy else "error",
        storage=storage_name(bind),
        tasks_count=tasks_count,
        version=settings.version,
        environment=settings.environment,
        commit=settings.render_git_commit,
        timestamp=utcnow(),
    )
    return JSONResponse(
        body.model_dump(mode="json"),
        status_code=status.HTTP_200_OK if healthy else status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Cache-Control": "no-store"},
    )


def _link_header(request: Request, query: TaskListQuery, total: int) -> str | None:
    links = []
    if query.offset + query.limit < total:
        next_url = request.url.include_query_params(offset=query.offset + query.limit)
        links.append(f'<{next_url}>; rel="next"')
    if query.offset > 0:
        prev_url = request.url.include_query_params(offset=max(query.offset - query.limit, 0))
        links.append(f'<{prev_url}>; rel="prev"')
    return ", ".join(links) or None


@app.get("/tasks", response_model=list[TaskRead], responses=COMMON_ERRORS)
def list_tasks(
    request: Request,
    response: Response,
    session: SessionDep,
    query: Annotated[TaskListQuery, Query()],
) -> list[TaskModel]:
    found = tasks.list_tasks(session, query)
    # The first page that holds everything needs no second query for the total.
    if query.offset == 0 and len(found) < query.limit:
        total = len(found)
    else:
        total = tasks.count_tasks(session, query)
    response.headers["X-Total-Count"] = str(total)
    link = _link_header(request, query, total)
    if link:
        response.headers["Link"] = link
    return list(found)


@app.get("/tasks/count", response_model=TaskCount, responses=COMMON_ERRORS)
def count_tasks(session: SessionDep, filters: Annotated[TaskFilters, Query()]) -> TaskCount:
    return TaskCount(total=tasks.count_tasks(session, filters))


@app.get("/tasks/stats", response_model=TaskStats, responses=COMMON_ERRORS)
def task_stats(session: SessionDep, filters: Annotated[TaskFilters, Query()]) -> TaskStats:
    return tasks.task_stats(session, filters)


@app.post(
    "/tasks",
    response_model=TaskRead,
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(require_json)],
    responses={**_errors(413, 415), **COMMON_ERRORS},
)
def create_task(data: TaskCreate, response: Response, session: SessionDep) -> TaskModel:
    task = tasks.create_task(session, data)
    response.headers["Location"] = f"/tasks/{task.id}"
    response.headers["ETag"] = tasks.etag(task)
    return task


@app.get("/tasks/{task_id}", response_model=TaskRead, responses={**_errors(404), **COMMON_ERRORS})
def read_task(task_id: str, response: Response, session: SessionDep) -> TaskModel:
    task = tasks.get_task(session, task_id)
    response.headers["ETag"] = tasks.etag(task)
    return task


def update_task(
    task_id: str,
    changes: TaskUpdate,
    response: Response,
    session: SessionDep,
    if_match: IfMatch = None,
) -> TaskModel:
    task = tasks.update_task(session, task_id=task_id, changes=changes.changes(), if_match=if_match)
    response.headers["ETag"] = tasks.etag(task)
    return task


# PUT does what PATCH does (a partial update), as the tutorial's clients expect of PUT.
for method in ("PATCH", "PUT"):
    app.add_api_route(
        "/tasks/{task_id}",
        update_task,
        methods=[method],
        name=f"{method.lower()}_task",
        response_model=TaskRead,
        dependencies=[Depends(require_json)],
        responses={**_errors(404, 409, 412, 413, 415), **COMMON_ERRORS},
        description="A partial update: only the fields sent change; null clears "
        "description, assignee and due_date.",
    )


@app.delete(
    "/tasks/{task_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses={**_errors(404, 409, 412), **COMMON_ERRORS},
)
def delete_task(task_id: str, session: SessionDep, if_match: IfMatch = None) -> Response:
    tasks.delete_task(session, task_id=task_id, if_match=if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
