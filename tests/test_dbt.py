"""dbt models of transform/ on the fake's data: `meltano run tap-pinterest <loader> dbt-*:build`.

One pipeline run and one `dbt build` per warehouse (DuckDB, then a real PostgreSQL), with the
columns the models read selected only, then exact checks of computed figures against the
fake's own numbers, and of every dbt test's outcome in `run_results.json`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import duckdb
import pytest

from tests import meltano_cli

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from tests.fake_api import FakePinterestAPI
    from tests.postgres import PostgresDatabase

pytestmark = pytest.mark.e2e

TODAY = datetime.now(tz=timezone.utc).date()
START = TODAY - timedelta(days=9)
MICRO = Decimal(1_000_000)
# The metric columns the models read (README, Models): a narrow selection keeps the run short.
MODEL_METRICS = [
    "SPEND_IN_MICRO_DOLLAR",
    "IMPRESSION_1",
    "IMPRESSION_2",
    "CLICKTHROUGH_1",
    "CLICKTHROUGH_2",
    "OUTBOUND_CLICK_1",
    "OUTBOUND_CLICK_2",
    "ENGAGEMENT_1",
    "ENGAGEMENT_2",
    "REPIN_1",
    "REPIN_2",
    "TOTAL_CONVERSIONS",
    "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR",
    "CAMPAIGN_ID",
    "AD_GROUP_ID",
]
ANALYTICS = [
    f"{level}{breakdown}_analytics"
    for level in ("ad_account", "campaign", "ad_group", "ad")
    for breakdown in ("", "_targeting")
] + ["keyword_analytics"]
SELECT = [
    *(f"{entity}.*" for entity in ("ad_accounts", "campaigns", "ad_groups", "ads", "keywords")),
    "pins.*",
    *(f"{stream}.{column}" for stream in ANALYTICS for column in MODEL_METRICS),
]
TARGETING_TYPE = "GENDER"
# The fake rolls spend up from ads to campaigns (tests/fake_api/data.py ROLLED_UP_COLUMNS),
# so the hierarchy check must pass with no failing row, though it only warns by default.
HIERARCHY_TEST = "assert_campaign_spend_is_sum_of_ad_spend"
TARGETING_TEST = "assert_targeting_types_add_up_to_campaign"


@pytest.fixture(scope="module")
def dbt_plugins(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The tap, both loaders and both dbt transformers, installed from meltano.yml."""
    meltano_cli.install(
        tmp_path_factory.mktemp("install"),
        "tap-pinterest",
        "target-duckdb",
        "target-postgres",
        "dbt-duckdb",
        "dbt-postgres",
    )


@pytest.fixture
def fake(fake_api: FakePinterestAPI, dbt_plugins: None) -> Iterator[FakePinterestAPI]:  # noqa: ARG001
    fake_api.data.today_override = TODAY
    yield fake_api
    fake_api.release_stalls()


def pipeline_env(fake: FakePinterestAPI, tmp: Path) -> dict[str, str]:
    env = meltano_cli.base_env(tmp)
    env.update(meltano_cli.fake_tap_env(fake, START, TODAY, SELECT))
    env.update(
        {
            "TAP_PINTEREST_TARGETING_TYPES": json.dumps([TARGETING_TYPE]),
            # dbt's artifacts and logs stay in the test's folder, not in transform/.
            "DBT_TARGET_PATH": str(tmp / "dbt-target"),
            "DBT_LOG_PATH": str(tmp / "dbt-logs"),
            "DBT_USE_COLORS": "false",
        }
    )
    return env


# ------------------------------------------------------------------ the fake's figures
def fake_rows(fake: FakePinterestAPI, level: str, columns: list[str]) -> list[dict[str, Any]]:
    """Every DAY row the fake serves for one level over [START, TODAY], with its account."""
    return [
        {**row, "account": account}
        for account in fake.data.ad_accounts
        for row in fake.data.ads_analytics_rows(
            account["id"], level, None, START, TODAY, columns=columns, granularity="DAY"
        )
    ]


def last_7_days(day: str) -> bool:
    return date.fromisoformat(day) > TODAY - timedelta(days=7)


