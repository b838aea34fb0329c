"""Targeting analytics streams against the fake API: exact rows, sums, batching and state.

Expectations come from the fake's own builders (`ads_analytics_rows` split by
`targeting_items`) and are pinned by literal counts.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pytest
import requests
from singer_sdk.exceptions import ConfigValidationError

from tap_pinterest.errors import PinterestAPIError
from tap_pinterest.failures import StreamFailuresError
from tap_pinterest.tap import TapPinterest
from tests.fake_api import Scale
from tests.fake_api.data import LEVEL_ID_KEYS, sync_columns
from tests.fake_api.shopping import targeting_items, targeting_values
from tests.tap_runner import SyncResult, catalog_selecting, deselect_properties, run_sync

if TYPE_CHECKING:
    from tests.fake_api import FakePinterestAPI

ACCOUNTS = ("549755885175", "549755885176")
DEFAULT_TYPES = ["AGE_BUCKET", "GENDER", "COUNTRY", "APPTYPE", "PLACEMENT"]
# 8 age buckets + 3 genders + 4 countries + 6 app types + 3 placements in the fake.
VALUES_PER_ROW = 24
ATTRIBUTION = {
    "GRANULARITY": "DAY",
    "CLICK_WINDOW_DAYS": 30,
    "ENGAGEMENT_WINDOW_DAYS": 30,
    "VIEW_WINDOW_DAYS": 1,
    "CONVERSION_REPORT_TIME": "TIME_OF_AD_ACTION",
    "REPORTING_TIMEZONE": "PINTEREST_TIME_ZONE",
}
# stream -> (fake level, id column of records, FakeData attribute, columns never asked)
LEVELS: dict[str, tuple[str, str, str | None, frozenset[str]]] = {
    "ad_account_targeting_analytics": (
        "ad_account",
        "ad_account_id",
        None,
        frozenset({"CAMPAIGN_ID", "AD_GROUP_ID", "AD_ID", "PIN_ID", "PIN_PROMOTION_ID"}),
    ),
    "campaign_targeting_analytics": (
        "campaign",
        "CAMPAIGN_ID",
        "campaigns",
        frozenset({"AD_GROUP_ID", "AD_ID", "PIN_ID", "PIN_PROMOTION_ID"}),
    ),
    "ad_group_targeting_analytics": (
        "ad_group",
        "AD_GROUP_ID",
        "ad_groups",
        frozenset({"AD_ID", "PIN_ID", "PIN_PROMOTION_ID"}),
    ),
    "ad_targeting_analytics": ("ad", "AD_ID", "ads", frozenset()),
}
# Kept when narrowing a catalog: the row's meaning (attribution) and its ad account.
KEEP = {*ATTRIBUTION, "ad_account_id"}
PATHS = {
    "ad_account_targeting_analytics": r"/v5/ad_accounts/\d+/targeting_analytics",
    "campaign_targeting_analytics": r"/v5/ad_accounts/\d+/campaigns/targeting_analytics",
    "ad_group_targeting_analytics": r"/v5/ad_accounts/\d+/ad_groups/targeting_analytics",
    "ad_targeting_analytics": r"/v5/ad_accounts/\d+/ads/targeting_analytics",
}
Key = tuple[str, str, str, str, str]


def utc_today() -> date:
    return datetime.now(tz=timezone.utc).date()


def days_ago(n: int) -> date:
    return utc_today() - timedelta(days=n)


def config_for(api: FakePinterestAPI, start: date, **extra: Any) -> dict[str, Any]:
    return {
        "access_token": "demo-access-token",
        "api_url": api.url,
        "start_date": start.isoformat(),
        **extra,
    }


def columns_of(stream: str) -> list[str]:
    """The columns the tap asks for on a level: all, minus its identity and lower ids."""
    _, id_column, _, lower = LEVELS[stream]
    skipped = {"AD_ACCOUNT_ID", id_column, *lower}
    return [c for c in sync_columns() if c not in skipped]


def key_of(stream: str, record: dict[str, Any]) -> Key:
    id_column = LEVELS[stream][1]
    return (
        record["ad_account_id"],
        record[id_column],
        record["DATE"],
        record["targeting_type"],
        record["targeting_value"],
    )


def expected_records(
    api: FakePinterestAPI,
    stream: str,
    start: date,
    end: date,
    types: list[str],
    columns: list[str] | None = None,
) -> dict[Key, dict[str, Any]]:
    """What the tap must emit: every item of every entity of every ad account, shaped."""
    level, id_column, attr, _ = LEVELS[stream]
    id_key = LEVEL_ID_KEYS[level]
    out: dict[Key, dict[str, Any]] = {}
    for account in ACCOUNTS:
        ids = None if attr is None else [o["id"] for o in getattr(api.data, attr)[account]]
        rows = api.data.ads_analytics_rows(
            account,
            level,
            ids,
            start,
            end,
            columns=columns_of(stream) if columns is None else columns,
            granularity="DAY",
        )
        for item in targeting_items(rows, level, types):
            record = dict(item["metrics"])
            record.pop("AD_ACCOUNT_ID", None)
            if id_key != "AD_ACCOUNT_ID":
                record[id_column] = str(record[id_key])
            record.update(ATTRIBUTION)
            record["ad_account_id"] = account
            record["targeting_type"] = item["targeting_type"]
            record["targeting_value"] = str(item["targeting_value"])
            out[key_of(stream, record)] = record
    return out


def partitions(state: dict[str, Any], stream: str) -> dict[str, Any]:
    return {
        p["context"]["ad_account_id"]: p.get("replication_key_value")
        for p in state["bookmarks"][stream]["partitions"]
    }


# Exact rows ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stream", "entities"),
    [
        # entities over both ad accounts: 1 | 12 campaigns | 24 ad groups | 48 ads each.
        ("ad_account_targeting_analytics", 2),
        ("campaign_targeting_analytics", 24),
        ("ad_group_targeting_analytics", 48),
        ("ad_targeting_analytics", 96),
    ],
)
def test_rows_match_fake_exactly(fake_api: FakePinterestAPI, stream: str, entities: int) -> None:
    """Every entity x day x targeting value, with the API's values, keyed and typed."""
    start = days_ago(2)
    result = run_sync(config_for(fake_api, start), streams={stream})
    records = result.stream(stream)
    expected = expected_records(fake_api, stream, start, utc_today(), DEFAULT_TYPES)

    assert len(records) == entities * 3 * VALUES_PER_ROW
    keys = [key_of(stream, r) for r in records]
    assert len(set(keys)) == len(keys), "duplicate primary keys"
    assert dict(zip(keys, records, strict=True)) == expected
    # Numbers from the API's examples become text keys: LOCATION 500, ids inside metrics.
    assert all(isinstance(r[LEVELS[stream][1]], str) for r in records)
    assert "AD_ACCOUNT_ID" not in records[0]

    schema = next(m for m in result.messages if m["type"] == "SCHEMA" and m["stream"] == stream)
    id_column = LEVELS[stream][1]
    assert schema["key_properties"] == [id_column, "DATE", "targeting_type", "targeting_value"]

    calls = fake_api.calls(PATHS[stream])
    assert len(calls) == 2  # one per ad account: every id fits one batch, one window
    for call in calls:
        assert call.query["targeting_types"] == [",".join(DEFAULT_TYPES)]
        assert "targeting_types=AGE_BUCKET,GENDER,COUNTRY,APPTYPE,PLACEMENT" in call.query_string
        assert call.query["columns"] == [",".join(columns_of(stream))]
        assert call.query["start_date"] == [start.isoformat()]
        assert call.query["end_date"] == [utc_today().isoformat()]
    attr = LEVELS[stream][2]
    if attr is not None:
        # The level's ids are listed once per ad account, every status included.
        assert len(fake_api.calls(rf"/v5/ad_accounts/\d+/{attr}")) == 2
    assert partitions(result.final_state, stream) == dict.fromkeys(
        ACCOUNTS, utc_today().isoformat()
    )


