"""The default lookback follows the attribution settings; organic analytics keep 7 days.

Under TIME_OF_AD_ACTION a conversion is booked on the day of the ad action and can come
in up to the attribution window later, so a run must re-read that far back or the
warehouse keeps under-counted conversions for good.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pytest

from tests.tap_runner import run_sync

if TYPE_CHECKING:
    from tests.fake_api import FakePinterestAPI

ACCOUNTS = ("549755885175", "549755885176")
ACCOUNT_PATH = r"/v5/ad_accounts/\d+/analytics"


def days_ago(n: int) -> date:
    return datetime.now(tz=timezone.utc).date() - timedelta(days=n)


def second_run_start(api: FakePinterestAPI, **settings: Any) -> int:
    """Days ago the second run starts, after a first run that ended 20 days ago."""
    config = {
        "access_token": "demo-access-token",
        "api_url": api.url,
        "start_date": days_ago(89).isoformat(),
        **settings,
    }
    first = run_sync(
        {**config, "end_date": days_ago(20).isoformat()}, streams={"ad_account_analytics"}
    )
    bookmarks = {
        p["context"]["ad_account_id"]: p["replication_key_value"]
        for p in first.final_state["bookmarks"]["ad_account_analytics"]["partitions"]
    }
    assert bookmarks == dict.fromkeys(ACCOUNTS, days_ago(20).isoformat())
    api.clear_log()
    second = run_sync(config, streams={"ad_account_analytics"}, state=first.final_state)
    starts = {c.query["start_date"][0] for c in api.calls(ACCOUNT_PATH)}
    assert len(starts) == 1, starts
    (start,) = starts
    days = (days_ago(0) - date.fromisoformat(start)).days
    assert len(second.stream("ad_account_analytics")) == 2 * (days + 1)
    return days


@pytest.mark.parametrize(
    ("settings", "lookback"),
    [
        ({}, 30),  # click and engagement windows default to 30 days
        ({"click_window_days": 60}, 60),
        ({"click_window_days": 7, "engagement_window_days": 1, "view_window_days": 14}, 14),
        ({"click_window_days": 1, "engagement_window_days": 1, "view_window_days": 0}, 7),
        ({"conversion_report_time": "TIME_OF_CONVERSION", "click_window_days": 60}, 7),
        ({"lookback_window_days": 3, "click_window_days": 60}, 3),  # a number still wins
        ({"lookback_window_days": 45}, 45),
    ],
)
def test_default_lookback_follows_the_widest_attribution_window(
    fake_api: FakePinterestAPI, settings: dict[str, Any], lookback: int
) -> None:
    assert second_run_start(fake_api, **settings) == 20 + lookback


def test_short_lookback_warns_once(
    fake_api: FakePinterestAPI, caplog: pytest.LogCaptureFixture
) -> None:
    config = {
        "access_token": "demo-access-token",
        "api_url": fake_api.url,
        "start_date": days_ago(3).isoformat(),
        "lookback_window_days": 7,
        "click_window_days": 14,
        "engagement_window_days": 60,
    }
    streams = {"ad_account_analytics", "campaign_analytics", "ad_group_analytics"}
    with caplog.at_level(logging.WARNING):
        run_sync(config, streams=streams)
    warnings = [
        r.getMessage() for r in caplog.records if "lookback_window_days is" in r.getMessage()
    ]
    expected = (
        "lookback_window_days is 7 but engagement_window_days is 60 under TIME_OF_AD_ACTION: "
        "conversions booked more than 7 days before the bookmark will not be updated; unset "
        "lookback_window_days to follow the widest attribution window"
    )
    assert warnings == [expected]


@pytest.mark.parametrize(
    "settings",
    [
        {},  # unset: the default follows the windows
        {"lookback_window_days": 30},
        {"lookback_window_days": 1, "conversion_report_time": "TIME_OF_CONVERSION"},
    ],
)
def test_no_warning_when_the_lookback_covers_the_windows(
    fake_api: FakePinterestAPI, caplog: pytest.LogCaptureFixture, settings: dict[str, Any]
) -> None:
    config = {
        "access_token": "demo-access-token",
        "api_url": fake_api.url,
        "start_date": days_ago(2).isoformat(),
        **settings,
    }
    with caplog.at_level(logging.WARNING):
        run_sync(config, streams={"ad_account_analytics"})
    assert not [r for r in caplog.records if "lookback_window_days is" in r.getMessage()]


def test_organic_analytics_keep_seven_days_before_the_last_final_day(
    fake_api: FakePinterestAPI,
) -> None:
    """data_status holds the bookmark; the attribution windows do not apply to organic."""
    config = {
        "access_token": "demo-access-token",
        "api_url": fake_api.url,
        "start_date": days_ago(40).isoformat(),
        "click_window_days": 60,
    }
    first = run_sync(config, streams={"user_account_analytics"})
    (partition,) = [first.final_state["bookmarks"]["user_account_analytics"]]
    last_final = days_ago(fake_api.processing_days)
    assert partition["replication_key_value"] == last_final.isoformat()
    fake_api.clear_log()
    run_sync(config, streams={"user_account_analytics"}, state=first.final_state)
    (call,) = fake_api.calls(r"/v5/user_account/analytics")
    assert call.query["start_date"] == [(last_final - timedelta(days=7)).isoformat()]
