"""Issue 18: which columns each ads level offers, selects by default, and asks for.

Every level offers the async reports' columns (`ReportingColumnAsync`); by default only
the synchronous endpoints' columns are selected, so a default table is as wide as
`ad_analytics` and a report asks for no more than it. A report-only column is one
`select` away. Expectations come from the spec's two column enums and the fake's data
builders, not from the tap's own lists.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
from typing import TYPE_CHECKING, Any

import pytest
import requests

from tap_pinterest import spec
from tap_pinterest.failures import StreamFailuresError
from tap_pinterest.tap import TapPinterest
from tests.fake_api import Scale
from tests.fake_api.server import DEFAULT_STATIC_TOKEN
from tests.tap_runner import catalog_selecting, run_sync, select_properties
from tests.test_analytics import ACCOUNTS, days_ago
from tests.test_reports import ATTRIBUTION, REPORTS, keyed, report_bodies, report_config
from tests.test_reports import expected_records as plain_expected
from tests.test_targeting_analytics import DEFAULT_TYPES, key_of
from tests.test_targeting_analytics import expected_records as targeting_expected

if TYPE_CHECKING:
    from datetime import date

    from tests.fake_api import FakePinterestAPI
    from tests.tap_runner import SyncResult

SYNC = spec.ads_analytics_columns()
ASYNC = spec.async_report_columns()
EXTRA = "TOTAL_CONVERSIONS_VALUE_IN_MICRO_DOLLAR"
# Ids of levels below keywords and product groups, never on their rows.
_LOWER_IDS = frozenset({"AD_ID", "PIN_ID", "PIN_PROMOTION_ID"})
# analytics/create_report: at PRODUCT_ITEM, no column related to pin promotion and ad.
_AD_RELATED = frozenset(
    c
    for c in SYNC
    if c.startswith(("AD_", "PIN_PROMOTION")) and not c.startswith(("AD_GROUP", "AD_ACCOUNT"))
)
# (stream, report level, id column, columns a row of the level never asks for)
REPORT_ONLY_LEVELS = [
    ("keyword_analytics", "KEYWORD", "KEYWORD_ID", _LOWER_IDS),
    ("product_group_analytics", "PRODUCT_GROUP", "PRODUCT_GROUP_ID", _LOWER_IDS),
    ("product_item_analytics", "PRODUCT_ITEM", "PRODUCT_ITEM_ID", _LOWER_IDS | _AD_RELATED),
]
# Columns a default report asks for: 175 synchronous ones less the 5 (PRODUCT_ITEM: 6)
# a row of the level has no use for.
DEFAULT_WIDTH = {"KEYWORD": 170, "PRODUCT_GROUP": 170, "PRODUCT_ITEM": 169}
# The one synchronous column reports lack, and AD_ACCOUNT_ID, folded into ad_account_id.
NOT_ASKED = frozenset({"QUIZ_PIN_RESULT_OPEN", "AD_ACCOUNT_ID"})


def default_report_columns(lower: frozenset[str]) -> list[str]:
    """A report-only level's default request: the synchronous columns, in report order."""
    return [c for c in ASYNC if c in SYNC and c not in NOT_ASKED | lower]


def report_records(
    api: FakePinterestAPI,
    level: str,
    id_column: str,
    window: tuple[date, date],
    columns: list[str],
) -> dict[tuple[str, ...], dict[str, Any]]:
    """(account, id, ad group, DATE) -> the record the fake's report rows make."""
    start, end = window
    expected: dict[tuple[str, ...], dict[str, Any]] = {}
    for account in ACCOUNTS:
        rows = api.data.report_only_rows(
            account, level, start, end, columns=columns, granularity="DAY"
        )
        for eid, entity_rows in rows.items():
            for row in entity_rows:
                record = {k: v for k, v in row.items() if k != "AD_ACCOUNT_ID"}
                record.update(ATTRIBUTION, ad_account_id=account, **{id_column: eid})
                expected[(account, eid, row.get("AD_GROUP_ID", ""), row["DATE"])] = record
    return expected