def test_targeted_values_sum_to_the_untargeted_row(fake_api: FakePinterestAPI) -> None:
    """Per campaign, day and targeting type, the values add up to campaign_analytics."""
    start = days_ago(3)
    streams = {"campaigns", "campaign_analytics", "campaign_targeting_analytics"}
    result = run_sync(
        config_for(fake_api, start, end_date=days_ago(1).isoformat()), streams=streams
    )
    plain = {(r["CAMPAIGN_ID"], r["DATE"]): r for r in result.stream("campaign_analytics")}
    assert len(plain) == 24 * 3
    sums: dict[tuple[str, str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    additive = ("SPEND_IN_MICRO_DOLLAR", "TOTAL_CLICKTHROUGH", "TOTAL_IMPRESSION")
    for record in result.stream("campaign_targeting_analytics"):
        key = (record["CAMPAIGN_ID"], record["DATE"], record["targeting_type"])
        counts[key] += 1
        for column in (*additive, "SPEND_IN_DOLLAR"):
            sums[key][column] += record[column]
        # Ratios are the campaign's own, not split.
        assert record["CTR"] == plain[key[:2]]["CTR"]
    assert len(sums) == 24 * 3 * len(DEFAULT_TYPES)
    for (campaign, day, targeting_type), summed in sums.items():
        assert counts[campaign, day, targeting_type] == len(targeting_values(targeting_type))
        row = plain[campaign, day]
        for column in additive:
            assert summed[column] == row[column], (campaign, day, targeting_type, column)
        assert summed["SPEND_IN_DOLLAR"] == pytest.approx(row["SPEND_IN_DOLLAR"], abs=1e-6)
    # The campaigns stream listed them: both analytics streams reused its ids.
    assert len(fake_api.calls(r"/v5/ad_accounts/\d+/campaigns")) == 2


def test_targeting_types_setting(fake_api: FakePinterestAPI) -> None:
    """Other types are asked for as set; numeric values (LOCATION) become text keys."""
    start = days_ago(1)
    types = ["LOCATION", "KEYWORD", "LOCATION"]
    config = config_for(fake_api, start, targeting_types=types)
    stream = "ad_account_targeting_analytics"
    catalog = deselect_properties(
        catalog_selecting(config, {stream}), stream, {"SPEND_IN_DOLLAR", *KEEP}
    )
    result = run_sync(config, catalog=catalog)
    records = result.stream(stream)
    # 2 accounts x 2 days x (3 locations + 2 keywords)
    assert len(records) == 20
    assert {(r["targeting_type"], r["targeting_value"]) for r in records} == {
        ("LOCATION", "500"),
        ("LOCATION", "501"),
        ("LOCATION", "502"),
        ("KEYWORD", "christmas decor ideas"),
        ("KEYWORD", "gift ideas"),
    }
    expected = expected_records(
        fake_api, stream, start, utc_today(), ["LOCATION", "KEYWORD"], ["SPEND_IN_DOLLAR"]
    )
    assert {key_of(stream, r): r for r in records} == expected
    calls = fake_api.calls(PATHS[stream])
    assert [c.query["targeting_types"] for c in calls] == [["LOCATION,KEYWORD"]] * 2
    assert [c.query["columns"] for c in calls] == [["SPEND_IN_DOLLAR"]] * 2


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (["AGE", "GENDER"], "targeting_types has values the API does not know: AGE"),
        ([], "targeting_types must list at least one value"),
        (["CREATIVE_TYPE"], "targeting_types has values the API does not know: CREATIVE_TYPE"),
    ],
)
def test_bad_targeting_types_fail_clearly(
    fake_api: FakePinterestAPI, value: list[str], message: str
) -> None:
    """Values outside AdsAnalyticsTargetingType are refused before any call."""
    config = config_for(fake_api, days_ago(1), targeting_types=value)
    with pytest.raises(ConfigValidationError) as excinfo:
        TapPinterest(config=config, parse_env_config=False)
    assert message in str(excinfo.value)
    assert fake_api.log == []