# ------------------------------------------------------------------ the checks
def check_dbt_results(tmp: Path) -> None:
    """Every model built and every dbt test passed, the sum checks with no failing row."""
    results = json.loads((tmp / "dbt-target" / "run_results.json").read_text(encoding="utf-8"))
    outcomes = {
        r["unique_id"].split(".")[2]: (r["status"], r["failures"]) for r in results["results"]
    }
    models = [r for r in results["results"] if r["unique_id"].startswith("model.")]
    assert len(models) == 27
    bad = {
        name: outcome for name, outcome in outcomes.items() if outcome[0] not in ("success", "pass")
    }
    assert not bad
    assert outcomes[TARGETING_TEST] == ("pass", 0)
    assert outcomes[HIERARCHY_TEST] == ("pass", 0)


def check_campaign_report(
    fake: FakePinterestAPI, query: Callable[[str], list[tuple[Any, ...]]]
) -> None:
    """Every campaign day: micro-units to units, paid + earned counts, CTR, ROAS, names."""
    columns = [
        "SPEND_IN_MICRO_DOLLAR",
        "IMPRESSION_1",
        "IMPRESSION_2",
        "CLICKTHROUGH_1",
        "CLICKTHROUGH_2",
        "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR",
        "CAMPAIGN_NAME",
    ]
    expected = {}
    for row in fake_rows(fake, "campaign", columns):
        impressions = row["IMPRESSION_1"] + row["IMPRESSION_2"]
        clicks = row["CLICKTHROUGH_1"] + row["CLICKTHROUGH_2"]
        spend = Decimal(row["SPEND_IN_MICRO_DOLLAR"]) / MICRO
        value = Decimal(row["TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR"]) / MICRO
        expected[row["CAMPAIGN_ID"], row["DATE"]] = (
            row["CAMPAIGN_NAME"],
            row["account"]["name"],
            row["account"]["currency"],
            spend,
            impressions,
            clicks,
            value,
        )
    stored = query(
        "SELECT campaign_id, cast(date_day AS varchar), campaign_name, ad_account_name, currency,"
        " spend, impressions, clicks, conversion_value, ctr, roas, granularity"
        " FROM pinterest_models.pinterest_ads__campaign_report"
    )
    assert {(r[0], r[1]): tuple(r[2:9]) for r in stored} == expected
    for line in stored:
        spend, impressions, clicks, value, ctr, roas = line[5:11]
        assert float(ctr) == pytest.approx(clicks / impressions, abs=1e-6)
        assert float(roas) == pytest.approx(float(value / spend), abs=1e-6)
        assert line[11] == "DAY"


def check_last_7_days_and_top_pins(
    fake: FakePinterestAPI, query: Callable[[str], list[tuple[Any, ...]]]
) -> None:
    """The demo's report: 7-day totals per campaign, and the top promoted pin per currency."""
    spend: dict[str, int] = defaultdict(int)
    clicks: dict[str, int] = defaultdict(int)
    for row in fake_rows(
        fake, "campaign", ["SPEND_IN_MICRO_DOLLAR", "CLICKTHROUGH_1", "CLICKTHROUGH_2"]
    ):
        if last_7_days(row["DATE"]):
            spend[row["CAMPAIGN_ID"]] += row["SPEND_IN_MICRO_DOLLAR"]
            clicks[row["CAMPAIGN_ID"]] += row["CLICKTHROUGH_1"] + row["CLICKTHROUGH_2"]
    stored = query(
        "SELECT campaign_id, spend, clicks, cast(first_day AS varchar), cast(last_day AS varchar)"
        " FROM pinterest_models.pinterest_ads__campaign_last_7_days"
    )
    window = ((TODAY - timedelta(days=6)).isoformat(), TODAY.isoformat())
    assert {r[0]: (r[1], r[2], (r[3], r[4])) for r in stored} == {
        campaign: (Decimal(micro) / MICRO, clicks[campaign], window)
        for campaign, micro in spend.items()
    }

    pins = {ad["id"]: ad["pin_id"] for ads in fake.data.ads.values() for ad in ads}
    pin_spend: dict[tuple[str, str], int] = defaultdict(int)
    for row in fake_rows(fake, "ad", ["SPEND_IN_MICRO_DOLLAR"]):
        if last_7_days(row["DATE"]):
            pin_spend[row["account"]["currency"], pins[row["AD_ID"]]] += row[
                "SPEND_IN_MICRO_DOLLAR"
            ]
    top: dict[str, tuple[str, int]] = {}
    for (currency, pin), micro in pin_spend.items():
        if micro > top.get(currency, ("", -1))[1]:
            top[currency] = (pin, micro)
    stored = query(
        "SELECT currency, pin_id, spend FROM pinterest_models.pinterest_ads__top_pins_last_7_days"
        " WHERE spend_rank = 1"
    )
    assert {r[0]: (r[1], r[2]) for r in stored} == {
        currency: (pin, Decimal(micro) / MICRO) for currency, (pin, micro) in top.items()
    }


