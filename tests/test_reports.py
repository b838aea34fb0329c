"""Async reports behind the ads analytics streams, and the report-only levels.

Expectations come from the fake's data builders, which the synchronous endpoints serve
too, so a report row and a synchronous row of the same day must be the same record.
"""

from __future__ import annotations

import json
import logging
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pytest
import requests
from singer_sdk.exceptions import ConfigValidationError

from tap_pinterest.dates import DateWindow, SyncRange
from tap_pinterest.report_planning import (
    DAILY_REPORT_LIMITS,
    HOURLY_REPORT_LIMITS,
    PRODUCT_ITEM_REPORT_LIMITS,
    report_limits,
    route,
)
from tap_pinterest.reports import poll_wait
from tap_pinterest.tap import TapPinterest
from tests.fake_api import Scale
from tests.fake_api.server import DEFAULT_STATIC_TOKEN
from tests.tap_runner import catalog_selecting, deselect_properties, run_sync
from tests.test_analytics import (
    ACCOUNT_1,
    ACCOUNT_2,
    ACCOUNTS,
    LEVELS,
    config_for,
    dates_between,
    days_ago,
    expected_rows,
    partitions,
    run_failing,
    utc_today,
)

if TYPE_CHECKING:
    from tests.fake_api import FakePinterestAPI
    from tests.fake_clock import FakeClock

ADS_STREAMS = ("ad_account_analytics", "campaign_analytics", "ad_group_analytics", "ad_analytics")
REPORT_LEVELS = {
    "ad_account_analytics": "ADVERTISER",
    "campaign_analytics": "CAMPAIGN",
    "ad_group_analytics": "AD_GROUP",
    "ad_analytics": "PIN_PROMOTION",
}
KEPT = {"SPEND_IN_DOLLAR", "TOTAL_CLICKTHROUGH", "CTR", "CAMPAIGN_NAME"}
ATTRIBUTION = {
    "GRANULARITY": "DAY",
    "CLICK_WINDOW_DAYS": 30,
    "ENGAGEMENT_WINDOW_DAYS": 30,
    "VIEW_WINDOW_DAYS": 1,
    "CONVERSION_REPORT_TIME": "TIME_OF_AD_ACTION",
    "REPORTING_TIMEZONE": "PINTEREST_TIME_ZONE",
}
REPORTS = r"/v5/ad_accounts/\d+/reports"
SMALL = Scale(campaigns_per_account=2, ad_groups_per_campaign=1, ads_per_ad_group=2)
FAST = {"report_poll_seconds": 0.01}


def report_config(api: FakePinterestAPI, start: date, end: date | None = None, **extra: Any) -> Any:
    return config_for(api, start, end, **FAST, **extra)


def narrow_catalog(config: dict[str, Any], streams: set[str]) -> dict[str, Any]:
    catalog = catalog_selecting(config, streams)
    for stream in streams:
        deselect_properties(catalog, stream, KEPT | set(ATTRIBUTION) | {"ad_account_id"})
    return catalog


def expected_records(
    api: FakePinterestAPI, stream: str, start: date, end: date, columns: list[str]
) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(account, id, DATE) -> the record the synchronous endpoint's row makes."""
    _, id_column, _ = LEVELS[stream]
    out = {}
    for (account, _, day, _), row in expected_rows(
        api, stream, start, end, columns=columns
    ).items():
        record = {k: v for k, v in row.items() if k != "AD_ACCOUNT_ID"}
        record.update(ATTRIBUTION, ad_account_id=account)
        out[(account, record[id_column], day)] = record
    return out


def keyed(stream: str, records: list[dict[str, Any]]) -> dict[tuple[str, str, str], Any]:
    _, id_column, _ = LEVELS[stream]
    out = {(r["ad_account_id"], r[id_column], r["DATE"]): r for r in records}
    assert len(out) == len(records), "duplicate primary keys"
    return out


def report_bodies(api: FakePinterestAPI, account: str, level: str) -> list[dict[str, Any]]:
    calls = api.calls(rf"/v5/ad_accounts/{account}/reports", method="POST")
    bodies = [json.loads(c.body) for c in calls]
    return [b for b in bodies if b["level"] == level]


