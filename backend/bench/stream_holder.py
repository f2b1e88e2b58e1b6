"""Hold many open `/events` streams and count what each receives: `python -m bench.stream_holder`.

The open boards of bench.streams, in a process of their own (pinned beside wrk and PostgreSQL),
so the app sees 500 real clients. In production those clients are browsers on other machines;
here they share a core with the database, so what they cost is taken from the figures being
measured. Reading every stream as each event arrived (asyncio, a wake-up per stream and event)
cost this process 15.5 ms of CPU per change with 500 streams, more than the app's own fan-out,
and in bursts that stalled PostgreSQL. So the streams are read every READ_EVERY_S instead, with
one non-blocking `recv` per stream: the kernel keeps what arrives in between (a few KiB per
stream), and the app writes each event as it comes, exactly as before. Counting is in C
(`bytes.count`), and nothing is parsed.

The session token comes in BENCH_TOKEN (as wrk takes it), not on the command line. Protocol,
line by line: prints `OPEN <n>` once every stream has its 200 and first comment, then answers
each `COUNT` read on stdin, after reading every stream, with one JSON line
`{"data": [...], "resyncs": [...], "ended": n}` (per stream, in order). Ends at EOF on stdin.

    BENCH_TOKEN=... python -m bench.stream_holder --url http://127.0.0.1:8000 --streams 500
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import socket
import sys
from urllib.parse import urlsplit

DATA, RESYNC = b"\ndata:", b"\nevent: resync"
READ_EVERY_S = 0.5
CHUNK = 65536
OPEN_TIMEOUT_S = 30.0


class Stream:
    def __init__(self, host: str, port: int, token: str) -> None:
        self.data = 0
        self.resyncs = 0
        self.ended = False
        self._tail = b""
        self.sock = socket.create_connection((host, port), timeout=OPEN_TIMEOUT_S)
        self.sock.sendall(
            f"GET /events HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n"
            f"Authorization: Bearer {token}\r\n\r\n".encode()
        )
        # The head, then the first comment (`: connected`): the stream is subscribed by then.
        received = b""
        while not (parts := received.partition(b"\r\n\r\n"))[2]:
            chunk = self.sock.recv(CHUNK)
            if not chunk:
                raise RuntimeError(f"stream closed before its first comment: {received[:80]!r}")
            received += chunk
        head, _, body = parts
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(f"stream refused: {head.splitlines()[0]!r}")
        self.feed(body)
        self.sock.setblocking(False)

    def feed(self, chunk: bytes) -> None:
        # A token split across two reads is counted once: the tail carries its start over.
        joined = self._tail + chunk
        self.data += joined.count(DATA)
        self.resyncs += joined.count(RESYNC)
        keep = max(len(DATA), len(RESYNC)) - 1
        self._tail = joined[-keep:]

    def read(self) -> None:
        """Everything that has arrived, without waiting."""
        while not self.ended:
            try:
                chunk = self.sock.recv(CHUNK)
            except BlockingIOError:
                return
            if not chunk:
                self.ended = True
                return
            self.feed(chunk)
            if len(chunk) < CHUNK:
                return


def main(url: str, token: str, count: int) -> None:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    streams = [Stream(host, port, token) for _ in range(count)]
    print(f"OPEN {count}", flush=True)
    with selectors.DefaultSelector() as stdin:
        stdin.register(sys.stdin, selectors.EVENT_READ)
        while True:
            asked = stdin.select(timeout=READ_EVERY_S)
            for stream in streams:
                stream.read()
            if not asked:
                continue
            line = sys.stdin.readline()
            if line == "":
                break
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
    for stream in streams:
        stream.sock.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.stream_holder", description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--streams", type=int, default=500)
    args = parser.parse_args()
    main(args.url, os.environ["BENCH_TOKEN"], args.streams)