def keyed_records(result: SyncResult, stream: str, id_column: str) -> dict[tuple[str, ...], Any]:
    records = result.stream(stream)
    out: dict[tuple[str, ...], Any] = {
        (r["ad_account_id"], r[id_column], r.get("AD_GROUP_ID", ""), r["DATE"]): r for r in records
    }
    assert len(out) == len(records), "duplicate keys"
    return out


def schema_properties(result: SyncResult, stream: str) -> set[str]:
    schemas = [m for m in result.messages if m["type"] == "SCHEMA" and m["stream"] == stream]
    assert schemas
    return set(schemas[0]["schema"]["properties"])


# Item 0: report-only levels select the synchronous columns by default -----------------


def test_discovery_offers_report_only_columns_unselected() -> None:
    """The catalog offers every report column; report-only ones say selected-by-default."""
    from tests.tap_runner import discovered_catalog  # noqa: PLC0415

    catalog = discovered_catalog({"access_token": "x"})
    entries = {e["tap_stream_id"]: e for e in catalog["streams"]}
    for stream, *_ in REPORT_ONLY_LEVELS:
        metadata = {
            tuple(m["breadcrumb"]): m["metadata"]
            for m in entries[stream]["metadata"]
            if m["breadcrumb"]
        }
        assert metadata[("properties", EXTRA)] == {
            "inclusion": "available",
            "selected-by-default": False,
        }
        assert metadata[("properties", "SPEND_IN_DOLLAR")] == {"inclusion": "available"}
        assert metadata[("properties", "DATE")]["inclusion"] == "automatic"
        assert metadata[("properties", "GRANULARITY")]["inclusion"] == "automatic"
        unselected = {
            crumb[1] for crumb, meta in metadata.items() if meta.get("selected-by-default") is False
        }
        offered = set(entries[stream]["schema"]["properties"]) & set(ASYNC)
        assert unselected == offered - set(SYNC)
        assert len(unselected) > 400


@pytest.mark.parametrize(("stream", "level", "id_column", "lower"), REPORT_ONLY_LEVELS)
def test_a_default_run_asks_for_and_emits_the_synchronous_columns_only(
    fake_api: FakePinterestAPI, stream: str, level: str, id_column: str, lower: frozenset[str]
) -> None:
    window = (days_ago(2), days_ago(1))
    result = run_sync(report_config(fake_api, *window), streams={stream})
    columns = default_report_columns(lower)
    assert len(columns) == DEFAULT_WIDTH[level]
    for account in ACCOUNTS:
        bodies = report_bodies(fake_api, account, level)
        assert [b["columns"] for b in bodies] == [columns]
    expected = report_records(fake_api, level, id_column, window, columns)
    records = keyed_records(result, stream, id_column)
    assert records == expected
    width = {*columns, id_column, "ad_account_id", "DATE", *ATTRIBUTION}
    assert {frozenset(r) for r in records.values()} == {frozenset(width)}
    assert schema_properties(result, stream) == width
    assert not any(EXTRA in r for r in records.values())


@pytest.mark.parametrize(("stream", "level", "id_column", "lower"), REPORT_ONLY_LEVELS)
def test_selecting_a_report_only_column_gets_it_exactly(
    fake_api: FakePinterestAPI, stream: str, level: str, id_column: str, lower: frozenset[str]
) -> None:
    window = (days_ago(2), days_ago(1))
    config = report_config(fake_api, *window)
    catalog = select_properties(catalog_selecting(config, {stream}), stream, {EXTRA})
    result = run_sync(config, catalog=catalog)
    columns = [c for c in ASYNC if c in {*default_report_columns(lower), EXTRA}]
    assert EXTRA in columns
    bodies = report_bodies(fake_api, ACCOUNTS[0], level)
    assert [b["columns"] for b in bodies] == [columns]
    expected = report_records(fake_api, level, id_column, window, columns)
    records = keyed_records(result, stream, id_column)
    assert records == expected
    assert {r[EXTRA] for r in records.values()} == {r[EXTRA] for r in expected.values()}
    assert all(isinstance(r[EXTRA], int) for r in records.values())
    assert EXTRA in schema_properties(result, stream)


