"""The load benchmark (`make bench`): TaskFlow on a local PostgreSQL holding 10,000 tasks.

Phases: the ceiling app; the app straight on PostgreSQL, authenticated as production runs it
(accounts on, a SECRET_KEY, every request carrying a session as `Authorization: Bearer`), then
the open API beside it (AUTH_REQUIRED=false); the same two through a proxy that adds about 1 ms to
every database round trip. Each scenario (one endpoint each, and a mix) runs authenticated at 1,
16 and 64 connections, and open at fewer (OPEN_CONNECTIONS), with wrk pinned to the core the
server is not on, and PostgreSQL counts the statements the app sends (bench/round_trips.py).
Prints a table and the verdict on the targets, writes JSON and a PNG chart, and rewrites the
figures section of docs/PERFORMANCE.md.

    cd backend && uv run --frozen python -m bench.run [--seconds 6] [--out bench/results]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench import round_trips
from bench.data import TASKS, BenchData
from bench.loadgen import RunResult, merge_slices, run_wrk
from bench.report import (
    auth_table,
    chart,
    cpu_table,
    endpoint_table,
    load_runs,
    markdown_table,
    no_longer_targets,
    table,
    update_docs,
    verdicts,
    write_json,
)
from bench.round_trips import RoundTripCounter
from bench.servers import (
    PRODUCTION_FLAGS,
    DelayProxyProcess,
    PinnedAppServer,
    measure_round_trip_ms,
    pin_postgres,
    postgres_cpu_seconds,
)
from tests.support.postgres import ThrowawayPostgres, find_bindir
from tests.support.server import BACKEND_DIR

CONNECTIONS = (1, 16, 64)
# The open API beside the authenticated one: every scenario, at fewer connections, so that the
# whole bench stays within about 12 minutes on 2 cores. Direct: 1 and 16 (latency alone, and the
# throughput and p99 the targets name); through the delay: 1 (the p50 target's figure).
OPEN_CONNECTIONS = {False: (1, 16), True: (1,)}
# Each run of a scenario is taken in slices of about this many seconds (wrk takes whole
# seconds), in turn with the other connection counts, and at most this many slices. The last
# DRAIN_SECONDS of a slice send nothing: they wait for the answers in flight, so that every
# request sent is answered and its statements counted.
SLICE_SECONDS, MAX_SLICES, DRAIN_SECONDS = 3, 5, 0.5
# After a slice that left requests unanswered (a stall: see PERFORMANCE.md), wait this long, a
# little more than the pool's checkout timeout (DB_POOL_TIMEOUT), so that they have failed or
# finished before the next slice starts and are not counted in it.
RECOVERY_SECONDS = 6.0
# 6 s a run (2 slices, 5 s of them sending): 93 runs, the whole bench in about 12 minutes.
DEFAULT_SECONDS = 6.0
SCENARIOS = [
    "health", "get", "list", "count", "stats", "create", "update", "put_if_match", "delete", "mix",
]  # fmt: skip
# Scenarios that change the tasks: the table is reset after each.
WRITES = {"create", "update", "put_if_match", "delete", "mix"}
SERVER_CPU, LOAD_CPU = "0", "1"
TARGET_ADDED_RTT_MS = 1.0
APP_ENV = {"ENVIRONMENT": "production", "LOG_LEVEL": "INFO"}
# The bench's admin, created by the app at its first start (ADMIN_EMAIL), signs in once per
# phase; the session's token goes with every request of the authenticated runs.
ADMIN_EMAIL = "bench-admin@example.com"


@dataclass(frozen=True)
class Mode:
    """How the app is configured in a phase: authenticated as production, or the open API."""

    authenticated: bool
    env: dict[str, str]
    admin_password: str = ""

    @classmethod
    def production(cls) -> Mode:
        """As render.yaml runs it: production, accounts on, a random SECRET_KEY for the run."""
        password = "bench-" + secrets.token_urlsafe(24)
        env = {
            **APP_ENV,
            "AUTH_REQUIRED": "true",
            "SECRET_KEY": secrets.token_urlsafe(32),
            "ADMIN_EMAIL": ADMIN_EMAIL,
            "ADMIN_PASSWORD": password,
        }
        return cls(True, env, password)

    @classmethod
    def open_api(cls) -> Mode:
        # Production refuses AUTH_REQUIRED=false, so another ENVIRONMENT; everything else equal.
        return cls(False, {**APP_ENV, "ENVIRONMENT": "bench-open", "AUTH_REQUIRED": "false"})

    @property
    def label(self) -> str:
        return "authenticated" if self.authenticated else "open API"

    def sign_in(self, base_url: str) -> str | None:
        """The session token the runs send, or None for the open API."""
        if not self.authenticated:
            return None
        response = httpx.post(
            f"{base_url}/auth/token",
            data={"username": ADMIN_EMAIL, "password": self.admin_password},
            timeout=30,
        )
        response.raise_for_status()
        token: str = response.json()["access_token"]
        return token


REPO = BACKEND_DIR.parent
APP = "src.app:app"
# The committed run of 2026-11-24 05:05 on the code before issue 21 (its own request threads,
# direct reads, orjson; a transaction per write): the figures "before" beside today's.
BEFORE = BACKEND_DIR / "bench" / "results" / "before-issue-21.json"


def slicing(seconds: float) -> tuple[int, int]:
    """How many slices a run of `seconds` is taken in, and the whole seconds of each."""
    count = max(1, min(MAX_SLICES, round(seconds / SLICE_SECONDS)))
    return count, max(1, round(seconds / count))


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def machine() -> dict[str, Any]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    bindir = find_bindir()

    def version(*command: str) -> str:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        return (done.stdout or done.stderr).splitlines()[0].strip()

    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "os": version("sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"),
        "python": platform.python_version(),
        "postgresql": version(str(bindir / "postgres"), "--version") if bindir else None,
        "wrk": version("wrk", "--version"),
        "server_cpu": SERVER_CPU,
        "load_and_database_cpu": LOAD_CPU,
    }


# A fixed piece of pure-Python work, timed in CPU seconds on the server's core: best of 5, so
# one preemption does not count. The same code's CPU per request moves with the machine (these
# are shared hosts, and neither steal time nor the load average shows it), so each run says how
# fast the core was at the start, between the phases and at the end. It sees slow computation,
# not every slow spell: syscalls and thread wake-ups can slow down while it does not.
SPEED_PROBE = """
import time
best = 1e9
for _ in range(5):
    started = time.process_time()
    sum(range(2_000_000))
    best = min(best, time.process_time() - started)