# Planning rules (pure) -------------------------------------------------------------


def test_report_limits_follow_the_spec() -> None:
    assert report_limits("CAMPAIGN", "DAY") == DAILY_REPORT_LIMITS
    assert (DAILY_REPORT_LIMITS.max_days_back, DAILY_REPORT_LIMITS.max_span_days) == (914, 185)
    assert report_limits("CAMPAIGN", "HOUR") == HOURLY_REPORT_LIMITS
    assert (HOURLY_REPORT_LIMITS.max_days_back, HOURLY_REPORT_LIMITS.max_span_days) == (8, 2)
    assert report_limits("PRODUCT_ITEM", "WEEK") == PRODUCT_ITEM_REPORT_LIMITS
    assert report_limits("PRODUCT_ITEM", "HOUR") == HOURLY_REPORT_LIMITS
    assert PRODUCT_ITEM_REPORT_LIMITS.max_days_back == 92
    assert PRODUCT_ITEM_REPORT_LIMITS.max_span_days == 30


def test_route_sends_only_old_dates_to_reports_in_auto() -> None:
    reachable = SyncRange(date(2024, 1, 1), date(2025, 1, 31), date(2024, 1, 1))
    plan = route(
        reachable,
        source="auto",
        sync_start=date(2024, 11, 2),
        granularity="DAY",
        report_span_days=185,
    )
    assert plan.reports == [
        DateWindow(date(2024, 1, 1), date(2024, 7, 4)),
        DateWindow(date(2024, 7, 5), date(2024, 11, 1)),
    ]
    assert plan.sync == SyncRange(date(2024, 11, 2), date(2025, 1, 31), date(2024, 11, 2))


def test_route_reports_and_sync_sources() -> None:
    reachable = SyncRange(date(2025, 1, 1), date(2025, 1, 10), date(2025, 1, 1))
    everything = route(
        reachable,
        source="reports",
        sync_start=date(2024, 12, 1),
        granularity="DAY",
        report_span_days=2,
    )
    assert [(w.start.day, w.end.day) for w in everything.reports] == [
        (1, 3),
        (4, 6),
        (7, 9),
        (10, 10),
    ]
    assert everything.sync is None
    recent = route(
        reachable,
        source="auto",
        sync_start=date(2024, 12, 1),
        granularity="DAY",
        report_span_days=185,
    )
    assert recent.reports == []
    assert recent.sync == reachable
    never = route(
        reachable, source="sync", sync_start=date(2025, 1, 5), granularity="DAY", report_span_days=9
    )
    assert never == type(never)([], reachable)


def test_route_keeps_weeks_whole_at_the_boundary() -> None:
    # 2025-03-03 is a Monday: the synchronous part starts there, reports end the day before.
    reachable = SyncRange(date(2024, 12, 30), date(2025, 3, 20), date(2024, 12, 30))
    plan = route(
        reachable,
        source="auto",
        sync_start=date(2025, 3, 3),
        granularity="WEEK",
        report_span_days=30,
    )
    assert plan.reports[-1].end == date(2025, 3, 2)
    assert all(w.start.weekday() == 0 for w in plan.reports)
    assert all(w.end.weekday() == 6 for w in plan.reports)
    assert plan.sync is not None
    assert plan.sync.start == date(2025, 3, 3)


def test_poll_waits_are_a_quarter_of_the_age_within_the_floor_and_a_minute() -> None:
    ages = [0.0, 1.0, 8.0, 10.0, 40.0, 239.0, 240.0, 241.0, 3000.0]
    assert [poll_wait(age, 2.0) for age in ages] == [2, 2, 2, 2.5, 10, 59.75, 60, 60, 60]
    assert poll_wait(0.0, 90.0) == 60  # a floor above the minute is capped too


def test_a_long_build_costs_a_bounded_number_of_polls() -> None:
    """The docstring's figures: polls to see a build of 20 s, 20 minutes and an hour."""

    def polls(build: float) -> int:
        age, count = 2.0, 1
        while age < build:
            age += poll_wait(age, 2.0)
            count += 1
        return count

    assert [polls(20), polls(1200), polls(3600)] == [9, 36, 76]


