#!/usr/bin/env bash
# Backs up the production database into one encrypted file: the data tool's export (every task,
# ids, versions and timestamps included; `import --replace` restores it), encrypted to an OpenPGP
# public key, so the file can sit in a GitHub artifact and only the private key's holder reads it.
#
# The database accepts no connection from the internet (render.yaml: ipAllowList: []). For the
# minutes of the export this script adds this machine's one public address (/32) to the database's
# allow list through Render's API (PATCH /v1/postgres/{id}, which replaces the list; the other
# entries are kept), and removes it again on the way out, whatever happened. If the removal fails
# the job fails and says which address to delete by hand.
#
# Environment:
#   RENDER_API_KEY          Render API key (Account settings -> API keys); never printed
#   RENDER_POSTGRES_ID      dpg-... of taskflow-db (in its Dashboard URL)
#   BACKUP_DATABASE_URL     the database's External Database URL; never printed, never in argv
#   BACKUP_GPG_PUBLIC_KEY   the ASCII-armored OpenPGP public key the backup is encrypted to
#   BACKUP_DIR              where the encrypted file goes (default: backups)
#   BACKUP_CONNECT_WAIT     seconds to retry the export while the allow list takes effect (120)
#   PUBLIC_IP_URL           answers this machine's public IPv4 (default https://checkip.amazonaws.com)
#   BACKUP_PUBLIC_IP        that address itself, instead of asking PUBLIC_IP_URL
#   RENDER_API_URL          API base (default https://api.render.com/v1; tests point it elsewhere)
set -euo pipefail
cd "$(dirname "$0")/.."
umask 077

RENDER_API_URL="${RENDER_API_URL:-https://api.render.com/v1}"
PUBLIC_IP_URL="${PUBLIC_IP_URL:-https://checkip.amazonaws.com}"
BACKUP_DIR="${BACKUP_DIR:-backups}"
BACKUP_CONNECT_WAIT="${BACKUP_CONNECT_WAIT:-120}"

missing=()
for name in RENDER_API_KEY RENDER_POSTGRES_ID BACKUP_DATABASE_URL BACKUP_GPG_PUBLIC_KEY; do
  [ -n "${!name:-}" ] || missing+=("$name")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "backup: missing environment: ${missing[*]} (see README, Deploy, Backups)" >&2
  exit 2
fi
command -v gpg >/dev/null || { echo "backup: gpg (GnuPG) is needed to encrypt the file" >&2; exit 2; }

