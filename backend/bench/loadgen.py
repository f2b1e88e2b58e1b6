"""wrk as the load generator: one run of one scenario, pinned to its own core, parsed."""

from __future__ import annotations

import bisect
import json
import os
import resource
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

WRK_SCRIPT = Path(__file__).resolve().parent / "wrk" / "taskflow.lua"


@dataclass
class RunResult:
    scenario: str
    connections: int
    delayed: bool
    requests_per_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    requests: int
    non_2xx: int
    socket_errors: int
    seconds: float
    ratio_to_ceiling: float | None = None
    # The server's own CPU time during the run: per request, and as a share of its one core.
    # Near 100% busy, throughput is bounded by CPU per request, whatever the connections.
    server_cpu_ms_per_request: float | None = None
    server_core_busy: float | None = None
    # The other core's two tenants: PostgreSQL's CPU per request, and wrk's share of the core
    # (what shows the load generator is not the bottleneck).
    database_cpu_ms_per_request: float | None = None
    wrk_core_busy: float | None = None
    # (percentile, latency in µs) on wrk's grid, for merging slices; not written out.
    quantiles_us: list[tuple[float, int]] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict[str, object]:
        values = asdict(self)
        del values["quantiles_us"]
        return values


def run_wrk(
    *,
    base_url: str,
    scenario: str,
    connections: int,
    seconds: float,
    cpu: str,
    ids_file: Path | None,
    delayed: bool = False,
    server_cpu: Callable[[], float] | None = None,
    database_cpu: Callable[[], float] | None = None,
) -> RunResult:
    """One wrk run on CPU `cpu`; one wrk thread is plenty for a few thousand requests/s.

    `server_cpu` and `database_cpu`, when given, read the server's and the database's CPU
    seconds so far; the run's share is reported per request.
    """
    command = [
        "taskset", "-c", cpu,
        "wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds:g}s",
        "--timeout", "5s", "-s", str(WRK_SCRIPT), base_url,
    ]  # fmt: skip
    env = {**os.environ, "BENCH_SCENARIO": scenario}
    if ids_file is not None:
        env["BENCH_IDS"] = str(ids_file)
    meters = {name: meter for name, meter in (("server", server_cpu), ("database", database_cpu))
              if meter}  # fmt: skip
    before = {name: meter() for name, meter in meters.items()}
    # wrk's CPU: what this process's reaped children used, read just around wrk (taskset execs it).
    children_before, started = _children_cpu(), time.monotonic()
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=seconds + 60, check=True
    )
    wrk_cpu, elapsed = _children_cpu() - children_before, time.monotonic() - started
    used = {name: meter() - before[name] for name, meter in meters.items()}
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{done.stdout}\n{done.stderr}")
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    result = RunResult(
        scenario=scenario,
        connections=connections,
        delayed=delayed,
        requests_per_s=raw["requests"] / (raw["duration_us"] / 1e6),
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        requests=raw["requests"],
        non_2xx=raw["non2xx"],
        socket_errors=raw["connect_errors"]
        + raw["read_errors"]
        + raw["write_errors"]
        + raw["timeouts"],
        seconds=raw["duration_us"] / 1e6,
        quantiles_us=[(p, v) for p, v in raw["quantiles_us"]],
    )
    result.wrk_core_busy = wrk_cpu / elapsed
    if result.requests:
        if "server" in used:
            result.server_cpu_ms_per_request = used["server"] * 1000 / result.requests
            result.server_core_busy = used["server"] / elapsed
        if "database" in used:
            result.database_cpu_ms_per_request = used["database"] * 1000 / result.requests
    return result


def merge_slices(slices: Sequence[RunResult]) -> RunResult:
    """One result from several runs of one scenario at one number of connections, as if they had
    been one run: sums for counts and time, CPU per request over all the requests, and latency
    percentiles from the runs' distributions weighted by their requests (to wrk's grid: 0.1 of
    a percentile in the tail).

    The benchmark splits each run into slices taken in turn with the other connection counts,
    so that the figures it compares (1 against 16 connections) see the same machine.
    """
    first = slices[0]
    requests = sum(r.requests for r in slices)
    seconds = sum(r.seconds for r in slices)

    def by_requests(r: RunResult) -> float:
        return r.requests

    def by_seconds(r: RunResult) -> float:
        return r.seconds

    def mean(
        value: Callable[[RunResult], float | None], weight: Callable[[RunResult], float]
    ) -> float | None:
        """The runs' `value`, weighted by `weight`; None when a run lacks it."""
        pairs = [(value(r), weight(r)) for r in slices]
        total = sum(w for _, w in pairs)
        if not total or any(v is None for v, _ in pairs):
            return None
        return sum(v * w for v, w in pairs if v is not None) / total

    # Each run's distribution as (requests, latencies, percentiles at those latencies).
    distributions = [
        (r.requests, [v for _, v in r.quantiles_us], [p for p, _ in r.quantiles_us])
        for r in slices
        if r.requests and r.quantiles_us
    ]

    def percentile_ms(p: float) -> float:
        """The least latency at or under which p% of all the runs' requests finished."""
        weight = sum(n for n, _, _ in distributions)
        for latency in sorted({v for _, values, _ in distributions for v in values}):
            done = 0.0
            for n, values, percents in distributions:
                at = bisect.bisect_right(values, latency)  # grid points at or under it
                done += n * (percents[at - 1] / 100 if at else 0.0)
            if done >= p / 100 * weight:
                return latency / 1000
        return max((r.max_ms for r in slices), default=0.0)

    return RunResult(
        scenario=first.scenario,
        connections=first.connections,
        delayed=first.delayed,
        requests_per_s=requests / seconds if seconds else 0.0,
        p50_ms=percentile_ms(50),
        p90_ms=percentile_ms(90),
        p99_ms=percentile_ms(99),
        max_ms=max(r.max_ms for r in slices),
        requests=requests,
        non_2xx=sum(r.non_2xx for r in slices),
        socket_errors=sum(r.socket_errors for r in slices),
        seconds=seconds,
        server_cpu_ms_per_request=mean(lambda r: r.server_cpu_ms_per_request, by_requests),
        server_core_busy=mean(lambda r: r.server_core_busy, by_seconds),
        database_cpu_ms_per_request=mean(lambda r: r.database_cpu_ms_per_request, by_requests),
        wrk_core_busy=mean(lambda r: r.wrk_core_busy, by_seconds),
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
