"""A stand-in for Render's REST API on 127.0.0.1: the deploy and backup scripts' tests each
answer its requests their way, over this one server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

API_KEY = "rnd_test_key_that_must_never_be_printed"


class RenderHandler(BaseHTTPRequestHandler):
    """Answers in JSON, as Render's API does, and refuses a request without the API key."""

    def log_message(self, *args: object) -> None:
        pass

    def answer(self, status: int, body: dict[str, Any]) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def authorized(self) -> bool:
        if self.headers.get("Authorization") == f"Bearer {API_KEY}":
            return True
        self.answer(401, {"message": "unauthorized"})
        return False

    def json_body(self) -> Any:
        return json.loads(self.rfile.read(int(self.headers["Content-Length"])))


@contextmanager
def serving(handler: type[RenderHandler]) -> Iterator[str]:
    """Serve `handler` on a free port until the block ends; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
