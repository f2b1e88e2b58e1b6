#!/usr/bin/env bash
# Runs every suite, even after one fails, then says which failed. Exit status: 0 only if all passed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

# uv for this shell and the suites it starts (a fresh machine may not have it yet).
# shellcheck source=scripts/bootstrap-uv.sh
source scripts/bootstrap-uv.sh
bash scripts/install.sh || { echo "test: dependency install failed" >&2; exit 1; }

suites=(backend frontend delivery robustness)
passed=0
failed=()
for suite in "${suites[@]}"; do
  echo
  echo "==================== suite: $suite ===================="
  if bash "scripts/test-$suite.sh"; then
    passed=$((passed + 1))
  else
    failed+=("$suite")
  fi
done

echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED suites: ${failed[*]}"
fi
echo "suites: $passed passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
