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

from bench.round_trips import RoundTripCounter

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
    # Whether every request carried `Authorization: Bearer <session>` to an app with accounts on
    # (as production runs); False: the open API (AUTH_REQUIRED=false), or the ceiling.
    authenticated: bool = False
    # The server's own CPU time during the run: per request, and as a share of its one core.
    # Near 100% busy, throughput is bounded by CPU per request, whatever the connections.
    server_cpu_ms_per_request: float | None = None
    server_core_busy: float | None = None
    # The other core's two tenants: PostgreSQL's CPU per request, and wrk's share of the core
    # (what shows the load generator is not the bottleneck).
    database_cpu_ms_per_request: float | None = None
    wrk_core_busy: float | None = None
    # Round trips, counted by PostgreSQL (bench/round_trips.py): the app's statements during the
    # run per request wrk sent, by kind, and the connections the app opened meanwhile. Only the
    # runs (slices) whose every request was answered are counted (requests_counted): a request
    # left unanswered may run its statement later, or never.
    requests_sent: int | None = None
    requests_counted: int | None = None
    statements: int | None = None
    # Of those, the pool's pings of connections that sat idle (database.py): not the routes'.
    pings: int | None = None
    # And the live board's hub's (round_trips.kind: "events"): on its own connection, beside the
    # requests; left out of the round trips per request, reported beside.
    background: int | None = None
    statements_by_kind: dict[str, int] | None = None
    connections_opened: int | None = None
    # Requests sent that had no answer when the run ended (its drain included), and the lines the
    # server logged at ERROR or CRITICAL meanwhile: both 0 in a healthy run.
    unanswered: int = 0
    server_errors_logged: int | None = None
    # (percentile, latency in µs) on wrk's grid, for merging slices; not written out.
    quantiles_us: list[tuple[float, int]] = field(default_factory=list, repr=False)

    @property
    def round_trips_per_request(self) -> float | None:
        if self.statements is None or not self.requests_counted:
            return None
        return (self.statements - (self.background or 0)) / self.requests_counted

    def as_dict(self) -> dict[str, object]:
        values = asdict(self)
        del values["quantiles_us"]
        values["round_trips_per_request"] = self.round_trips_per_request
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
    drain_seconds: float = 0.0,
    server_cpu: Callable[[], float] | None = None,
    database_cpu: Callable[[], float] | None = None,
    round_trips: RoundTripCounter | None = None,
    server_log: Path | None = None,
    files: dict[str, Path] | None = None,
    recovery_seconds: float = 0.0,
    token: str | None = None,
) -> RunResult:
    """One wrk run on CPU `cpu`; one wrk thread is plenty for a few thousand requests/s.

    With `drain_seconds`, requests are sent for `seconds` less that, and the rest of the run
    waits for the answers still to come, so the run ends with none in flight: every request
    sent is answered and counted (wrk's -d takes whole seconds). Throughput is over the time
    from the first request to the last answer. An answer that does not come in the drain is
    counted as unanswered.

    `server_cpu` and `database_cpu`, when given, read the server's and the database's CPU
    seconds so far; the run's share is reported per request. `round_trips`, when given, counts
    the app's statements from just before the run until every request sent has been answered.
    `server_log`, when given, is the server's log: the lines it gains at ERROR or CRITICAL are
    counted (a request the server fails after wrk has gone shows only there).
    `files` are extra inputs for the script (BENCH_VERSIONS, ...), by variable name.
    `recovery_seconds`: after a run that left requests unanswered, how long to wait for them to
    fail or finish (their errors are logged meanwhile, and counted), so that the next run does
    not count them.
    `token`, when given, goes with every request as `Authorization: Bearer <token>`.
    """
    command = [
        "taskset", "-c", cpu,
        "wrk", "-t", "1", "-c", str(connections), "-d", f"{round(seconds)}s",
        "--timeout", "5s", "-s", str(WRK_SCRIPT), base_url,
    ]  # fmt: skip
    env = {**os.environ, "BENCH_SCENARIO": scenario}
    if drain_seconds:
        env["BENCH_SEND_MS"] = f"{(round(seconds) - drain_seconds) * 1000:.0f}"
    if ids_file is not None:
        env["BENCH_IDS"] = str(ids_file)
    env.update({name: str(path) for name, path in (files or {}).items()})
    if token is not None:
        env["BENCH_TOKEN"] = token
    meters = {name: meter for name, meter in (("server", server_cpu), ("database", database_cpu))
              if meter}  # fmt: skip
    if round_trips is not None:
        round_trips.start()
    log_offset = server_log.stat().st_size if server_log else 0
    before = {name: meter() for name, meter in meters.items()}
    # wrk's CPU: what this process's reaped children used, read just around wrk (taskset execs it).
    children_before, started = _children_cpu(), time.monotonic()
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=seconds + 60, check=True
    )
    wrk_cpu = _children_cpu() - children_before
    used = {name: meter() - before[name] for name, meter in meters.items()}
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{done.stdout}\n{done.stderr}")
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    counted = round_trips.finish(raw["sent"]) if round_trips is not None else None
    unanswered = raw["sent"] - raw["requests"]
    if unanswered and recovery_seconds:
        time.sleep(recovery_seconds)
    # Busy shares over the time requests were in flight, not the drain's idle end.
    active = raw["active_us"] / 1e6 if raw["active_us"] else time.monotonic() - started
    result = RunResult(
        scenario=scenario,
        connections=connections,
        delayed=delayed,
        authenticated=token is not None,
        requests_per_s=raw["requests"] / active,
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
        seconds=active,
        quantiles_us=[(p, v) for p, v in raw["quantiles_us"]],
        requests_sent=raw["sent"],
        unanswered=unanswered,
        server_errors_logged=_errors_logged(server_log, log_offset) if server_log else None,
    )
    if counted is not None:
        if not result.unanswered:
            result.statements, result.requests_counted = counted.statements, raw["sent"]
            result.pings = counted.by_kind.get("ping", 0)
            result.background = counted.by_kind.get("events", 0)
        result.statements_by_kind = counted.by_kind
        result.connections_opened = counted.connections_opened
    result.wrk_core_busy = wrk_cpu / active
    if result.requests:
        if "server" in used:
            result.server_cpu_ms_per_request = used["server"] * 1000 / result.requests
            result.server_core_busy = used["server"] / active
        if "database" in used:
            result.database_cpu_ms_per_request = used["database"] * 1000 / result.requests
    return result


