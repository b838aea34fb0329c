"""A Meltano project with shards, against the fake API (tests of shards and Dagster)."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import yaml

from tests import meltano_cli
from tests.fake_api.data import FakeData, Scale
from tests.fake_api.server import DEFAULT_STATIC_TOKEN
from tests.postgres import WAREHOUSE_SCHEMA

if TYPE_CHECKING:
    from pathlib import Path

    from tests.fake_api import FakePinterestAPI
    from tests.postgres import PostgresDatabase

TODAY = datetime.now(tz=timezone.utc).date()
START = TODAY - timedelta(days=5)
SCALE = Scale(
    ad_accounts=5,
    campaigns_per_account=3,
    ad_groups_per_campaign=1,
    ads_per_ad_group=1,
    boards=2,
    sections_per_board=1,
    pins_per_board=2,
)
# Organic and per-ad-account streams, full-table and incremental, few metric columns.
SELECT = [
    "user_account_analytics.*",
    "boards.*",
    "ad_accounts.*",
    "campaigns.*",
    "conversion_tags.*",
    "campaign_analytics.CAMPAIGN_ID",
    "campaign_analytics.DATE",
    "campaign_analytics.ad_account_id",
    "campaign_analytics.SPEND_IN_MICRO_DOLLAR",
    "campaign_analytics.TOTAL_IMPRESSION",
]
# The two ways Postgres ends the losing CREATE TABLE of two shards racing on a new table:
# both creating at once (the catalog's unique index), or the loser after the winner's commit.
TABLE_RACE = (
    'violates unique constraint "pg_type_typname_nsp_index"',
    "DuplicateTable) relation",
)
TABLES = [
    "ad_accounts",
    "boards",
    "campaign_analytics",
    "campaigns",
    "conversion_tags",
    "user_account_analytics",
]


def make_project(tmp: Path) -> Path:
    """A copy of the Meltano project whose tap-pinterest selects SELECT.

    Plugin venvs stay in the repository's .meltano/ (MELTANO_SYS_DIR_ROOT).
    """
    project_dir = tmp / "project"
    project_dir.mkdir()
    project = yaml.safe_load((meltano_cli.ROOT / "meltano.yml").read_text("utf-8"))
    (tap,) = [p for p in project["plugins"]["extractors"] if p["name"] == "tap-pinterest"]
    tap["select"] = SELECT
    (project_dir / "meltano.yml").write_text(yaml.safe_dump(project, sort_keys=False), "utf-8")
    return project_dir


def tap_env(fake: FakePinterestAPI, tmp: Path) -> dict[str, str]:
    env = meltano_cli.base_env(tmp)
    env.update(
        {
            "TAP_PINTEREST_API_URL": fake.url,
            "TAP_PINTEREST_ACCESS_TOKEN": DEFAULT_STATIC_TOKEN,
            "TAP_PINTEREST_START_DATE": START.isoformat(),
            "TAP_PINTEREST_END_DATE": TODAY.isoformat(),
        }
    )
    return env


def write_shards(project_dir: Path, env: dict[str, str], *args: str) -> None:
    proc = subprocess.run(
        [sys.executable, str(meltano_cli.ROOT / "scripts" / "shards.py"), *args],
        cwd=project_dir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]


def rows(db: PostgresDatabase, table: str) -> list[tuple[Any, ...]]:
    """Every row without the target's _sdc_ metadata, sorted."""
    columns = sorted(c for c in db.column_types(table) if not c.startswith("_sdc_"))
    listed = ", ".join(f'"{c}"' for c in columns)
    found = db.query(f'SELECT {listed} FROM {WAREHOUSE_SCHEMA}."{table}"')  # noqa: S608
    return sorted(found, key=repr)


def state_accounts(state: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(ad accounts named in a Meltano state, streams that have a bookmark)."""
    bookmarks = state["completed"]["singer_state"]["bookmarks"]
    accounts = {
        partition["context"]["ad_account_id"]
        for bookmark in bookmarks.values()
        for partition in bookmark.get("partitions", [])
        if "ad_account_id" in partition.get("context", {})
    }
    return accounts, {stream for stream, bookmark in bookmarks.items() if bookmark}


def expected_counts(data: FakeData) -> dict[str, int]:
    """Rows per table for one sync of SELECT over [START, TODAY]."""
    accounts = [account["id"] for account in data.ad_accounts]
    return {
        "ad_accounts": len(accounts),
        "boards": len(data.boards),
        "campaign_analytics": sum(
            len(
                data.ads_analytics_rows(
                    a, "campaign", None, START, TODAY, columns=[], granularity="DAY"
                )
            )
            for a in accounts
        ),
        "campaigns": sum(len(items) for items in data.campaigns.values()),
        "conversion_tags": sum(len(items) for items in data.conversion_tags.values()),
        "user_account_analytics": len(FakeData.buckets(START, TODAY, "DAY", data.today())),
    }
