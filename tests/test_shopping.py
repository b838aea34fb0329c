"""Catalogs, product group promotions and product group analytics against the fake API.

Expectations come from the fake's shopping data (tests/fake_api/shopping.py), with literal
counts and request counts so a fake that served nothing could not pass.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pytest
import requests

from tap_pinterest.errors import PinterestAPIError
from tests.fake_api.data import ENTITY_STATUSES, sync_columns
from tests.fake_api.shopping import PARTNER_ID
from tests.tap_runner import run_sync

if TYPE_CHECKING:
    from tests.fake_api import FakePinterestAPI

ACCOUNT_1 = "549755885175"
ACCOUNT_2 = "549755885176"  # shared with the user; owned by the partner
ACCOUNTS = (ACCOUNT_1, ACCOUNT_2)
USER_ID = "2783136121146311751"
CATALOG_STREAMS = {"catalogs", "catalogs_feeds", "catalogs_product_groups"}
ATTRIBUTION = {
    "GRANULARITY": "DAY",
    "CLICK_WINDOW_DAYS": 30,
    "ENGAGEMENT_WINDOW_DAYS": 30,
    "VIEW_WINDOW_DAYS": 1,
    "CONVERSION_REPORT_TIME": "TIME_OF_AD_ACTION",
    "REPORTING_TIMEZONE": "PINTEREST_TIME_ZONE",
}
# Kept when narrowing a catalog: the row's meaning (attribution) and its ad account.
KEEP = {*ATTRIBUTION, "ad_account_id"}
PROMOTIONS = r"/v5/ad_accounts/\d+/product_group_promotions"
PG_ANALYTICS = r"/v5/ad_accounts/\d+/product_groups/analytics"
# Columns the tap asks for on product groups: all but the ad account and ad-level ids.
PG_COLUMNS = [
    c
    for c in sync_columns()
    if c not in {"AD_ACCOUNT_ID", "AD_ID", "PIN_ID", "PIN_PROMOTION_ID", "PRODUCT_GROUP_ID"}
]


def utc_today() -> date:
    return datetime.now(tz=timezone.utc).date()


def days_ago(n: int) -> date:
    return utc_today() - timedelta(days=n)


def config_for(api: FakePinterestAPI, **extra: Any) -> dict[str, Any]:
    return {
        "access_token": "demo-access-token",
        "api_url": api.url,
        "start_date": days_ago(2).isoformat(),
        **extra,
    }


def without_credentials(feed: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in feed.items() if k != "credentials"}


def expected_promotions(api: FakePinterestAPI) -> list[dict[str, Any]]:
    return [
        {**p, "ad_account_id": account}
        for account in ACCOUNTS
        for p in api.shopping.promotions[account]
    ]


def partitions(state: dict[str, Any], stream: str) -> dict[str, Any]:
    return {
        p["context"]["ad_account_id"]: p.get("replication_key_value")
        for p in state["bookmarks"][stream]["partitions"]
    }


# Catalogs -----------------------------------------------------------------------------


def test_catalog_lists_are_exact_over_pages(fake_api: FakePinterestAPI) -> None:
    """Every catalog, feed and product group of the user, page after page, keyed by id."""
    result = run_sync(config_for(fake_api, page_size=2), streams=CATALOG_STREAMS)
    data = fake_api.shopping
    assert result.stream("catalogs") == data.catalogs[USER_ID]
    assert result.stream("catalogs_feeds") == [without_credentials(f) for f in data.feeds[USER_ID]]
    assert result.stream("catalogs_product_groups") == data.product_groups[USER_ID]
    assert len(result.stream("catalogs")) == 2
    assert len(result.stream("catalogs_feeds")) == 4
    assert len(result.stream("catalogs_product_groups")) == 12
    # ceil(n / 2) pages each, every page asked with page_size 2 and no ad account.
    assert len(fake_api.calls(r"/v5/catalogs")) == 1
    assert len(fake_api.calls(r"/v5/catalogs/feeds")) == 2
    assert len(fake_api.calls(r"/v5/catalogs/product_groups")) == 6
    for call in fake_api.calls(r"/v5/catalogs.*"):
        assert call.query["page_size"] == ["2"]
        assert "ad_account_id" not in call.query
    for stream in CATALOG_STREAMS:
        schema = next(m for m in result.messages if m["type"] == "SCHEMA" and m["stream"] == stream)
        assert schema["key_properties"] == ["id"]
        assert result.final_state["bookmarks"].get(stream, {}) == {}


def test_feed_credentials_are_never_emitted(fake_api: FakePinterestAPI) -> None:
    """A feed's download password is a secret: not in the schema, records or any message."""
    assert fake_api.shopping.feeds[USER_ID][0]["credentials"]["password"] == "feed-secret-0"
    result = run_sync(config_for(fake_api), streams={"catalogs_feeds"})
    assert len(result.stream("catalogs_feeds")) == 4
    assert "feed-secret" not in json.dumps(result.messages)
    schema = next(m for m in result.messages if m["type"] == "SCHEMA")
    assert "credentials" not in schema["schema"]["properties"]


def test_hotel_product_group_filters_come_out_intact(fake_api: FakePinterestAPI) -> None:
    """Hotel filter keys (HOTEL_ID, PRICE with operator, COUNTRY) are not cut to retail's."""
    hotel = fake_api.shopping.add_hotel_catalog()
    result = run_sync(config_for(fake_api), streams={"catalogs", "catalogs_product_groups"})
    groups = {g["id"]: g for g in result.stream("catalogs_product_groups")}
    assert len(groups) == 13  # 12 retail, 1 hotel
    assert groups[hotel["id"]] == hotel
    assert groups[hotel["id"]]["filters"] == {
        "any_of": [
            {"HOTEL_ID": {"values": ["hotel-7", "hotel-9"], "negated": False}},
            {
                "PRICE": {
                    "value": 120.5,
                    "operator": "LESS_THAN",
                    "currency": "EUR",
                    "negated": False,
                }
            },
            {"COUNTRY": {"values": ["PT", "ES"], "negated": True}},
        ]
    }
    assert [c["catalog_type"] for c in result.stream("catalogs")] == ["RETAIL", "RETAIL", "HOTEL"]
    assert result.stream("catalogs_product_groups") == fake_api.shopping.product_groups[USER_ID]


