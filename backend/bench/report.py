"""What a benchmark run produces: the terminal table, the target verdicts, JSON, a PNG chart, and
the figures section of docs/PERFORMANCE.md."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from bench.loadgen import RunResult

DOCS_BEGIN = "<!-- BEGIN bench results (written by `make bench`) -->"
DOCS_END = "<!-- END bench results -->"
DB_SCENARIOS = ["get", "list", "create", "update", "health", "mix"]


def find(results: list[RunResult], scenario: str, conns: int, delayed: bool) -> RunResult | None:
    for result in results:
        if (result.scenario, result.connections, result.delayed) == (scenario, conns, delayed):
            return result
    return None


def table(results: list[RunResult]) -> str:
    header = (
        f"{'database':<10} {'scenario':<8} {'conns':>5} {'req/s':>9} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'non-2xx':>8} {'errors':>7} {'/ceiling':>9} {'cpu ms':>7} {'busy':>5} "
        f"{'db ms':>6} {'wrk':>5}"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        ratio = "" if r.ratio_to_ceiling is None else f"{r.ratio_to_ceiling:.2f}"
        where = "+delay" if r.delayed else "direct"
        cpu, busy, db, wrk = _cpu_columns(r)
        lines.append(
            f"{where:<10} {r.scenario:<8} {r.connections:>5} {r.requests_per_s:>9.0f} "
            f"{r.p50_ms:>8.2f} {r.p99_ms:>8.2f} {r.non_2xx:>8} {r.socket_errors:>7} {ratio:>9} "
            f"{cpu:>7} {busy:>5} {db:>6} {wrk:>5}"
        )
    return "\n".join(lines)


def markdown_table(results: list[RunResult]) -> str:
    lines = [
        "| database | scenario | conns | req/s | p50 ms | p99 ms | non-2xx | socket errors "
        "| ratio to ceiling | server CPU ms/request | server core busy "
        "| PostgreSQL CPU ms/request | wrk's share of its core |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        ratio = "" if r.ratio_to_ceiling is None else f"{r.ratio_to_ceiling:.2f}"
        where = "+1 ms round trip" if r.delayed else "direct"
        cpu, busy, db, wrk = _cpu_columns(r)
        lines.append(
            f"| {where} | {r.scenario} | {r.connections} | {r.requests_per_s:.0f} | "
            f"{r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.non_2xx} | {r.socket_errors} | {ratio} | "
            f"{cpu} | {busy} | {db} | {wrk} |"
        )
    return "\n".join(lines)


def _cpu_columns(r: RunResult) -> tuple[str, str, str, str]:
    """Server CPU ms/request, server core busy, PostgreSQL CPU ms/request, wrk core busy."""

    def number(value: float | None) -> str:
        return "" if value is None else f"{value:.2f}"

    def share(value: float | None) -> str:
        return "" if value is None else f"{value:.0%}"

    return (
        number(r.server_cpu_ms_per_request),
        share(r.server_core_busy),
        number(r.database_cpu_ms_per_request),
        share(r.wrk_core_busy),
    )


def cpu_bound_factor(one: RunResult, sixteen: RunResult) -> float | None:
    """The most 16 connections could serve over 1 if CPU were the only limit: one connection's
    time per request (its CPU, the delayed round trips, the rest) over the CPU per request the
    server spent at 16. A factor at this bound means the waits overlap and the core is full."""
    if not sixteen.server_cpu_ms_per_request or not one.requests_per_s:
        return None
    return 1000 / one.requests_per_s / sixteen.server_cpu_ms_per_request


def verdicts(results: list[RunResult]) -> list[dict[str, Any]]:
    """The issue's targets, each with the figures it was judged on."""
    out: list[dict[str, Any]] = []
    failing = [
        f"{r.scenario}@{r.connections}{'+delay' if r.delayed else ''}"
        for r in results
        if r.non_2xx or r.socket_errors
    ]
    out.append(
        {
            "target": "zero non-2xx (and no socket errors) in every scenario",
            "met": not failing,
            "detail": "none" if not failing else ", ".join(failing),
        }
    )
    list16 = find(results, "list", 16, False)
    if list16:
        out.append(
            {
                "target": "list p99 <= 50 ms at 16 connections",
                "met": list16.p99_ms <= 50,
                "detail": f"p99 {list16.p99_ms:.1f} ms",
            }
        )
    ratios = [
        (c, r.ratio_to_ceiling)
        for c in (1, 16, 64)
        if (r := find(results, "get", c, False)) and r.ratio_to_ceiling is not None
    ]
    if ratios:
        out.append(
            {
                "target": "get by id >= 0.5 x the ceiling's throughput",
                "met": all(ratio >= 0.5 for _, ratio in ratios),
                "detail": ", ".join(f"{c} conns: {ratio:.2f}" for c, ratio in ratios),
            }
        )
    scaling = []
    for scenario in DB_SCENARIOS:
        one, sixteen = find(results, scenario, 1, True), find(results, scenario, 16, True)
        direct = find(results, scenario, 16, False)
        if one and sixteen and one.requests_per_s > 0:
            # How much of the delay 16 connections hide: their throughput with the delay as a
            # share of theirs without it (1.0: the waits overlap completely).
            hidden = sixteen.requests_per_s / direct.requests_per_s if direct else None
            factor = sixteen.requests_per_s / one.requests_per_s
            scaling.append((scenario, factor, hidden, cpu_bound_factor(one, sixteen), sixteen))
    if scaling:
        details = []
        for scenario, factor, hidden, bound, sixteen in scaling:
            detail = f"{scenario}: x{factor:.1f}"
            if hidden:
                detail += f" ({hidden:.0%} of direct"
                if bound and sixteen.server_core_busy is not None:
                    detail += f"; CPU bound x{bound:.1f}, core {sixteen.server_core_busy:.0%} busy"
                detail += ")"
            details.append(detail)
        out.append(
            {
                "target": "with the 1 ms delay, 16 connections >= 4 x the requests of 1",
                "met": all(factor >= 4 for _, factor, *_ in scaling),
                "detail": ", ".join(details),
            }
        )
    return out


