#!/usr/bin/env bash
# Backend checks: lint, format, types, then the API suite on SQLite and on PostgreSQL (the
# server at TEST_DATABASE_URL when set, CI's service container, otherwise a throwaway one
# started here), with the coverage gate on what the two passes cover together: some code runs
# on one database only (PostgreSQL's round-trip deadlines, SQLite's locking).
set -euo pipefail
cd "$(dirname "$0")/../backend"

bash ../scripts/lint-python.sh src tests migrations

postgres_url="${TEST_DATABASE_URL:-}"
rm -f .coverage .coverage.sqlite .coverage.postgresql
# Each pass records its coverage; the gate (fail_under in pyproject.toml) judges the union.
coverage_pass=(--cov=src --cov-report= --cov-fail-under=0)
TEST_DATABASE_URL='' COVERAGE_FILE=.coverage.sqlite uv run --frozen pytest "${coverage_pass[@]}" "$@"
if [ -n "$postgres_url" ]; then
  TEST_DATABASE_URL="$postgres_url" COVERAGE_FILE=.coverage.postgresql \
    uv run --frozen pytest "${coverage_pass[@]}" "$@"
else
  COVERAGE_FILE=.coverage.postgresql uv run --frozen python -m tests.support.postgres -- \
    uv run --frozen pytest "${coverage_pass[@]}" "$@"
fi
uv run --frozen coverage combine .coverage.sqlite .coverage.postgresql
uv run --frozen coverage report