work="$(mktemp -d)"
allowed=""   # "yes" once this run may have added its entry; "stuck" when removing it failed
cleanup() {
  local status=$?
  trap - EXIT
  if [ "$allowed" = yes ] && ! remove_allowed; then
    allowed="stuck"
  fi
  if [ "$allowed" = stuck ]; then
    echo "backup: !!! the database's allow list may still hold $address/32 ($marker):" \
      "remove it in the Render Dashboard (taskflow-db -> Networking)" >&2
    status=1
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

# render_api METHOD PATH [BODY]: prints the response body, then its HTTP status on the last line.
# The key goes through stdin so it never shows in the process list or in a trace.
render_api() {
  local method="$1" path="$2" body="${3:-}"
  local args=(--silent --show-error --max-time 30 --request "$method"
    --header @- --header "Accept: application/json"
    --write-out '\n%{http_code}' "$RENDER_API_URL$path")
  if [ -n "$body" ]; then
    args+=(--header "Content-Type: application/json" --data-binary "$body")
  fi
  printf 'Authorization: Bearer %s\n' "$RENDER_API_KEY" | curl "${args[@]}"
}

# allow_list_patch ACTION: GETs the database, prints the PATCH body that adds (ACTION=add) or
# removes (ACTION=remove) this run's entry, keeping every other entry as it is.
allow_list_patch() {
  local response status
  response="$(render_api GET "/postgres/$RENDER_POSTGRES_ID")" || return 1
  status="${response##*$'\n'}"
  if [ "$status" != 200 ]; then
    echo "backup: Render did not give the database's settings (HTTP $status): ${response%$'\n'*}" >&2
    return 1
  fi
  printf '%s' "${response%$'\n'*}" | python3 -c '
import json, sys
action, entry = sys.argv[1], json.loads(sys.argv[2])
database = json.load(sys.stdin)
current = [e for e in database.get("ipAllowList") or [] if e != entry]
expires = database.get("expiresAt")
if expires and action == "add":
    print(f"backup: note: this free database expires at {expires}", file=sys.stderr)
print(json.dumps({"ipAllowList": current + ([entry] if action == "add" else [])}))
' "$1" "$allowed_entry"
}

# send_patch BODY: PATCHes the database with BODY (its whole allow list).
send_patch() {
  local response status
  response="$(render_api PATCH "/postgres/$RENDER_POSTGRES_ID" "$1")" || return 1
  status="${response##*$'\n'}"
  if [ "$status" != 200 ]; then
    echo "backup: Render refused to change the allow list (HTTP $status): ${response%$'\n'*}" >&2
    return 1
  fi
}

remove_allowed() {
  local attempt body
  for attempt in 1 2 3; do
    if body="$(allow_list_patch remove)" && send_patch "$body"; then
      echo "backup: $address/32 removed from the database's allow list"
      return 0
    fi
    [ "$attempt" = 3 ] || sleep "$attempt"
  done
  return 1
}

# --- this machine's public address ----------------------------------------------------------------
address="${BACKUP_PUBLIC_IP:-$(curl --silent --show-error --max-time 15 "$PUBLIC_IP_URL" | tr -d '[:space:]')}"
if ! [[ "$address" =~ ^([0-9]{1,3}\.){3}[0-9]{1,3}$ ]]; then
  echo "backup: could not learn this machine's public IPv4 address (got '${address:0:60}')" >&2
  exit 1
fi
marker="taskflow-backup ${GITHUB_RUN_ID:-local} $(date -u +%Y%m%dT%H%M%SZ)"
allowed_entry="{\"cidrBlock\": \"$address/32\", \"description\": \"$marker\"}"

# --- open the database to this address, export, close it again ------------------------------------
echo "backup: allowing $address/32 on the database for the export"
body="$(allow_list_patch add)" || exit 1
# From here on the way out takes the entry out again, even if this PATCH seems to fail (a timeout
# after Render applied it).
allowed="yes"
send_patch "$body" || exit 1

plain="$work/tasks.json"
deadline=$((SECONDS + BACKUP_CONNECT_WAIT))
# The allow list takes a moment to apply: retry until it lets us in or the wait is over.
until (cd backend && uv run --locked --no-dev --quiet python -m src.db_init export \
         --database-env BACKUP_DATABASE_URL --output "$plain") 2>"$work/export.err"; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "backup: the export failed for ${BACKUP_CONNECT_WAIT}s; its last error:" >&2
    # The tool never prints the URL; the driver's message names host and user at most.
    tail -n 5 "$work/export.err" >&2
    exit 1
  fi
  sleep 5
done
tasks="$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["tasks"]))' "$plain")"

if ! remove_allowed; then
  allowed="stuck"
  exit 1
fi
allowed=""

# --- encrypt: only the private key's holder can read the file -------------------------------------
mkdir -p "$BACKUP_DIR"
printf '%s\n' "$BACKUP_GPG_PUBLIC_KEY" >"$work/recipient.asc"
out="$BACKUP_DIR/taskflow-backup-$(date -u +%Y%m%dT%H%M%SZ).json.gpg"
gpg --batch --quiet --homedir "$work" --trust-model always \
  --recipient-file "$work/recipient.asc" --output "$out" --encrypt "$plain"
rm -f "$plain"
echo "backup: $tasks tasks, encrypted to $out ($(sha256sum "$out" | cut -d' ' -f1))"
