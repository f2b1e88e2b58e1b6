#!/usr/bin/env bash
# The load benchmark (`make bench`): TaskFlow on a local PostgreSQL with 10,000 tasks, against the
# ceiling app, with and without a 1 ms database round trip, PostgreSQL counting the statements
# of every request; authenticated as production runs it, and the open API beside it.
# Takes about 20 minutes on 2 cores (BENCH_SECONDS=3 for a quick look).
# Writes backend/bench/results/latest.{json,png} and the figures in docs/PERFORMANCE.md.
#
# Needs: 2 cores; wrk and taskset (Debian: apt-get install wrk util-linux); PostgreSQL server
# binaries with contrib's pg_stat_statements (Debian: postgresql-15, or set PG_BINDIR); uv.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for tool in wrk taskset; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "bench: missing ${missing[*]} (Debian: apt-get install wrk util-linux)" >&2
  exit 1
fi

# The backend's locked dependencies only: the frontend is not benchmarked, and `npm ci` would
# replace node_modules under anyone else working in this tree.
# shellcheck source=scripts/bootstrap-uv.sh
source scripts/bootstrap-uv.sh
(cd backend && uv sync --locked --quiet)
cd backend
uv run --frozen python -m bench.run "$@"
# The live board: a change made through one instance, timed until it reaches a stream on another
# (200 changes; target p99 under 1 s). Its figures go next to the others.
uv run --frozen python -m bench.live --out bench/results/live.json
# 500 open streams on one instance: their memory, that each gets every event, and the task API
# meanwhile (see docs/PERFORMANCE.md). Its figures go next to the others.
uv run --frozen python -m bench.streams --out bench/results/streams.json
