"""A TCP proxy that delays every client-to-server chunk by a fixed time: a database on another host.

netem is not available here (no sch_netem module), so the benchmark puts this proxy between the app
and PostgreSQL. Each chunk the app sends waits `delay` before it is forwarded, in order, without
holding up the chunks behind it (they wait concurrently), so one request/response round trip gains
about `delay`, however many connections are open. Replies pass straight through.

The proxy measures what it really adds: how late each chunk was forwarded relative to its arrival
(timer granularity and its own CPU time included); the stats are written as JSON on SIGTERM.

    python -m bench.delay_proxy --listen PORT --upstream PORT --delay-ms 1 --stats FILE
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import statistics
import time
from pathlib import Path

SAMPLE_LIMIT = 200_000


class DelayProxy:
    def __init__(self, upstream_port: int, delay_s: float) -> None:
        self.upstream_port = upstream_port
        self.delay_s = delay_s
        self.held_s: list[float] = []  # arrival to forward, per client-to-server chunk
        self.connections = 0

    async def handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            server_r, server_w = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            client_w.close()
            return
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
        tasks = [
            asyncio.create_task(self._read_delayed(client_r, queue)),
            asyncio.create_task(self._write_delayed(queue, server_w)),
            asyncio.create_task(self._pipe(server_r, client_w)),
        ]
        _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        for writer in (client_w, server_w):
            with contextlib.suppress(OSError):
                writer.close()

    async def _read_delayed(
        self, reader: asyncio.StreamReader, queue: asyncio.Queue[tuple[float, bytes]]
    ) -> None:
        while data := await reader.read(65536):
            queue.put_nowait((time.monotonic(), data))
        queue.put_nowait((time.monotonic(), b""))

    async def _write_delayed(
        self, queue: asyncio.Queue[tuple[float, bytes]], writer: asyncio.StreamWriter
    ) -> None:
        while True:
            arrived, data = await queue.get()
            wait = arrived + self.delay_s - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                return
            writer.write(data)
            await writer.drain()
            if len(self.held_s) < SAMPLE_LIMIT:
                self.held_s.append(time.monotonic() - arrived)

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()

    def stats(self) -> dict[str, float | int]:
        held = sorted(self.held_s) or [0.0]
        return {
            "configured_delay_ms": self.delay_s * 1000,
            "chunks": len(self.held_s),
            "connections": self.connections,
            "held_mean_ms": statistics.fmean(held) * 1000,
            "held_p50_ms": held[len(held) // 2] * 1000,
            "held_p99_ms": held[min(len(held) - 1, int(len(held) * 0.99))] * 1000,
        }


async def serve(listen_port: int, upstream_port: int, delay_ms: float, stats_file: Path) -> None:
    proxy = DelayProxy(upstream_port, delay_ms / 1000)
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", listen_port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()
    stats_file.write_text(json.dumps(proxy.stats(), indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--upstream", type=int, required=True)
    parser.add_argument("--delay-ms", type=float, default=1.0)
    parser.add_argument("--stats", type=Path, required=True)
    args = parser.parse_args()
    try:
        import uvloop  # installed with uvicorn[standard]; a cheaper event loop leaves more CPU

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(serve(args.listen, args.upstream, args.delay_ms, args.stats))


if __name__ == "__main__":
    main()
