#!/usr/bin/env bash
# The project's single test command (CI runs it through .ci/run):
#
#   bash scripts/test.sh [extra pytest args]
#
# lint (ruff), format check, type check (mypy) and every test, the Meltano end-to-end ones
# included (the others on two pytest-xdist workers, the end-to-end ones in one process;
# extra args go to both pytest runs), then the fast tests on the next singer-sdk release (scripts/test_sdk_next.sh).
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
# Every test but the end-to-end ones, on two workers.
step pytest -n 2 -m "not e2e" "$@"
# The end-to-end tests (Meltano into DuckDB, JSONL and PostgreSQL, dbt, Dagster) in one
# process: Meltano keeps one catalog and state file per plugin under .meltano/run/, so two
# runs at once would read each other's (tests/conftest.py refuses them on several workers).
# Exit code 5 (no test selected, e.g. a path given without end-to-end tests) is no failure.
echo "==> pytest -n 0 -m e2e $*"
"${UV[@]}" run --no-sync pytest -n 0 -m e2e "$@" || { rc=$?; ((rc == 5)) || failed+=("pytest -m e2e"); }
# The fast tests again on the next singer-sdk release (pinned there).
echo "==> bash scripts/test_sdk_next.sh"
bash scripts/test_sdk_next.sh || failed+=("scripts/test_sdk_next.sh")

if ((${#failed[@]})); then
  echo "FAILED steps:" >&2
  printf '  %s\n' "${failed[@]}" >&2
  exit 1
fi
