#!/usr/bin/env bash
# The project's single test command (CI runs it through .ci/run):
#
#   bash scripts/test.sh [extra pytest args]
#
# lint (ruff), format check, type check (mypy) and every test, the Meltano end-to-end ones
# included, on two pytest-xdist workers (extra args go to pytest; `-n 0` runs in one
# process), then the fast tests on the next singer-sdk release (scripts/test_sdk_next.sh).
# Needs only python3 + pip; uv is installed with pip when missing. Runs every step and
# exits non-zero if any of them failed (pytest's summary stays the last line on success).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Bytecode caches: without them every pytest worker and child process compiles the SDK
# again (tests/__init__.py drops the variable for the workers too).
unset PYTHONDONTWRITEBYTECODE

# shellcheck source=scripts/uv.sh
source scripts/uv.sh

ensure_uv
echo "==> ${UV[*]} sync --locked"
"${UV[@]}" sync --locked

failed=()
step() {
  echo "==> $*"
  if ! "${UV[@]}" run --no-sync "$@"; then
    failed+=("$*")
  fi
}

step ruff check .
step ruff format --check .
step mypy tap_pinterest tests
# Two workers; the end-to-end tests stay together on one of them (tests/conftest.py).
step pytest -n 2 --dist loadgroup "$@"
# The fast tests again on the next singer-sdk release (pinned there).
echo "==> bash scripts/test_sdk_next.sh"
bash scripts/test_sdk_next.sh || failed+=("scripts/test_sdk_next.sh")

if ((${#failed[@]})); then
  echo "FAILED steps:" >&2
  printf '  %s\n' "${failed[@]}" >&2
  exit 1
fi
