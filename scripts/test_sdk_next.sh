#!/usr/bin/env bash
# The tests that exercise the tap's contact with singer-sdk, against the next singer-sdk
# release (scripts/test.sh runs it too):
#
#   bash scripts/test_sdk_next.sh [extra pytest args]
#
# Not the whole fast part again (scripts/test.sh has just run it on the locked SDK): the
# files of SDK_TESTS below, in-process only. They cover every contact with the SDK: the
# seam's contract and the scan for internals (test_sdk_seam.py), the SDK's standard tap
# tests, CLI metadata, BATCH mode and stream maps (test_core.py), the class structure
# (test_stream_structure.py), every stream's records, states and calls byte for byte
# (test_emit_golden.py), typed record emission (test_emit_path.py), retries and the tap's
# own retried statuses (test_errors.py), failed partitions keeping their bookmarks
# (test_isolation.py), state checks and resumes (test_state_guards.py,
# test_analytics.py, test_reports.py), streamed answers (test_streamed_answers.py),
# paginators (test_pagination.py), full-table streams (test_full_table.py), the
# authenticator (test_auth.py), config validation (test_config.py), listings shared
# between streams (test_listing_once.py) and the harness's trust that the SDK only reads
# the catalog run_sync gives it (test_tap_runner.py). What the others test (targeting breakdowns,
# report columns, custom reports, URL budget, the fake itself) is the tap's own logic over
# the same seam. `bash scripts/test_sdk_next.sh tests/` runs the whole fast part.
#
# The tap is locked to singer-sdk 0.54.9 (uv.lock) and must keep working on the next line
# (pyproject.toml admits both). uv installs exactly SDK_NEXT over the locked environment for
# this run only; the lock and .venv are left as they are. Pinned, so the check is
# deterministic. When a newer release is out, change SDK_NEXT: that line is the whole move
# of this check (README, "What the SDK seam owns").
set -euo pipefail

SDK_NEXT="0.55.0b7"

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Bytecode caches: without them every pytest worker and child process compiles the SDK
# again (tests/__init__.py drops the variable for the workers too).
unset PYTHONDONTWRITEBYTECODE

# shellcheck source=scripts/uv.sh
source scripts/uv.sh

ensure_uv
with=(--with "singer-sdk[msgspec]==${SDK_NEXT}")
echo "==> singer-sdk ${SDK_NEXT}: the fast tests"
# Fail loudly if the overlay did not take (the tests would pass on 0.54.9 instead).
"${UV[@]}" run --locked "${with[@]}" python -c "
import sys
from importlib.metadata import version
found = version('singer-sdk')
sys.exit(0 if found == '${SDK_NEXT}' else f'singer-sdk {found} installed, not ${SDK_NEXT}')
"
SDK_TESTS=(
  tests/test_sdk_seam.py
  tests/test_core.py
  tests/test_stream_structure.py
  tests/test_emit_golden.py
  tests/test_emit_path.py
  tests/test_errors.py
  tests/test_isolation.py
  tests/test_state_guards.py
  tests/test_analytics.py
  tests/test_reports.py
  tests/test_streamed_answers.py
  tests/test_pagination.py
  tests/test_full_table.py
  tests/test_auth.py
  tests/test_config.py
  tests/test_listing_once.py
  tests/test_tap_runner.py
)
# Test paths given on the command line (any argument starting with "tests") replace the list.
for arg in "$@"; do
  if [[ "$arg" == tests* ]]; then
    SDK_TESTS=()
    break
  fi
done
exec "${UV[@]}" run --locked "${with[@]}" pytest -n 2 -m "not e2e and not subprocess" "${SDK_TESTS[@]}" "$@"