def test_report_bodies_of_a_default_run_are_a_fraction_of_the_former_width(
    fake_api: FakePinterestAPI,
) -> None:
    """Fewer columns, smaller reports: the body asks for ~170 columns, not ~600."""
    window = (days_ago(2), days_ago(1))
    run_sync(report_config(fake_api, *window), streams={"keyword_analytics"})
    body = report_bodies(fake_api, ACCOUNTS[0], "KEYWORD")[0]
    assert len(body["columns"]) == 170
    assert len(json.dumps(body)) < 5_000


# Item 1: every report column at the synchronous levels ------------------------------

# The shopping levels' ids and attributes are below every ads level; an ad's feed item
# is below the levels above ads: their rows' keys have no such column.
_BELOW_ADS = frozenset(
    {"PRODUCT_GROUP_ID", "PRODUCT_GROUP_STATUS"}
    | {c for c in ASYNC if c.startswith("PRODUCT_ITEM_")}
)
ADS_LEVELS = {
    # stream: (report level, report-only columns it does not offer)
    "ad_account_analytics": ("ADVERTISER", _BELOW_ADS | {"STANDARD_AD_FEED_ITEM_ID"}),
    "campaign_analytics": ("CAMPAIGN", _BELOW_ADS | {"STANDARD_AD_FEED_ITEM_ID"}),
    "ad_group_analytics": ("AD_GROUP", _BELOW_ADS | {"STANDARD_AD_FEED_ITEM_ID"}),
    "ad_analytics": ("PIN_PROMOTION", _BELOW_ADS),
    "ad_account_targeting_analytics": (
        "ADVERTISER_TARGETING",
        _BELOW_ADS | {"STANDARD_AD_FEED_ITEM_ID"},
    ),
    "campaign_targeting_analytics": (
        "CAMPAIGN_TARGETING",
        _BELOW_ADS | {"STANDARD_AD_FEED_ITEM_ID"},
    ),
    "ad_group_targeting_analytics": (
        "AD_GROUP_TARGETING",
        _BELOW_ADS | {"STANDARD_AD_FEED_ITEM_ID"},
    ),
    "ad_targeting_analytics": ("PIN_PROMOTION_TARGETING", _BELOW_ADS),
}
SMALL = Scale(campaigns_per_account=2, ad_groups_per_campaign=1, ads_per_ad_group=2)
SYNC_PATHS = r"/v5/ad_accounts/\d+(/\w+)?/(targeting_)?analytics"


def test_ads_levels_offer_every_report_column_unselected() -> None:
    """Synchronous columns as before (selected); report-only ones available, not selected."""
    from tests.tap_runner import discovered_catalog  # noqa: PLC0415

    catalog = discovered_catalog({"access_token": "x"})
    entries = {e["tap_stream_id"]: e for e in catalog["streams"]}
    report_only = set(ASYNC) - set(SYNC)
    assert len(report_only) == 439
    for stream, (_, not_offered) in ADS_LEVELS.items():
        entry = entries[stream]
        metadata = {tuple(m["breadcrumb"]): m["metadata"] for m in entry["metadata"]}
        offered = set(entry["schema"]["properties"]) & report_only
        assert offered == report_only - not_offered, stream
        unselected = {
            crumb[1] for crumb, meta in metadata.items() if meta.get("selected-by-default") is False
        }
        assert unselected == offered, stream
        assert entry["schema"]["properties"][EXTRA] == {"type": ["number", "null"]}
        assert entry["schema"]["properties"]["AD_STATUS"] == {"type": ["string", "null"]}
        # The synchronous columns keep their place, first, in the spec's order.
        names = list(entry["schema"]["properties"])
        assert names.index("SPEND_IN_DOLLAR") < names.index(EXTRA)


def shared(record: dict[str, Any], *dropped: str) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in dropped}