def chart(results: list[RunResult], ceiling: list[RunResult], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_rps, ax_p99) = plt.subplots(1, 2, figsize=(13, 5.2))
    colors = {name: f"C{i}" for i, name in enumerate(DB_SCENARIOS)}
    for scenario in DB_SCENARIOS:
        for delayed, style in ((False, "-o"), (True, "--^")):
            runs = sorted(
                (r for r in results if r.scenario == scenario and r.delayed == delayed),
                key=lambda r: r.connections,
            )
            if not runs:
                continue
            label = f"{scenario}{' +1 ms' if delayed else ''}"
            conns = [r.connections for r in runs]
            ax_rps.plot(conns, [r.requests_per_s for r in runs], style, color=colors[scenario],
                        label=label)  # fmt: skip
            ax_p99.plot(conns, [r.p99_ms for r in runs], style, color=colors[scenario],
                        label=label)  # fmt: skip
    if ceiling:
        runs = sorted(ceiling, key=lambda r: r.connections)
        conns = [r.connections for r in runs]
        ax_rps.plot(conns, [r.requests_per_s for r in runs], ":s", color="black", label="ceiling")
        ax_p99.plot(conns, [r.p99_ms for r in runs], ":s", color="black", label="ceiling")
    for ax, title, unit in (
        (ax_rps, "Throughput", "requests/s"),
        (ax_p99, "p99 latency", "ms (log)"),
    ):
        ax.set_xscale("log", base=2)
        ax.set_xticks([1, 16, 64], ["1", "16", "64"])
        ax.set_xlabel("connections")
        ax.set_ylabel(unit)
        ax.set_title(title)
        ax.grid(True, alpha=0.3)
    ax_p99.set_yscale("log")
    ax_p99.axhline(50, color="red", linewidth=0.8, alpha=0.6)
    ax_rps.legend(fontsize=7, ncol=2)
    fig.suptitle("TaskFlow on PostgreSQL, 10,000 tasks: solid = local, dashed = +1 ms round trip")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_json(path: Path, payload: dict[str, Any]) -> None:
    path.write_text(json.dumps(payload, indent=2) + "\n")


def update_docs(doc: Path, section: str) -> bool:
    """Replace the figures between the markers in docs/PERFORMANCE.md; False if they are missing."""
    if not doc.exists():
        return False
    text = doc.read_text()
    pattern = re.compile(re.escape(DOCS_BEGIN) + ".*?" + re.escape(DOCS_END), re.S)
    if not pattern.search(text):
        return False
    doc.write_text(pattern.sub(lambda _: f"{DOCS_BEGIN}\n{section}\n{DOCS_END}", text))
    return True
