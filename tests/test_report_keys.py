"""Each report level's key says what a row is: nothing a warehouse upserts on collides.

At level PRODUCT_ITEM an item promoted in several ad groups comes back once per ad group
(the fake does so: tests/fake_api/data.py, promoting_ad_groups), so the key holds
AD_GROUP_ID. The other levels' rows are one per entity and date (targeting: and type and
value), which their keys already say.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tap_pinterest.row_meaning import CatalogKeysError
from tap_pinterest.tap import TapPinterest
from tests.tap_runner import catalog_selecting, run_sync
from tests.test_analytics import ACCOUNTS, days_ago
from tests.test_reports import ATTRIBUTION, report_bodies, report_config

if TYPE_CHECKING:
    from tests.fake_api import FakePinterestAPI

STREAM = "product_item_analytics"
KEY = ["PRODUCT_ITEM_ID", "AD_GROUP_ID", "DATE"]
TARGETING = ["DATE", "targeting_type", "targeting_value"]
LEVEL_KEYS = {
    "ad_account_analytics": ["ad_account_id", "DATE"],
    "campaign_analytics": ["CAMPAIGN_ID", "DATE"],
    "ad_group_analytics": ["AD_GROUP_ID", "DATE"],
    "ad_analytics": ["AD_ID", "DATE"],
    "keyword_analytics": ["KEYWORD_ID", "DATE"],
    "product_group_analytics": ["PRODUCT_GROUP_ID", "DATE"],
    "product_item_analytics": KEY,
    "ad_account_targeting_analytics": [
        "ad_account_id",
        "DATE",
        "targeting_type",
        "targeting_value",
    ],
    "campaign_targeting_analytics": ["CAMPAIGN_ID", "DATE", "targeting_type", "targeting_value"],
    "ad_group_targeting_analytics": ["AD_GROUP_ID", "DATE", "targeting_type", "targeting_value"],
    "ad_targeting_analytics": ["AD_ID", "DATE", "targeting_type", "targeting_value"],
}


def test_every_report_level_declares_its_key() -> None:
    """The keys each level's rows are unique on (product items: and the ad group)."""
    tap = TapPinterest(config={"access_token": "x"}, parse_env_config=False)
    assert {name: list(tap.streams[name].primary_keys) for name in LEVEL_KEYS} == LEVEL_KEYS
    hourly = TapPinterest(
        config={"access_token": "x", "analytics_granularity": "HOUR"}, parse_env_config=False
    )
    assert list(hourly.streams[STREAM].primary_keys) == [*KEY, "HOUR"]


def test_an_item_in_two_ad_groups_comes_twice_with_distinct_keys(
    fake_api: FakePinterestAPI,
) -> None:
    """Both rows arrive; keyed on the item and date alone, one would overwrite the other."""
    start, end = days_ago(2), days_ago(1)
    result = run_sync(report_config(fake_api, start, end), streams={STREAM})
    records = result.stream(STREAM)
    schemas = [m for m in result.messages if m["type"] == "SCHEMA" and m["stream"] == STREAM]
    assert [m["key_properties"] for m in schemas] == [KEY] * len(schemas)
    assert schemas[0]["schema"]["properties"]["AD_GROUP_ID"] == {"type": ["string"]}
    bodies = report_bodies(fake_api, ACCOUNTS[0], "PRODUCT_ITEM")
    assert len(bodies) == 1
    assert "AD_GROUP_ID" in bodies[0]["columns"]

    expected: dict[tuple[str, ...], dict[str, Any]] = {}
    for account in ACCOUNTS:
        rows = fake_api.data.report_only_rows(
            account, "PRODUCT_ITEM", start, end, columns=bodies[0]["columns"], granularity="DAY"
        )
        for item, item_rows in rows.items():
            for row in item_rows:
                record = {k: v for k, v in row.items() if k != "AD_ACCOUNT_ID"}
                record.update(ATTRIBUTION, ad_account_id=account, PRODUCT_ITEM_ID=item)
                expected[(account, item, row["AD_GROUP_ID"], row["DATE"])] = record
    got = {(r["ad_account_id"], *(r[k] for k in KEY)): r for r in records}
    assert len(got) == len(records) == len(expected) == 2 * 5 * 2  # accounts, rows, dates
    assert got == expected

    for account in ACCOUNTS:
        first_item = fake_api.data.report_only_entities(account, "PRODUCT_ITEM")[0]
        groups = [g["id"] for g in fake_api.data.ad_groups[account][:2]]
        mine = [
            r
            for r in records
            if (r["ad_account_id"], r["PRODUCT_ITEM_ID"]) == (account, first_item)
        ]
        assert sorted((r["DATE"], r["AD_GROUP_ID"]) for r in mine) == sorted(
            (day.isoformat(), group) for day in (start, end) for group in groups
        )
        assert mine[0]["SPEND_IN_DOLLAR"] != mine[1]["SPEND_IN_DOLLAR"]
    # The former key would collide: one of the two ad groups' rows would be lost.
    former = {(r["ad_account_id"], r["PRODUCT_ITEM_ID"], r["DATE"]) for r in records}
    assert len(former) == len(records) - 2 * 2


def test_a_catalog_with_the_former_key_is_refused_in_one_line(
    fake_api: FakePinterestAPI,
) -> None:
    """A catalog discovered before the key change cannot key rows the old way."""
    config = report_config(fake_api, days_ago(2), days_ago(1))
    catalog = catalog_selecting(config, {STREAM})
    for entry in catalog["streams"]:
        if entry["tap_stream_id"] == STREAM:
            entry["key_properties"] = ["PRODUCT_ITEM_ID", "DATE"]
            for metadata in entry["metadata"]:
                if metadata["breadcrumb"] == []:
                    metadata["metadata"]["table-key-properties"] = ["PRODUCT_ITEM_ID", "DATE"]
    with pytest.raises(CatalogKeysError) as refused:
        run_sync(config, catalog=catalog)
    assert str(refused.value) == (
        "product_item_analytics: the catalog's key properties are [PRODUCT_ITEM_ID, DATE] "
        "but analytics_granularity DAY needs [PRODUCT_ITEM_ID, AD_GROUP_ID, DATE]; "
        "discover the catalog again with the current settings"
    )
    assert fake_api.calls(r"/v5/ad_accounts/\d+/reports", method="POST") == []
