#!/usr/bin/env bash
# Finds the runner's preinstalled Chromium (or Chrome) for Playwright and exports its path.
# Prints CHROMIUM_PATH and PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH as NAME=VALUE lines; on GitHub
# Actions it also appends them to $GITHUB_ENV so later steps see them. Browser downloads are not
# used: the e2e suite runs the browser the machine already has, here and on the runners.
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
for name in CHROMIUM_PATH PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH; do
  echo "$name=$found"
  if [ -n "${GITHUB_ENV:-}" ]; then
    echo "$name=$found" >> "$GITHUB_ENV"
  fi
done
