#!/usr/bin/env bash
# Installs exactly what the lock files pin: backend/uv.lock and frontend/package-lock.json.
# `uv sync --locked` also refuses a lock that no longer matches pyproject.toml (--frozen would
# install the stale lock without a word); `npm ci` does the same for package.json.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/bootstrap-uv.sh
source scripts/bootstrap-uv.sh
(cd backend && uv sync --locked --quiet)
if [ -f frontend/package-lock.json ]; then
  (cd frontend && npm ci --no-audit --no-fund --loglevel=error)
fi
