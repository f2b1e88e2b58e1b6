"""Hold many open `/events` streams and count what each receives: `python -m bench.stream_holder`.

The open boards of bench.streams, in a process of their own (pinned beside wrk), so the app sees
500 real clients. Each stream reads the raw bytes and counts `data:` lines and `event: resync`
lines in C (`bytes.count`), so keeping up costs little CPU however fast events come.

The session token comes in BENCH_TOKEN (as wrk takes it), not on the command line. Protocol,
line by line: prints `OPEN <n>` once every stream has its 200 and first comment, then answers
each `COUNT` read on stdin with one JSON line `{"data": [...], "resyncs": [...], "ended": n}`
(per stream, in order). Ends at EOF on stdin.

    BENCH_TOKEN=... python -m bench.stream_holder --url http://127.0.0.1:8000 --streams 500
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from urllib.parse import urlsplit

DATA, RESYNC = b"\ndata:", b"\nevent: resync"
# Opening this many at a time keeps the connect burst under the server's listen backlog.
OPEN_BATCH = 50


class Stream:
    def __init__(self) -> None:
        self.data = 0
        self.resyncs = 0
        self.ended = False
        self.received = 0
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        # A token split across two reads is counted once: the tail carries its start over.
        self.received += len(chunk)
        joined = self._tail + chunk
        self.data += joined.count(DATA)
        self.resyncs += joined.count(RESYNC)
        keep = max(len(DATA), len(RESYNC)) - 1
        self._tail = joined[-keep:]


async def hold(stream: Stream, host: str, port: int, token: str, opened: asyncio.Event) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(
        f"GET /events HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n"
        f"Authorization: Bearer {token}\r\n\r\n".encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(f"stream refused: {head.splitlines()[0]!r}")
    opened.set()
    try:
        while chunk := await reader.read(65536):
            stream.feed(chunk)
    finally:
        stream.ended = True
        writer.close()


async def main(url: str, token: str, count: int) -> None:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    streams = [Stream() for _ in range(count)]
    tasks = []
    for start in range(0, count, OPEN_BATCH):
        batch = []
        for stream in streams[start : start + OPEN_BATCH]:
            opened = asyncio.Event()
            tasks.append(asyncio.create_task(hold(stream, host, port, token, opened)))
            batch.append(opened)
        await asyncio.wait_for(asyncio.gather(*(event.wait() for event in batch)), 30)
    # The first comment (`: connected`) follows the head: every stream is subscribed by then.
    while any(stream.received == 0 for stream in streams):
        await asyncio.sleep(0.05)
    print(f"OPEN {count}", flush=True)
    loop = asyncio.get_running_loop()
    while (line := await loop.run_in_executor(None, sys.stdin.readline)) != "":
        if line.strip() == "COUNT":
            print(
                json.dumps(
                    {
                        "data": [s.data for s in streams],
                        "resyncs": [s.resyncs for s in streams],
                        "ended": sum(s.ended for s in streams),
                    }
                ),
                flush=True,
            )
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.stream_holder", description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--streams", type=int, default=500)
    args = parser.parse_args()
    asyncio.run(main(args.url, os.environ["BENCH_TOKEN"], args.streams))
