"""What can go wrong in a request, and the one mapping from each failure to an HTTP answer."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

logger = logging.getLogger("taskflow.errors")

RETRY_AFTER_SECONDS = 5


class TaskNotFound(Exception):
    """No task has this id (including ids that are not UUIDs at all)."""


class PreconditionFailed(Exception):
    """If-Match named a version the task no longer has."""


class UnsupportedMediaType(Exception):
    """A request body that is not declared as JSON."""


class WriteConflict(Exception):
    """Other writers kept changing the task while this write retried."""


# Failures that mean "the database cannot be reached now", not "this request is wrong":
# refused or dropped connections, connect and statement timeouts, an exhausted pool.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeoutError)


def _detail(status_code: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status_code, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TaskNotFound)
    def not_found(_request: Request, _exc: TaskNotFound) -> JSONResponse:
        return _detail(404, "Task not found")

    @app.exception_handler(PreconditionFailed)
    def precondition_failed(_request: Request, _exc: PreconditionFailed) -> JSONResponse:
        return _detail(412, "The task has changed since that version (If-Match does not match)")

    @app.exception_handler(UnsupportedMediaType)
    def unsupported_media_type(_request: Request, _exc: UnsupportedMediaType) -> JSONResponse:
        return _detail(415, "Content-Type must be application/json")

    @app.exception_handler(WriteConflict)
    def write_conflict(_request: Request, _exc: WriteConflict) -> JSONResponse:
        return _detail(409, "The task is being changed by others; retry")

    for exc_class in DATABASE_UNAVAILABLE:

        @app.exception_handler(exc_class)
        def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
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
    def internal_error(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return _detail(500, "Internal server error")