# The whole history ----------------------------------------------------------------


def test_900_days_of_every_level_match_the_synchronous_values(
    fake_api: FakePinterestAPI, clock: FakeClock
) -> None:
    """Old dates come from reports, recent from the sync endpoints: every row, same values.

    On the simulated clock: reports created ahead are polled by their age (a quarter of
    it), and the real clock would sleep through the minutes the 40 reports age here.
    """
    fake_api.reset(SMALL)
    fake_api.report_in_progress_polls = 1
    start, today = days_ago(900), utc_today()
    config = report_config(fake_api, start)
    streams = set(ADS_STREAMS)
    result = run_sync(config, catalog=narrow_catalog(config, streams), clock=clock)

    columns = sorted(KEPT)
    for stream in ADS_STREAMS:
        expected = expected_records(fake_api, stream, start, today, columns)
        records = keyed(stream, result.stream(stream))
        assert set(records) == set(expected), stream
        assert records == expected, stream
        assert {k[2] for k in records} == set(dates_between(start, today))
    # 1 + 2 + 2 + 4 entities, 901 days, 2 ad accounts.
    assert sum(len(result.stream(s)) for s in ADS_STREAMS) == 9 * 901 * 2

    # Reports for today-900 .. today-90 (811 dates: 4 x 186 + 67), sync for the rest: the
    # synchronous 90th day is the margin (issue 16), so reports fetch it.
    for account in ACCOUNTS:
        for stream, level in REPORT_LEVELS.items():
            bodies = report_bodies(fake_api, account, level)
            windows = [(b["start_date"], b["end_date"]) for b in bodies]
            firsts = [start + timedelta(days=186 * i) for i in range(5)]
            lasts = [d + timedelta(days=185) for d in firsts[:4]] + [days_ago(90)]
            assert windows == [
                (a.isoformat(), b.isoformat()) for a, b in zip(firsts, lasts, strict=True)
            ]
            assert all(b["granularity"] == "DAY" and b["report_format"] == "JSON" for b in bodies)
            assert all(set(b["columns"]) == KEPT - {LEVELS[stream][1]} for b in bodies)
    assert len(fake_api.calls(REPORTS, method="POST")) == 5 * 4 * 2
    assert all(c.query_string == "" for c in fake_api.calls(REPORTS, method="POST"))
    # One poll IN_PROGRESS, one FINISHED, per report; then one download each.
    assert len(fake_api.calls(REPORTS)) == 2 * 5 * 4 * 2
    downloads = fake_api.calls(r"/report-files/report-\d+")
    assert len(downloads) == 40
    assert all(d.header("Authorization") is None for d in downloads)
    # The synchronous calls cover only today-89 .. today.
    sync_calls = fake_api.calls(r"/v5/ad_accounts/\d+(/\w+)?/analytics")
    assert len(sync_calls) == 4 * 2
    assert {c.query["start_date"][0] for c in sync_calls} == {days_ago(89).isoformat()}
    # The final bookmark of every partition is today.
    for stream in ADS_STREAMS:
        assert partitions(result.final_state, stream) == dict.fromkeys(ACCOUNTS, today.isoformat())


def test_reports_are_all_created_before_the_first_poll(
    fake_api: FakePinterestAPI, clock: FakeClock
) -> None:
    """Pinterest builds a partition's reports side by side while the tap waits on the first."""
    fake_api.report_in_progress_polls = 2
    config = report_config(fake_api, days_ago(800), days_ago(100))
    run_sync(config, catalog=narrow_catalog(config, {"ad_account_analytics"}), clock=clock)
    log = [r for r in fake_api.log if "/reports" in r.path and ACCOUNT_1 in r.path]
    methods = [r.method for r in log]
    # 701 dates: 4 reports, created, then each polled 3 times.
    assert methods == ["POST"] * 4 + ["GET"] * 12


