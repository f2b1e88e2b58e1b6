"""Headers every answer carries: nosniff everywhere, no-store on the task API's answers."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ResponseHeaders:
    """A pure ASGI middleware (Starlette's documented pattern) that adds the headers as an
    answer starts, whoever produced it: a route, an error handler or another middleware."""

    def __init__(self, app: ASGIApp, *, no_store_prefixes: tuple[str, ...]) -> None:
        self.app = app
        self.no_store_prefixes = no_store_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Tasks change under a client's feet: a cached copy (a shared proxy's, the browser's
        # back button) would show a board that is no longer true, to whoever reads it next.
        no_store = scope["path"].startswith(self.no_store_prefixes)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                # A browser must not guess another type than the one declared (a JSON answer
                # read as HTML would run whatever a task's text holds).
                headers["X-Content-Type-Options"] = "nosniff"
                if no_store and "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
