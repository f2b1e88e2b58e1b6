"""What can go wrong in a request, and the one mapping from each failure to an HTTP answer."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException
from starlette.routing import Match

logger = logging.getLogger("taskflow.errors")

RETRY_AFTER_SECONDS = 5


class TaskFlowError(Exception):
    """A failure the API answers with its own status and message."""

    status_code: int
    detail: str


class TaskNotFound(TaskFlowError):
    """No task has this id (including ids that are not UUIDs at all)."""

    status_code = 404
    detail = "Task not found"


class PreconditionFailed(TaskFlowError):
    """If-Match named a version the task no longer has."""

    status_code = 412
    detail = "The task has changed since that version (If-Match does not match)"


class UnsupportedMediaType(TaskFlowError):
    """A request body that is not declared as JSON."""

    status_code = 415
    detail = "Content-Type must be application/json"


class WriteConflict(TaskFlowError):
    """Other writers kept changing the task while this write retried."""

    status_code = 409
    detail = "The task is being changed by others; retry"


# Failures that mean "the database cannot be reached now", not "this request is wrong":
# refused or dropped connections, connect and statement timeouts, an exhausted pool.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeoutError)


def _detail(status_code: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status_code, headers=headers)


def allowed_methods(request: Request) -> str:
    """The methods of the resource at the request's path, for a 405's Allow header.

    The resource is the path template of the first route that matches, as the router tries
    them: /tasks/count is its own resource, not a task id. Starlette named only the methods of
    that first route, and each method of /tasks/{task_id} has a route of its own: a POST there
    was told "Allow: GET".
    """
    template = None
    methods: set[str] = set()
    for route in request.app.router.routes:
        path = getattr(route, "path", None)
        if template is None and route.matches(request.scope)[0] is not Match.NONE:
            template = path
        if template is not None and path == template:
            methods.update(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


def install_error_handlers(app: FastAPI) -> None:
    # Every handler is async, though none awaits anything: Starlette runs a plain `def` handler
    # in the thread pool. During an outage, a request that had already failed had to wait for a
    # free thread, behind requests still stuck connecting to the database, to be told 503.
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        response = await http_exception_handler(request, exc)
        if exc.status_code == 405:
            response.headers["Allow"] = allowed_methods(request)
        return response

    @app.exception_handler(TaskFlowError)
    async def taskflow_error(_request: Request, exc: TaskFlowError) -> JSONResponse:
        return _detail(exc.status_code, exc.detail)

    for exc_class in DATABASE_UNAVAILABLE:

        @app.exception_handler(exc_class)
        async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
            # The message names the failure, never the URL or its password.
            reason = str(getattr(exc, "orig", None) or type(exc).__name__).strip()
            logger.error(
                "database unavailable on %s %s: %s",
                request.method,
                request.url.path,
                reason.splitlines()[0] if reason else type(exc).__name__,
            )
            return _detail(
                503, "Database unavailable", headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
            )

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return _detail(500, "Internal server error")
