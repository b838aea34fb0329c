#!/usr/bin/env bash
# The project's single test command (CI runs it through .ci/run):
#
#   bash scripts/test.sh [extra pytest args]
#
# lint (ruff), format check, type check (mypy) and every test, the Meltano end-to-end ones
# included (two pytest runs on pytest-xdist workers, three then two, the end-to-end ones second;
# extra args go to both), then the tests that exercise singer-sdk on its next release
# (scripts/test_sdk_next.sh).
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
step mypy tap_pinterest tests scripts
# Every test but the end-to-end ones, on three workers: on two cores a third keeps them
# busy while a test waits on a child process or a simulated latency (6.5 minutes wall
# where two workers took 8.4, README "The test loop").
step pytest -n 3 -m "not e2e" "$@"
# The end-to-end tests (Meltano into DuckDB, JSONL and PostgreSQL, dbt, Dagster) on two
# workers too, each with its own Meltano system folder (tests/meltano_cli.py), a module per
# worker at a time (--dist loadscope: test_e2e.py's DuckDB tests share one first run).
# Exit code 5 (no test selected, e.g. a path given without end-to-end tests) is no failure.
echo "==> pytest -n 2 --dist loadscope -m e2e $*"
"${UV[@]}" run --no-sync pytest -n 2 --dist loadscope -m e2e "$@" || { rc=$?; ((rc == 5)) || failed+=("pytest -m e2e"); }
# The tests that exercise singer-sdk again, on its next release (pinned there).
echo "==> bash scripts/test_sdk_next.sh"
bash scripts/test_sdk_next.sh || failed+=("scripts/test_sdk_next.sh")

if ((${#failed[@]})); then
  echo "FAILED steps:" >&2
  printf '  %s\n' "${failed[@]}" >&2
  exit 1
fi