# Batching, state ----------------------------------------------------------------------


def test_ids_are_batched_250_per_call(fake_api: FakePinterestAPI) -> None:
    """260 ad groups: 2 targeting calls of 250 and 10 ids, all types in each call."""
    fake_api.reset(
        Scale(
            ad_accounts=1, campaigns_per_account=130, ad_groups_per_campaign=2, ads_per_ad_group=0
        )
    )
    start = days_ago(1)
    config = config_for(fake_api, start, end_date=start.isoformat())
    stream = "ad_group_targeting_analytics"
    catalog = deselect_properties(
        catalog_selecting(config, {stream}), stream, {"TOTAL_CLICKTHROUGH", *KEEP}
    )
    result = run_sync(config, catalog=catalog)

    calls = fake_api.calls(PATHS[stream])
    assert sorted(len(c.query["ad_group_ids"]) for c in calls) == [10, 250]  # any order
    sent = [i for c in calls for i in c.query["ad_group_ids"]]
    assert sorted(sent) == sorted(g["id"] for g in fake_api.data.ad_groups["549755885175"])
    assert len(fake_api.calls(r"/v5/ad_accounts/\d+/ad_groups")) == 2  # 2 pages of 250
    assert len(result.stream(stream)) == 260 * VALUES_PER_ROW


