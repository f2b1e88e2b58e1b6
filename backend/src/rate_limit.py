"""A per-client request budget for the sign-in routes, kept in each instance's memory.

It slows one client hammering /auth/*; the throttle per email (services/accounts.py) is the one
every instance shares through the database.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from starlette.requests import Request


def client_address(request: Request) -> str:
    """The address a client cannot choose.

    Behind Render's proxy (uvicorn's --forwarded-allow-ips=*), uvicorn reports the left end of
    X-Forwarded-For, which is whatever the client wrote there. The proxy appends the address it
    saw the request come from, so the right end is the one the client cannot forge. Without a
    proxy in front there is no such header to trust either way: then the socket's peer.
    """
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded:
        rightmost = forwarded.rsplit(",", 1)[-1].strip()
        if rightmost:
            return rightmost
    return request.client.host if request.client else "unknown"


class ClientBudget:
    """A token bucket per client: `per_minute` requests, refilled evenly over the minute."""

    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = 10_000,
    ) -> None:
        self.capacity = float(per_minute)
        self.refill_per_s = per_minute / 60.0
        self.clock = clock
        self.max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, at)

    def take(self, client: str) -> int | None:
        """Spend one request of `client`'s budget: None, or the seconds until one is left."""
        now = self.clock()
        tokens, at = self._buckets.get(client, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - at) * self.refill_per_s)
        if tokens < 1.0:
            self._buckets[client] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / self.refill_per_s))
        if client not in self._buckets and len(self._buckets) >= self.max_clients:
            self._forget_full(now)
        self._buckets[client] = (tokens - 1.0, now)
        return None

    def _forget_full(self, now: float) -> None:
        # A client whose bucket has refilled is indistinguishable from a new one: forget it, so
        # that many addresses cannot grow the table without bound.
        self._buckets = {
            client: (tokens, at)
            for client, (tokens, at) in self._buckets.items()
            if tokens + (now - at) * self.refill_per_s < self.capacity
        }