print(best * 1000)
"""


def core_speed_ms() -> float:
    """Milliseconds of CPU the fixed work took on the server's core (lower is faster)."""
    done = subprocess.run(
        ["taskset", "-c", SERVER_CPU, sys.executable, "-c", SPEED_PROBE],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return round(float(done.stdout), 1)


def check_tools() -> None:
    missing = [tool for tool in ("wrk", "taskset") if shutil.which(tool) is None]
    if find_bindir() is None:
        missing.append("PostgreSQL server binaries")
    if missing:
        sys.exit(f"bench: missing {', '.join(missing)} (apt-get install wrk util-linux postgresql)")
    if (os.cpu_count() or 1) < 2:
        sys.exit("bench: needs 2 cores (server on one, load generator on the other)")


def run_scenarios(
    *,
    server: PinnedAppServer,
    names: list[str],
    seconds: float,
    data: BenchData | None,
    delayed: bool,
    database_cpu: Callable[[], float] | None = None,
    counter: RoundTripCounter | None = None,
    connections: tuple[int, ...] = CONNECTIONS,
    token: str | None = None,
    reset: bool = True,
) -> list[RunResult]:
    """Each scenario at each number of connections for `seconds`, in slices taken in turn (1, 16,
    64, 1, 16, 64, ...): the machine's speed drifts within minutes, and a comparison between two
    connection counts measured one after the other would include the drift. With `reset`, the
    tasks are put back after each scenario that changes them."""
    results = []
    count, slice_seconds = slicing(seconds)
    for name in names:
        slices: dict[int, list[RunResult]] = {conns: [] for conns in connections}
        for _ in range(count):
            for conns in connections:
                ids_file, files = data.inputs(name) if data else (None, {})
                result = run_wrk(
                    base_url=server.url,
                    scenario=name,
                    connections=conns,
                    seconds=slice_seconds,
                    cpu=LOAD_CPU,
                    ids_file=ids_file,
                    delayed=delayed,
                    drain_seconds=DRAIN_SECONDS,
                    server_cpu=server.cpu_seconds,
                    database_cpu=database_cpu,
                    round_trips=counter,
                    server_log=server.logfile,
                    files=files,
                    recovery_seconds=RECOVERY_SECONDS,
                    token=token,
                )
                if data:
                    data.used(name, result.requests_sent or 0)
                if result.unanswered:
                    log(f"{name} c={conns}: {result.unanswered} of {result.requests_sent} "
                        f"requests unanswered in the run; {result.server_errors_logged} errors "
                        f"logged by the server by {RECOVERY_SECONDS:g} s later")  # fmt: skip
                slices[conns].append(result)
        for conns in connections:
            result = merge_slices(slices[conns])
            trips = result.round_trips_per_request
            log(
                f"{'+delay' if delayed else 'direct'} {'auth' if token else 'open'} "
                f"{name:<12} c={conns:<3} "
                f"{result.requests_per_s:6.0f} req/s  p50 {result.p50_ms:6.2f} ms  "
                f"p99 {result.p99_ms:7.2f} ms  non-2xx {result.non_2xx}  "
                f"errors {result.socket_errors}  unanswered {result.unanswered}  "
                f"server errors {result.server_errors_logged}  "
                + (f"{trips:.3f} round trips/request {result.statements_by_kind}, "
                   f"{result.connections_opened} connections opened  " if trips is not None
                   else "")
                + f"server {result.server_core_busy or 0:.0%} busy, "
                f"{result.server_cpu_ms_per_request or 0:.2f} ms CPU/request, "
                f"database {result.database_cpu_ms_per_request or 0:.2f} ms, "
                f"wrk {result.wrk_core_busy or 0:.0%} busy"
            )  # fmt: skip
            results.append(result)
        if reset and name in WRITES and data:
            data.reset()
    return results


def app_phase(
    postgres: ThrowawayPostgres,
    url: str,
    data: BenchData,
    counter: RoundTripCounter,
    seconds: float,
    delayed: bool,
    warmup: float,
    app: str,
    mode: Mode,
) -> list[RunResult]:
    server = PinnedAppServer(
        url, cpus=SERVER_CPU, env=mode.env, app=app, extra_args=PRODUCTION_FLAGS
    )
    server.start()
    try:
        health = httpx.get(f"{server.url}/health", timeout=10).json()
        if health.get("tasks_count") != TASKS:
            raise RuntimeError(f"unexpected /health before the run: {health}")
        token = mode.sign_in(server.url)  # outside the runs: not counted
        run_wrk(base_url=server.url, scenario="mix", connections=16, seconds=warmup,
                cpu=LOAD_CPU, ids_file=data.ids_file, token=token)  # fmt: skip
        data.reset()
        connections = CONNECTIONS if mode.authenticated else OPEN_CONNECTIONS[delayed]
        return run_scenarios(
            server=server, names=SCENARIOS, seconds=seconds, data=data, delayed=delayed,
            database_cpu=lambda: postgres_cpu_seconds(postgres), counter=counter,
            connections=connections, token=token,
        )  # fmt: skip
    finally:
        server.stop()


def start_calibrated_proxy(
    postgres: ThrowawayPostgres, url: str, workdir: Path
) -> tuple[DelayProxyProcess, dict[str, float]]:
    """Start the proxy, then correct its hold time once so the measured added round trip is ~1 ms
    (timer granularity and the proxy's own forwarding cost come on top of the configured hold).

    The proxy's timers have millisecond granularity, so a correction can overshoot (a hold of
    0.33 ms added 0.18 ms); of the two holds tried, the one that came closer to 1 ms is kept.
    """
    direct = measure_round_trip_ms(url)
    tried: list[tuple[float, DelayProxyProcess, float, float]] = []  # miss, proxy, hold, proxied
    delay = TARGET_ADDED_RTT_MS
    for attempt in range(2):
        proxy = DelayProxyProcess(
            postgres.port, delay, LOAD_CPU, workdir / f"proxy-stats-{attempt}.json"
        )
        proxied = measure_round_trip_ms(url.replace(f":{postgres.port}/", f":{proxy.port}/"))
        off_by = proxied - direct - TARGET_ADDED_RTT_MS
        tried.append((abs(off_by), proxy, delay, proxied))
        if abs(off_by) < 0.1:
            break
        delay = max(0.3, delay - off_by)
    _, proxy, delay, proxied = min(tried, key=lambda t: t[0])
    for _, other, _, _ in tried:
        if other is not proxy:
            other.stop()
    measured = {
        "direct_round_trip_ms": round(direct, 3),
        "proxied_round_trip_ms": round(proxied, 3),
        "added_round_trip_ms": round(proxied - direct, 3),
        "configured_hold_ms": round(delay, 3),
    }
    log(f"delay proxy: {measured}")
    return proxy, measured


def main() -> int:
    parser = argparse.ArgumentParser(description="TaskFlow load benchmark")
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", DEFAULT_SECONDS))
    )
    parser.add_argument("--warmup", type=float, default=3.0)
    # Another ASGI app in TaskFlow's place (module:attribute, importable from backend/ or
    # PYTHONPATH): a candidate change measured the same way. Keep its figures out of the docs.
    parser.add_argument("--app", default=APP)
    parser.add_argument("--out", type=Path, default=BACKEND_DIR / "bench" / "results")
    parser.add_argument("--docs", type=Path, default=REPO / "docs" / "PERFORMANCE.md")
    args = parser.parse_args()
    slice_count, slice_seconds = slicing(args.seconds)
    check_tools()
    started = time.monotonic()
    load_before = os.getloadavg()
    speed = {"start": core_speed_ms()}
    args.out.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="taskflow-bench-"))
    # One production mode for the run: the admin it creates at the first start signs in later.
    modes = (Mode.production(), Mode.open_api())

    ceiling_server = PinnedAppServer(
        "sqlite:///unused.db", cpus=SERVER_CPU, app="bench.ceiling:app",
        env=modes[0].env, extra_args=PRODUCTION_FLAGS,
    )  # fmt: skip
    ceiling_server.start(wait=False)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{ceiling_server.url}/ceiling", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    try:
        log("ceiling")
        run_wrk(base_url=ceiling_server.url, scenario="ceiling", connections=16,
                seconds=args.warmup, cpu=LOAD_CPU, ids_file=None)  # fmt: skip
        ceiling = run_scenarios(server=ceiling_server, names=["ceiling"], seconds=args.seconds,
                                data=None, delayed=False)  # fmt: skip
    finally:
        ceiling_server.stop()

    postgres = ThrowawayPostgres()
    try:
        round_trips.configure(postgres)
        postgres.start()
        url = postgres.create_database("taskflow")
        pin_postgres(postgres, LOAD_CPU)
        counter = RoundTripCounter(postgres, "taskflow")
        data = BenchData(url, workdir)
        log(f"seeding {TASKS:,} tasks")
        data.seed()
        results: list[RunResult] = []
        for mode in modes:
            log(f"phase: app directly on PostgreSQL, {mode.label}")
            results += app_phase(postgres, url, data, counter, args.seconds, delayed=False,
                                 warmup=args.warmup, app=args.app, mode=mode)  # fmt: skip
        speed["between phases"] = core_speed_ms()
        proxy, proxy_measured = start_calibrated_proxy(postgres, url, workdir)
        try:
            proxied_url = url.replace(f":{postgres.port}/", f":{proxy.port}/")
            for mode in modes:
                log(f"phase: app through the delay proxy, {mode.label}")
                results += app_phase(postgres, proxied_url, data, counter, args.seconds,
                                     delayed=True, warmup=args.warmup, app=args.app,
                                     mode=mode)  # fmt: skip
        finally:
            proxy.stop()
        proxy_measured.update(
            {f"under_load_{k}": v for k, v in _read_json(proxy.stats_file).items()}
        )
        counter.close()
    finally:
        postgres.destroy()

    speed["end"] = core_speed_ms()
    log(f"core speed probe (ms of CPU, lower is faster): {speed}")

    by_conns = {r.connections: r.requests_per_s for r in ceiling}
    for result in results:
        result.ratio_to_ceiling = result.requests_per_s / by_conns[result.connections]
    all_runs = ceiling + results
    authenticated = [r for r in results if r.authenticated]
    open_api = [r for r in results if not r.authenticated]
    judged = verdicts(authenticated, proxy_measured["added_round_trip_ms"], open_api)
    reported = no_longer_targets(authenticated)
    info = machine()
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    payload = {
        "date": when,
        "command": "make bench",
        "seconds_per_run": slice_count * slice_seconds,
        "slices_per_run": slice_count,
        "drain_seconds_per_slice": DRAIN_SECONDS,
        "tasks": TASKS,
        "server": f"uvicorn {args.app} {' '.join(PRODUCTION_FLAGS)}",
        "modes": {
            "authenticated": "ENVIRONMENT=production AUTH_REQUIRED=true SECRET_KEY=<random>, "
            "a session as Authorization: Bearer on every request, connections "
            + "/".join(map(str, CONNECTIONS)),
            "open": "ENVIRONMENT=bench-open AUTH_REQUIRED=false, connections "
            + f"{'/'.join(map(str, OPEN_CONNECTIONS[False]))} direct, "
            + f"{'/'.join(map(str, OPEN_CONNECTIONS[True]))} through the delay",
        },
        "machine": info,
        "delay_proxy": proxy_measured,
        "targets": judged,
        "reported_no_longer_targets": reported,
        "before": str(BEFORE.relative_to(BACKEND_DIR)),
        "runs": [r.as_dict() for r in all_runs],
        "elapsed_s": round(time.monotonic() - started),
        # Other work on the machine skews every figure; the 1-minute load says how much there was.
        "load_average_1min": {
            "start": round(load_before[0], 2),
            "end": round(os.getloadavg()[0], 2),
        },
        "core_speed_probe_ms": speed,
    }
    write_json(args.out / "latest.json", payload)
    chart(authenticated, ceiling, args.out / "latest.png")

    print()
    print(table(all_runs))
    print()
    for verdict in judged:
        print(
            f"{'MET   ' if verdict['met'] else 'MISSED'} {verdict['target']}: {verdict['detail']}"
        )
    for line in reported:
        print(f"REPORTED (no longer a target) {line}")
    section = docs_section(payload, results, ceiling, args.out)
    if update_docs(args.docs, section):
        log(f"figures written to {args.docs}")
    log(f"JSON {args.out / 'latest.json'}, chart {args.out / 'latest.png'}")
    log(f"done in {payload['elapsed_s']} s")
    return 0