def test_second_run_starts_at_bookmark_minus_lookback(fake_api: FakePinterestAPI) -> None:
    """The stored bookmark, less lookback_window_days, is where the next run starts."""
    stream = "campaign_targeting_analytics"
    bookmark = days_ago(5).isoformat()
    state = {
        "bookmarks": {
            stream: {
                "partitions": [
                    {
                        "context": {"ad_account_id": account},
                        "replication_key": "DATE",
                        "replication_key_value": bookmark,
                    }
                    for account in ACCOUNTS
                ]
            }
        }
    }
    config = config_for(fake_api, days_ago(30), lookback_window_days=2)
    catalog = deselect_properties(
        catalog_selecting(config, {stream}), stream, {"SPEND_IN_DOLLAR", *KEEP}
    )
    result = run_sync(config, catalog=catalog, state=state)

    calls = fake_api.calls(PATHS[stream])
    assert [c.query["start_date"] for c in calls] == [[days_ago(7).isoformat()]] * 2
    records = result.stream(stream)
    assert {r["DATE"] for r in records} == {days_ago(n).isoformat() for n in range(8)}
    assert len(records) == 24 * 8 * VALUES_PER_ROW
    assert partitions(result.final_state, stream) == dict.fromkeys(
        ACCOUNTS, utc_today().isoformat()
    )


def test_added_targeting_type_refetches_from_start_date(
    fake_api: FakePinterestAPI, caplog: pytest.LogCaptureFixture
) -> None:
    """A type added between runs has no earlier rows: the next run starts at start_date."""
    stream = "ad_account_targeting_analytics"
    start = days_ago(6)

    def sync(types: list[str], state: dict[str, Any] | None) -> dict[str, Any]:
        fake_api.clear_log()
        config = config_for(fake_api, start, targeting_types=types, lookback_window_days=1)
        catalog = deselect_properties(catalog_selecting(config, {stream}), stream, {"CTR", *KEEP})
        return run_sync(config, catalog=catalog, state=state).final_state

    def starts() -> list[str]:
        return [c.query["start_date"][0] for c in fake_api.calls(PATHS[stream])]

    first = sync(["GENDER"], None)
    stored = first["bookmarks"][stream]["partitions"]
    assert [p["targeting_types"] for p in stored] == [["GENDER"], ["GENDER"]]
    # Same types: bookmark (today) less 1 day of lookback.
    sync(["GENDER"], first)
    assert starts() == [days_ago(1).isoformat()] * 2
    # A type added: from start_date again, once warned; the state records the new types.
    with caplog.at_level("WARNING"):
        second = sync(["GENDER", "COUNTRY"], first)
    assert starts() == [start.isoformat()] * 2
    warnings = [r.getMessage() for r in caplog.records if "gained COUNTRY" in r.getMessage()]
    assert len(warnings) == 1
    partitions_after = second["bookmarks"][stream]["partitions"]
    assert [p["targeting_types"] for p in partitions_after] == [["GENDER", "COUNTRY"]] * 2
    # A type dropped: nothing is missing, the bookmark holds.
    sync(["COUNTRY"], second)
    assert starts() == [days_ago(1).isoformat()] * 2


def test_failed_run_keeps_the_old_types_in_state(fake_api: FakePinterestAPI) -> None:
    """Types are recorded only with a finished partition: a failed run retries from start."""
    stream = "ad_account_targeting_analytics"
    start = days_ago(6)
    bookmark = days_ago(2).isoformat()
    state = {
        "bookmarks": {
            stream: {
                "partitions": [
                    {
                        "context": {"ad_account_id": account},
                        "replication_key": "DATE",
                        "replication_key_value": bookmark,
                        "targeting_types": ["GENDER"],
                    }
                    for account in ACCOUNTS
                ]
            }
        }
    }
    fake_api.inject(r"/549755885176/targeting_analytics$", 400)
    config = config_for(fake_api, start, targeting_types=["GENDER", "COUNTRY"])
    catalog = deselect_properties(catalog_selecting(config, {stream}), stream, {"CTR", *KEEP})
    tap = TapPinterest(config=config, state=state, catalog=catalog, parse_env_config=False)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), pytest.raises(StreamFailuresError):
        tap.sync_all()
    result = SyncResult([json.loads(line) for line in buffer.getvalue().splitlines() if line])
    calls = fake_api.calls(PATHS[stream])
    assert [c.query["start_date"][0] for c in calls] == [start.isoformat()] * 2
    last = result.final_state["bookmarks"][stream]["partitions"]
    by_account = {p["context"]["ad_account_id"]: p for p in last}
    assert by_account[ACCOUNTS[0]]["targeting_types"] == ["GENDER", "COUNTRY"]
    assert by_account[ACCOUNTS[1]]["targeting_types"] == ["GENDER"]
    assert by_account[ACCOUNTS[1]]["replication_key_value"] == bookmark


