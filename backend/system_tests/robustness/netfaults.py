"""Network faults between the app and its database.

- `DroppedTraffic`: an nftables rule that drops every packet to and from one local port, so a
  PostgreSQL the app is connected to vanishes from the network mid-run (no RST, no ACK), as a host
  whose traffic is dropped does. Needs `nft` (Debian package nftables) and root.
- `BlackHole`: a TCP listener that accepts connections and never sends a byte. To libpq this is a
  database host that does not answer: the connect timeout is the only way out.
- `FaultProxy`: a user-space proxy in front of a real PostgreSQL that can go silent mid-run. The
  kernel still acknowledges what the app sends, so this is a hung server (what SIGSTOP would give),
  not lost packets: only a client-side deadline ends a query sent to it.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import socket
import subprocess
import threading
import time
import uuid

from tests.support.postgres import free_port

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


class DroppedTraffic:
    """While active, an nftables table of its own drops all TCP to and from `port` on this host."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.table = f"taskflow_drop_{uuid.uuid4().hex[:8]}"
        self.active = False

    @staticmethod
    def available() -> bool:
        return shutil.which("nft") is not None and os.geteuid() == 0

    def start(self) -> None:
        rules = (
            f"table inet {self.table} {{\n"
            "  chain out {\n"
            "    type filter hook output priority 0; policy accept;\n"
            f"    tcp dport {self.port} drop\n"
            f"    tcp sport {self.port} drop\n"
            "  }\n"
            "}\n"
        )
        subprocess.run(["nft", "-f", "-"], input=rules, text=True, check=True)
        self.active = True

    def stop(self) -> None:
        if self.active:
            subprocess.run(["nft", "delete", "table", "inet", self.table], check=True)
            self.active = False

    def __enter__(self) -> DroppedTraffic:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