def test_a_day_from_a_report_equals_the_same_day_from_sync(fake_api: FakePinterestAPI) -> None:
    """Every column the sync endpoint gives, with zero metrics left out of the report JSON."""
    fake_api.zero_columns = {"SPEND_IN_DOLLAR", "TOTAL_CLICKTHROUGH"}
    start, end = days_ago(4), days_ago(2)
    streams = {"campaign_analytics", "ad_analytics"}
    by_sync = run_sync(config_for(fake_api, start, end, analytics_source="sync"), streams=streams)
    sync_calls = len(fake_api.calls(r"/v5/ad_accounts/\d+/(campaigns|ads)(/analytics)?"))
    fake_api.clear_log()
    by_report = run_sync(
        report_config(fake_api, start, end, analytics_source="reports"), streams=streams
    )

    for stream in streams:
        from_sync = keyed(stream, by_sync.stream(stream))
        from_report = keyed(stream, by_report.stream(stream))
        assert set(from_report) == set(from_sync)
        for key, record in from_sync.items():
            # The one synchronous column async reports do not offer.
            assert record.pop("QUIZ_PIN_RESULT_OPEN", None) is not None
            assert from_report[key] == record, key
            assert from_report[key]["SPEND_IN_DOLLAR"] == 0
    # Reports list no entity and call no synchronous endpoint: 1 report per account and level.
    assert sync_calls == 2 * 2 + 2 * 2  # lists and analytics of 2 levels and 2 accounts
    assert fake_api.calls(r"/v5/ad_accounts/\d+/(campaigns|ads)(/analytics)?") == []
    assert len(fake_api.calls(REPORTS, method="POST")) == 4
    # The report JSON itself left the zero metrics out; the tap filled them in.
    rows = [r for rs in fake_api.report_body(fake_api._reports["report-1"]).values() for r in rs]
    assert rows
    assert not any("SPEND_IN_DOLLAR" in r for r in rows)


def test_all_zero_rows_are_not_missing_rows(fake_api: FakePinterestAPI) -> None:
    """Pinterest leaves out rows with nothing to count; the sync goes on and bookmarks."""
    campaign = fake_api.data.campaigns[ACCOUNT_1][0]["id"]
    fake_api.zero_entities = {campaign}
    start, end = days_ago(3), days_ago(1)
    result = run_sync(
        report_config(fake_api, start, end, analytics_source="reports"),
        streams={"campaign_analytics"},
    )
    records = result.stream("campaign_analytics")
    assert len(records) == (24 - 1) * 3
    assert campaign not in {r["CAMPAIGN_ID"] for r in records}
    assert partitions(result.final_state, "campaign_analytics") == dict.fromkeys(
        ACCOUNTS, end.isoformat()
    )


def test_hour_granularity_through_reports(fake_api: FakePinterestAPI) -> None:
    """HOUR reports: 8 days back, 3 dates each; the same rows as the sync endpoint's."""
    fake_api.reset(SMALL)
    start, end = days_ago(5), days_ago(1)
    extra = {"analytics_granularity": "HOUR"}
    streams = {"ad_group_analytics"}
    config = config_for(fake_api, start, end, analytics_source="sync", **extra)
    by_sync = run_sync(config, catalog=narrow_catalog(config, streams))
    fake_api.clear_log()
    config = report_config(fake_api, start, end, analytics_source="reports", **extra)
    by_report = run_sync(config, catalog=narrow_catalog(config, streams))
    assert by_report.stream("ad_group_analytics") != []
    key = ("ad_account_id", "AD_GROUP_ID", "DATE", "HOUR")
    assert sorted(by_report.stream("ad_group_analytics"), key=lambda r: [r[k] for k in key]) == (
        sorted(by_sync.stream("ad_group_analytics"), key=lambda r: [r[k] for k in key])
    )
    bodies = report_bodies(fake_api, ACCOUNT_1, "AD_GROUP")
    assert [(b["start_date"], b["end_date"]) for b in bodies] == [
        (days_ago(5).isoformat(), days_ago(3).isoformat()),
        (days_ago(2).isoformat(), days_ago(1).isoformat()),
    ]


