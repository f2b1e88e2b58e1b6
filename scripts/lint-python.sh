#!/usr/bin/env bash
# What every Python folder of the backend must pass: ruff, ruff format and mypy (strict, from
# pyproject.toml). Each suite script lints its own folders with this, so the rules live here once.
#   bash scripts/lint-python.sh FOLDER...   (folders relative to backend/)
set -euo pipefail
cd "$(dirname "$0")/../backend"

uv run --frozen ruff check "$@"
uv run --frozen ruff format --check "$@"
uv run --frozen mypy "$@"
