"""A real PostgreSQL server for the end-to-end tests, one per test session.

The server comes from the `pgserver` package (PyPI ships the PostgreSQL binaries in its
wheel), so a fresh machine and CI need nothing installed by hand. PostgreSQL refuses to
run as root; under root pgserver runs it as a dedicated system user (`pgserver`, created
with useradd) and listens on a Unix socket only, so no TCP port can clash.

Every test gets its own database: the warehouse tables go to schema `pinterest` and
Meltano's system database (state, runs) to schema `meltano` of the same database.
"""

from __future__ import annotations

import itertools
import json
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import psycopg
import pytest

from tests import meltano_cli

if TYPE_CHECKING:
    from collections.abc import Iterator

WAREHOUSE_SCHEMA = "pinterest"
MELTANO_SCHEMA = "meltano"
_names = itertools.count(1)


@dataclass(frozen=True)
class PostgresDatabase:
    """One database on the session's server, reached over its Unix socket."""

    socket_dir: str
    name: str

    def conninfo(self) -> str:
        """libpq URI for psycopg (trust authentication as `postgres`)."""
        return f"postgresql://postgres@/{self.name}?host={quote(self.socket_dir)}"

    @property
    def sqlalchemy_url(self) -> str:
        """What target-postgres takes as `sqlalchemy_url`."""
        return f"postgresql+psycopg://postgres@/{self.name}?host={quote(self.socket_dir)}"

    @property
    def meltano_database_uri(self) -> str:
        """Meltano's system database: the same database, its own schema."""
        return f"{self.sqlalchemy_url}&options=-csearch_path%3D{MELTANO_SCHEMA}"

    def env(self) -> dict[str, str]:
        """Environment for `meltano run ... target-postgres` into this database."""
        return {
            "MELTANO_DATABASE_URI": self.meltano_database_uri,
            "TARGET_POSTGRES_SQLALCHEMY_URL": self.sqlalchemy_url,
            "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": WAREHOUSE_SCHEMA,
        }

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Rows of one query (its own connection, so it sees committed data only)."""
        with psycopg.connect(self.conninfo()) as con:
            return con.execute(sql, params).fetchall()

    def tables(self, schema: str = WAREHOUSE_SCHEMA) -> list[str]:
        """Table names of a schema, sorted."""
        rows = self.query(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = %s ORDER BY table_name",
            (schema,),
        )
        return [str(name) for (name,) in rows]

    def counts(self) -> dict[str, int]:
        """Rows per warehouse table."""
        counts = {}
        for table in self.tables():
            # Identifiers come from information_schema, not from input.
            sql = f'SELECT count(*) FROM {WAREHOUSE_SCHEMA}."{table}"'  # noqa: S608
            ((count,),) = self.query(sql)
            counts[table] = int(count)
        return counts

    def primary_key(self, table: str) -> list[str]:
        """The table's primary-key columns, in key order."""
        rows = self.query(
            "SELECT a.attname FROM pg_index i"
            " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
            " WHERE i.indrelid = %s::regclass AND i.indisprimary"
            " ORDER BY array_position(i.indkey, a.attnum)",
            (f'{WAREHOUSE_SCHEMA}."{table}"',),
        )
        return [str(name) for (name,) in rows]

    def column_types(self, table: str) -> dict[str, str]:
        """{column: data_type} as information_schema names them."""
        rows = self.query(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = %s AND table_name = %s",
            (WAREHOUSE_SCHEMA, table),
        )
        return {str(column): str(kind) for column, kind in rows}

    def meltano_state(self) -> dict[str, Any]:
        """{state_id: the state Meltano keeps} from Meltano's system tables."""
        rows = self.query(
            f"SELECT state_id, partial_state, completed_state FROM {MELTANO_SCHEMA}.state"  # noqa: S608
        )
        return {
            state_id: {"partial": json.loads(partial), "completed": json.loads(done)}
            for state_id, partial, done in rows
        }


@dataclass
class PostgresServer:
    """The session's server; `database()` makes a fresh database per test."""

    socket_dir: str

    def database(self) -> PostgresDatabase:
        """A new empty database with the warehouse and Meltano schemas."""
        name = f"pinterest_{next(_names)}"
        admin = PostgresDatabase(self.socket_dir, "postgres")
        with psycopg.connect(admin.conninfo(), autocommit=True) as con:
            con.execute(f"CREATE DATABASE {name}")  # a generated name, not input
        db = PostgresDatabase(self.socket_dir, name)
        with psycopg.connect(db.conninfo(), autocommit=True) as con:
            con.execute(f"CREATE SCHEMA {MELTANO_SCHEMA}")
        return db


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole session, deleted at the end.

    Its folder is not under pytest's tmp tree, whose permissions pytest may tighten while
    the server (another system user under root) still needs them.
    """
    with warnings.catch_warnings():
        # Its lock lives in the user's runtime dir; without XDG_RUNTIME_DIR, /tmp is fine.
        warnings.simplefilter("ignore")
        from pgserver.postgres_server import get_server  # noqa: PLC0415 - only if used

    parent = Path(tempfile.mkdtemp(prefix="tap-pinterest-pg-"))
    server = get_server(parent / "data", cleanup_mode="delete")
    try:
        info = server.get_postmaster_info()
        assert info.socket_dir is not None, "pgserver started without a Unix socket"
        yield PostgresServer(str(info.socket_dir))
    finally:
        server.cleanup()
        shutil.rmtree(parent, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_plugins(tmp_path_factory: pytest.TempPathFactory) -> None:
    """tap-pinterest and target-postgres installed into .meltano/, once per session."""
    meltano_cli.install(tmp_path_factory.mktemp("install"), "tap-pinterest", "target-postgres")


@pytest.fixture
def postgres(postgres_server: PostgresServer) -> PostgresDatabase:
    """A fresh database on the session's server."""
    return postgres_server.database()