def _read_json(path: Path) -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return loaded


def docs_section(
    payload: dict[str, Any], results: list[RunResult], ceiling: list[RunResult], out: Path
) -> str:
    info, proxy, load = payload["machine"], payload["delay_proxy"], payload["load_average_1min"]
    speed = payload["core_speed_probe_ms"]
    before_payload, before = load_runs(BEFORE)
    chart_path = os.path.relpath(out / "latest.png", REPO / "docs")
    added = proxy["added_round_trip_ms"]
    authenticated = [r for r in results if r.authenticated]
    open_api = [r for r in results if not r.authenticated]
    lines = [
        f"Measured {payload['date']} with `{payload['command']}` "
        f"({payload['seconds_per_run']:g} s per run, in {payload['slices_per_run']} slices taken "
        f"in turn with the other connection counts, each sending for all but its last "
        f"{payload['drain_seconds_per_slice']:g} s, which wait for the last answers; "
        f"{payload['elapsed_s']} s in all).",
        "",
        f"- Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB, "
        f"{info['os']}, kernel {info['kernel']}; Python {info['python']}, "
        f"{info['postgresql']}, {info['wrk']}.",
        f"- Authenticated (the targets are judged on these runs, as production serves): "
        f"{payload['modes']['authenticated']}. Open API beside it: {payload['modes']['open']}.",
        f"- Server: `{payload['server']}` on CPU {info['server_cpu']}; wrk (one thread), "
        f"PostgreSQL and the delay proxy on CPU {info['load_and_database_cpu']}.",
        f"- Delay proxy: `SELECT 1` takes {proxy['direct_round_trip_ms']:.3f} ms direct and "
        f"{proxy['proxied_round_trip_ms']:.3f} ms through the proxy, so it adds "
        f"**{added:.2f} ms** per round trip when idle (hold configured "
        f"{proxy['configured_hold_ms']:.2f} ms); under load each chunk was held "
        f"{proxy.get('under_load_held_p50_ms', 0):.2f} ms at p50 and "
        f"{proxy.get('under_load_held_p99_ms', 0):.2f} ms at p99.",
        f"- Other load on the machine: 1-minute load average {load['start']} at the start, "
        f"{load['end']} at the end (the benchmark's own processes excluded at the start).",
        f"- The server's core: a fixed piece of Python work (`SPEED_PROBE` in `bench/run.py`) "
        f"took {speed['start']} ms of CPU at the start, {speed['between phases']} ms between the "
        f"direct and the delayed phase, and {speed['end']} ms at the end "
        f"(before issue 21: {_probe(before_payload)}). Runs whose probes differ measured "
        "different machines (agreeing probes are no proof of the same one).",
        "",
        "| target | met | figures |",
        "|---|---|---|",
        *(
            f"| {v['target']} | {'yes' if v['met'] else '**no**'} | {v['detail']} |"
            for v in payload["targets"]
        ),
        "",
        "Reported, no longer targets: "
        + "; ".join(payload["reported_no_longer_targets"])
        + ". The ceiling's figures are in the last table.",
        "",
        "Authenticated against the open API, per scenario (round trips: the routes' "
        "statements, pool pings left out):",
        "",
        auth_table(authenticated, open_api),
        "",
        "Per endpoint, authenticated (round trips: the app's statements counted by "
        "pg_stat_statements, per request wrk sent):",
        "",
        endpoint_table(authenticated, added),
        "",
        f"CPU per request, authenticated now and open before issue 21 (the committed run of "
        f"{before_payload['date']}, `{payload['before']}`; its scenarios were get, list, create, "
        "update, health and mix):",
        "",
        cpu_table(authenticated, ceiling, before),
        "",
        "Every run:",
        "",
        markdown_table(ceiling + results),
        "",
        f"![Throughput and p99 against connections]({chart_path})",
    ]
    return "\n".join(lines)


def _probe(payload: dict[str, Any]) -> str:
    speed = payload.get("core_speed_probe_ms", {})
    return " / ".join(f"{v}" for v in speed.values()) + " ms" if speed else "not measured"


if __name__ == "__main__":
    sys.exit(main())
