"""The report-only targeting levels PRODUCT_GROUP_TARGETING and PRODUCT_ITEM_TARGETING.

Each is one declaration (the twin of product_group_analytics / product_item_analytics in
streams/levels.py). Expectations come from the fake's builders: the plain report-only
rows (`report_only_rows`) split by targeting type (`split_row`), which is also how the
fake builds these reports.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from tests.fake_api.shopping import split_row
from tests.tap_runner import SyncResult, catalog_selecting, deselect_properties, run_sync
from tests.test_analytics import dates_between, partitions
from tests.test_targeting_analytics import (
    ACCOUNTS,
    ATTRIBUTION,
    DEFAULT_TYPES,
    KEEP,
    config_for,
    days_ago,
    utc_today,
)
from tests.test_targeting_reports import (
    FAST,
    METRICS,
    REPORTS,
    SEVEN_TYPES,
    _body,
    _post,
    bodies,
    run_failing,
    values_of,
    windows_of,
)

if TYPE_CHECKING:
    from datetime import date

    from tests.fake_api import FakePinterestAPI

ACCOUNT_1, ACCOUNT_2 = ACCOUNTS
# stream -> (report level, plain fake level, id column, entities per account)
LEVELS = {
    "product_group_targeting_analytics": (
        "PRODUCT_GROUP_TARGETING",
        "PRODUCT_GROUP",
        "PRODUCT_GROUP_ID",
        3,
    ),
    "product_item_targeting_analytics": (
        "PRODUCT_ITEM_TARGETING",
        "PRODUCT_ITEM",
        "PRODUCT_ITEM_ID",
        5,  # 4 items, the first promoted in two ad groups
    ),
}
# PRODUCT_ITEM rows repeat per promoting ad group (its key has AD_GROUP_ID).
Key = tuple[str, str, str | None, str, str, str]


def _recent() -> dict[str, str]:
    """Dates PRODUCT_ITEM_TARGETING reaches (its report body's default is 300 days back)."""
    return {"start_date": days_ago(9).isoformat(), "end_date": days_ago(8).isoformat()}


def sync(config: dict[str, Any], stream: str, state: Any = None) -> SyncResult:
    catalog = catalog_selecting(config, {stream})
    deselect_properties(catalog, stream, METRICS | KEEP)
    return run_sync(config, catalog=catalog, state=state)


def key_of(stream: str, record: dict[str, Any]) -> Key:
    return (
        record["ad_account_id"],
        record[LEVELS[stream][2]],
        record.get("AD_GROUP_ID"),
        record["DATE"],
        record["targeting_type"],
        record["targeting_value"],
    )


def keyed(stream: str, records: list[dict[str, Any]]) -> dict[Key, dict[str, Any]]:
    out = {key_of(stream, r): r for r in records}
    assert len(out) == len(records), "duplicate primary keys"
    return out


def expected(
    api: FakePinterestAPI, stream: str, start: date, end: date, types: list[str]
) -> dict[Key, dict[str, Any]]:
    """The plain report rows of the level, split by each type, as records."""
    _, level, id_column, _ = LEVELS[stream]
    columns: list[str] = [
        c for c in ("SPEND_IN_DOLLAR", "CTR", "TOTAL_CLICKTHROUGH") if c in METRICS
    ]
    if level == "PRODUCT_ITEM":
        columns.append("AD_GROUP_ID")  # a key column: rows repeat per promoting ad group
    out: dict[Key, dict[str, Any]] = {}
    for account in ACCOUNTS:
        keyed_rows = api.data.report_only_rows(
            account, level, start, end, columns=columns, granularity="DAY"
        )
        for entity_id, rows in keyed_rows.items():
            for row in rows:
                for targeting_type in types:
                    for item in split_row({id_column: entity_id, **row}, id_column, targeting_type):
                        record = {k: v for k, v in item["metrics"].items() if k != id_column}
                        record.update(ATTRIBUTION, ad_account_id=account, **{id_column: entity_id})
                        value = str(item["targeting_value"])
                        record.update(targeting_type=targeting_type, targeting_value=value)
                        group = row.get("AD_GROUP_ID")
                        out[account, entity_id, group, row["DATE"], targeting_type, value] = record
    return out


@pytest.mark.parametrize("stream", list(LEVELS))
def test_product_targeting_levels_give_the_split_report_rows(
    fake_api: FakePinterestAPI, stream: str
) -> None:
    """Exact records, one report per account and window, no synchronous call, state."""
    report_level, _, id_column, entities = LEVELS[stream]
    start, end = days_ago(3), days_ago(1)
    # analytics_source does not apply: only reports serve the level.
    config = config_for(fake_api, start, end_date=end.isoformat(), analytics_source="sync", **FAST)
    result = sync(config, stream)

    records = keyed(stream, result.stream(stream))
    assert len(records) == 2 * entities * 3 * values_of(DEFAULT_TYPES)
    assert records == expected(fake_api, stream, start, end, DEFAULT_TYPES)
    record = next(iter(records.values()))
    extra = {"AD_GROUP_ID"} if stream == "product_item_targeting_analytics" else set()
    assert set(record) == {
        id_column,
        *extra,
        "DATE",
        "targeting_type",
        "targeting_value",
        *METRICS,
        *KEEP,
    }
    for account in ACCOUNTS:
        sent = bodies(fake_api, account)
        assert sent == [
            {
                "start_date": start.isoformat(),
                "end_date": end.isoformat(),
                "granularity": "DAY",
                "level": report_level,
                "columns": sent[0]["columns"],
                "click_window_days": 30,
                "engagement_window_days": 30,
                "view_window_days": 1,
                "conversion_report_time": "TIME_OF_AD_ACTION",
                "reporting_timezone": "PINTEREST_TIME_ZONE",
                "report_format": "JSON",
                "targeting_types": DEFAULT_TYPES,
            }
        ]
        assert sorted(sent[0]["columns"]) == sorted(METRICS | extra)
    # ad accounts, both reports created ahead (issue 19), then per account: poll, download.
    assert [(c.method, c.path.split("/")[-1]) for c in fake_api.log] == [
        ("GET", "ad_accounts"),
        ("POST", "reports"),
        ("POST", "reports"),
        *[
            (method, last)
            for token in ("report-1", "report-2")
            for method, last in (("GET", "reports"), ("GET", token))
        ],
    ]
    assert partitions(result.final_state, stream) == dict.fromkeys(ACCOUNTS, end.isoformat())
    assert {
        p["context"]["ad_account_id"]: p["targeting_types"]
        for p in result.final_state["bookmarks"][stream]["partitions"]
    } == dict.fromkeys(ACCOUNTS, DEFAULT_TYPES)


def test_product_item_targeting_reaches_92_days_in_31_day_reports(
    fake_api: FakePinterestAPI, caplog: pytest.LogCaptureFixture
) -> None:
    """PRODUCT_ITEM's reach and span hold for its twin; no ad columns in its schema."""
    stream = "product_item_targeting_analytics"
    config = config_for(fake_api, days_ago(900), targeting_types=["GENDER"], **FAST)
    with caplog.at_level(logging.WARNING):
        result = sync(config, stream)

    records = keyed(stream, result.stream(stream))
    # One day of margin inside the 92 days (issue 16): days_ago(91) to today.
    assert len(records) == 2 * 5 * 92 * values_of(["GENDER"])
    assert min(r["DATE"] for r in records.values()) == days_ago(91).isoformat()
    assert records == expected(fake_api, stream, days_ago(91), utc_today(), ["GENDER"])
    for account in ACCOUNTS:
        assert windows_of(bodies(fake_api, account)) == [
            (days_ago(91 - 31 * i).isoformat(), days_ago(max(0, 61 - 31 * i)).isoformat())
            for i in range(3)
        ]
    warnings = [r.getMessage() for r in caplog.records if "days back" in r.getMessage()]
    assert warnings == [
        (
            f"{stream}: Pinterest serves analytics at most 92 days back; {days_ago(900)} to "
            f"{days_ago(92)} can no longer be fetched, starting at {days_ago(91)}"
        )
    ]
    schema = next(
        m["schema"] for m in result.messages if m["type"] == "SCHEMA" and m["stream"] == stream
    )
    assert not [c for c in schema["properties"] if c.startswith(("AD_ID", "PIN_PROMOTION"))]
    assert {"PRODUCT_ITEM_ID", "targeting_type", "targeting_value"} <= set(schema["properties"])


def test_product_group_targeting_bookmarks_a_window_after_all_its_type_batches(
    fake_api: FakePinterestAPI,
) -> None:
    """Seven types, two reports per window: a failed second batch holds the bookmark back."""
    stream = "product_group_targeting_analytics"
    start, today = days_ago(400), utc_today()
    # 401 dates: 3 windows x 2 batches per account. Account 1's window 1 (2 reports) and
    # window 2's first batch finish; the next fails.
    fake_api.fail_next_reports("FAILED", after=3)
    config = config_for(fake_api, start, targeting_types=SEVEN_TYPES, **FAST)
    first, error = run_failing(config, {stream})
    assert error.failures[0].problem == (
        f"Pinterest report FAILED for ad account {ACCOUNT_1}, level PRODUCT_GROUP_TARGETING, "
        f"{start + timedelta(days=186)} to {start + timedelta(days=371)}, "
        "targeting types LOCATION, REGION"
    )
    window_1_end = start + timedelta(days=185)
    assert partitions(first.final_state, stream) == {
        ACCOUNT_1: window_1_end.isoformat(),
        ACCOUNT_2: today.isoformat(),
    }
    # Reports are created ahead in window order, at most 10 in flight
    # (max_reports_in_flight): the third window's too, left unread by the failure.
    assert [b["targeting_types"] for b in bodies(fake_api, ACCOUNT_1)] == [
        SEVEN_TYPES[:5],
        SEVEN_TYPES[5:],
    ] * 3
    assert len(bodies(fake_api, ACCOUNT_2)) == 3 * 2
    emitted = keyed(stream, first.stream(stream))

    fake_api.clear_log()
    second = sync(config, stream, state=first.final_state)
    resumed_start = window_1_end - timedelta(days=30)  # the default 30-day lookback
    assert windows_of(bodies(fake_api, ACCOUNT_1)) == [
        (resumed_start.isoformat(), (resumed_start + timedelta(days=185)).isoformat()),
        (resumed_start.isoformat(), (resumed_start + timedelta(days=185)).isoformat()),
        ((resumed_start + timedelta(days=186)).isoformat(), today.isoformat()),
        ((resumed_start + timedelta(days=186)).isoformat(), today.isoformat()),
    ]
    # Account 2 is bookmarked today: its lookback re-reads 31 days, still by report.
    assert (
        windows_of(bodies(fake_api, ACCOUNT_2))
        == [(days_ago(30).isoformat(), today.isoformat())] * 2
    )
    delivered = {*emitted, *keyed(stream, second.stream(stream))}
    for account in ACCOUNTS:
        mine = {k for k in delivered if k[0] == account}
        assert len(mine) == 3 * len(dates_between(start, today)) * values_of(SEVEN_TYPES)
    assert partitions(second.final_state, stream) == dict.fromkeys(ACCOUNTS, today.isoformat())
    assert fake_api.calls(r"/v5/.*analytics.*") == []
    assert len(fake_api.calls(REPORTS, method="POST")) == 4 + 2


# The fake's contract -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (_body("PRODUCT_GROUP_TARGETING", targeting_types=DEFAULT_TYPES), 200, None),
        (_body("PRODUCT_ITEM_TARGETING", targeting_types=["MEDIA_TYPE"]) | _recent(), 200, None),
        (
            _body("PRODUCT_GROUP_TARGETING"),
            400,
            "Missing required parameter: targeting_types.",
        ),
        (
            _body("PRODUCT_GROUP_TARGETING", targeting_types=["MEDIA_TYPE"]),
            400,
            "Invalid targeting_types for level PRODUCT_GROUP_TARGETING: MEDIA_TYPE.",
        ),
        (
            _body("PRODUCT_ITEM_TARGETING", targeting_types=SEVEN_TYPES) | _recent(),
            400,
            "Invalid targeting_types: at most 5 values are allowed.",
        ),
        (
            _body("PRODUCT_ITEM_TARGETING", targeting_types=["GENDER"]),
            400,
            (
                "Invalid start_date: for this report start_date cannot be more than 92 days back "
                "from today (UTC)."
            ),
        ),
        (
            _body("PRODUCT_ITEM_TARGETING", targeting_types=["GENDER"], columns=["AD_ID"])
            | _recent(),
            400,
            "Invalid columns for level PRODUCT_ITEM_TARGETING: AD_ID.",
        ),
        (
            _body("PRODUCT_GROUP", targeting_types=["GENDER"]),
            400,
            "Invalid targeting_types: level PRODUCT_GROUP does not end in _TARGETING.",
        ),
    ],
)
def test_fake_checks_product_targeting_report_bodies(
    fake_api: FakePinterestAPI, body: dict[str, Any], status: int, message: str | None
) -> None:
    response = _post(fake_api, body)
    assert response.status_code == status, response.text
    if message is not None:
        assert response.json() == {"code": 1, "message": message}