def check_cross_channel_and_breakdowns(
    fake: FakePinterestAPI, query: Callable[[str], list[tuple[Any, ...]]]
) -> None:
    """The ad-reporting rows are the ad rows; a targeting type's values add up to the campaign."""
    ads = fake_rows(fake, "ad", ["SPEND_IN_MICRO_DOLLAR", "CAMPAIGN_ID", "AD_GROUP_ID"])
    stored = query(
        "SELECT platform, count(*), sum(spend), count(DISTINCT campaign_id),"
        " count(DISTINCT ad_group_id)"
        " FROM pinterest_models.ad_reporting__ad_report GROUP BY platform"
    )
    assert stored == [
        (
            "pinterest_ads",
            len(ads),
            sum(Decimal(row["SPEND_IN_MICRO_DOLLAR"]) for row in ads) / MICRO,
            len({row["CAMPAIGN_ID"] for row in ads}),
            len({row["AD_GROUP_ID"] for row in ads}),
        )
    ]
    # Summing the breakdown over its values gives back the campaign's spend on every day.
    stored = query(
        "SELECT count(*), sum(CASE WHEN t.spend = c.spend THEN 1 ELSE 0 END) FROM ("
        "  SELECT campaign_id, date_day, sum(spend) AS spend"
        "  FROM pinterest_models.pinterest_ads__campaign_targeting_report"
        "  GROUP BY campaign_id, date_day, targeting_type"
        ") AS t JOIN pinterest_models.pinterest_ads__campaign_report AS c"
        " ON c.campaign_id = t.campaign_id AND c.date_day = t.date_day"
    )
    campaign_days = len(fake_rows(fake, "campaign", []))
    assert stored == [(campaign_days, campaign_days)]
    # The campaign report's spend is the sum of its ads' spend on every day (0 without ads).
    stored = query(
        "SELECT count(*), sum(CASE WHEN c.spend = coalesce(a.spend, 0) THEN 1 ELSE 0 END),"
        " sum(CASE WHEN a.spend > 0 THEN 1 ELSE 0 END)"
        " FROM pinterest_models.pinterest_ads__campaign_report AS c LEFT JOIN ("
        "  SELECT campaign_id, date_day, sum(spend) AS spend"
        "  FROM pinterest_models.pinterest_ads__ad_report GROUP BY campaign_id, date_day"
        ") AS a ON a.campaign_id = c.campaign_id AND a.date_day = c.date_day"
    )
    with_ads = {(row["CAMPAIGN_ID"], row["DATE"]) for row in ads}
    assert stored == [(campaign_days, campaign_days, len(with_ads))]


def check_models(
    fake: FakePinterestAPI, tmp: Path, query: Callable[[str], list[tuple[Any, ...]]]
) -> None:
    check_dbt_results(tmp)
    check_campaign_report(fake, query)
    check_last_7_days_and_top_pins(fake, query)
    check_cross_channel_and_breakdowns(fake, query)


# ------------------------------------------------------------------ one run per warehouse
def test_dbt_build_on_duckdb(fake: FakePinterestAPI, tmp_path: Path) -> None:
    db = tmp_path / "pinterest.duckdb"
    env = pipeline_env(fake, tmp_path)
    env.update({"TARGET_DUCKDB_FILEPATH": str(db), "DBT_DUCKDB_PATH": str(db)})
    args = ["--environment=fake", "run", "tap-pinterest", "target-duckdb", "dbt-duckdb:build"]
    meltano_cli.run(args, env, tmp_path)

    with duckdb.connect(str(db), read_only=True) as con:
        check_models(fake, tmp_path, lambda sql: con.execute(sql).fetchall())


def test_dbt_build_on_postgres(
    fake: FakePinterestAPI, postgres: PostgresDatabase, tmp_path: Path
) -> None:
    env = pipeline_env(fake, tmp_path)
    env.update(postgres.env())
    env.update({"DBT_POSTGRES_HOST": postgres.socket_dir, "DBT_POSTGRES_DBNAME": postgres.name})
    args = ["--environment=fake", "run", "tap-pinterest", "target-postgres", "dbt-postgres:build"]
    meltano_cli.run(args, env, tmp_path)

    check_models(fake, tmp_path, postgres.query)
