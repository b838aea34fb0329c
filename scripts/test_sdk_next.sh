#!/usr/bin/env bash
# The suite's fast part against the next singer-sdk release (scripts/test.sh runs it too):
#
#   bash scripts/test_sdk_next.sh [extra pytest args]
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
exec "${UV[@]}" run --locked "${with[@]}" pytest -n 2 -m "not e2e and not subprocess" "$@"
