#!/usr/bin/env bash
# Starts TaskFlow for development: the backend on SQLite (backend/taskflow.db) with reload on :8000,
# and the Vite dev server on :5173, which forwards API calls to it. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
# uv for this shell and the suites it starts (a fresh machine may not have it yet).
# shellcheck source=scripts/bootstrap-uv.sh
source scripts/bootstrap-uv.sh
bash scripts/install.sh

API_PORT=8000
WEB_PORT=5173
web_url="http://localhost:$WEB_PORT"

# Job control puts each server in its own process group, so Ctrl-C reaches this script only
# and the trap below stops exactly the groups it started (uvicorn's reloader has a child).
set -m
pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "Stopping TaskFlow..."
  for pid in "${pids[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

(cd backend && exec uv run --frozen uvicorn src.app:app --reload --reload-dir src --reload-dir migrations --host 127.0.0.1 --port "$API_PORT") &
pids+=($!)
(cd frontend && unset VITE_API_URL && TASKFLOW_API_PROXY="http://localhost:$API_PORT" exec npx --no-install vite --host localhost --port "$WEB_PORT" --strictPort) &
pids+=($!)

# Say where to go once both answer (bounded wait; either server failing ends the script).
for _ in $(seq 1 120); do
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || { echo "dev: a server exited during start-up; see its output above" >&2; exit 1; }
  done
  if node -e "Promise.all([fetch('$web_url'), fetch('http://127.0.0.1:$API_PORT/health')]).then(r => process.exit(r.every(x => x.status < 500 || x.status === 503) ? 0 : 1), () => process.exit(1))"; then
    echo
    echo "=================================================="
    echo "  TaskFlow: $web_url"
    echo "  API:      http://localhost:$API_PORT  (docs: http://localhost:$API_PORT/docs)"
    echo "  Data:     backend/taskflow.db (SQLite). Ctrl-C stops both servers."
    echo "=================================================="
    break
  fi
  sleep 0.5
done

# Run until Ctrl-C or until either server stops.
wait -n "${pids[@]}" || true
