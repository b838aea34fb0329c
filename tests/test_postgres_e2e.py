"""`meltano run tap-pinterest target-postgres` into a real PostgreSQL, state in it too.

A few streams only (an entity, its analytics, an organic one), at the fake's small scale:
each run costs seconds, and the streams cover every column kind a warehouse user reads.
"""

from __future__ import annotations

import signal
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import psutil
import pytest

from tests import meltano_cli
from tests.fake_api.data import FakeData

if TYPE_CHECKING:
    import subprocess
    from collections.abc import Iterator
    from pathlib import Path

    from tests.fake_api import FakePinterestAPI
    from tests.postgres import PostgresDatabase

pytestmark = pytest.mark.e2e

TODAY = datetime.now(tz=timezone.utc).date()
START = TODAY - timedelta(days=9)
LOOKBACK_DAYS = 7
STREAMS = ["ad_accounts", "campaigns", "campaign_analytics", "user_account_analytics", "boards"]
KEYS = {
    "ad_accounts": ["id"],
    "campaigns": ["id"],
    "campaign_analytics": ["CAMPAIGN_ID", "DATE"],
    "user_account_analytics": ["date", "split_value"],
    "boards": ["id"],
}
# Every column, for the type checks; the reruns need the keys and one revised metric.
EVERY_COLUMN = [f"{stream}.*" for stream in STREAMS]
FEW_COLUMNS = [
    *(f"{stream}.*" for stream in STREAMS if stream != "campaign_analytics"),
    *(f"campaign_analytics.{c}" for c in ("CAMPAIGN_ID", "DATE", "SPEND_IN_MICRO_DOLLAR")),
]
STATE_ID = "fake:tap-pinterest-to-target-postgres"


@pytest.fixture
def fake(fake_api: FakePinterestAPI, postgres_plugins: None) -> Iterator[FakePinterestAPI]:  # noqa: ARG001
    fake_api.data.today_override = TODAY
    yield fake_api
    fake_api.release_stalls()


def pipeline_env(
    fake: FakePinterestAPI, db: PostgresDatabase, tmp: Path, select: list[str] = FEW_COLUMNS
) -> dict[str, str]:
    env = meltano_cli.base_env(tmp)
    env.update(meltano_cli.fake_tap_env(fake, START, TODAY, select))
    env.update(db.env())
    return env


RUN_ARGS = ["--environment=fake", "run", "tap-pinterest", "target-postgres"]


def expected_rows(data: FakeData) -> dict[str, int]:
    """Rows per selected stream for [START, TODAY], from the fake's data set."""
    accounts = [account["id"] for account in data.ad_accounts]
    days = len(FakeData.buckets(START, TODAY, "DAY", data.today()))
    campaign_rows = sum(
        len(
            data.ads_analytics_rows(
                a, "campaign", None, START, TODAY, columns=[], granularity="DAY"
            )
        )
        for a in accounts
    )
    return {
        "ad_accounts": len(accounts),
        "campaigns": sum(len(items) for items in data.campaigns.values()),
        "campaign_analytics": campaign_rows,
        "user_account_analytics": days,
        "boards": len(data.boards),
    }


def campaign_spend(fake: FakePinterestAPI, db: PostgresDatabase) -> dict[tuple[str, str], Any]:
    """{(campaign id, date): (stored SPEND_IN_MICRO_DOLLAR, the value the fake serves now)}."""
    data = fake.data
    owner = {c["id"]: account for account, camps in data.campaigns.items() for c in camps}
    rows = db.query(
        'SELECT "CAMPAIGN_ID", "DATE", "SPEND_IN_MICRO_DOLLAR" FROM pinterest.campaign_analytics'
    )
    values = {}
    for campaign_id, day, stored in rows:
        (served,) = data.ads_analytics_rows(
            owner[campaign_id],
            "campaign",
            [campaign_id],
            day,
            day,
            columns=["SPEND_IN_MICRO_DOLLAR"],
            granularity="DAY",
        )
        values[campaign_id, day.isoformat()] = (stored, served["SPEND_IN_MICRO_DOLLAR"])
    return values


def test_postgres_tables_keys_and_types(
    fake: FakePinterestAPI, postgres: PostgresDatabase, tmp_path: Path
) -> None:
    meltano_cli.run(RUN_ARGS, pipeline_env(fake, postgres, tmp_path, EVERY_COLUMN), tmp_path)

    assert postgres.counts() == expected_rows(fake.data)
    assert {table: postgres.primary_key(table) for table in STREAMS} == KEYS

    analytics = postgres.column_types("campaign_analytics")
    expected_analytics = {
        "CAMPAIGN_ID": "text",
        "ad_account_id": "text",
        "DATE": "date",
        "SPEND_IN_MICRO_DOLLAR": "numeric",  # money
        "SPEND_IN_DOLLAR": "numeric",
        "TOTAL_IMPRESSION": "numeric",  # a count
        "CTR": "numeric",
        "IS_PREMIERE_CAMPAIGN": "boolean",
        "CAMPAIGN_BUDGET_OPTIMIZATION": "boolean",
        "CAMPAIGN_NAME": "text",
        "GRANULARITY": "text",
    }
    assert {c: analytics.get(c) for c in expected_analytics} == expected_analytics
    metrics = {c: t for c, t in analytics.items() if c.isupper() and c not in expected_analytics}
    odd = {
        column: kind
        for column, kind in metrics.items()
        if kind not in ("numeric", "text", "bigint", "boolean")
    }
    assert not odd, f"campaign_analytics columns of unexpected types: {odd}"
    money_or_counts = {
        c: t
        for c, t in metrics.items()
        if ("DOLLAR" in c or c.startswith("TOTAL_")) and t != "numeric"
    }
    assert not money_or_counts, f"money and count columns that are not numeric: {money_or_counts}"

    campaigns = postgres.column_types("campaigns")
    assert {c: campaigns[c] for c in ("id", "ad_account_id", "is_automated_campaign")} == {
        "id": "text",
        "ad_account_id": "text",
        "is_automated_campaign": "boolean",
    }
    # Micro-currency amounts: exact integers in the spec, stored as bigint, never float.
    assert campaigns["daily_spend_cap"] in ("bigint", "numeric")
    user = postgres.column_types("user_account_analytics")
    assert (user["date"], user["IMPRESSION"], user["split_value"]) == ("date", "numeric", "text")

    spend = campaign_spend(fake, postgres)
    assert spend
    assert all(stored == served for stored, served in spend.values())