@pytest.mark.parametrize("stream", list(ADS_LEVELS))
def test_a_report_only_column_sends_every_date_to_reports(
    fake_api: FakePinterestAPI, caplog: pytest.LogCaptureFixture, stream: str
) -> None:
    """The column exactly; the shared columns as the synchronous run gives them."""
    fake_api.reset(SMALL)
    level = ADS_LEVELS[stream][0]
    window = (days_ago(3), days_ago(1))
    config = report_config(fake_api, *window)
    by_sync = run_sync(config, streams={stream})
    sync_calls = fake_api.calls(SYNC_PATHS)
    assert sync_calls
    assert fake_api.calls(REPORTS, method="POST") == []
    asked = sync_calls[0].query["columns"][0].split(",")
    assert EXTRA not in asked

    fake_api.clear_log()
    catalog = select_properties(catalog_selecting(config, {stream}), stream, {EXTRA})
    with caplog.at_level(logging.INFO):
        by_report = run_sync(config, catalog=catalog)
    assert fake_api.calls(SYNC_PATHS) == []
    for account in ACCOUNTS:
        bodies = report_bodies(fake_api, account, level)
        assert [(b["start_date"], b["end_date"]) for b in bodies] == [
            (window[0].isoformat(), window[1].isoformat())
        ]
        # The synchronous request's columns (less the one reports lack), then the extra.
        assert bodies[0]["columns"] == [*(c for c in asked if c != "QUIZ_PIN_RESULT_OPEN"), EXTRA]
    said = [r.getMessage() for r in caplog.records if "only path serving" in r.getMessage()]
    assert said == [
        f"{stream}: every date comes from async reports, the only path serving the selected {EXTRA}"
    ]

    columns = report_bodies(fake_api, ACCOUNTS[0], level)[0]["columns"]
    expected: dict[Any, dict[str, Any]]
    from_sync: dict[Any, dict[str, Any]]
    from_report: dict[Any, dict[str, Any]]
    if "targeting" in stream:
        expected = targeting_expected(fake_api, stream, *window, DEFAULT_TYPES, columns)
        from_sync = {key_of(stream, r): r for r in by_sync.stream(stream)}
        from_report = {key_of(stream, r): r for r in by_report.stream(stream)}
    else:
        expected = plain_expected(fake_api, stream, *window, columns)
        from_sync = keyed(stream, by_sync.stream(stream))
        from_report = keyed(stream, by_report.stream(stream))
    assert len(from_report) == len(by_report.stream(stream))
    assert from_report == expected
    assert {type(r[EXTRA]) for r in from_report.values()} <= {int, float}
    assert any(r[EXTRA] for r in from_report.values())
    assert set(from_report) == set(from_sync)
    for key, record in from_sync.items():
        assert shared(from_report[key], EXTRA) == shared(record, "QUIZ_PIN_RESULT_OPEN"), key
    assert by_report.final_state == by_sync.final_state


def test_a_catalog_without_the_new_columns_stays_synchronous(fake_api: FakePinterestAPI) -> None:
    """A catalog discovered before report-only columns were offered asks for none."""
    config = report_config(fake_api, days_ago(2), days_ago(1))
    catalog = catalog_selecting(config, {"campaign_analytics"})
    for entry in catalog["streams"]:
        if entry["tap_stream_id"] == "campaign_analytics":
            for name in set(ASYNC) - set(SYNC):
                entry["schema"]["properties"].pop(name, None)
            entry["metadata"] = [
                m
                for m in entry["metadata"]
                if m["breadcrumb"][-1:] == [] or m["breadcrumb"][1] in entry["schema"]["properties"]
            ]
    result = run_sync(config, catalog=catalog)
    assert len(result.stream("campaign_analytics")) == 12 * 2 * 2  # campaigns, days, accounts
    assert fake_api.calls(REPORTS, method="POST") == []
    assert fake_api.calls(r"/v5/ad_accounts/\d+/campaigns/analytics")


