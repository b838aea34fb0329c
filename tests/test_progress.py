# ruff: noqa: E501 - the exact progress lines, one per line
"""Progress lines of a long run at simulated times, and silence in a short one (issue 19).

The run waits on a FakeClock (tests/fake_clock.py): report polls move its time on, so the
lines and the simulated seconds they name are exact.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from tests.fake_api import Scale
from tests.tap_runner import catalog_selecting, deselect_properties, run_sync
from tests.test_analytics import config_for, days_ago

if TYPE_CHECKING:
    import pytest

    from tests.fake_api import FakePinterestAPI
    from tests.fake_clock import FakeClock

SMALL = Scale(campaigns_per_account=2, ad_groups_per_campaign=1, ads_per_ad_group=2)
KEPT = {"SPEND_IN_DOLLAR", "ad_account_id"}


def progress_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("Progress")]


def test_a_long_backfill_says_where_it_is_about_every_30_s(
    fake_api: FakePinterestAPI, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    fake_api.reset(SMALL)
    # Each report answers 3 polls IN_PROGRESS; waits are a quarter of its age, at least
    # 10 s: the first report's 10, 10, 10 and 10 s, the later ones' (older) up to 60 s.
    fake_api.report_in_progress_polls = 3
    config = config_for(
        fake_api, days_ago(700), days_ago(300), analytics_source="reports", report_poll_seconds=10
    )
    catalog = catalog_selecting(config, {"campaign_analytics"})
    deselect_properties(catalog, "campaign_analytics", KEPT)
    caplog.set_level(logging.INFO)
    result = run_sync(config, catalog=catalog, clock=clock)
    assert len(result.stream("campaign_analytics")) == 2 * 2 * 401
    # Lines only where the clock passed 30 s since the last ones (report polls move it).
    assert progress_lines(caplog) == [
        "Progress after 30 s: 9 HTTP calls, 2 of 2 streams started are at work",
        "Progress of ad_accounts: 0 of 1 partitions done, 1 calls",
        "Progress of campaign_analytics: 0 of 2 partitions done, 0 of 3 date windows planned so far done, 6 reports waiting on Pinterest, 8 calls",
        "Progress after 62 s: 13 HTTP calls, 2 of 2 streams started are at work",
        "Progress of ad_accounts: 0 of 1 partitions done, 1 calls",
        "Progress of campaign_analytics: 0 of 2 partitions done, 1 of 3 date windows planned so far done, 5 reports waiting on Pinterest, 12 calls, about 312 s left",
        "Progress after 98 s: 16 HTTP calls, 2 of 2 streams started are at work",
        "Progress of ad_accounts: 0 of 1 partitions done, 1 calls",
        "Progress of campaign_analytics: 0 of 2 partitions done, 2 of 3 date windows planned so far done, 4 reports waiting on Pinterest, 15 calls, about 195 s left",
        "Progress after 153 s: 18 HTTP calls, 2 of 2 streams started are at work",
        "Progress of ad_accounts: 0 of 1 partitions done, 1 calls",
        "Progress of campaign_analytics: 0 of 2 partitions done, 2 of 3 date windows planned so far done, 4 reports waiting on Pinterest, 17 calls, about 305 s left",
        "Progress after 191 s: 20 HTTP calls, 2 of 2 streams started are at work",
        "Progress of ad_accounts: 0 of 1 partitions done, 1 calls",
        "Progress of campaign_analytics: 1 of 2 partitions done, 3 of 6 date windows planned so far done, 3 reports waiting on Pinterest, 19 calls, about 191 s left",
        "Progress after 238 s: 21 HTTP calls, 2 of 2 streams started are at work",
        "Progress of ad_accounts: 0 of 1 partitions done, 1 calls",
        "Progress of campaign_analytics: 1 of 2 partitions done, 3 of 6 date windows planned so far done, 3 reports waiting on Pinterest, 20 calls, about 238 s left",
        "Progress after 298 s: 22 HTTP calls, 2 of 2 streams started are at work",
        "Progress of ad_accounts: 0 of 1 partitions done, 1 calls",
        "Progress of campaign_analytics: 1 of 2 partitions done, 3 of 6 date windows planned so far done, 3 reports waiting on Pinterest, 21 calls, about 298 s left",
        "Progress after 358 s: 24 HTTP calls, 2 of 2 streams started are at work",
        "Progress of ad_accounts: 0 of 1 partitions done, 1 calls",
        "Progress of campaign_analytics: 1 of 2 partitions done, 4 of 6 date windows planned so far done, 2 reports waiting on Pinterest, 23 calls, about 179 s left",
        "Progress after 418 s: 25 HTTP calls, 2 of 2 streams started are at work",
        "Progress of ad_accounts: 0 of 1 partitions done, 1 calls",
        "Progress of campaign_analytics: 1 of 2 partitions done, 4 of 6 date windows planned so far done, 2 reports waiting on Pinterest, 24 calls, about 209 s left",
        "Progress after 478 s: 26 HTTP calls, 2 of 2 streams started are at work",
        "Progress of ad_accounts: 0 of 1 partitions done, 1 calls",
        "Progress of campaign_analytics: 1 of 2 partitions done, 4 of 6 date windows planned so far done, 2 reports waiting on Pinterest, 25 calls, about 239 s left",
        "Progress after 538 s: 28 HTTP calls, 2 of 2 streams started are at work",
        "Progress of ad_accounts: 0 of 1 partitions done, 1 calls",
        "Progress of campaign_analytics: 1 of 2 partitions done, 5 of 6 date windows planned so far done, 1 report waiting on Pinterest, 27 calls, about 108 s left",
        "Progress after 598 s: 29 HTTP calls, 2 of 2 streams started are at work",
        "Progress of ad_accounts: 0 of 1 partitions done, 1 calls",
        "Progress of campaign_analytics: 1 of 2 partitions done, 5 of 6 date windows planned so far done, 1 report waiting on Pinterest, 28 calls, about 120 s left",
        "Progress after 658 s: 30 HTTP calls, 2 of 2 streams started are at work",
        "Progress of ad_accounts: 0 of 1 partitions done, 1 calls",
        "Progress of campaign_analytics: 1 of 2 partitions done, 5 of 6 date windows planned so far done, 1 report waiting on Pinterest, 29 calls, about 132 s left",
    ]


def test_a_short_run_says_nothing(
    fake_api: FakePinterestAPI, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    fake_api.reset(SMALL)
    config = config_for(fake_api, days_ago(3), analytics_source="reports", report_poll_seconds=1)
    catalog = catalog_selecting(config, {"campaign_analytics"})
    deselect_properties(catalog, "campaign_analytics", KEPT)
    caplog.set_level(logging.INFO)
    result = run_sync(config, catalog=catalog, clock=clock)
    assert len(result.stream("campaign_analytics")) == 2 * 2 * 4
    assert clock.now - 1_000.0 < 30
    assert progress_lines(caplog) == []