def test_postgres_rerun_upserts_revised_rows(
    fake: FakePinterestAPI, postgres: PostgresDatabase, tmp_path: Path
) -> None:
    env = pipeline_env(fake, postgres, tmp_path)
    meltano_cli.run(RUN_ARGS, env, tmp_path)
    expected = expected_rows(fake.data)
    before = campaign_spend(fake, postgres)

    fake.revise(days=3)
    stale = {
        key for key, (stored, served) in campaign_spend(fake, postgres).items() if stored != served
    }
    assert stale, "fake.revise() changed no campaign spend: the test would prove nothing"
    fake.clear_log()
    meltano_cli.run(RUN_ARGS, env, tmp_path)

    # Incremental (state from Postgres): only the lookback window was asked for again.
    starts = {
        call.query["start_date"][0]
        for call in fake.calls(r"/v5/ad_accounts/[^/]+/campaigns/analytics")
    }
    assert starts == {(TODAY - timedelta(days=LOOKBACK_DAYS)).isoformat()}
    assert postgres.counts() == expected
    for table, keys in KEYS.items():
        columns = ", ".join(f'"{key}"' for key in keys)
        sql = f"SELECT count(DISTINCT ({columns}, 0)) FROM pinterest.{table}"  # noqa: S608
        ((distinct,),) = postgres.query(sql)
        assert (table, distinct) == (table, expected[table])
    after = campaign_spend(fake, postgres)
    assert after.keys() == before.keys()
    wrong = {key for key, (stored, served) in after.items() if stored != served}
    assert not wrong, f"revised rows not replaced: {sorted(wrong)[:5]}"


def _kill_tap(meltano: subprocess.Popen[bytes]) -> int:
    """SIGKILL the tap-pinterest process Meltano started; return its pid."""
    for child in psutil.Process(meltano.pid).children(recursive=True):
        if any(part.endswith("/tap-pinterest") for part in child.cmdline()):
            child.send_signal(signal.SIGKILL)
            return int(child.pid)
    pytest.fail("no tap-pinterest process under meltano")


def test_killed_run_then_rerun_leaves_nothing_missing(
    fake: FakePinterestAPI, postgres: PostgresDatabase, tmp_path: Path
) -> None:
    accounts = [account["id"] for account in fake.data.ad_accounts]
    first, last = accounts[0], accounts[-1]
    # The second ad account's campaign analytics hang: by then the first account is done.
    fake.stall(rf"/v5/ad_accounts/{last}/campaigns/analytics")
    env = pipeline_env(fake, postgres, tmp_path)
    proc = meltano_cli.start(RUN_ARGS, env, tmp_path, tmp_path / "killed.log")
    try:
        assert fake.wait_until_stalled(timeout=120), (tmp_path / "killed.log").read_text()
        _kill_tap(proc)
        returncode = proc.wait(timeout=120)
    finally:
        fake.release_stalls()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert returncode != 0, "meltano reported success for a run whose tap was killed"

    # The target loaded what it had and confirmed its state at end of input; Meltano kept
    # that state in Postgres: the first account's analytics bookmark, not the second's.
    state = postgres.meltano_state()
    assert list(state) == [STATE_ID]
    log = (tmp_path / "killed.log").read_text(encoding="utf-8", errors="replace")
    kept = state[STATE_ID]["completed"]
    assert "singer_state" in kept, f"no state kept: {state}\n{log[-3000:]}"
    bookmarks = kept["singer_state"]["bookmarks"]
    contexts = [p["context"] for p in bookmarks["campaign_analytics"]["partitions"]]
    assert contexts == [{"ad_account_id": first}]
    assert postgres.counts()["campaign_analytics"] < expected_rows(fake.data)["campaign_analytics"]

    fake.clear_log()
    meltano_cli.run(RUN_ARGS, env, tmp_path)

    # The rerun resumed: the finished account from its bookmark, the killed one from START.
    starts = {
        call.path.split("/")[3]: call.query["start_date"][0]
        for call in fake.calls(r"/v5/ad_accounts/[^/]+/campaigns/analytics")
    }
    assert starts == {
        first: (TODAY - timedelta(days=LOOKBACK_DAYS)).isoformat(),
        last: START.isoformat(),
    }
    assert postgres.counts() == expected_rows(fake.data)
    assert all(stored == served for stored, served in campaign_spend(fake, postgres).values())
