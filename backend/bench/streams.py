"""The task API with 500 live boards open: `python -m bench.streams [--out FILE]`.

The live board's contract: 500 open streams on one instance cost under 50 MiB of extra RSS, every
stream gets every event, and the task API's figures hold meanwhile. One app instance as
production runs it (accounts on, on its own core) on a throwaway PostgreSQL holding the bench's
10,000 tasks. Each read scenario of `bench.run` (get and list, at 1, 16 and 64 connections) runs
with no stream open, then with 500 (held by bench.stream_holder, on the core of wrk and
PostgreSQL) while a team's changes arrive (CHANGES_PER_S, each sent to all 500 streams), then
with none again, so the machine's drift shows beside the streams' cost. Afterwards each stream's
count of events is compared with the events PostgreSQL holds for those changes.

The mix (a quarter of its requests write, as fast as the server answers) is measured with and
without the streams too, and reported, not judged: there every write is sent 500 times, and the
CPU that costs per event and stream is the figure it gives.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg2

from bench import round_trips
from bench.data import TASKS, BenchData
from bench.loadgen import RunResult, run_wrk
from bench.round_trips import RoundTripCounter
from bench.run import (
    CONNECTIONS,
    DEFAULT_SECONDS,
    LOAD_CPU,
    SERVER_CPU,
    Mode,
    check_tools,
    core_speed_ms,
    log,
    run_scenarios,
)
from bench.servers import PRODUCTION_FLAGS, PinnedAppServer, pin_postgres, postgres_cpu_seconds
from tests.support.postgres import ThrowawayPostgres
from tests.support.server import BACKEND_DIR

STREAMS = 500
RSS_BUDGET_MIB = 50.0
LIST_P99_TARGET_MS = 50.0
READS = ["get", "list"]
# A busy team's pace while the reads are measured: 500 people each changing a task every 100 s.
CHANGES_PER_S = 5.0
# Within this long after wrk's last answer, every stream must have every event.
DELIVERY_DEADLINE_S = 60.0


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


class StreamHolder:
    """bench.stream_holder in its own process: `count` open streams, their counts on demand."""

    def __init__(self, url: str, token: str, count: int) -> None:
        self.process = subprocess.Popen(
            ["taskset", "-c", LOAD_CPU, sys.executable, "-m", "bench.stream_holder",
             "--url", url, "--streams", str(count)],
            cwd=BACKEND_DIR, env={**os.environ, "BENCH_TOKEN": token},
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.process.stdout is not None
        opened = self.process.stdout.readline().strip()
        if opened != f"OPEN {count}":
            self.close()
            raise RuntimeError(f"stream holder: {opened or 'ended before opening its streams'}")

    def counts(self) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("COUNT\n")
        self.process.stdin.flush()
        counted: dict[str, Any] = json.loads(self.process.stdout.readline())
        return counted

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class TeamChanges:
    """Changes at a steady pace (PATCH of a task's title) through the API, in a thread, until
    stopped: the events the open streams receive while the reads are measured."""

    def __init__(self, base_url: str, token: str, ids: list[str], per_s: float) -> None:
        self.client = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        self.ids, self.interval = ids, 1 / per_s
        self.statuses: dict[int, int] = {}
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="team-changes")

    def _run(self) -> None:
        n = 0
        next_at = time.monotonic()
        while not self.stopping.wait(max(0.0, next_at - time.monotonic())):
            task_id = self.ids[n % len(self.ids)]
            status = self.client.patch(f"/tasks/{task_id}", json={"title": f"Team change {n}"})
            self.statuses[status.status_code] = self.statuses.get(status.status_code, 0) + 1
            n += 1
            next_at += self.interval

    def __enter__(self) -> TeamChanges:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.thread.join(30)
        self.client.close()


def newest_event_id(url: str) -> int:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(id), 0) FROM task_events")
            (newest,) = cursor.fetchone() or (0,)
    finally:
        conn.close()
    return int(newest)


def events_between(url: str, after: int, upto: int) -> int:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM task_events WHERE id > %s AND id <= %s", (after, upto)
            )
            (count,) = cursor.fetchone() or (0,)
    finally:
        conn.close()
    return int(count)


def delivery(holder: StreamHolder, url: str, before: dict[str, Any], first: int) -> dict[str, Any]:
    """Wait (bounded) until every stream has received the events written since `first`."""
    last = newest_event_id(url)
    expected = events_between(url, first, last)
    deadline = time.monotonic() + DELIVERY_DEADLINE_S
    while True:
        now = holder.counts()
        received = [a - b for a, b in zip(now["data"], before["data"], strict=True)]
        resyncs = sum(now["resyncs"]) - sum(before["resyncs"])
        if min(received) >= expected or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    return {
        "events_written": expected,
        "streams_with_every_event": sum(r == expected for r in received),
        "fewest_received": min(received),
        "most_received": max(received),
        "resyncs": resyncs,
        "streams_ended": now["ended"],
    }


def combined(sessions: list[dict[str, Any]]) -> dict[str, Any]:
    """The delivery of every opening of the streams, as one verdict: a stream counts as having
    every event when it did in each opening."""
    changes: dict[int, int] = {}
    for session in sessions:
        for status, count in session["team_changes"].items():
            changes[status] = changes.get(status, 0) + count
    return {
        "openings": len(sessions),
        "events_written": sum(s["events_written"] for s in sessions),
        "streams_with_every_event": min(s["streams_with_every_event"] for s in sessions),
        "resyncs": sum(s["resyncs"] for s in sessions),
        "streams_ended": sum(s["streams_ended"] for s in sessions),
        "team_changes": changes,
        "per_opening": sessions,
    }


def summary(result: RunResult) -> dict[str, Any]:
    return {
        "scenario": result.scenario,
        "connections": result.connections,
        "requests_per_s": round(result.requests_per_s, 1),
        "p50_ms": round(result.p50_ms, 2),
        "p99_ms": round(result.p99_ms, 2),
        "non_2xx": result.non_2xx,
        "socket_errors": result.socket_errors,
        "unanswered": result.unanswered,
        "round_trips_per_request": (
            round(result.round_trips_per_request, 3)
            if result.round_trips_per_request is not None
            else None
        ),
        "server_cpu_ms_per_request": (
            round(result.server_cpu_ms_per_request, 3)
            if result.server_cpu_ms_per_request is not None
            else None
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.streams", description=__doc__)
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", DEFAULT_SECONDS))
    )
    parser.add_argument("--streams", type=int, default=STREAMS)
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    check_tools()
    workdir = Path(tempfile.mkdtemp(prefix="taskflow-bench-streams-"))
    mode = Mode.production()
    postgres = ThrowawayPostgres()
    phases: dict[str, list[RunResult]] = {"none before": [], "streams": [], "none after": []}
    sessions: list[dict[str, Any]] = []  # delivery, per opening of the streams for a read
    extra_rss = 0.0
    mix_events = 0
    # The same fixed work as bench.run's, before and after: this machine's speed drifts by a
    # third within minutes, and the figures are read against it.
    speed = {"start": core_speed_ms()}
    try:
        round_trips.configure(postgres)
        postgres.start()
        url = postgres.create_database("taskflow")
        pin_postgres(postgres, LOAD_CPU)
        counter = RoundTripCounter(postgres, "taskflow")
        data = BenchData(url, workdir)
        server = PinnedAppServer(url, cpus=SERVER_CPU, env=mode.env, extra_args=PRODUCTION_FLAGS)
        server.start()
        try:
            log(f"seeding {TASKS:,} tasks")
            data.seed()
            token = mode.sign_in(server.url)
            assert token is not None
            run_wrk(base_url=server.url, scenario="mix", connections=16, seconds=3,
                    cpu=LOAD_CPU, ids_file=data.ids_file, token=token)  # fmt: skip
            data.reset()

            def measure(phase: str, name: str, *, reset: bool = True) -> list[RunResult]:
                log(f"{name}: {phase}")
                return run_scenarios(
                    server=server, names=[name], seconds=args.seconds, data=data,
                    delayed=False, database_cpu=lambda: postgres_cpu_seconds(postgres),
                    counter=counter, connections=CONNECTIONS, token=token, reset=reset,
                )  # fmt: skip

            assert server.process is not None
            ids = data.ids_file.read_text().split()
            # Each scenario none -> streams -> none, back to back: the machine's speed drifts
            # within minutes, and a sandwich a minute long holds less of that drift than one of
            # all the scenarios.
            for name in [*READS, "mix"]:
                phases["none before"] += measure("no stream open", name)
                before_rss = rss_mib(server.process.pid)
                holder = StreamHolder(server.url, token, args.streams)
                try:
                    time.sleep(1)
                    extra_rss = max(extra_rss, rss_mib(server.process.pid) - before_rss)
                    first = newest_event_id(url)
                    counted_before = holder.counts()
                    if name in READS:
                        with TeamChanges(server.url, token, ids, CHANGES_PER_S) as team:
                            phases["streams"] += measure(
                                f"{args.streams} streams open, {CHANGES_PER_S:g} changes/s", name
                            )
                        session = delivery(holder, url, counted_before, first)
                        session["team_changes"] = team.statuses
                        log(f"delivery: {session}")
                        sessions.append(session)
                    else:
                        # Every write of the mix is an event: a reset now would send 10,000.
                        phases["streams"] += measure(
                            f"{args.streams} streams open", name, reset=False
                        )
                        mix_events = events_between(url, first, newest_event_id(url))
                finally:
                    holder.close()
                data.reset()
                phases["none after"] += measure("no stream open, again", name)
        finally:
            server.stop()
        counter.close()
    finally:
        postgres.destroy()

    speed["end"] = core_speed_ms()
    figures = judge(phases, extra_rss, combined(sessions), args.streams)
    figures["core_speed_probe_ms"] = speed
    figures["mix_fan_out"] = fan_out_cost(phases, mix_events, args.streams)
    print(report(figures))
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    # Like bench.run, a missed target is a verdict printed and written, not a failed run.
    return 0


def run_of(results: list[RunResult], scenario: str, connections: int) -> RunResult:
    return next(r for r in results if r.scenario == scenario and r.connections == connections)


def server_cpu_ms(result: RunResult) -> float:
    return (result.server_cpu_ms_per_request or 0.0) * result.requests


def fan_out_cost(
    phases: dict[str, list[RunResult]], events: int, streams: int
) -> dict[str, float | int]:
    """The server's CPU beyond what the mix's requests cost with no stream open (the two runs
    without streams averaged, at each number of connections), per event sent to one stream."""
    extra_ms = 0.0
    requests = 0
    for with_streams in (r for r in phases["streams"] if r.scenario == "mix"):
        baseline = [
            run_of(phases[phase], "mix", with_streams.connections).server_cpu_ms_per_request or 0
            for phase in ("none before", "none after")
        ]
        extra_ms += server_cpu_ms(with_streams) - sum(baseline) / 2 * with_streams.requests
        requests += with_streams.requests
    sends = events * streams
    return {
        "requests": requests,
        "events": events,
        "sends": sends,
        "extra_server_cpu_s": round(extra_ms / 1000, 2),
        "cpu_us_per_event_per_stream": round(extra_ms * 1000 / sends, 1) if sends else 0.0,
    }


def judge(
    phases: dict[str, list[RunResult]], extra_rss: float, delivered: dict[str, Any], streams: int
) -> dict[str, Any]:
    reads = [r for r in phases["streams"] if r.scenario in READS]
    at_64 = [r for r in reads if r.connections == 64]
    ratios = {}
    for r in reads:
        none = [run_of(phases[p], r.scenario, r.connections) for p in ("none before", "none after")]
        ratios[f"{r.scenario} c={r.connections}"] = r.requests_per_s / (
            sum(n.requests_per_s for n in none) / 2
        )
    list_p99 = run_of(reads, "list", 16).p99_ms
    changes = delivered["team_changes"]
    targets = [
        {
            "target": f"extra RSS of {streams} streams < {RSS_BUDGET_MIB:g} MiB",
            "met": extra_rss < RSS_BUDGET_MIB,
            "detail": f"{extra_rss:.1f} MiB",
        },
        {
            "target": "every stream gets every event",
            "met": delivered["streams_with_every_event"] == streams
            and delivered["resyncs"] == 0
            and set(changes) == {200},
            "detail": f"{delivered['streams_with_every_event']} of {streams} streams received all "
            f"the events of each of {delivered['openings']} openings "
            f"({delivered['events_written']} events of {sum(changes.values())} changes made at "
            f"{CHANGES_PER_S:g}/s while the reads ran (answers {changes}); "
            f"{delivered['resyncs']} resyncs)",
        },
        {
            "target": "the reads' throughput with the streams open >= 0.9 of it with none "
            "(the mean of the runs before and after)",
            "met": all(ratio >= 0.9 for ratio in ratios.values()),
            "detail": ", ".join(f"{name} {ratio:.2f}" for name, ratio in ratios.items()),
        },
        {
            "target": "zero non-2xx at 64 connections, streams open",
            "met": all(r.non_2xx == 0 and r.socket_errors == 0 and not r.unanswered for r in at_64),
            "detail": ", ".join(
                f"{r.scenario} {r.non_2xx} non-2xx, {r.socket_errors} errors" for r in at_64
            ),
        },
        {
            "target": f"list p99 at 16 connections <= {LIST_P99_TARGET_MS:g} ms, streams open "
            "(issue 21's target, judged on the same run without streams too)",
            "met": list_p99 <= LIST_P99_TARGET_MS,
            "detail": f"{list_p99:.1f} ms (no stream: "
            f"{run_of(phases['none before'], 'list', 16).p99_ms:.1f} and "
            f"{run_of(phases['none after'], 'list', 16).p99_ms:.1f} ms)",
        },
    ]
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "command": "python -m bench.streams",
        "streams": streams,
        "changes_per_s": CHANGES_PER_S,
        "extra_rss_mib": round(extra_rss, 1),
        "delivery": delivered,
        "targets": targets,
        "runs": {phase: [summary(r) for r in results] for phase, results in phases.items()},
    }


def report(figures: dict[str, Any]) -> str:
    runs = figures["runs"]
    lines = [
        "",
        f"The task API with {figures['streams']} streams open, against none before and after:",
        f"{'scenario':<8} {'c':>3}  {'req/s none/streams/none':>27}  {'ratio':>6}  "
        f"{'p99 ms none/streams/none':>27}",
    ]
    for before, streams, after in zip(
        runs["none before"], runs["streams"], runs["none after"], strict=True
    ):
        baseline = (before["requests_per_s"] + after["requests_per_s"]) / 2
        lines.append(
            f"{streams['scenario']:<8} {streams['connections']:>3}  "
            f"{before['requests_per_s']:>8.0f} {streams['requests_per_s']:>8.0f} "
            f"{after['requests_per_s']:>8.0f}  {streams['requests_per_s'] / baseline:>6.2f}  "
            f"{before['p99_ms']:>8.1f} {streams['p99_ms']:>8.1f} {after['p99_ms']:>8.1f}"
        )
    fan_out = figures["mix_fan_out"]
    speed = figures["core_speed_probe_ms"]
    lines += [
        "",
        f"The mix with the streams open: {fan_out['events']} events sent to each stream, "
        f"{fan_out['extra_server_cpu_s']} s of the server's CPU beyond the requests' own: "
        f"about {fan_out['cpu_us_per_event_per_stream']} µs per event and stream (reported).",
        f"The server's core: bench.run's fixed work took {speed['start']} ms of CPU at the start, "
        f"{speed['end']} ms at the end.",
        "",
    ]
    for verdict in figures["targets"]:
        lines.append(
            f"{'MET   ' if verdict['met'] else 'MISSED'} {verdict['target']}: {verdict['detail']}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