def test_beyond_914_days_a_warning_names_the_lost_dates(
    fake_api: FakePinterestAPI, caplog: pytest.LogCaptureFixture
) -> None:
    config = report_config(fake_api, days_ago(1000))
    with caplog.at_level(logging.WARNING):
        result = run_sync(config, catalog=narrow_catalog(config, {"ad_account_analytics"}))
    lines = [r.getMessage() for r in caplog.records if "can no longer be fetched" in r.getMessage()]
    assert len(lines) == 1
    assert "914 days back" in lines[0]
    assert days_ago(1000).isoformat() in lines[0]
    assert days_ago(914).isoformat() in lines[0]  # the 914th day is the margin (issue 16)
    records = result.stream("ad_account_analytics")
    assert min(r["DATE"] for r in records) == days_ago(913).isoformat()
    assert len(records) == 914 * 2
    # 824 report dates (today-913 .. today-90): 4 x 186 + 80.
    assert len(report_bodies(fake_api, ACCOUNT_1, "ADVERTISER")) == 5


# Report statuses ------------------------------------------------------------------


@pytest.mark.parametrize("status", ["FAILED", "CANCELLED", "EXPIRED", "DOES_NOT_EXIST"])
def test_a_report_that_ends_without_data_is_a_clear_error(
    fake_api: FakePinterestAPI, status: str
) -> None:
    fake_api.fail_next_reports(status)
    start, end = days_ago(3), days_ago(1)
    config = report_config(fake_api, start, end, analytics_source="reports")
    result, error = run_failing(config, {"campaign_analytics"})
    assert error.failures[0].problem == (
        f"Pinterest report {status} for ad account {ACCOUNT_1}, level CAMPAIGN, {start} to {end}"
    )
    # on_stream_error=continue: the failed account emits nothing; the other one is synced.
    assert [r for r in result.stream("campaign_analytics") if r["ad_account_id"] == ACCOUNT_1] == []


def test_polls_until_finished(fake_api: FakePinterestAPI) -> None:
    fake_api.report_in_progress_polls = 3
    start, end = days_ago(3), days_ago(1)
    config = report_config(fake_api, start, end, analytics_source="reports")
    result = run_sync(config, catalog=narrow_catalog(config, {"campaign_analytics"}))
    assert len(result.stream("campaign_analytics")) == 24 * 3
    assert len(fake_api.calls(REPORTS, method="POST")) == 2
    assert len(fake_api.calls(REPORTS)) == 2 * 4


def test_a_report_past_its_deadline_is_a_clear_error(
    fake_api: FakePinterestAPI, clock: FakeClock
) -> None:
    fake_api.report_in_progress_polls = 10_000
    start, end = days_ago(3), days_ago(1)
    config = config_for(
        fake_api,
        start,
        end,
        analytics_source="reports",
        report_poll_seconds=2,
        report_deadline_seconds=60,
    )
    _, error = run_failing(config, {"ad_account_analytics"}, clock=clock)
    assert error.failures[0].problem == (
        f"The report for ad account {ACCOUNT_1}, level ADVERTISER, {start} to {end} was not "
        "ready after 60 s (report_deadline_seconds)"
    )
    assert len(error.failures) == 2
    # Polls 2 s after the creation, then every 2 s until a quarter of the report's age is
    # more (past 8 s); the 14th wait, 14.9 s at 59.6 s, would end past the 60 s deadline.
    # Both reports were created when the run started (issue 19): the second account's is
    # as old, so it is polled at once and its next wait would end past its deadline too.
    assert clock.waits == [
        *[2] * 5,
        2.5,
        3.125,
        3.90625,
        4.8828125,
        6.103515625,
        7.62939453125,
        9.5367431640625,
        11.920928955078125,
    ]
    assert len(fake_api.calls(REPORTS, method="POST")) == 2
    assert len(fake_api.calls(REPORTS, method="GET")) == 13 + 1


def test_an_expired_link_creates_the_report_again(fake_api: FakePinterestAPI) -> None:
    fake_api.expire_next_report_links = 1
    start, end = days_ago(3), days_ago(1)
    config = report_config(fake_api, start, end, analytics_source="reports")
    result = run_sync(config, catalog=narrow_catalog(config, {"ad_account_analytics"}))
    assert len(result.stream("ad_account_analytics")) == 6
    assert len(fake_api.calls(REPORTS, method="POST")) == 3  # 2 accounts + 1 renewal
    statuses = [r.status for r in fake_api.calls(r"/report-files/report-\d+")]
    assert statuses == [403, 200, 200]


