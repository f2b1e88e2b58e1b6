#!/usr/bin/env bash
# Robustness suite: fuzzing from the OpenAPI document, faults, concurrency, bad input and security,
# against real app processes on SQLite and on a throwaway PostgreSQL (see backend/system_tests/).
# REQUIRE_POSTGRES=1 turns missing PostgreSQL binaries into a failure instead of loud skips.
set -euo pipefail
cd "$(dirname "$0")/../backend"

bash ../scripts/lint-python.sh system_tests/robustness bench

if ! uv run --frozen python -c "import sys; from tests.support.postgres import find_bindir; sys.exit(find_bindir() is None)"; then
  bar=$(printf '!%.0s' {1..72})
  printf '%s\n!! SKIPPED: every PostgreSQL robustness test (faults, two processes, EXPLAIN,\n!!          schemathesis and bad input on PostgreSQL): no PostgreSQL server binaries\n%s\n' "$bar" "$bar" >&2
  if [ "${REQUIRE_POSTGRES:-0}" = "1" ]; then
    echo "test-robustness: REQUIRE_POSTGRES=1 and no PostgreSQL server binaries" >&2
    exit 1
  fi
fi

# A hard ceiling so a hang can never stall CI; the suite takes about 12 minutes on 2 cores.
timeout --kill-after=30 1500 uv run --frozen pytest system_tests/robustness -p no:cacheprovider "$@"