def test_a_report_only_column_with_analytics_source_sync_is_a_clear_error(
    fake_api: FakePinterestAPI,
) -> None:
    config = report_config(fake_api, days_ago(2), days_ago(1), analytics_source="sync")
    stream = "ad_group_analytics"
    catalog = select_properties(catalog_selecting(config, {stream}), stream, {EXTRA})
    tap = TapPinterest(config=config, catalog=catalog, parse_env_config=False)
    with contextlib.redirect_stdout(io.StringIO()), pytest.raises(StreamFailuresError) as raised:
        tap.sync_all()
    error = raised.value
    assert {f.problem for f in error.failures} == {
        (
            f"{stream}: {EXTRA} come only from async reports, but analytics_source is sync; "
            "deselect them or set analytics_source to auto or reports"
        )
    }
    assert fake_api.calls(REPORTS, method="POST") == []
    assert fake_api.calls(SYNC_PATHS) == []


def select_everything(catalog: dict[str, Any], streams: set[str]) -> dict[str, Any]:
    """What Meltano's `*.*` makes of a catalog: every property `selected: true`."""
    for entry in catalog["streams"]:
        if entry["tap_stream_id"] in streams:
            for metadata in entry["metadata"]:
                metadata["metadata"]["selected"] = True
    return catalog


def lines(result: SyncResult) -> list[dict[str, Any]]:
    """SCHEMA and RECORD messages, time_extracted aside."""
    return [
        {k: v for k, v in m.items() if k != "time_extracted"}
        for m in result.messages
        if m["type"] in {"SCHEMA", "RECORD"}
    ]


def calls_made(api: FakePinterestAPI) -> list[tuple[str, ...]]:
    """Every call, report tokens aside (the fake numbers them across runs)."""
    return [
        (
            c.method,
            *(re.sub(r"report-\d+", "report-N", t) for t in (c.path, c.query_string)),
            c.body,
        )
        for c in api.log
    ]


def test_a_wildcard_selection_keeps_the_default_columns(
    fake_api: FakePinterestAPI, caplog: pytest.LogCaptureFixture
) -> None:
    """Meltano's `*.*` selects every property: the tables and calls stay the defaults."""
    fake_api.reset(SMALL)
    streams = {"ad_analytics", "keyword_analytics"}
    config = report_config(fake_api, days_ago(2), days_ago(1))
    by_default = run_sync(config, streams=streams)
    default_calls = calls_made(fake_api)
    fake_api.clear_log()
    catalog = select_everything(catalog_selecting(config, streams), streams)
    with caplog.at_level(logging.INFO):
        everything = run_sync(config, catalog=catalog)
    assert calls_made(fake_api) == default_calls
    assert lines(everything) == lines(by_default)
    assert everything.final_state == by_default.final_state
    said = sorted(r.getMessage() for r in caplog.records if "as a wildcard" in r.getMessage())
    # 439 report-only columns, less the shopping levels' (ad: 13, keyword: 12).
    offered = {"ad_analytics": 426, "keyword_analytics": 427}
    assert said == [
        f"{stream}: the catalog selects all {offered[stream]} columns that are not selected "
        f"by default, as a wildcard (Meltano's *.* or {stream}.*) does; they stay off: "
        "select the ones you want by name"
        for stream in sorted(streams)
    ]


def test_naming_report_only_columns_beside_a_wildcard_gets_them(
    fake_api: FakePinterestAPI,
) -> None:
    """`ad_analytics.*` less one column is not a blanket wildcard: the rest are asked for."""
    stream = "ad_analytics"
    config = report_config(fake_api, days_ago(2), days_ago(1))
    catalog = select_everything(catalog_selecting(config, {stream}), {stream})
    for entry in catalog["streams"]:
        for metadata in entry["metadata"]:
            if entry["tap_stream_id"] == stream and metadata["breadcrumb"] == [
                "properties",
                "ADS_CREDIT_SPEND_IN_DOLLAR",
            ]:
                metadata["metadata"]["selected"] = False
    result = run_sync(config, catalog=catalog)
    body = report_bodies(fake_api, ACCOUNTS[0], "PIN_PROMOTION")[0]
    assert EXTRA in body["columns"]
    assert "ADS_CREDIT_SPEND_IN_DOLLAR" not in body["columns"]
    # The synchronous columns less QUIZ_PIN_RESULT_OPEN, and 426 report-only ones less one.
    assert len(body["columns"]) == 172 + 426 - 1
    assert fake_api.calls(SYNC_PATHS) == []
    assert all(EXTRA in r for r in result.stream(stream))