def test_a_dropped_download_is_tried_again(fake_api: FakePinterestAPI) -> None:
    fake_api.drop_connection(r"^/report-files/")
    fake_api.inject(r"^/report-files/", 503)
    start, end = days_ago(3), days_ago(1)
    config = report_config(fake_api, start, end, analytics_source="reports")
    result = run_sync(config, catalog=narrow_catalog(config, {"ad_account_analytics"}))
    assert len(result.stream("ad_account_analytics")) == 6
    assert [r.status for r in fake_api.calls(r"/report-files/report-\d+")] == [0, 503, 200, 200]
    assert len(fake_api.calls(REPORTS, method="POST")) == 2


def test_a_download_that_keeps_failing_is_a_clear_error(fake_api: FakePinterestAPI) -> None:
    fake_api.inject(r"^/report-files/", 500, times=3)
    start, end = days_ago(3), days_ago(1)
    config = report_config(fake_api, start, end, analytics_source="reports")
    _, error = run_failing(config, {"ad_account_analytics"})
    assert error.failures[0].problem == (
        f"Downloading the report for ad account {ACCOUNT_1}, level ADVERTISER, "
        f"{start} to {end} failed: HTTP 500"
    )


def test_a_link_that_always_expires_is_a_clear_error(fake_api: FakePinterestAPI) -> None:
    fake_api.report_url_ttl = -1.0
    start, end = days_ago(3), days_ago(1)
    config = report_config(fake_api, start, end, analytics_source="reports")
    _, error = run_failing(config, {"ad_account_analytics"})
    assert error.failures[0].problem == (
        f"The download link of the report for ad account {ACCOUNT_1}, level ADVERTISER, "
        f"{start} to {end} expired 3 times before it could be read"
    )
    assert len(fake_api.calls(REPORTS, method="POST")) == 2 * 3  # both ad accounts try 3 times


