"""The FastAPI app: routes, /health, request limits, CORS, error mapping."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any
from urllib.parse import quote, unquote_plus

from fastapi import Depends, FastAPI, Header, Request, Response, status
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from src import tasks
from src.config import get_settings
from src.cors import OriginCORSMiddleware
from src.database import engine, engine_of, get_db, init_db, init_db_when_reachable, storage_name
from src.errors import DATABASE_UNAVAILABLE, install_error_handlers
from src.health import HealthProbe
from src.logs import configure_logging
from src.models import utcnow
from src.query_models import QueryModel, document_query_models
from src.request_body import MAX_BODY_BYTES, RequestBodyGuard, require_json
from src.request_threads import RequestThreads
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
    task_json,
    tasks_json,
)

settings = get_settings()
configure_logging(settings.log_level)
logger = logging.getLogger("taskflow")

SessionDep = Annotated[Session, Depends(get_db)]
# The task routes run in these. One thread per pooled connection: more threads than connections
# would only queue in the pool (and time out as 503s under load). Nor more than the pool keeps:
# a connection beyond pool_size is closed when it comes back while pool_size others sit idle, so
# a load hovering around the pool's size opened and closed connections continually (at 64
# connections over a 1 ms link: 497 new PostgreSQL sessions in 6 s, and half the requests).
request_threads = RequestThreads(settings.db_pool_size)
# The query strings, read as FastAPI reads query models, without the 135 µs of CPU a request
# that its reading took (see query_models; document_query_models below puts them in OpenAPI).
list_query = QueryModel(TaskListQuery)
filters_query = QueryModel(TaskFilters)
ListQueryDep = Annotated[TaskListQuery, Depends(list_query)]
FiltersDep = Annotated[TaskFilters, Depends(filters_query)]
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


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    logger.info(
        "TaskFlow %s starting (%s) on %s",
        settings.version,
        settings.environment,
        engine.url.render_as_string(hide_password=True),
    )
    migration_retry = None
    # Tests that override get_db bring their own database; don't touch the configured one.
    if get_db not in app.dependency_overrides:
        try:
            init_db()
        except DATABASE_UNAVAILABLE as exc:
            # Start degraded instead of exiting: /health must answer 503 during an outage, and
            # with several workers one worker failing start-up makes uvicorn stop them all.
            # Production migrates in its start command before uvicorn starts.
            logger.error(
                "database unavailable at start-up, schema not checked yet: %s; migrating once "
                "it answers",
                type(exc).__name__,
            )
            migration_retry = init_db_when_reachable()
    # What is loaded by now lives as long as the process. Frozen, the collector's full passes
    # no longer walk all of it, tens of milliseconds in which every request in flight waited
    # (at 16 connections, list p99 went from 105 to 62 ms).
    gc.collect()
    gc.freeze()
    yield
    if migration_retry is not None:
        migration_retry.set()


app = FastAPI(
    title="TaskFlow API",
    version=settings.version,
    description="A task tracker: tasks with status, priority, assignee and due date.",
    lifespan=lifespan,
)
app.add_middleware(
    OriginCORSMiddleware,
    allow_origins=settings.cors_origins,
    allow_methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    allow_headers=["Content-Type", "If-Match"],
    expose_headers=["X-Total-Count", "Link", "ETag", "Location", "Retry-After"],
)
app.add_middleware(RequestBodyGuard, max_bytes=MAX_BODY_BYTES)
install_error_handlers(app)


# Async: it touches no database, so it needs no trip through the thread pool.
@app.get("/", response_model=Welcome)
async def root() -> Welcome:
    return Welcome(
        message="Welcome to TaskFlow API", version=settings.version, docs="/docs", health="/health"
    )


_health_probe = HealthProbe()


@app.get("/health", response_model=Health, responses={503: {"model": Health}})
async def health(session: SessionDep) -> JSONResponse:
    bind = engine_of(session)
    # Awaited on the event loop: /health never queues behind task requests for a request
    # thread, and holds none while the probe runs.
    tasks_count = await _health_probe.count_tasks(bind, timeout=settings.health_timeout)
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


# What RFC 3986 allows in a query besides letters, digits and `_.-~` (which quote keeps anyway),
# and `%`, already encoded.
_QUERY_CHARS = "!$&'()*+,;=:@/?%"


def _link_header(request: Request, query: TaskListQuery, total: int) -> str | None:
    pages = []
    if query.offset + query.limit < total:
        pages.append(("next", query.offset + query.limit))
    if query.offset > 0:
        pages.append(("prev", max(query.offset - query.limit, 0)))
    if not pages:
        return None
    # The request's own URL with its offset replaced: its other parameters as the client sent
    # them, in their order, then the offset. (`request.url.include_query_params` decodes and
    # re-encodes every parameter, and parses the URL again for each link: 41 µs for a list's
    # link, a twentieth of its CPU, against 20 here.) Only what a URI may not hold is
    # percent-encoded (a raw `>` would end the link early), as UTF-8, which the query was read as.
    url = request.url
    kept = [
        quote(item, safe=_QUERY_CHARS)
        for item in url.query.split("&")
        if item and unquote_plus(item.partition("=")[0]) != "offset"
    ]
    base = url.components._replace(query="").geturl()
    return ", ".join(
        f'<{base}?{"&".join([*kept, f"offset={offset}"])}>; rel="{rel}"' for rel, offset in pages
    )


def _json(
    body: bytes | str, headers: dict[str, str] | None = None, status_code: int = status.HTTP_200_OK
) -> Response:
    return Response(body, status_code, headers, media_type="application/json")


@app.get("/tasks", response_model=list[TaskRead], responses=COMMON_ERRORS)
@request_threads.route
def list_tasks(request: Request, session: SessionDep, query: ListQueryDep) -> Response:
    page, total = tasks.list_tasks(session, query)
    headers = {"X-Total-Count": str(total)}
    link = _link_header(request, query, total)
    if link:
        headers["Link"] = link
    return _json(tasks_json(page), headers)


@app.get("/tasks/count", response_model=TaskCount, responses=COMMON_ERRORS)
@request_threads.route
def count_tasks(session: SessionDep, filters: FiltersDep) -> Response:
    return _json(TaskCount(total=tasks.count_tasks(session, filters)).model_dump_json())


@app.get("/tasks/stats", response_model=TaskStats, responses=COMMON_ERRORS)
@request_threads.route
def task_stats(session: SessionDep, filters: FiltersDep) -> Response:
    return _json(tasks.task_stats(session, filters).model_dump_json())


@app.post(
    "/tasks",
    response_model=TaskRead,
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(require_json)],
    responses={**_errors(413, 415), **COMMON_ERRORS},
)
@request_threads.route
def create_task(data: TaskCreate, session: SessionDep) -> Response:
    task = tasks.create_task(session, data)
    headers = {"Location": f"/tasks/{task.id}", "ETag": tasks.etag(task)}
    return _json(task_json(task), headers, status.HTTP_201_CREATED)


@app.get("/tasks/{task_id}", response_model=TaskRead, responses={**_errors(404), **COMMON_ERRORS})
@request_threads.route
def read_task(task_id: str, session: SessionDep) -> Response:
    task = tasks.get_task(session, task_id)
    return _json(task_json(task), {"ETag": tasks.etag(task)})


@request_threads.route
def update_task(
    task_id: str, changes: TaskUpdate, session: SessionDep, if_match: IfMatch = None
) -> Response:
    task = tasks.update_task(session, task_id=task_id, changes=changes.changes(), if_match=if_match)
    return _json(task_json(task), {"ETag": tasks.etag(task)})


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
@request_threads.route
def delete_task(task_id: str, session: SessionDep, if_match: IfMatch = None) -> Response:
    tasks.delete_task(session, task_id=task_id, if_match=if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def serve_head_wherever_get(app: FastAPI) -> None:
    """Answer HEAD on every GET route: the GET's status and headers, without its body.

    HTTP requires it of a general-purpose server (RFC 9110, 9.1), and monitors and `curl -I`
    use it. Starlette adds HEAD to its own routes, FastAPI does not. uvicorn leaves the body
    out. The HEAD routes go last, in the GETs' order, so that they match paths as the GETs do
    (/tasks/count before /tasks/{task_id}), and stay out of the OpenAPI document, which
    describes each operation once.
    """
    for route in list(app.router.routes):
        if isinstance(route, APIRoute) and "GET" in (route.methods or ()):
            app.add_api_route(
                route.path,
                route.endpoint,
                methods=["HEAD"],
                name=f"head_{route.name}",
                response_model=route.response_model,
                status_code=route.status_code,
                dependencies=route.dependencies,
                response_class=route.response_class,
                include_in_schema=False,
            )


serve_head_wherever_get(app)
document_query_models(app)


def match_api_routes_first(app: FastAPI) -> None:
    """Put the documentation routes (/openapi.json, /docs, /redoc) behind the API's.

    FastAPI adds them first, and a request tries the routes in order until one matches: a GET
    by id tried those four before its own (4 of its 11 path matches). No API path matches
    them, so every request still reaches the route it reached before.
    """
    app.router.routes.sort(key=lambda route: not isinstance(route, APIRoute))  # stable


match_api_routes_first(app)
