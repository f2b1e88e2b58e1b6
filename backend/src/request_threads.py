"""RequestThreads: the threads the task routes run in, at a third of the thread pool's cost.

FastAPI runs a plain `def` route in anyio's thread pool: a capacity limiter, a cancel scope, a
queue.Queue (its locks and conditions in Python) and an extra pass of the event loop, 88 µs of
CPU a request around a trivial route (measured on a bare app), a fifth of a GET's. A route
decorated with RequestThreads.route is an `async def` to FastAPI, so FastAPI calls it on the
event loop; its body is handed to a thread of these through a SimpleQueue (in C), and its
result comes back by one call_soon_threadsafe: 31 µs. What the route does, and the order in
which waiting requests get a thread, are as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import threading
from collections.abc import Awaitable, Callable
from queue import SimpleQueue
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

_Job = tuple[
    asyncio.AbstractEventLoop,
    "asyncio.Future[Any]",
    contextvars.Context,
    Callable[..., Any],
    tuple[Any, ...],
    dict[str, Any],
]


class RequestThreads:
    """`size` threads, started on first use, running blocking calls for the event loop."""

    def __init__(self, size: int, name: str = "request") -> None:
        if size < 1:
            raise ValueError("at least one thread")
        self.size = size
        self._name = name
        self._jobs: SimpleQueue[_Job] = SimpleQueue()
        self._started = False
        self._start_lock = threading.Lock()

    async def run(self, function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """`function(*args, **kwargs)`'s result, computed in one of the threads.

        It runs in a copy of the caller's context (context variables), as anyio's threads do.
        Should the caller be cancelled while the call waits for a thread, it is not made, as
        with anyio; once it has begun, it runs to its end (its thread is not interrupted: a
        write it began is committed or rolled back), and what it returns is dropped.
        """
        if not self._started:
            self._start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put((loop, future, contextvars.copy_context(), function, args, kwargs))
        return await future

    def route(self, endpoint: Callable[P, T]) -> Callable[P, Awaitable[T]]:
        """`endpoint` as an async FastAPI route whose body runs in one of these threads.

        FastAPI reads the route's parameters from `endpoint` itself (through `__wrapped__`),
        and documents it the same way.
        """

        @functools.wraps(endpoint)
        async def in_request_thread(*args: P.args, **kwargs: P.kwargs) -> T:
            return await self.run(endpoint, *args, **kwargs)

        return in_request_thread

    def _start(self) -> None:
        with self._start_lock:
            if self._started:
                return
            for number in range(self.size):
                # Daemon threads: a graceful stop first waits for the requests in flight,
                # and with them for every call these threads were given.
                threading.Thread(
                    target=self._work, name=f"{self._name}-{number}", daemon=True
                ).start()
            self._started = True

    def _work(self) -> None:
        while True:
            _do(*self._jobs.get())


def _do(
    loop: asyncio.AbstractEventLoop,
    future: asyncio.Future[Any],
    context: contextvars.Context,
    function: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> None:
    if future.cancelled():  # its caller gave up while it waited for a thread
        return
    try:
        result = context.run(function, *args, **kwargs)
    except BaseException as exc:  # handed to the awaiting request, to be raised there
        outcome: tuple[Any, BaseException | None] = (None, exc)
    else:
        outcome = (result, None)
    with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is waiting any more
        loop.call_soon_threadsafe(_settle, future, *outcome)


def _settle(future: asyncio.Future[Any], result: Any, exc: BaseException | None) -> None:
    if future.cancelled():
        return
    if exc is None:
        future.set_result(result)
    elif isinstance(exc, StopIteration):  # a Future refuses it (it would end a generator)
        future.set_exception(RuntimeError(f"the call raised {exc!r}"))
    else:
        future.set_exception(exc)
