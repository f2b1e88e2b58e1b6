#!/usr/bin/env bash
# Backend checks: lint, format, types, then the API suite on SQLite (with the coverage gate)
# and on PostgreSQL: the server at TEST_DATABASE_URL when set (CI's service container),
# otherwise a throwaway one started here.
set -euo pipefail
cd "$(dirname "$0")/../backend"

uv run --frozen ruff check src tests testing migrations
uv run --frozen ruff format --check src tests testing migrations
uv run --frozen mypy src

postgres_url="${TEST_DATABASE_URL:-}"
TEST_DATABASE_URL='' uv run --frozen pytest --cov=src --cov-report=term-missing:skip-covered "$@"
if [ -n "$postgres_url" ]; then
  TEST_DATABASE_URL="$postgres_url" uv run --frozen pytest "$@"
else
  uv run --frozen python -m testing.postgres -- uv run --frozen pytest "$@"
fi
