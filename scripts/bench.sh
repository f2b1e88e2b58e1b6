#!/usr/bin/env bash
# The load benchmark (`make bench`): TaskFlow on a local PostgreSQL with 10,000 tasks, against the
# ceiling app, with and without a 1 ms database round trip. Takes about 10 minutes on 2 cores.
# Writes backend/bench/results/latest.{json,png} and the figures in docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
cd backend
exec uv run --frozen python -m bench.run "$@"
