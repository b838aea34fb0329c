"""Issue 18: which columns each ads level offers, selects by default, and asks for.

Every level offers the async reports' columns (`ReportingColumnAsync`); by default only
the synchronous endpoints' columns are selected, so a default table is as wide as
`ad_analytics` and a report asks for no more than it. A report-only column is one
`select` away. Expectations come from the spec's two column enums and the fake's data
builders, not from the tap's own lists.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from tap_pinterest import spec
from tests.tap_runner import catalog_selecting, run_sync, select_properties
from tests.test_analytics import ACCOUNTS, days_ago
from tests.test_reports import ATTRIBUTION, report_bodies, report_config

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
