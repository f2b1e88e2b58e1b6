#!/usr/bin/env bash
# Starts the backend on SQLite (backend/taskflow.db) with reload, and prints where it is.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
PORT="${PORT:-8000}"
echo "TaskFlow API: http://localhost:$PORT  (docs: http://localhost:$PORT/docs)"
cd backend && exec uv run --frozen uvicorn src.app:app --reload --port "$PORT"
