"""Network faults between the app and its database: a silent host, and a proxy that can go silent.

There is no netem and no network namespace on these machines, so a database host that "does not
answer at all" is modelled in user space: a TCP listener that accepts connections and never sends a
byte looks, to libpq, exactly like a PostgreSQL host whose replies are dropped. `FaultProxy` sits
between the app and a real PostgreSQL and can switch to that behaviour mid-run, which also silences
the connections already pooled by the app (the hard case: a blocked `recv`, not a refused connect).
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time

from testing.postgres import free_port

_POLL_SECONDS = 0.2


def _listen(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(128)
    sock.settimeout(_POLL_SECONDS)
    return sock


class BlackHole:
    """Accepts TCP connections, reads and discards what arrives, and never answers."""

    def __init__(self) -> None:
        self.port = free_port()
        self._listener = _listen(self.port)
        self._stop = threading.Event()
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, name="blackhole", daemon=True)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                conn = None
            if conn is not None:
                conn.setblocking(False)
                self._held.append(conn)
            readable = [s for s in self._held if s.fileno() >= 0]
            if readable:
                ready, _, _ = select.select(readable, [], [], 0)
                for sock in ready:
                    with contextlib.suppress(OSError):
                        sock.recv(65536)

    def url(self, password: str = "not-a-real-password") -> str:
        return f"postgresql://taskflow:{password}@127.0.0.1:{self.port}/taskflow"

    def __enter__(self) -> BlackHole:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        for sock in self._held:
            sock.close()
        self._listener.close()


class _Link:
    """One proxied client connection and its upstream twin."""

    def __init__(self, client: socket.socket, upstream: socket.socket | None) -> None:
        self.client = client
        self.upstream = upstream
        self.silenced = upstream is None

    def close(self) -> None:
        for sock in (self.client, self.upstream):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.close()


class FaultProxy:
    """A TCP proxy to 127.0.0.1:upstream_port that can drop all traffic (`go_silent`) and heal.

    While silent, bytes in both directions are read and discarded, new connections are accepted
    but never forwarded. Healing closes the connections that went silent (as TCP would once its
    retransmissions give up) and forwards new ones again.
    """

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.port = free_port()
        self._listener = _listen(self.port)
        self._silent = threading.Event()
        self._stop = threading.Event()
        self._links: list[_Link] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, name="faultproxy", daemon=True)

    def url_for(self, database_url: str) -> str:
        """The same database URL with the proxy's port instead of PostgreSQL's."""
        return database_url.replace(f":{self.upstream_port}/", f":{self.port}/")

    def go_silent(self) -> None:
        with self._lock:
            self._silent.set()
            for link in self._links:
                link.silenced = True

    def heal(self) -> None:
        with self._lock:
            self._silent.clear()
            for link in [x for x in self._links if x.silenced]:
                link.close()
                self._links.remove(link)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            upstream = None
            if not self._silent.is_set():
                try:
                    upstream = socket.create_connection(("127.0.0.1", self.upstream_port), 5)
                except OSError:
                    client.close()
                    continue
            link = _Link(client, upstream)
            with self._lock:
                self._links.append(link)
            threading.Thread(target=self._pump, args=(link,), daemon=True).start()

    def _pump(self, link: _Link) -> None:
        """Move bytes both ways until either side closes, discarding them while silenced."""
        peers = {link.client: link.upstream}
        if link.upstream is not None:
            peers[link.upstream] = link.client
        try:
            while not self._stop.is_set():
                live = [s for s in peers if s.fileno() >= 0]
                if len(live) != len(peers):
                    return
                ready, _, _ = select.select(live, [], [], _POLL_SECONDS)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    target = peers[sock]
                    if not link.silenced and target is not None:
                        target.sendall(data)
        except (OSError, ValueError):
            return
        finally:
            link.close()
            with self._lock, contextlib.suppress(ValueError):
                self._links.remove(link)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._listener.close()
        with self._lock:
            for link in self._links:
                link.close()
            self._links.clear()
        time.sleep(_POLL_SECONDS)