def test_reports_wait_for_the_ads_analytics_budget(
    fake_api: FakePinterestAPI, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """Creating and polling draw on ads_analytics; the tap waits instead of hitting 429."""
    caplog.set_level(logging.INFO)
    fake_api.rate_limit_by_category = True
    fake_api.rate_limit_per_window = 3
    fake_api.rate_limit_window_seconds = 1.0
    config = report_config(fake_api, days_ago(3), days_ago(1), analytics_source="reports")
    result = run_sync(config, catalog=narrow_catalog(config, {"ad_account_analytics"}), clock=clock)
    assert len(result.stream("ad_account_analytics")) == 6
    assert [r.status for r in fake_api.log if r.status != 200] == []
    waits = [r.getMessage() for r in caplog.records if "spent; waiting" in r.getMessage()]
    assert waits
    assert all(w.startswith("Rate-limit budget of ads_analytics") for w in waits)
    # Per account a create and a poll: the creates and the 1st account's poll, 0.01 s after
    # its creation (report_poll_seconds), spend the 3 calls, so the 2nd account's poll
    # (its report as old: no wait of its own) waits the window's 1 s.
    assert clock.waits == [0.01, 1.0]


# State ----------------------------------------------------------------------------


def test_an_interrupted_backfill_resumes_where_it_stopped(fake_api: FakePinterestAPI) -> None:
    """Windows delivered before a failure stay bookmarked; the rerun starts after them."""
    start, today = days_ago(900), utc_today()
    fake_api.fail_next_reports("FAILED", after=2)
    config = report_config(fake_api, start)
    catalog = narrow_catalog(config, {"ad_account_analytics"})
    first, error = run_failing(config, {"ad_account_analytics"})
    assert (
        "Pinterest report FAILED for ad account 549755885175, level ADVERTISER"
        in error.failures[0].problem
    )
    second_end = start + timedelta(days=2 * 186 - 1)
    # on_stream_error=continue: the second ad account is synced whole in the same run.
    assert partitions(first.final_state, "ad_account_analytics") == {
        ACCOUNT_1: second_end.isoformat(),
        ACCOUNT_2: today.isoformat(),
    }
    emitted = {
        r["DATE"] for r in first.stream("ad_account_analytics") if r["ad_account_id"] == ACCOUNT_1
    }
    assert max(emitted) == second_end.isoformat()

    fake_api.clear_log()
    second = run_sync(config, catalog=catalog, state=first.final_state)
    resumed = report_bodies(fake_api, ACCOUNT_1, "ADVERTISER")
    # The default lookback is the widest attribution window (30 days with the defaults).
    assert resumed[0]["start_date"] == (second_end - timedelta(days=30)).isoformat()
    assert report_bodies(fake_api, ACCOUNT_2, "ADVERTISER") == []  # within 90 days: sync
    days = set(dates_between(start, today))
    for account in ACCOUNTS:
        delivered = {
            r["DATE"]
            for run in (first, second)
            for r in run.stream("ad_account_analytics")
            if r["ad_account_id"] == account
        }
        assert delivered == days
    assert partitions(second.final_state, "ad_account_analytics") == dict.fromkeys(
        ACCOUNTS, today.isoformat()
    )


def test_switching_to_reports_keeps_the_bookmark(fake_api: FakePinterestAPI) -> None:
    """A second run with another analytics_source starts from the bookmark, not start_date."""
    streams = {"ad_account_analytics"}
    config = report_config(fake_api, days_ago(200), analytics_source="sync")
    first = run_sync(config, catalog=narrow_catalog(config, streams))
    assert fake_api.calls(REPORTS, method="POST") == []
    fake_api.clear_log()
    config = {**config, "analytics_source": "reports"}
    second = run_sync(config, catalog=narrow_catalog(config, streams), state=first.final_state)
    bodies = report_bodies(fake_api, ACCOUNT_1, "ADVERTISER")
    assert [(b["start_date"], b["end_date"]) for b in bodies] == [
        (days_ago(30).isoformat(), utc_today().isoformat())  # the default 30-day lookback
    ]
    assert len(second.stream("ad_account_analytics")) == 31 * 2  # 30-day default lookback
    assert fake_api.calls(r"/v5/ad_accounts/\d+/analytics") == []


# Report-only levels ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("stream", "level", "id_column"),
    [
        ("keyword_analytics", "KEYWORD", "KEYWORD_ID"),
        ("product_group_analytics", "PRODUCT_GROUP", "PRODUCT_GROUP_ID"),
    ],
)
def test_report_only_levels_match_the_fake(
    fake_api: FakePinterestAPI, stream: str, level: str, id_column: str
) -> None:
    start, end = days_ago(2), days_ago(1)
    result = run_sync(report_config(fake_api, start, end), streams={stream})
    bodies = report_bodies(fake_api, ACCOUNT_1, level)
    assert len(bodies) == 1
    columns = bodies[0]["columns"]
    assert len(columns) == 170  # the synchronous columns a keyword row can have (issue 18)
    assert id_column not in columns
    expected = {}
    for account in ACCOUNTS:
        rows = fake_api.data.report_only_rows(
            account, level, start, end, columns=columns, granularity="DAY"
        )
        for eid, entity_rows in rows.items():
            for row in entity_rows:
                record = {k: v for k, v in row.items() if k != "AD_ACCOUNT_ID"}
                record.update(ATTRIBUTION, ad_account_id=account, **{id_column: eid})
                expected[(account, eid, row["DATE"])] = record
    records = {(r["ad_account_id"], r[id_column], r["DATE"]): r for r in result.stream(stream)}
    assert len(records) == len(result.stream(stream)) == len(expected)
    assert records == expected
    assert partitions(result.final_state, stream) == dict.fromkeys(ACCOUNTS, end.isoformat())


