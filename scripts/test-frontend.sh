#!/usr/bin/env bash
# Frontend checks, in order: ESLint, tsc, API types freshness, Vitest, production build, Playwright e2e
# (real backend + headless Chromium). Needs `npm ci` in frontend/ (scripts/install.sh does it).
# Without a Chromium the e2e part is SKIPPED loudly; with REQUIRE_BROWSER=1 that is a failure.
# FRONTEND_SKIP_E2E=1 (a CI job whose sibling job runs the e2e part) skips it loudly too, unless REQUIRE_BROWSER=1.
set -euo pipefail
cd "$(dirname "$0")/../frontend"

step() { printf '\n---- frontend: %s ----\n' "$*"; }

if [ ! -d node_modules ]; then
  echo "test-frontend: frontend/node_modules is missing; run 'bash scripts/install.sh' (npm ci) first" >&2
  exit 1
fi

step "lint (ESLint)"
npm run --silent lint

step "types (tsc --noEmit)"
npm run --silent typecheck

step "API types match the backend's OpenAPI document"
npm run --silent api:check

step "unit and component tests (Vitest)"
npm run --silent test

step "production build"
# The e2e suite serves this build same-origin through `vite preview`, so no API URL is baked in.
env -u VITE_API_URL npm run --silent build

step "end-to-end tests (Playwright, headless Chromium)"
if [ "${FRONTEND_SKIP_E2E:-0}" = "1" ] && [ "${REQUIRE_BROWSER:-0}" != "1" ]; then
  echo "############################################################################"
  echo "# SKIPPED: frontend e2e tests (Playwright) NOT RUN here: FRONTEND_SKIP_E2E=1 #"
  echo "############################################################################"
  exit 0
fi
# One place knows where browsers live: the script the CI workflow uses to find the runner's.
browser=""
if found="$(bash ../scripts/ci-chromium.sh 2>/dev/null)"; then
  browser="${found#CHROMIUM_PATH=}"
fi
if [ -z "$browser" ]; then
  if [ "${REQUIRE_BROWSER:-0}" = "1" ]; then
    echo "test-frontend: FAILED: no Chromium found and REQUIRE_BROWSER=1 (apt-get install chromium)" >&2
    exit 1
  fi
  echo "############################################################################"
  echo "# SKIPPED: frontend e2e tests (Playwright) NOT RUN: no Chromium on this     #"
  echo "# machine. Install it (apt-get install chromium) or set CHROMIUM_PATH.     #"
  echo "############################################################################"
  exit 0
fi
CHROMIUM_PATH="$browser" npx --no-install playwright test
