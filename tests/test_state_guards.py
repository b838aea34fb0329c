"""Settings that change what a row means are kept in state and guarded; so are keys.

Changing analytics_granularity (or the attribution windows, or the user account analytics
split) and running on the old state would upsert rows that mean something else onto the
same keys. A catalog discovered under other settings would key rows wrongly downstream,
and narrowing the metrics must not drop the columns that say what a row means.
"""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pytest

from tap_pinterest.row_meaning import CatalogKeysError, SettingsChangedError
from tests.tap_runner import catalog_selecting, deselect_properties, run_sync

if TYPE_CHECKING:
    from tests.fake_api import FakePinterestAPI

ACCOUNTS = ("549755885175", "549755885176")
DEFAULT_SETTINGS = {
    "analytics_granularity": "DAY",
    "click_window_days": 30,
    "engagement_window_days": 30,
    "view_window_days": 1,
    "conversion_report_time": "TIME_OF_AD_ACTION",
    "reporting_timezone": "PINTEREST_TIME_ZONE",
}
MEANING = {
    "ad_account_id",
    "GRANULARITY",
    "CLICK_WINDOW_DAYS",
    "ENGAGEMENT_WINDOW_DAYS",
    "VIEW_WINDOW_DAYS",
    "CONVERSION_REPORT_TIME",
    "REPORTING_TIMEZONE",
}


def days_ago(n: int) -> date:
    return datetime.now(tz=timezone.utc).date() - timedelta(days=n)


def config_for(api: FakePinterestAPI, **extra: Any) -> dict[str, Any]:
    return {
        "access_token": "demo-access-token",
        "api_url": api.url,
        "start_date": days_ago(10).isoformat(),
        **extra,
    }


def partitions(state: dict[str, Any], stream: str) -> dict[str, dict[str, Any]]:
    return {p["context"]["ad_account_id"]: p for p in state["bookmarks"][stream]["partitions"]}


# Settings kept in state -----------------------------------------------------------------


def test_each_partition_keeps_the_settings_its_rows_were_counted_under(
    fake_api: FakePinterestAPI,
) -> None:
    result = run_sync(config_for(fake_api), streams={"campaign_analytics"})
    assert partitions(result.final_state, "campaign_analytics") == {
        account: {
            "context": {"ad_account_id": account},
            "replication_key": "DATE",
            "replication_key_value": days_ago(0).isoformat(),
            "settings": DEFAULT_SETTINGS,
        }
        for account in ACCOUNTS
    }
    again = run_sync(config_for(fake_api), streams={"campaign_analytics"}, state=result.final_state)
    assert len(again.stream("campaign_analytics")) == 24 * 11
    assert partitions(again.final_state, "campaign_analytics") == partitions(
        result.final_state, "campaign_analytics"
    )


@pytest.mark.parametrize(
    ("changed", "said"),
    [
        ({"analytics_granularity": "WEEK"}, "analytics_granularity was 'DAY' and is now 'WEEK'"),
        ({"click_window_days": 60}, "click_window_days was 30 and is now 60"),
        (
            {"conversion_report_time": "TIME_OF_CONVERSION"},
            "conversion_report_time was 'TIME_OF_AD_ACTION' and is now 'TIME_OF_CONVERSION'",
        ),
        (
            {"reporting_timezone": "AD_ACCOUNT_TIME_ZONE"},
            "reporting_timezone was 'PINTEREST_TIME_ZONE' and is now 'AD_ACCOUNT_TIME_ZONE'",
        ),
    ],
)
def test_changed_settings_on_old_state_fail_with_one_clear_line(
    fake_api: FakePinterestAPI, changed: dict[str, Any], said: str
) -> None:
    first = run_sync(config_for(fake_api), streams={"campaign_analytics"})
    state = copy.deepcopy(first.final_state)
    fake_api.clear_log()
    with pytest.raises(SettingsChangedError) as excinfo:
        run_sync(config_for(fake_api, **changed), streams={"campaign_analytics"}, state=state)
    message = str(excinfo.value)
    assert message == (
        f"campaign_analytics (ad_account_id {ACCOUNTS[0]}): settings changed since the state "
        f"was written ({said}); rows counted both ways would mix under the same keys. Put "
        "the settings back, or reset campaign_analytics's state and its table (see "
        "'Resetting a stream's state' in the README)"
    )
    assert "\n" not in message
    assert fake_api.calls(r"/v5/ad_accounts/\d+/campaigns/analytics") == []


def test_changed_split_field_of_user_account_analytics_fails(fake_api: FakePinterestAPI) -> None:
    first = run_sync(config_for(fake_api), streams={"user_account_analytics"})
    stored = first.final_state["bookmarks"]["user_account_analytics"]
    assert stored["settings"] == {
        "user_account_analytics_split_field": "NO_SPLIT",
        "app_types": "ALL",
    }
    changed = config_for(fake_api, user_account_analytics_split_field="APP_TYPE")
    with pytest.raises(SettingsChangedError, match="user_account_analytics_split_field was"):
        run_sync(changed, streams={"user_account_analytics"}, state=first.final_state)


def test_state_from_before_settings_were_kept_is_trusted(fake_api: FakePinterestAPI) -> None:
    first = run_sync(config_for(fake_api), streams={"campaign_analytics"})
    old = copy.deepcopy(first.final_state)
    for partition in old["bookmarks"]["campaign_analytics"]["partitions"]:
        del partition["settings"]
    again = run_sync(
        config_for(fake_api, lookback_window_days=2), streams={"campaign_analytics"}, state=old
    )
    assert {r["DATE"] for r in again.stream("campaign_analytics")} == {
        days_ago(n).isoformat() for n in range(3)
    }
    for partition in partitions(again.final_state, "campaign_analytics").values():
        assert partition["settings"] == DEFAULT_SETTINGS


