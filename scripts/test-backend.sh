#!/usr/bin/env bash
# Backend checks: lint, format, types, then the API suite on SQLite and on a throwaway PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/../backend"

uv run --frozen ruff check src tests testing
uv run --frozen ruff format --check src tests testing
uv run --frozen mypy src

# SQLite (the default) with the coverage gate, then the same suite on PostgreSQL.
uv run --frozen pytest --cov=src --cov-report=term-missing:skip-covered "$@"
uv run --frozen python -m testing.postgres -- uv run --frozen pytest "$@"
