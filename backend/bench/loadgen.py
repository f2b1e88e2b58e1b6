"""wrk as the load generator: one run of one scenario, pinned to its own core, parsed."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
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
    ratio_to_ceiling: float | None = None
    # The server's own CPU time during the run: per request, and as a share of its one core.
    # Near 100% busy, throughput is bounded by CPU per request, whatever the connections.
    server_cpu_ms_per_request: float | None = None
    server_core_busy: float | None = None
    # The other core's two tenants: PostgreSQL's CPU per request, and wrk's share of the core
    # (what shows the load generator is not the bottleneck).
    database_cpu_ms_per_request: float | None = None
    wrk_core_busy: float | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


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
    )
    result.wrk_core_busy = wrk_cpu / elapsed
    if result.requests:
        if "server" in used:
            result.server_cpu_ms_per_request = used["server"] * 1000 / result.requests
            result.server_core_busy = used["server"] / elapsed
        if "database" in used:
            result.database_cpu_ms_per_request = used["database"] * 1000 / result.requests
    return result


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