def test_organic_ad_account_id_reads_the_owners_catalogs(fake_api: FakePinterestAPI) -> None:
    """With organic_ad_account_id the lists act as that ad account's owner."""
    config = config_for(fake_api, organic_ad_account_id=ACCOUNT_2)
    result = run_sync(config, streams=CATALOG_STREAMS)
    data = fake_api.shopping
    assert result.stream("catalogs") == data.catalogs[PARTNER_ID]
    assert len(result.stream("catalogs")) == 1
    assert result.stream("catalogs_feeds") == [
        without_credentials(f) for f in data.feeds[PARTNER_ID]
    ]
    assert result.stream("catalogs_product_groups") == data.product_groups[PARTNER_ID]
    calls = fake_api.calls(r"/v5/catalogs.*")
    assert len(calls) == 3
    assert all(c.query["ad_account_id"] == [ACCOUNT_2] for c in calls)


def test_refused_ad_account_names_the_stream(fake_api: FakePinterestAPI) -> None:
    """An ad account the user has no Business Access to: one line naming the stream."""
    config = config_for(fake_api, organic_ad_account_id="123", on_stream_error="fail")
    with pytest.raises(PinterestAPIError, match=r"^stream catalogs \(the user\): HTTP 403"):
        run_sync(config, streams={"catalogs"})


# Product group promotions ------------------------------------------------------------


def test_promotions_every_status_read_per_ad_group(fake_api: FakePinterestAPI) -> None:
    """One listing per ad group (the API needs ad_group_id), every status, ad account added."""
    result = run_sync(config_for(fake_api), streams={"product_group_promotions"})
    records = result.stream("product_group_promotions")
    assert records == expected_promotions(fake_api)
    assert len(records) == 24  # 2 CATALOG_SALES campaigns x 2 ad groups x 3, per account
    assert {r["status"] for r in records} == set(ENTITY_STATUSES)

    calls = fake_api.calls(PROMOTIONS)
    assert len(calls) == 48  # 24 ad groups per account
    groups = {g["id"] for account in ACCOUNTS for g in fake_api.data.ad_groups[account]}
    assert {c.query["ad_group_id"][0] for c in calls} == groups
    assert all(c.query["entity_statuses"] == list(ENTITY_STATUSES) for c in calls)
    assert all(c.query["page_size"] == ["250"] for c in calls)
    assert len(fake_api.calls(r"/v5/ad_accounts/\d+/ad_groups")) == 2
    assert result.final_state["bookmarks"]["product_group_promotions"] == {}
    schema = next(
        m
        for m in result.messages
        if m["type"] == "SCHEMA" and m["stream"] == "product_group_promotions"
    )
    assert schema["key_properties"] == ["id"]


def test_promotions_reuse_ad_groups_listed_this_run(fake_api: FakePinterestAPI) -> None:
    """With ad_groups in the sync its ids serve the promotions: no second ad group listing."""
    result = run_sync(config_for(fake_api), streams={"ad_groups", "product_group_promotions"})
    assert len(result.stream("product_group_promotions")) == 24
    assert len(fake_api.calls(r"/v5/ad_accounts/\d+/ad_groups")) == 2
    assert len(fake_api.calls(PROMOTIONS)) == 48


# Product group analytics -------------------------------------------------------------


def expected_pg_rows(
    api: FakePinterestAPI, start: date, end: date, columns: list[str]
) -> dict[tuple[str, str], dict[str, Any]]:
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for account in ACCOUNTS:
        ids = [p["id"] for p in api.shopping.promotions[account]]
        for row in api.shopping.product_group_rows(
            account, ids, start, end, columns=columns, granularity="DAY"
        ):
            record = {**row, **ATTRIBUTION, "ad_account_id": account}
            record.pop("AD_ACCOUNT_ID", None)
            out[record["PRODUCT_GROUP_ID"], record["DATE"]] = record
    return out


def test_fake_refuses_what_the_spec_refuses(fake_api: FakePinterestAPI) -> None:
    """Promotions need ad_group_id or ids; product group filters take at most 1000 ids."""
    headers = {"Authorization": "Bearer demo-access-token"}
    promotions = requests.get(
        f"{fake_api.url}/ad_accounts/{ACCOUNT_1}/product_group_promotions",
        headers=headers,
        timeout=10,
    )
    assert promotions.status_code == 400
    assert "ad_group_id" in promotions.json()["message"]
    too_many = requests.get(
        f"{fake_api.url}/catalogs/product_groups",
        params={"id": ",".join(str(i) for i in range(1001))},
        headers=headers,
        timeout=10,
    )
    assert too_many.status_code == 400
    no_ids = requests.get(
        f"{fake_api.url}/ad_accounts/{ACCOUNT_1}/product_groups/analytics",
        params={
            "start_date": days_ago(1).isoformat(),
            "end_date": days_ago(1).isoformat(),
            "columns": "SPEND_IN_DOLLAR",
            "granularity": "DAY",
        },
        headers=headers,
        timeout=10,
    )
    assert no_ids.status_code == 400
    assert no_ids.json()["message"] == "Missing required parameter: product_group_ids."
