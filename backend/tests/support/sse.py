"""A server-sent events client for tests: reads a stream in a thread of its own, parsed as the
HTML standard says (fields, blank line ends an event, `:` starts a comment)."""

from __future__ import annotations

import contextlib
import json
import queue
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Message:
    event: str = "message"
    data: str = ""
    id: str | None = None
    received_at: float = field(default_factory=time.monotonic)

    def json(self) -> Any:
        return json.loads(self.data)


class EventStream:
    """`GET {url}/events` held open; `next()` gives the next event (comments are counted)."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.url = f"{url}/events"
        self.headers = {"Accept": "text/event-stream", **(headers or {})}
        self.messages: queue.Queue[Message | None] = queue.Queue()
        self.comments = 0
        self.status: int | None = None
        self.ended = threading.Event()
        self._opened = threading.Event()
        self._client = httpx.Client(timeout=httpx.Timeout(5.0, read=None))
        self._socket: socket.socket | None = None
        self._thread = threading.Thread(target=self._read, daemon=True)

    def __enter__(self) -> EventStream:
        self._thread.start()
        assert self._opened.wait(10), "the stream did not answer"
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        # Shutting the socket down wakes the reading thread at once (closing the client from
        # here would not: it is blocked in a read). httpx exposes the socket through its
        # documented "network_stream" extension.
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=5)
        self._client.close()

    def _read(self) -> None:
        try:
            with self._client.stream("GET", self.url, headers=self.headers) as response:
                self.status = response.status_code
                stream = response.extensions.get("network_stream")
                self._socket = stream.get_extra_info("socket") if stream is not None else None
                self._opened.set()
                message = Message()
                for line in response.iter_lines():
                    if line == "":
                        if message.data or message.event != "message":
                            message.received_at = time.monotonic()
                            self.messages.put(message)
                        message = Message()
                    elif line.startswith(":"):
                        self.comments += 1
                    else:
                        name, _, value = line.partition(":")
                        value = value.removeprefix(" ")
                        if name == "data":
                            message.data = f"{message.data}\n{value}" if message.data else value
                        elif name == "event":
                            message.event = value
                        elif name == "id":
                            message.id = value
        except (httpx.HTTPError, RuntimeError):
            pass  # closed by the test, or by the server
        finally:
            self._opened.set()
            self.ended.set()
            self.messages.put(None)

    def next(self, timeout: float = 5.0) -> Message:
        message = self.messages.get(timeout=timeout)
        assert message is not None, "the stream ended"
        return message

    def quiet_for(self, seconds: float) -> bool:
        """True when no event arrives for `seconds`."""
        try:
            message = self.messages.get(timeout=seconds)
        except queue.Empty:
            return True
        self.messages.put(message)
        return False
