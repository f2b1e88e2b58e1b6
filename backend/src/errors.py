"""What can go wrong in a request, and the one mapping from each failure to an HTTP answer."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("taskflow.errors")

RETRY_AFTER_SECONDS = 5


class TaskFlowError(Exception):
    """A failure the API answers with its own status and message."""

    status_code: int
    detail: str
    headers: dict[str, str] | None = None


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


class AccountError(TaskFlowError):
    """A refusal of the accounts API; the message may be the instance's own."""

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or self.detail)
        if detail is not None:
            self.detail = detail


_BEARER = {"WWW-Authenticate": "Bearer"}


class NotAuthenticated(AccountError):
    """No credential, or one that is malformed, expired, revoked or whose person is inactive."""

    status_code = 401
    detail = "Not authenticated"
    headers = _BEARER


class BadSignIn(AccountError):
    """Unknown email, wrong password or deactivated person: one answer for all three."""

    status_code = 401
    detail = "Incorrect email or password"
    headers = _BEARER


class Forbidden(AccountError):
    status_code = 403
    detail = "Not allowed"


class Conflict(AccountError):
    status_code = 409
    detail = "Conflict"


class NotFound(AccountError):
    status_code = 404
    detail = "Not found"


class TooManyRequests(AccountError):
    status_code = 429
    detail = "Too many requests"

    def __init__(self, detail: str | None = None, *, retry_after: int) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": str(max(1, retry_after))}


# Failures that mean "the database cannot be reached now", not "this request is wrong":
# refused or dropped connections, connect and statement timeouts, an exhausted pool.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeoutError)


_DESCRIPTIONS = {
    401: "No credential, or one that is malformed, expired or revoked",
    403: "The credential's person or scope may not do this",
    404: "Nothing here has this id",
    412: "If-Match does not match the task's current ETag",
    409: "Conflicts with what is stored (see detail)",
    413: "Request body over 1 MiB",
    415: "Request body is not JSON",
    429: "Too many attempts (retry after Retry-After seconds)",
    500: "Internal server error",
    503: "Database unavailable (retry after Retry-After seconds)",
}


class ErrorResponse(BaseModel):
    detail: str


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` of a route that can answer these errors (and always 500, 503)."""
    return {
        code: {"model": ErrorResponse, "description": _DESCRIPTIONS[code]}
        for code in sorted({*codes, 500, 503})
    }


def _detail(status_code: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status_code, headers=headers)


def allowed_methods(request: Request, routes: Iterable[BaseRoute]) -> str:
    """The methods of the resource at the request's path, for a 405's Allow header.

    The resource is the path template of the first route that matches, as the router tries
    them: /tasks/count is its own resource, not a task id. Starlette named only the methods of
    that first route, and each method of /tasks/{task_id} has a route of its own: a POST there
    was told "Allow: GET".
    """
    template = None
    methods: set[str] = set()
    for route in routes:
        path = getattr(route, "path", None)
        if template is None and route.matches(request.scope)[0] is not Match.NONE:
            template = path
        if template is not None and path == template:
            methods.update(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


def install_error_handlers(app: FastAPI, routes: Callable[[], Iterable[BaseRoute]]) -> None:
    """Map every failure to its answer; `routes` are the API's, for a 405's Allow header."""

    # Every handler is async, though none awaits anything: Starlette runs a plain `def` handler
    # in the thread pool. During an outage, a request that had already failed had to wait for a
    # free thread, behind requests still stuck connecting to the database, to be told 503.
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        response = await http_exception_handler(request, exc)
        if exc.status_code == 405:
            response.headers["Allow"] = allowed_methods(request, routes())
        return response

    @app.exception_handler(TaskFlowError)
    async def taskflow_error(_request: Request, exc: TaskFlowError) -> JSONResponse:
        return _detail(exc.status_code, exc.detail, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own answer, less what must not travel back: a password, token or invitation
        # a client sent is never repeated, in a 422 or anywhere else.
        errors = [redact_secrets(error) for error in exc.errors()]
        return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)

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


REDACTED = "[redacted]"
# Body fields and form fields that carry a secret: a 422 never repeats them.
SECRET_FIELDS = frozenset(
    {"password", "current_password", "new_password", "invitation", "token", "access_token"}
)


def redact_secrets(error: dict[str, Any]) -> dict[str, Any]:
    """A validation error without the secrets it may quote (see schemas.SECRET_FIELDS)."""
    error = dict(error)
    value = error.get("input")
    if error.get("loc") and str(error["loc"][-1]) in SECRET_FIELDS:
        error["input"] = REDACTED
    elif isinstance(value, dict):
        error["input"] = {
            key: REDACTED if key in SECRET_FIELDS else item for key, item in value.items()
        }
    return error


def internal_error() -> JSONResponse:
    return _detail(500, "Internal server error")


class UnexpectedErrors:
    """Answer an unexpected exception with a 500, log it once, and keep the connection.

    Starlette's ServerErrorMiddleware, where an `Exception` handler would run, answers and then
    re-raises, so that the server logs the error as well: the traceback was logged twice, and
    uvicorn closed the keep-alive connection, resetting the client's next request on it. It
    also sits outside every other middleware, so the 500 carried no CORS headers and a web
    page could not read it. Installed inside CORS, this answers the request and ends there.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracking_start(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_tracking_start)
        except Exception:
            logger.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if started:
                raise  # an answer is half sent: only closing the connection can end it
            await internal_error()(scope, receive, send)
