#!/usr/bin/env bash
# Deploys one commit to Render (backend and static site) and waits until the live backend runs it.
#
# Render's REST API is the documented way to deploy a given commit (POST /v1/services/{id}/deploys
# with commitId); a deploy hook URL deploys whatever the branch head is by the time Render looks.
# The job only passes when the live /health reports "status": "healthy" and "commit": the commit
# asked for (Render sets RENDER_GIT_COMMIT, the backend shows it), within DEPLOY_TIMEOUT seconds.
#
# Environment:
#   RENDER_API_KEY              Render API key (Account settings -> API keys); never printed
#   RENDER_BACKEND_SERVICE_ID   srv-... of taskflow-api
#   RENDER_FRONTEND_SERVICE_ID  srv-... of taskflow-web
#   BACKEND_URL                 the backend's public URL, e.g. https://taskflow-api.onrender.com
#   DEPLOY_COMMIT               the full SHA to deploy (the workflow passes the tested commit)
#   DEPLOY_TIMEOUT              seconds to wait for both deploys and /health (default 900)
#   POLL_INTERVAL               seconds between polls (default 10)
#   RENDER_API_URL              API base (default https://api.render.com/v1; tests point it elsewhere)
set -euo pipefail

RENDER_API_URL="${RENDER_API_URL:-https://api.render.com/v1}"
DEPLOY_TIMEOUT="${DEPLOY_TIMEOUT:-900}"
POLL_INTERVAL="${POLL_INTERVAL:-10}"

missing=()
for name in RENDER_API_KEY RENDER_BACKEND_SERVICE_ID RENDER_FRONTEND_SERVICE_ID BACKEND_URL DEPLOY_COMMIT; do
  [ -n "${!name:-}" ] || missing+=("$name")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deploy: missing environment: ${missing[*]} (see README, Deploy)" >&2
  exit 2
fi
if ! [[ "$DEPLOY_COMMIT" =~ ^[0-9a-f]{40}$ ]]; then
  echo "deploy: DEPLOY_COMMIT must be a full 40-character SHA, got '$DEPLOY_COMMIT'" >&2
  exit 2
fi
BACKEND_URL="${BACKEND_URL%/}"

# json_field FIELD: prints FIELD of the JSON object on stdin, or nothing when absent or not JSON.
json_field() {
  python3 -c '
import json, sys
try:
    value = json.load(sys.stdin).get(sys.argv[1])
except (ValueError, AttributeError):
    value = None
print("" if value is None else value)
' "$1"
}

# render_api METHOD PATH [BODY]: prints the response body, then its HTTP status on the last line.
# The key goes through stdin so it never shows in the process list or in a trace.
render_api() {
  local method="$1" path="$2" body="${3:-}"
  local args=(--silent --show-error --max-time 30 --request "$method"
    --header @- --header "Accept: application/json"
    --write-out '\n%{http_code}' "$RENDER_API_URL$path")
  if [ -n "$body" ]; then
    args+=(--header "Content-Type: application/json" --data "$body")
  fi
  printf 'Authorization: Bearer %s\n' "$RENDER_API_KEY" | curl "${args[@]}"
}

# trigger SERVICE_ID: asks Render to build and deploy DEPLOY_COMMIT; prints the deploy id if given.
trigger() {
  local service="$1" response status body
  response="$(render_api POST "/services/$service/deploys" \
    "{\"commitId\": \"$DEPLOY_COMMIT\", \"clearCache\": \"do_not_clear\"}")" || {
    echo "deploy: could not reach the Render API for $service" >&2
    return 1
  }
  status="${response##*$'\n'}"
  body="${response%$'\n'*}"
  case "$status" in
    200|201|202) ;;
    *)
      echo "deploy: Render refused the deploy of $service (HTTP $status): $body" >&2
      return 1
      ;;
  esac
  echo "deploy: $service: deploy of $DEPLOY_COMMIT accepted (HTTP $status)" >&2
  printf '%s' "$body" | json_field id
}

# deploy_status SERVICE_ID DEPLOY_ID: prints Render's status of that deploy (build_in_progress, live...).
deploy_status() {
  local response
  response="$(render_api GET "/services/$1/deploys/$2")" || return 0
  printf '%s' "${response%$'\n'*}" | json_field status
}

backend_deploy="$(trigger "$RENDER_BACKEND_SERVICE_ID")"
frontend_deploy="$(trigger "$RENDER_FRONTEND_SERVICE_ID")"

deadline=$((SECONDS + DEPLOY_TIMEOUT))
backend_live=false
frontend_live=false
health=""
while :; do
  for side in backend frontend; do
    if [ "$side" = backend ]; then
      service="$RENDER_BACKEND_SERVICE_ID" deploy="$backend_deploy"
    else
      service="$RENDER_FRONTEND_SERVICE_ID" deploy="$frontend_deploy"
    fi
    [ -n "$deploy" ] || continue
    state="$(deploy_status "$service" "$deploy")"
    case "$state" in
      build_failed|update_failed|pre_deploy_failed|canceled|deactivated)
        echo "deploy: $side deploy $deploy ended as $state" >&2
        exit 1
        ;;
      live)
        [ "$side" = frontend ] && frontend_live=true
        ;;
    esac
  done
  # Render answered 202 without a deploy id (a deploy was already running): the static site is
  # then judged by Render alone and cannot be confirmed here, which the log says.
  if [ -z "$frontend_deploy" ] && [ "$frontend_live" = false ]; then
    echo "deploy: no deploy id for the static site; its state is not confirmed by this job" >&2
    frontend_live=true
  fi

  health="$(curl --silent --max-time 10 "$BACKEND_URL/health" || true)"
  if [ "$(printf '%s' "$health" | json_field status)" = healthy ] &&
     [ "$(printf '%s' "$health" | json_field commit)" = "$DEPLOY_COMMIT" ]; then
    backend_live=true
  fi

  if [ "$backend_live" = true ] && [ "$frontend_live" = true ]; then
    echo "deploy: $BACKEND_URL/health reports healthy on $DEPLOY_COMMIT; static site live"
    exit 0
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "deploy: not live on $DEPLOY_COMMIT after ${DEPLOY_TIMEOUT}s" >&2
    echo "deploy: last /health answer: ${health:-<none>}" >&2
    echo "deploy: static site live: $frontend_live" >&2
    exit 1
  fi
  sleep "$POLL_INTERVAL"
done
