"""What a request body must be before a route sees it: at most 1 MiB, JSON, and JSON text."""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from src.errors import UnsupportedMediaType

MAX_BODY_BYTES = 1024 * 1024


class RequestBodyGuard:
    """Answer 413 to bodies over the limit, and 422 to JSON bodies that are not JSON text,
    before anything parses them.

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


# Async, though it awaits nothing: FastAPI runs a plain `def` dependency in the thread pool, a
# thread hop of its own for every write.
async def require_json(request: Request) -> None:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json" and not content_type.endswith("+json"):
        raise UnsupportedMediaType
