"""The demo's Postgres variant: fake Pinterest API -> Meltano -> a real PostgreSQL.

Run through `bash scripts/demo_postgres.sh` (it prepares the environment). Starts the fake
API in this process and a PostgreSQL server from the `pgserver` package with its data in
output/postgres (kept between runs, so a second run is incremental), creates database
`pinterest` with schema `meltano` for Meltano's system database (state, runs), runs
`meltano run tap-pinterest target-postgres dbt-postgres:build` and prints the rows per
table, then a short report from the dbt models (scripts/models_report.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from models_report import print_report  # noqa: E402

from tests.fake_api import FakePinterestAPI  # noqa: E402

DATABASE = "pinterest"
DATA_DIR = ROOT / "output" / "postgres"


def start_postgres() -> tuple[object, str]:
    """The server (stopped at exit) and the directory of its Unix socket."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pgserver's lock dir falls back to /tmp
        from pgserver.postgres_server import get_server  # noqa: PLC0415

    DATA_DIR.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(DATA_DIR, cleanup_mode="stop")
    socket_dir = server.get_postmaster_info().socket_dir
    if socket_dir is None:
        msg = "pgserver started without a Unix socket"
        raise RuntimeError(msg)
    return server, str(socket_dir)


def prepare_database(socket_dir: str) -> None:
    """Database `pinterest` and its schema `meltano`, if missing."""
    admin = f"postgresql://postgres@/postgres?host={quote(socket_dir)}"
    with psycopg.connect(admin, autocommit=True) as con:
        if not con.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone():
            con.execute(f"CREATE DATABASE {DATABASE}")
    with psycopg.connect(conninfo(socket_dir), autocommit=True) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS meltano")


def conninfo(socket_dir: str) -> str:
    """The libpq URI of the demo database."""
    return f"postgresql://postgres@/{DATABASE}?host={quote(socket_dir)}"


def meltano(args: list[str], env: dict[str, str]) -> None:
    """Run meltano in the project; exit with its code if it fails."""
    beside_python = Path(sys.executable).with_name("meltano")
    command = [str(beside_python), "--env-file", os.devnull, "--environment=fake", *args]
    code = subprocess.run(command, cwd=ROOT, env=env, check=False).returncode
    if code:
        raise SystemExit(code)


def print_counts(socket_dir: str) -> None:
    """Rows per table in schema pinterest, and where Meltano keeps its state."""
    with psycopg.connect(conninfo(socket_dir)) as con:
        tables = [
            name
            for (name,) in con.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = 'pinterest' ORDER BY table_name"
            ).fetchall()
        ]
        rows = []
        for table in tables:
            # Identifiers come from information_schema.
            row = con.execute(f'SELECT count(*) FROM pinterest."{table}"').fetchone()  # noqa: S608
            rows.append((f"pinterest.{table}", int(row[0]) if row else 0))
        states = con.execute("SELECT state_id FROM meltano.state ORDER BY 1").fetchall()
    rows.append(("total", sum(count for _, count in rows)))
    width = max(len(label) for label, _ in rows)
    for label, count in rows:
        print(f"  {label:<{width}}  {count:>8}")
    print("Meltano state (meltano.state):", ", ".join(s for (s,) in states))
    print(f"psql: {conninfo(socket_dir)}")


def main() -> int:
    """Fake API and Postgres up, one pipeline run, the counts."""
    server, socket_dir = start_postgres()
    prepare_database(socket_dir)
    sqlalchemy_url = f"postgresql+psycopg://postgres@/{DATABASE}?host={quote(socket_dir)}"
    with FakePinterestAPI() as api:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("TAP_PINTEREST_", "TARGET_POSTGRES_", "MELTANO_", "DBT_"))
        }
        env.update(
            {
                "TAP_PINTEREST_API_URL": api.url,
                "TARGET_POSTGRES_SQLALCHEMY_URL": sqlalchemy_url,
                "MELTANO_DATABASE_URI": f"{sqlalchemy_url}&options=-csearch_path%3Dmeltano",
            }
        )
        # dbt-postgres reaches the server over the same Unix socket.
        env.update({"DBT_POSTGRES_HOST": socket_dir, "DBT_POSTGRES_DBNAME": DATABASE})
        plugins = ["tap-pinterest", "target-postgres", "dbt-postgres"]
        print(f"==> meltano install {' '.join(plugins)}")
        meltano(["--log-level=warning", "install", *plugins], env)
        print(
            "==> meltano run tap-pinterest target-postgres dbt-postgres:build (state in Postgres)"
        )
        meltano(
            [
                "--log-level=warning",
                "run",
                "tap-pinterest",
                "target-postgres",
                "dbt-postgres:build",
            ],
            env,
        )
    print("==> rows per table")
    print_counts(socket_dir)
    with psycopg.connect(conninfo(socket_dir)) as con:
        print_report(lambda sql: con.execute(sql).fetchall())
    del server  # stopped at exit by pgserver; the data stays in output/postgres
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
