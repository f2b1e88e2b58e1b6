#!/usr/bin/env bash
# Starts TaskFlow for development: the backend on SQLite (backend/taskflow.db) with reload on :8000,
# and the Vite dev server on :5173, which forwards API calls to it. Ctrl-C stops both.
#
# Accounts are on, as in production. On the first run this makes a local admin: the email
# admin@taskflow.localhost and a random password, kept in backend/.env.local (git ignores it;
# the backend does not read it, this script hands both to the backend as ADMIN_EMAIL and
# ADMIN_PASSWORD, which create that admin while the database has nobody). Once both servers
# answer, it signs in with them to check they work, and prints how to sign in.
#
# Sourced (`source scripts/dev.sh`) it only defines its functions; the delivery suite tests the
# admin bootstrap that way (backend/system_tests/delivery/test_dev_script.py).

DEV_ADMIN_EMAIL="admin@taskflow.localhost"
DEV_ADMIN_FILE="backend/.env.local"

# dev_local_admin FILE: sets dev_admin_email and dev_admin_password from FILE. On the first run
# (no FILE) it makes a random password of 24 characters (144 bits) and writes FILE, readable by
# its owner only.
dev_local_admin() {
  local file="$1" line password
  dev_admin_email="" dev_admin_password=""
  if [ ! -f "$file" ]; then
    # base64url, so the password survives copying from a terminal and needs no quoting.
    password="$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"
    (
      umask 077
      printf '%s\n' \
        "# The local admin scripts/dev.sh makes on the first run (never committed). Delete this" \
        "# file and backend/taskflow.db to start afresh." \
        "ADMIN_EMAIL=$DEV_ADMIN_EMAIL" \
        "ADMIN_PASSWORD=$password" >"$file"
    ) || return 1
    echo "dev: first run: a local admin ($DEV_ADMIN_EMAIL) is made; password kept in $file" >&2
  fi
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
      ADMIN_EMAIL=*) dev_admin_email="${line#ADMIN_EMAIL=}" ;;
      ADMIN_PASSWORD=*) dev_admin_password="${line#ADMIN_PASSWORD=}" ;;
    esac
  done <"$file"
  if [ -z "$dev_admin_email" ] || [ -z "$dev_admin_password" ]; then
    echo "dev: $file has no ADMIN_EMAIL or ADMIN_PASSWORD line; delete it to make a new admin" >&2
    return 1
  fi
}

# dev_sign_in_check API_URL: signs in at API_URL as dev_admin_email and signs out again (no
# session is left behind). Returns 0 when the sign-in works, 2 when the backend runs without
# accounts (AUTH_REQUIRED=false), 1 otherwise (saying why on stderr). The password goes to node
# through its environment, never its arguments (the process list shows those).
dev_sign_in_check() {
  # shellcheck disable=SC2016 # ${...} below is JavaScript's, not the shell's
  DEV_API="$1" DEV_EMAIL="$dev_admin_email" DEV_PASSWORD="$dev_admin_password" node -e '
const api = process.env.DEV_API;
(async () => {
  const root = await (await fetch(`${api}/`, { headers: { Accept: "application/json" } })).json();
  if (root.auth !== "required") process.exit(2);
  const form = new URLSearchParams({ username: process.env.DEV_EMAIL, password: process.env.DEV_PASSWORD });
  const answer = await fetch(`${api}/auth/token`, { method: "POST", body: form });
  if (answer.status !== 200) {
    console.error(`dev: signing in as ${process.env.DEV_EMAIL} was answered ${answer.status}`);
    process.exit(1);
  }
  const { access_token: token } = await answer.json();
  await fetch(`${api}/auth/logout`, { method: "POST", headers: { Authorization: `Bearer ${token}` } });
})().catch((error) => {
  console.error(`dev: could not sign in: ${error.message}`);
  process.exit(1);
});
'
}

# dev_sign_in_lines STATUS: what the banner says about signing in, for dev_sign_in_check's STATUS.
dev_sign_in_lines() {
  case "$1" in
    0)
      echo "  Sign in:  $dev_admin_email"
      echo "            password $dev_admin_password  (admin; kept in $DEV_ADMIN_FILE)"
      ;;
    2)
      echo "  Accounts: off (AUTH_REQUIRED=false): no sign-in, the task API is open"
      ;;
    *)
      echo "  Sign in:  $dev_admin_email does not sign in with the password in $DEV_ADMIN_FILE"
      echo "            (it was changed, or the database had people before). Add an admin:"
      echo "            cd backend && uv run python -m src.db_init create-user \\"
      echo "              --email you@example.com --name You --role admin"
      echo "            or delete backend/taskflow.db and $DEV_ADMIN_FILE to start afresh."
      ;;
  esac
}

dev_main() {
  set -euo pipefail
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  # uv for this shell and the suites it starts (a fresh machine may not have it yet).
  # shellcheck source=scripts/bootstrap-uv.sh
  source scripts/bootstrap-uv.sh
  bash scripts/install.sh

  local api_port=8000 web_port=5173
  local web_url="http://localhost:$web_port" api_url="http://127.0.0.1:$api_port"
  dev_local_admin "$DEV_ADMIN_FILE"

  # Job control puts each server in its own process group, so Ctrl-C reaches this script only
  # and the trap below stops exactly the groups it started (uvicorn's reloader has a child).
  set -m
  pids=()
  trap dev_stop INT TERM EXIT

  # ADMIN_EMAIL and ADMIN_PASSWORD reach the backend's environment only (not its arguments).
  (cd backend && ADMIN_EMAIL="$dev_admin_email" ADMIN_PASSWORD="$dev_admin_password" \
    exec uv run --frozen uvicorn src.app:app --reload --reload-dir src --reload-dir migrations \
    --host 127.0.0.1 --port "$api_port") &
  pids+=($!)
  (cd frontend && unset VITE_API_URL && TASKFLOW_API_PROXY="http://localhost:$api_port" exec npx --no-install vite --host localhost --port "$web_port" --strictPort) &
  pids+=($!)

  # Say where to go once both answer (bounded wait; either server failing ends the script).
  local pid signed_in
  for _ in $(seq 1 120); do
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null || { echo "dev: a server exited during start-up; see its output above" >&2; exit 1; }
    done
    if node -e "Promise.all([fetch('$web_url'), fetch('$api_url/health')]).then(r => process.exit(r.every(x => x.status < 500 || x.status === 503) ? 0 : 1), () => process.exit(1))"; then
      signed_in=0
      dev_sign_in_check "$api_url" || signed_in=$?
      echo
      echo "=================================================="
      echo "  TaskFlow: $web_url"
      dev_sign_in_lines "$signed_in"
      echo "  API:      http://localhost:$api_port  (docs: http://localhost:$api_port/docs)"
      echo "  Data:     backend/taskflow.db (SQLite). Ctrl-C stops both servers."
      echo "=================================================="
      break
    fi
    sleep 0.5
  done

  # Run until Ctrl-C or until either server stops.
  wait -n "${pids[@]}" || true
}

dev_stop() {
  trap - INT TERM EXIT
  echo
  echo "Stopping TaskFlow..."
  local pid
  for pid in "${pids[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  dev_main "$@"
fi