def test_a_wildcard_plus_a_column_made_default_gets_that_column(
    fake_api: FakePinterestAPI,
) -> None:
    """Meltano `metadata: {ad_analytics: {COLUMN: {selected-by-default: true}}}` with `*.*`."""
    stream = "ad_analytics"
    config = report_config(fake_api, days_ago(2), days_ago(1))
    catalog = select_everything(catalog_selecting(config, {stream}), {stream})
    for entry in catalog["streams"]:
        for metadata in entry["metadata"]:
            if entry["tap_stream_id"] == stream and metadata["breadcrumb"] == ["properties", EXTRA]:
                metadata["metadata"]["selected-by-default"] = True
    result = run_sync(config, catalog=catalog)
    asked = report_bodies(fake_api, ACCOUNTS[0], "PIN_PROMOTION")[0]["columns"]
    assert asked[-1] == EXTRA
    assert len(asked) == 172 + 1
    assert {frozenset(r) for r in result.stream(stream)} == {
        frozenset({*asked, "AD_ID", "ad_account_id", "DATE", *ATTRIBUTION})
    }


# The fake's contract: what the spec lets each level's reports serve --------------------


@pytest.mark.parametrize(
    ("level", "types"),
    [
        ("ADVERTISER", None),
        ("CAMPAIGN", None),
        ("AD_GROUP", None),
        ("PIN_PROMOTION", None),
        ("AD_GROUP_TARGETING", ["AGE_BUCKET"]),
    ],
)
def test_fake_reports_serve_every_report_column_at_the_ads_levels(
    fake_api: FakePinterestAPI, level: str, types: list[str] | None
) -> None:
    """All 613 columns are accepted; the synchronous endpoints refuse the report-only ones."""
    auth = {"Authorization": f"Bearer {DEFAULT_STATIC_TOKEN}"}
    body: dict[str, Any] = {
        "start_date": days_ago(2).isoformat(),
        "end_date": days_ago(1).isoformat(),
        "granularity": "DAY",
        "level": level,
        "columns": list(ASYNC),
    }
    if types:
        body["targeting_types"] = types
    url = f"{fake_api.url}/ad_accounts/{ACCOUNTS[0]}/reports"
    created = requests.post(url, json=body, headers=auth, timeout=10)
    assert created.status_code == 200, created.text
    poll = requests.get(url, params={"token": created.json()["token"]}, headers=auth, timeout=10)
    rows = [r for rs in requests.get(poll.json()["url"], timeout=10).json().values() for r in rs]
    assert rows
    served = {c for row in rows for c in row}
    # Zero metrics are left out of JSON reports; every other report-only column is there.
    assert len(served & (set(ASYNC) - set(SYNC))) > 400
    assert EXTRA in served

    refused = requests.get(
        f"{fake_api.url}/ad_accounts/{ACCOUNTS[0]}/analytics",
        params={
            "start_date": days_ago(2).isoformat(),
            "end_date": days_ago(1).isoformat(),
            "granularity": "DAY",
            "columns": f"SPEND_IN_DOLLAR,{EXTRA}",
        },
        headers=auth,
        timeout=10,
    )
    assert refused.status_code == 400
    assert EXTRA in refused.text


def test_fake_refuses_ad_columns_at_product_item_reports(fake_api: FakePinterestAPI) -> None:
    """analytics/create_report: no column related to pin promotion and ad at PRODUCT_ITEM."""
    response = requests.post(
        f"{fake_api.url}/ad_accounts/{ACCOUNTS[0]}/reports",
        json={
            "start_date": days_ago(2).isoformat(),
            "end_date": days_ago(1).isoformat(),
            "granularity": "DAY",
            "level": "PRODUCT_ITEM",
            "columns": ["SPEND_IN_DOLLAR", "AD_STATUS", "PIN_PROMOTION_NAME"],
        },
        headers={"Authorization": f"Bearer {DEFAULT_STATIC_TOKEN}"},
        timeout=10,
    )
    assert response.status_code == 400
    assert "AD_STATUS, PIN_PROMOTION_NAME" in response.text
