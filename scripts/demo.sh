#!/usr/bin/env bash
# Demo: sync the bundled fake Pinterest API into DuckDB with Meltano, build the dbt models
# (transform/), then show row counts and a short report from the models.
#
#   bash scripts/demo.sh
#
# Needs only python3 + pip (uv is installed with pip when missing) and works from any cwd.
# Writes output/pinterest.duckdb; Meltano keeps plugins and state in .meltano/.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

FAKE_HOST=127.0.0.1
FAKE_PORT="${FAKE_PORT:-8757}"

# shellcheck source=scripts/uv.sh
source scripts/uv.sh

ensure_uv
echo "==> ${UV[*]} sync --locked"
"${UV[@]}" sync --locked --quiet
PYTHON="$("${UV[@]}" run --no-sync python -c 'import sys; print(sys.executable)')"

port_open() {
  (exec 3<>"/dev/tcp/${FAKE_HOST}/${FAKE_PORT}") 2>/dev/null
}

if port_open; then
  echo "error: ${FAKE_HOST}:${FAKE_PORT} is already in use; stop whatever listens there" >&2
  exit 1
fi

echo "==> starting the fake Pinterest API on http://${FAKE_HOST}:${FAKE_PORT}/v5"
mkdir -p output
"$PYTHON" -m tests.fake_api --host "$FAKE_HOST" --port "$FAKE_PORT" >output/fake_api.log 2>&1 &
FAKE_PID=$!
cleanup() {
  kill "$FAKE_PID" 2>/dev/null || true
  wait "$FAKE_PID" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for _ in $(seq 1 100); do
  if port_open; then
    break
  fi
  if ! kill -0 "$FAKE_PID" 2>/dev/null; then
    echo "error: the fake API exited; its log (output/fake_api.log) follows" >&2
    cat output/fake_api.log >&2
    exit 1
  fi
  sleep 0.1
done
if ! port_open; then
  echo "error: the fake API did not open ${FAKE_HOST}:${FAKE_PORT} within 10 s" >&2
  exit 1
fi

# The demo talks to the fake only: settings from the shell or from .env (real credentials
# included) stay out of it.
while IFS= read -r name; do
  unset "$name"
done < <(compgen -e | grep -E '^(TAP_PINTEREST|TARGET_DUCKDB|MELTANO|DBT)_' || true)
export TAP_PINTEREST_API_URL="http://${FAKE_HOST}:${FAKE_PORT}/v5"
# demo: the fake environment plus one custom report (meltano.yml).
MELTANO=("${UV[@]}" run --no-sync meltano --env-file /dev/null --environment=demo)

echo "==> meltano install (plugins go to .meltano/)"
"${MELTANO[@]}" --log-level=warning install

echo "==> meltano run tap-pinterest target-duckdb dbt-duckdb:build"
"${MELTANO[@]}" --log-level=warning run tap-pinterest target-duckdb dbt-duckdb:build

echo "==> rows per table in output/pinterest.duckdb"
"${UV[@]}" run --no-sync python - <<'PY'
import duckdb

con = duckdb.connect("output/pinterest.duckdb", read_only=True)
tables = con.execute(
    "SELECT table_catalog, table_schema, table_name FROM information_schema.tables"
    " WHERE table_schema = 'pinterest' ORDER BY table_name"
).fetchall()
if not tables:
    raise SystemExit("no tables in schema 'pinterest'")
rows = []
for catalog, schema, name in tables:
    # Fully qualified: the file's catalog is also called "pinterest".
    (count,) = con.execute(f'SELECT count(*) FROM "{catalog}"."{schema}"."{name}"').fetchone()
    rows.append((f"{schema}.{name}", count))
rows.append(("total", sum(count for _, count in rows)))
width = max(len(label) for label, _ in rows)
for label, count in rows:
    print(f"  {label:<{width}}  {count:>8}")
PY

# The models answer a question: what did each campaign spend and return last week?
"${UV[@]}" run --no-sync python scripts/models_report.py output/pinterest.duckdb
