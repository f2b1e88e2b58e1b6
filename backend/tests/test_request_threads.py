"""RequestThreads: blocking calls run in its own threads, at most `size` at once, and their
results and errors come back to the awaiting coroutine as if it had made the call itself."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from collections.abc import Awaitable
from typing import Annotated, TypeVar

import pytest
from fastapi import FastAPI, Header
from fastapi.testclient import TestClient

from src.request_threads import RequestThreads

T = TypeVar("T")

_REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="none")
# A broken hand-back would leave the caller waiting forever: fail instead.
_PATIENCE_S = 5


def _soon(awaitable: Awaitable[T]) -> Awaitable[T]:
    return asyncio.wait_for(awaitable, _PATIENCE_S)


def test_a_call_runs_in_one_of_the_threads_and_gives_its_result() -> None:
    threads = RequestThreads(2, name="tested")

    async def main() -> tuple[str, str]:
        return threading.current_thread().name, await threads.run(
            lambda: threading.current_thread().name
        )

    loop_thread, call_thread = asyncio.run(main())
    assert call_thread in {"tested-0", "tested-1"}
    assert loop_thread != call_thread


def test_arguments_and_the_callers_context_reach_the_call() -> None:
    threads = RequestThreads(1)

    def describe(a: int, /, b: int, *, c: int) -> str:
        return f"{a} {b} {c} {_REQUEST_ID.get()}"

    async def main() -> str:
        _REQUEST_ID.set("r-42")
        return await threads.run(describe, 1, 2, c=3)

    assert asyncio.run(main()) == "1 2 3 r-42"


def test_an_error_is_raised_to_the_caller_and_the_thread_goes_on() -> None:
    threads = RequestThreads(1)
    error = LookupError("no such task")

    def fail() -> None:
        raise error

    async def main() -> str:
        with pytest.raises(LookupError) as raised:
            await threads.run(fail)
        assert raised.value is error
        with pytest.raises(RuntimeError, match="StopIteration"):  # a Future cannot hold it
            await _soon(threads.run(next, iter([])))
        return await _soon(threads.run(lambda: "still working"))

    assert asyncio.run(main()) == "still working"


def test_no_more_calls_run_at_once_than_there_are_threads() -> None:
    threads = RequestThreads(3)
    running = 0
    most = 0
    lock = threading.Lock()

    def hold() -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1

    async def main() -> None:
        await asyncio.gather(*(threads.run(hold) for _ in range(9)))

    asyncio.run(main())
    assert most == 3


def test_a_cancelled_caller_leaves_its_call_to_finish() -> None:
    threads = RequestThreads(1)
    release = threading.Event()
    finished = threading.Event()

    def slow_write() -> str:
        release.wait(5)
        finished.set()
        return "committed"

    loop_errors = []

    async def main() -> str:
        asyncio.get_running_loop().set_exception_handler(lambda _, error: loop_errors.append(error))
        caller = asyncio.create_task(threads.run(slow_write))
        await asyncio.sleep(0.05)
        caller.cancel()
        with pytest.raises(asyncio.CancelledError):
            await caller
        release.set()
        # The one thread is free again only once the call has ended.
        return await _soon(threads.run(lambda: "next"))

    assert asyncio.run(main()) == "next"
    assert finished.is_set()
    assert loop_errors == []  # the late result was dropped, not set on the cancelled future


def test_a_call_whose_caller_gave_up_before_it_began_is_not_made() -> None:
    threads = RequestThreads(1)
    release = threading.Event()
    made: list[str] = []

    async def main() -> str:
        busy = asyncio.ensure_future(threads.run(release.wait, 5))
        waiting = asyncio.ensure_future(threads.run(made.append, "write"))
        await asyncio.sleep(0.05)
        waiting.cancel()
        await asyncio.sleep(0)  # the cancellation reaches the call's future
        release.set()
        await _soon(busy)
        return await _soon(threads.run(lambda: "next"))

    assert asyncio.run(main()) == "next"
    assert made == []


def test_a_result_for_a_closed_loop_is_dropped_and_the_thread_goes_on() -> None:
    threads = RequestThreads(1)
    release = threading.Event()

    async def abandon() -> None:
        left = asyncio.ensure_future(threads.run(release.wait, 5))
        await asyncio.sleep(0.05)
        assert not left.done()

    asyncio.run(abandon())  # closes its loop with the call still running
    release.set()

    async def main() -> str:
        return await _soon(threads.run(lambda: "next"))

    assert asyncio.run(main()) == "next"


def test_a_route_runs_in_the_threads_and_keeps_its_parameters() -> None:
    threads = RequestThreads(1, name="routes")
    app = FastAPI()

    @app.get("/items/{item_id}")
    @threads.route
    def read_item(item_id: int, x_token: Annotated[str, Header()] = "none") -> dict[str, str]:
        """Read an item."""
        return {"item": str(item_id), "token": x_token, "thread": threading.current_thread().name}

    with TestClient(app) as client:
        assert client.get("/items/7", headers={"X-Token": "t"}).json() == {
            "item": "7",
            "token": "t",
            "thread": "routes-0",
        }
        assert client.get("/items/seven").status_code == 422  # validated as declared
        operation = client.get("/openapi.json").json()["paths"]["/items/{item_id}"]["get"]
    assert operation["operationId"] == "read_item_items__item_id__get"
    assert operation["description"] == "Read an item."
    assert [parameter["name"] for parameter in operation["parameters"]] == ["item_id", "x-token"]


def test_there_is_at_least_one_thread() -> None:
    with pytest.raises(ValueError, match="at least one"):
        RequestThreads(0)
