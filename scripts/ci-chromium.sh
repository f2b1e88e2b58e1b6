#!/usr/bin/env bash
# Finds the machine's Chromium (or Chrome) for Playwright and exports its path as
# CHROMIUM_PATH (what frontend/playwright.config.ts reads); scripts/test-frontend.sh uses it
# too. Prints CHROMIUM_PATH=...; on GitHub Actions it also appends it to $GITHUB_ENV so later
# steps see it. Browser downloads are not used: the e2e suite runs the browser the machine
# already has, here and on the runners.
set -euo pipefail

found=""
for candidate in "${CHROMIUM_PATH:-}" chromium chromium-browser google-chrome-stable google-chrome; do
  [ -n "$candidate" ] || continue
  if path="$(command -v "$candidate")"; then
    found="$path"
    break
  fi
done
if [ -z "$found" ]; then
  echo "ci-chromium: no Chromium or Chrome found on PATH" >&2
  exit 1
fi

"$found" --version >&2
echo "CHROMIUM_PATH=$found"
if [ -n "${GITHUB_ENV:-}" ]; then
  echo "CHROMIUM_PATH=$found" >> "$GITHUB_ENV"
fi
