#!/usr/bin/env bash
# Installs exactly what the lock files pin: backend/uv.lock and frontend/package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v uv >/dev/null 2>&1; then
  echo "install: uv not found, installing it with pip" >&2
  python3 -m pip install --quiet uv
fi
(cd backend && uv sync --frozen --quiet)
if [ -f frontend/package-lock.json ]; then
  (cd frontend && npm ci --no-audit --no-fund --loglevel=error)
fi