def test_full_table_run_starts_changed_partitions_over(fake_api: FakePinterestAPI) -> None:
    """Forced FULL_TABLE is the user asking to start over: no error, no stale bookmark."""
    first = run_sync(config_for(fake_api), streams={"campaign_analytics"})
    week = config_for(fake_api, analytics_granularity="WEEK")
    catalog = catalog_selecting(week, {"campaign_analytics"})
    for entry in catalog["streams"]:
        if entry["tap_stream_id"] == "campaign_analytics":
            entry["replication_method"] = "FULL_TABLE"
    full = run_sync(week, catalog=catalog, state=copy.deepcopy(first.final_state))
    assert {r["GRANULARITY"] for r in full.stream("campaign_analytics")} == {"WEEK"}
    week_settings = {**DEFAULT_SETTINGS, "analytics_granularity": "WEEK"}
    assert partitions(full.final_state, "campaign_analytics") == {
        account: {"context": {"ad_account_id": account}, "settings": week_settings}
        for account in ACCOUNTS
    }
    # The next incremental run under WEEK reads from start_date and keeps a bookmark.
    fake_api.clear_log()
    after = run_sync(week, streams={"campaign_analytics"}, state=full.final_state)
    assert {r["GRANULARITY"] for r in after.stream("campaign_analytics")} == {"WEEK"}
    calls = fake_api.calls(r"/v5/ad_accounts/\d+/campaigns/analytics")
    monday = days_ago(10) - timedelta(days=days_ago(10).weekday())
    assert {c.query["start_date"][0] for c in calls} == {monday.isoformat()}
    for partition in partitions(after.final_state, "campaign_analytics").values():
        assert partition["settings"] == week_settings
        # WEEK rows are dated by their Monday: this week's is the newest DATE emitted.
        this_monday = days_ago(0) - timedelta(days=days_ago(0).weekday())
        assert partition["replication_key_value"] == this_monday.isoformat()


# Catalog keys ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("discovered", "run", "expected"),
    [
        (
            "DAY",
            "HOUR",
            (
                "campaign_analytics: the catalog's key properties are [CAMPAIGN_ID, DATE] but "
                "analytics_granularity HOUR needs [CAMPAIGN_ID, DATE, HOUR] (and its schema "
                "lacks HOUR); discover the catalog again with the current settings"
            ),
        ),
        (
            "HOUR",
            "DAY",
            (
                "campaign_analytics: the catalog's key properties are [CAMPAIGN_ID, DATE, HOUR] "
                "but analytics_granularity DAY needs [CAMPAIGN_ID, DATE]; discover the catalog "
                "again with the current settings"
            ),
        ),
    ],
)
def test_catalog_keys_must_match_the_settings(
    fake_api: FakePinterestAPI, discovered: str, run: str, expected: str
) -> None:
    start = {"start_date": days_ago(1).isoformat()}
    catalog = catalog_selecting(
        config_for(fake_api, analytics_granularity=discovered, **start), {"campaign_analytics"}
    )
    with pytest.raises(CatalogKeysError) as excinfo:
        run_sync(config_for(fake_api, analytics_granularity=run, **start), catalog=catalog)
    assert str(excinfo.value) == expected
    assert excinfo.value.errors == [expected]
    assert fake_api.calls(r"/v5/ad_accounts/\d+/campaigns/analytics") == []


def test_catalog_keys_of_a_deselected_stream_are_not_checked(fake_api: FakePinterestAPI) -> None:
    day = config_for(fake_api, start_date=days_ago(1).isoformat())
    catalog = catalog_selecting(day, {"campaigns"})  # every analytics stream deselected
    result = run_sync({**day, "analytics_granularity": "HOUR"}, catalog=catalog)
    assert len(result.stream("campaigns")) == 24
    assert result.stream("campaign_analytics") == []


# Meaning columns -------------------------------------------------------------------------


def test_meaning_columns_are_automatic_in_the_catalog(fake_api: FakePinterestAPI) -> None:
    catalog = catalog_selecting(config_for(fake_api), {"campaign_analytics"})
    (entry,) = [e for e in catalog["streams"] if e["tap_stream_id"] == "campaign_analytics"]
    automatic = {
        m["breadcrumb"][1]
        for m in entry["metadata"]
        if m["breadcrumb"] and m["metadata"]["inclusion"] == "automatic"
    }
    assert automatic == {"CAMPAIGN_ID", "DATE", *MEANING}


@pytest.mark.parametrize("old_catalog", [False, True])
def test_narrowing_metrics_keeps_the_meaning_columns(
    fake_api: FakePinterestAPI, *, old_catalog: bool
) -> None:
    config = config_for(fake_api, start_date=days_ago(1).isoformat())
    catalog = catalog_selecting(config, {"campaign_analytics"})
    if old_catalog:  # discovered before these columns were marked automatic
        for entry in catalog["streams"]:
            for metadata in entry["metadata"]:
                if metadata["breadcrumb"][-1:] and metadata["breadcrumb"][-1] in MEANING:
                    metadata["metadata"]["inclusion"] = "available"
    catalog = deselect_properties(catalog, "campaign_analytics", {"SPEND_IN_DOLLAR"})
    result = run_sync(config, catalog=catalog)
    records = result.stream("campaign_analytics")
    assert len(records) == 24 * 2
    for record in records:
        assert set(record) == {"CAMPAIGN_ID", "DATE", "SPEND_IN_DOLLAR", *MEANING}
        assert record["GRANULARITY"] == "DAY"
        assert record["CLICK_WINDOW_DAYS"] == 30