def test_product_items_reach_91_of_92_days_in_31_day_reports(
    fake_api: FakePinterestAPI, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        result = run_sync(
            report_config(fake_api, days_ago(900)), streams={"product_item_analytics"}
        )
    records = result.stream("product_item_analytics")
    assert len(records) == 5 * 92 * 2  # 4 items, the first in two ad groups
    assert min(r["DATE"] for r in records) == days_ago(91).isoformat()
    bodies = report_bodies(fake_api, ACCOUNT_1, "PRODUCT_ITEM")
    assert [(b["start_date"], b["end_date"]) for b in bodies] == [
        (days_ago(91 - 31 * i).isoformat(), days_ago(max(0, 61 - 31 * i)).isoformat())
        for i in range(3)
    ]
    assert not any(c.startswith(("AD_ID", "PIN_PROMOTION")) for c in bodies[0]["columns"])
    assert any("92 days back" in r.getMessage() for r in caplog.records)


# The fake's report contract ---------------------------------------------------------


def _post(api: FakePinterestAPI, body: Any, query: str = "") -> requests.Response:
    return requests.post(
        f"{api.url}/ad_accounts/{ACCOUNT_1}/reports{query}",
        json=body,
        headers={"Authorization": f"Bearer {DEFAULT_STATIC_TOKEN}"},
        timeout=10,
    )


def _body(start: date, end: date, **extra: Any) -> dict[str, Any]:
    return {
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "granularity": "DAY",
        "level": "CAMPAIGN",
        "columns": ["SPEND_IN_DOLLAR"],
        **extra,
    }


@pytest.mark.parametrize(
    ("ago", "extra", "status"),
    [
        ((914, 729), {}, 200),  # 914 back, 186 dates
        ((915, 800), {}, 400),
        ((300, 114), {}, 400),  # 187 dates
        ((8, 6), {"granularity": "HOUR"}, 200),
        ((9, 8), {"granularity": "HOUR"}, 400),
        ((5, 2), {"granularity": "HOUR"}, 400),  # 4 dates
        ((92, 62), {"level": "PRODUCT_ITEM"}, 200),
        ((93, 80), {"level": "PRODUCT_ITEM"}, 400),
        ((40, 9), {"level": "PRODUCT_ITEM"}, 400),  # 32 dates
        ((9, 8), {"level": "PRODUCT_ITEM", "columns": ["AD_ID"]}, 400),
        ((9, 8), {"columns": ["QUIZ_PIN_RESULT_OPEN"]}, 400),
        ((2, 3), {}, 400),
    ],
)
def test_fake_enforces_the_report_limits(
    fake_api: FakePinterestAPI, ago: tuple[int, int], extra: dict[str, Any], status: int
) -> None:
    """Dates are taken when the test runs, not at collection, so midnight UTC cannot move them."""
    body = _body(days_ago(ago[0]), days_ago(ago[1]), **extra)
    response = _post(fake_api, body)
    assert response.status_code == status, response.text


def test_fake_refuses_query_parameters_and_authorized_downloads(
    fake_api: FakePinterestAPI,
) -> None:
    assert _post(fake_api, _body(days_ago(3), days_ago(1)), "?level=CAMPAIGN").status_code == 400
    token = _post(fake_api, _body(days_ago(3), days_ago(1))).json()["token"]
    auth = {"Authorization": f"Bearer {DEFAULT_STATIC_TOKEN}"}
    poll = requests.get(
        f"{fake_api.url}/ad_accounts/{ACCOUNT_1}/reports",
        params={"token": token},
        headers=auth,
        timeout=10,
    ).json()
    assert poll["report_status"] == "FINISHED"
    assert requests.get(poll["url"], headers=auth, timeout=10).status_code == 400
    assert requests.get(poll["url"], timeout=10).status_code == 200
    unknown = requests.get(
        f"{fake_api.url}/ad_accounts/{ACCOUNT_1}/reports",
        params={"token": "nope"},
        headers=auth,
        timeout=10,
    ).json()
    assert unknown["report_status"] == "DOES_NOT_EXIST"


# Settings -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "value"),
    [("analytics_source", "both"), ("report_poll_seconds", 0), ("report_deadline_seconds", -5)],
)
def test_bad_report_settings_fail_clearly(
    fake_api: FakePinterestAPI, setting: str, value: Any
) -> None:
    config = {**config_for(fake_api, days_ago(3)), setting: value}
    with pytest.raises(ConfigValidationError) as info:
        TapPinterest(config=config, parse_env_config=False)
    assert setting in str(info.value.errors)
