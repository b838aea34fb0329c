#!/usr/bin/env bash
# The demo into PostgreSQL instead of DuckDB (README, Production):
#
#   bash scripts/demo_postgres.sh
#
# Needs only python3 + pip, like scripts/demo.sh. PostgreSQL comes from the `pgserver`
# package (dev dependencies); under root it runs as the system user `pgserver`. Data stays
# in output/postgres, so running it again is an incremental run with the state in Postgres.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/uv.sh
source scripts/uv.sh

ensure_uv
echo "==> ${UV[*]} sync --locked"
"${UV[@]}" sync --locked --quiet
exec "${UV[@]}" run --no-sync python scripts/demo_postgres.py