def _errors_logged(log: Path, offset: int) -> int:
    with log.open("rb") as lines:
        lines.seek(offset)
        return sum(1 for line in lines if b" ERROR " in line or b" CRITICAL " in line)


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
        authenticated=first.authenticated,
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
        requests_sent=_total([r.requests_sent for r in slices]),
        unanswered=sum(r.unanswered for r in slices),
        server_errors_logged=_total([r.server_errors_logged for r in slices]),
        requests_counted=_total_known([r.requests_counted for r in slices]),
        statements=_total_known([r.statements for r in slices]),
        pings=_total_known([r.pings for r in slices]),
        background=_total_known([r.background for r in slices]),
        statements_by_kind=_merged_kinds([r.statements_by_kind for r in slices]),
        connections_opened=_total([r.connections_opened for r in slices]),
    )


def _total(values: list[int | None]) -> int | None:
    """The sum, or None when a slice lacks the figure."""
    if any(v is None for v in values):
        return None
    return sum(v for v in values if v is not None)


def _total_known(values: list[int | None]) -> int | None:
    """The sum of the slices that have the figure, or None when none has it."""
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _merged_kinds(counts: list[dict[str, int] | None]) -> dict[str, int] | None:
    if any(c is None for c in counts):
        return None
    merged: dict[str, int] = {}
    for count in counts:
        for name, calls in (count or {}).items():
            merged[name] = merged.get(name, 0) + calls
    return merged


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