def test_hour_granularity_keys_rows_by_hour(fake_api: FakePinterestAPI) -> None:
    """With HOUR the key gains HOUR, and the hour is taken from the row."""
    stream = "ad_account_targeting_analytics"
    config = config_for(
        fake_api, days_ago(1), analytics_granularity="HOUR", targeting_types=["GENDER"]
    )
    catalog = deselect_properties(
        catalog_selecting(config, {stream}), stream, {"TOTAL_IMPRESSION", *KEEP}
    )
    result = run_sync(config, catalog=catalog)
    schema = next(m for m in result.messages if m["type"] == "SCHEMA" and m["stream"] == stream)
    assert schema["key_properties"] == [
        "ad_account_id",
        "DATE",
        "HOUR",
        "targeting_type",
        "targeting_value",
    ]
    records = result.stream(stream)
    assert len(records) == 2 * 2 * 24 * 3  # accounts x days x hours x genders
    keys = {(r["ad_account_id"], r["DATE"], r["HOUR"], r["targeting_value"]) for r in records}
    assert len(keys) == len(records)
    assert {r["GRANULARITY"] for r in records} == {"HOUR"}


def test_a_refused_call_fails_naming_the_api_error(fake_api: FakePinterestAPI) -> None:
    """A 400 (here: the fake refusing a targeting type) stops the sync with one clear line."""
    fake_api.inject(
        r"/targeting_analytics$", 400, body={"code": 1, "message": "Invalid targeting_types."}
    )
    stream = "ad_account_targeting_analytics"
    config = config_for(fake_api, days_ago(1), on_stream_error="fail")
    with pytest.raises(
        PinterestAPIError,
        match=r"Invalid targeting_types\. for /v5/ad_accounts/549755885175/targeting_analytics",
    ):
        run_sync(config, streams={stream})


# The fake's own contract --------------------------------------------------------------


def test_fake_refuses_what_the_spec_refuses(fake_api: FakePinterestAPI) -> None:
    """targeting_types is required, from the level's enum, at most 14 on the ad level."""
    base = f"{fake_api.url}/ad_accounts/549755885175/ads/targeting_analytics"
    headers = {"Authorization": "Bearer demo-access-token"}
    params: dict[str, Any] = {
        "ad_ids": fake_api.data.ads["549755885175"][0]["id"],
        "start_date": days_ago(1).isoformat(),
        "end_date": days_ago(1).isoformat(),
        "columns": "SPEND_IN_DOLLAR",
        "granularity": "DAY",
    }
    missing = requests.get(base, params=params, headers=headers, timeout=10)
    assert missing.status_code == 400
    assert missing.json()["message"] == "Missing required parameter: targeting_types."
    wrong = requests.get(
        base, params={**params, "targeting_types": "CREATIVE_TYPE"}, headers=headers, timeout=10
    )
    assert wrong.status_code == 400
    ok = requests.get(
        base, params={**params, "targeting_types": "QUIZ_RESULT"}, headers=headers, timeout=10
    )
    assert ok.status_code == 200
    assert len(ok.json()["data"]) == 2
    fifteen = ",".join(["GENDER"] * 15)
    too_many = requests.get(
        base, params={**params, "targeting_types": fifteen}, headers=headers, timeout=10
    )
    assert too_many.status_code == 400
    assert "at most 14" in too_many.json()["message"]
    no_ids = requests.get(
        base,
        params={k: v for k, v in params.items() if k != "ad_ids"} | {"targeting_types": "GENDER"},
        headers=headers,
        timeout=10,
    )
    assert no_ids.status_code == 400
