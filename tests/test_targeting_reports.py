"""Targeting analytics through *_TARGETING async reports: dates older than 90 days.

The fake builds a targeting report from the same split as its synchronous targeting
endpoints, so for the same dates both paths must give the same records.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import math
from collections import defaultdict
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
import requests

from tap_pinterest.failures import StreamFailuresError
from tap_pinterest.streams import targeting_analytics
from tap_pinterest.tap import TapPinterest
from tests.fake_api import Scale
from tests.fake_api.server import DEFAULT_STATIC_TOKEN
from tests.fake_api.shopping import targeting_values
from tests.tap_runner import SyncResult, catalog_selecting, deselect_properties, run_sync
from tests.test_analytics import dates_between
from tests.test_targeting_analytics import (
    ACCOUNTS,
    DEFAULT_TYPES,
    KEEP,
    LEVELS,
    PATHS,
    config_for,
    days_ago,
    key_of,
    partitions,
    utc_today,
)

if TYPE_CHECKING:
    from tests.fake_api import FakePinterestAPI

ACCOUNT_1, ACCOUNT_2 = ACCOUNTS
REPORT_LEVELS = {
    "ad_account_targeting_analytics": "ADVERTISER_TARGETING",
    "campaign_targeting_analytics": "CAMPAIGN_TARGETING",
    "ad_group_targeting_analytics": "AD_GROUP_TARGETING",
    "ad_targeting_analytics": "PIN_PROMOTION_TARGETING",
}
# Per ad account: 1 account, 2 campaigns, 2 ad groups, 4 ads.
SMALL = Scale(campaigns_per_account=2, ad_groups_per_campaign=1, ads_per_ad_group=2)
ENTITIES = {
    "ad_account_targeting_analytics": 1,
    "campaign_targeting_analytics": 2,
    "ad_group_targeting_analytics": 2,
    "ad_targeting_analytics": 4,
}
# CTR is the untargeted row's own, never zero: no targeted row is all zeros (reports
# leave such rows out, the synchronous endpoints do not).
METRICS = {"SPEND_IN_DOLLAR", "TOTAL_CLICKTHROUGH", "CTR"}
SIX_TYPES = [*DEFAULT_TYPES, "LOCATION"]  # LOCATION values are numbers in the fake
SEVEN_TYPES = [*SIX_TYPES, "REGION"]
REPORTS = r"/v5/ad_accounts/\d+/reports"
FAST = {"report_poll_seconds": 0.01}


def narrow(config: dict[str, Any], streams: set[str]) -> dict[str, Any]:
    catalog = catalog_selecting(config, streams)
    for stream in streams:
        deselect_properties(catalog, stream, METRICS | KEEP)
    return catalog


def sync(config: dict[str, Any], streams: set[str], state: Any = None) -> SyncResult:
    return run_sync(config, catalog=narrow(config, streams), state=state)


def run_failing(
    config: dict[str, Any], streams: set[str], state: dict[str, Any] | None = None
) -> tuple[SyncResult, StreamFailuresError]:
    """A sync where a partition fails (on_stream_error=continue): everything it wrote."""
    tap = TapPinterest(
        config=config, state=state, catalog=narrow(config, streams), parse_env_config=False
    )
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), pytest.raises(StreamFailuresError) as excinfo:
        tap.sync_all()
    messages = [json.loads(line) for line in buffer.getvalue().splitlines() if line]
    return SyncResult(messages), excinfo.value


def keyed(stream: str, records: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    out = {key_of(stream, r): r for r in records}
    assert len(out) == len(records), "duplicate primary keys"
    return out


def bodies(api: FakePinterestAPI, account: str) -> list[dict[str, Any]]:
    """The JSON bodies of the account's report creations, in order."""
    calls = api.calls(rf"/v5/ad_accounts/{account}/reports", method="POST")
    return [json.loads(c.body) for c in calls]


def windows_of(report_bodies: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(b["start_date"], b["end_date"]) for b in report_bodies]


def values_of(types: list[str]) -> int:
    return sum(len(targeting_values(t)) for t in types)


# Same data, either path ------------------------------------------------------------------


@pytest.mark.parametrize("stream", list(REPORT_LEVELS))
def test_reports_give_the_synchronous_records(fake_api: FakePinterestAPI, stream: str) -> None:
    """Same dates, sync vs reports: identical records; 6 types make 2 reports per window."""
    fake_api.reset(SMALL)
    fake_api.zero_columns = {"TOTAL_CLICKTHROUGH"}  # left out of report rows, filled with 0
    start, end = days_ago(4), days_ago(2)
    extra = {"end_date": end.isoformat(), "targeting_types": SIX_TYPES, **FAST}
    by_sync = sync(config_for(fake_api, start, analytics_source="sync", **extra), {stream})
    fake_api.clear_log()
    by_report = sync(config_for(fake_api, start, analytics_source="reports", **extra), {stream})

    from_sync = keyed(stream, by_sync.stream(stream))
    from_report = keyed(stream, by_report.stream(stream))
    assert len(from_report) == 2 * ENTITIES[stream] * 3 * values_of(SIX_TYPES)
    assert from_report == from_sync
    record = next(iter(from_report.values()))
    assert set(record) == {
        LEVELS[stream][1],
        "DATE",
        "targeting_type",
        "targeting_value",
        *METRICS,
        *KEEP,
    }
    assert record["TOTAL_CLICKTHROUGH"] == 0
    assert {
        r["targeting_value"] for r in from_report.values() if r["targeting_type"] == "LOCATION"
    } == {
        "500",
        "501",
        "502",
    }
    for account in ACCOUNTS:
        sent = bodies(fake_api, account)
        assert [b["level"] for b in sent] == [REPORT_LEVELS[stream]] * 2
        assert [b["targeting_types"] for b in sent] == [DEFAULT_TYPES, ["LOCATION"]]
        assert windows_of(sent) == [(start.isoformat(), end.isoformat())] * 2
        assert "TARGETING_TYPE" not in sent[0]["columns"]
    # Reports need no entity list and no synchronous call.
    assert len(fake_api.calls(REPORTS, method="POST")) == 4
    assert fake_api.calls(PATHS[stream]) == []
    assert fake_api.calls(r"/v5/ad_accounts/\d+/(campaigns|ad_groups|ads)") == []
    assert partitions(by_report.final_state, stream) == dict.fromkeys(ACCOUNTS, end.isoformat())


def test_every_column_but_the_sync_only_one(fake_api: FakePinterestAPI) -> None:
    """All columns selected: the records differ only by QUIZ_PIN_RESULT_OPEN (sync-only)."""
    stream = "ad_account_targeting_analytics"
    day = days_ago(1)
    extra = {"end_date": day.isoformat(), "targeting_types": ["GENDER"], **FAST}
    by_sync = run_sync(
        config_for(fake_api, day, analytics_source="sync", **extra), streams={stream}
    )
    by_report = run_sync(
        config_for(fake_api, day, analytics_source="reports", **extra), streams={stream}
    )
    from_sync = keyed(stream, by_sync.stream(stream))
    from_report = keyed(stream, by_report.stream(stream))
    assert len(from_report) == 2 * 3
    for key, record in from_sync.items():
        assert record.pop("QUIZ_PIN_RESULT_OPEN") is not None
        assert from_report[key] == record, key


def test_hour_granularity_through_reports(fake_api: FakePinterestAPI) -> None:
    """HOUR reports (8 days back, 3 dates each) give the synchronous hourly records."""
    fake_api.reset(SMALL)
    stream = "ad_group_targeting_analytics"
    start, end = days_ago(5), days_ago(1)
    extra = {
        "end_date": end.isoformat(),
        "targeting_types": ["GENDER"],
        "analytics_granularity": "HOUR",
        **FAST,
    }
    by_sync = sync(config_for(fake_api, start, analytics_source="sync", **extra), {stream})
    fake_api.clear_log()
    by_report = sync(config_for(fake_api, start, analytics_source="reports", **extra), {stream})

    def hourly(records: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
        out = {(*key_of(stream, r), r["HOUR"]): r for r in records}
        assert len(out) == len(records), "duplicate primary keys"
        return out

    from_report = hourly(by_report.stream(stream))
    assert len(from_report) == 2 * 2 * 5 * 24 * 3
    assert from_report == hourly(by_sync.stream(stream))
    assert windows_of(bodies(fake_api, ACCOUNT_1)) == [
        (days_ago(5).isoformat(), days_ago(3).isoformat()),
        (days_ago(2).isoformat(), days_ago(1).isoformat()),
    ]


# A backfill across the 90-day boundary -------------------------------------------------


@pytest.mark.parametrize("types", [DEFAULT_TYPES, SEVEN_TYPES])
def test_auto_takes_old_dates_from_reports_and_recent_from_sync(
    fake_api: FakePinterestAPI, types: list[str]
) -> None:
    """300 days: reports for today-300..today-90 (2 windows), sync for the last 90 days."""
    fake_api.reset(SMALL)
    start, today = days_ago(300), utc_today()
    config = config_for(fake_api, start, targeting_types=types, **FAST)
    streams = {"campaign_analytics", "campaign_targeting_analytics"}
    result = sync(config, streams)

    batches = math.ceil(len(types) / 5)
    windows = [
        (start.isoformat(), (start + timedelta(days=185)).isoformat()),
        ((start + timedelta(days=186)).isoformat(), days_ago(90).isoformat()),
    ]
    for account in ACCOUNTS:
        sent = [b for b in bodies(fake_api, account) if b["level"] == "CAMPAIGN_TARGETING"]
        assert len(sent) == 2 * batches
        assert windows_of(sent) == [w for w in windows for _ in range(batches)]
        assert all(len(b["targeting_types"]) <= 5 for b in sent)
        assert [t for b in sent[:batches] for t in b["targeting_types"]] == types
    # + 2 CAMPAIGN reports per account for campaign_analytics.
    assert len(fake_api.calls(REPORTS, method="POST")) == 2 * (2 * batches + 2)
    sync_calls = fake_api.calls(PATHS["campaign_targeting_analytics"])
    assert len(sync_calls) == 2  # one window of 90 days, every type in one call
    assert {c.query["start_date"][0] for c in sync_calls} == {days_ago(89).isoformat()}

    records = keyed("campaign_targeting_analytics", result.stream("campaign_targeting_analytics"))
    assert len(records) == 2 * 2 * 301 * values_of(types)
    days_by_item: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
    for account, campaign, day, targeting_type, value in records:
        days_by_item[account, campaign, targeting_type, value].add(day)
    assert len(days_by_item) == 2 * 2 * values_of(types)
    assert all(days == set(dates_between(start, today)) for days in days_by_item.values())

    # Per campaign, date and type, the values add up to campaign_analytics, both sides of
    # the boundary.
    plain = {(r["CAMPAIGN_ID"], r["DATE"]): r for r in result.stream("campaign_analytics")}
    assert len(plain) == 2 * 2 * 301
    clicks: dict[tuple[str, str, str], int] = defaultdict(int)
    spend: dict[tuple[str, str, str], float] = defaultdict(float)
    for (_, campaign, day, targeting_type, _), record in records.items():
        clicks[campaign, day, targeting_type] += record["TOTAL_CLICKTHROUGH"]
        spend[campaign, day, targeting_type] += record["SPEND_IN_DOLLAR"]
        assert record["CTR"] == plain[campaign, day]["CTR"]
    assert len(clicks) == 2 * 2 * 301 * len(types)
    for (campaign, day, _), clicked in clicks.items():
        assert clicked == plain[campaign, day]["TOTAL_CLICKTHROUGH"]
    for (campaign, day, _), spent in spend.items():
        assert spent == pytest.approx(plain[campaign, day]["SPEND_IN_DOLLAR"], abs=1e-6)
    assert partitions(result.final_state, "campaign_targeting_analytics") == dict.fromkeys(
        ACCOUNTS, today.isoformat()
    )


def test_beyond_914_days_one_line_names_the_lost_dates(
    fake_api: FakePinterestAPI, caplog: pytest.LogCaptureFixture
) -> None:
    stream = "ad_account_targeting_analytics"
    config = config_for(fake_api, days_ago(1000), targeting_types=["GENDER"], **FAST)
    with caplog.at_level(logging.WARNING):
        result = sync(config, {stream})
    lines = [r.getMessage() for r in caplog.records if "can no longer be fetched" in r.getMessage()]
    assert lines == [
        (
            f"{stream}: Pinterest serves analytics at most 914 days back; {days_ago(1000)} to "
            f"{days_ago(914)} can no longer be fetched, starting at {days_ago(913)}"
        )
    ]
    records = keyed(stream, result.stream(stream))
    assert min(r["DATE"] for r in records.values()) == days_ago(913).isoformat()
    assert len(records) == 2 * 914 * 3
    # 824 report dates: 4 x 186 + 80.
    assert len(bodies(fake_api, ACCOUNT_1)) == 5


def test_a_type_reports_do_not_offer_is_named_once(
    fake_api: FakePinterestAPI, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Old dates of such a type are lost (one line); its recent dates still come by sync.

    The bundled spec's report enum holds every configurable type, so a narrower one
    (without COUNTRY) stands in for a spec where it does not.
    """
    narrower = tuple(t for t in targeting_analytics.REPORT_TARGETING_TYPES if t != "COUNTRY")
    monkeypatch.setattr(targeting_analytics, "REPORT_TARGETING_TYPES", narrower)
    stream = "ad_account_targeting_analytics"
    start, today = days_ago(100), utc_today()
    config = config_for(fake_api, start, targeting_types=["GENDER", "COUNTRY"], **FAST)
    with caplog.at_level(logging.WARNING):
        result = sync(config, {stream})
    lines = [r.getMessage() for r in caplog.records if "do not offer" in r.getMessage()]
    assert lines == [
        (
            f"{stream}: async reports do not offer targeting type COUNTRY; its rows for "
            f"{start} to {days_ago(90)} cannot be fetched"
        )
    ]
    assert [b["targeting_types"] for b in bodies(fake_api, ACCOUNT_1)] == [["GENDER"]]
    records = result.stream(stream)
    countries = {r["DATE"] for r in records if r["targeting_type"] == "COUNTRY"}
    genders = {r["DATE"] for r in records if r["targeting_type"] == "GENDER"}
    assert countries == set(dates_between(days_ago(89), today))
    assert genders == set(dates_between(start, today))
    assert len(records) == 2 * (101 * 3 + 90 * 4)


# State -----------------------------------------------------------------------------------


def test_a_window_is_bookmarked_after_all_its_type_batches(fake_api: FakePinterestAPI) -> None:
    """A report failing in a window's second batch leaves the bookmark at the window before.

    The rerun resumes there (less the lookback) and nothing is missing.
    """
    stream = "ad_account_targeting_analytics"
    start, today = days_ago(500), utc_today()
    # 410 report dates: 3 windows x 2 batches for each account. The first account's
    # window 1 (2 reports) and the first batch of window 2 finish; the next fails.
    fake_api.fail_next_reports("FAILED", after=3)
    config = config_for(fake_api, start, targeting_types=SEVEN_TYPES, **FAST)
    first, error = run_failing(config, {stream})
    assert error.failures[0].problem == (
        f"Pinterest report FAILED for ad account {ACCOUNT_1}, level ADVERTISER_TARGETING, "
        f"{start + timedelta(days=186)} to {start + timedelta(days=371)}, "
        "targeting types LOCATION, REGION"
    )
    window_1_end = start + timedelta(days=185)
    assert partitions(first.final_state, stream) == {
        ACCOUNT_1: window_1_end.isoformat(),
        ACCOUNT_2: today.isoformat(),
    }
    # Every state written so far stopped at a window's end whose batches were all emitted.
    bookmarks = {
        p.get("replication_key_value")
        for state in first.states
        for p in state.get("bookmarks", {}).get(stream, {}).get("partitions", [])
        if p["context"]["ad_account_id"] == ACCOUNT_1
    }
    assert bookmarks <= {None, window_1_end.isoformat()}
    # The types are recorded with every bookmark that covers them, a window's included.
    stored = {
        p["context"]["ad_account_id"]: p.get("targeting_types")
        for p in first.final_state["bookmarks"][stream]["partitions"]
    }
    assert stored == {ACCOUNT_1: SEVEN_TYPES, ACCOUNT_2: SEVEN_TYPES}
    emitted = keyed(stream, first.stream(stream))

    fake_api.clear_log()
    second = sync(config, {stream}, state=first.final_state)
    resumed = bodies(fake_api, ACCOUNT_1)
    # Default lookback: the widest attribution window, 30 days.
    resumed_start = window_1_end - timedelta(days=30)
    assert windows_of(resumed)[0] == (
        resumed_start.isoformat(),
        (resumed_start + timedelta(days=185)).isoformat(),
    )
    assert bodies(fake_api, ACCOUNT_2) == []  # bookmarked today: within 90 days, sync
    again = keyed(stream, second.stream(stream))
    for account in ACCOUNTS:
        delivered = {k for k in (*emitted, *again) if k[0] == account}
        assert len(delivered) == len(dates_between(start, today)) * values_of(SEVEN_TYPES)
    assert partitions(second.final_state, stream) == dict.fromkeys(ACCOUNTS, today.isoformat())
    assert all(
        p["targeting_types"] == SEVEN_TYPES
        for p in second.final_state["bookmarks"][stream]["partitions"]
    )


def test_a_type_added_restarts_the_reports_from_start_date(
    fake_api: FakePinterestAPI, caplog: pytest.LogCaptureFixture
) -> None:
    stream = "ad_account_targeting_analytics"
    start = days_ago(200)
    first = sync(config_for(fake_api, start, targeting_types=["GENDER"], **FAST), {stream})
    assert windows_of(bodies(fake_api, ACCOUNT_1)) == [
        (start.isoformat(), days_ago(90).isoformat())
    ]
    fake_api.clear_log()
    config = config_for(fake_api, start, targeting_types=["GENDER", "COUNTRY"], **FAST)
    with caplog.at_level(logging.WARNING):
        second = sync(config, {stream}, state=first.final_state)
    assert [(b["start_date"], b["targeting_types"]) for b in bodies(fake_api, ACCOUNT_1)] == [
        (start.isoformat(), ["GENDER", "COUNTRY"])
    ]
    assert len([r for r in caplog.records if "gained COUNTRY" in r.getMessage()]) == 1
    assert len(keyed(stream, second.stream(stream))) == 2 * 201 * (3 + 4)
    # Same types again: the bookmark holds, no report at all.
    fake_api.clear_log()
    sync(config, {stream}, state=second.final_state)
    assert fake_api.calls(REPORTS, method="POST") == []


def test_a_type_added_after_a_run_stopped_midway_is_fetched_from_start_date(
    fake_api: FakePinterestAPI,
) -> None:
    # The stopped run bookmarked window 1 of ACCOUNT_1 with its types; a type added before
    # the rerun must still get every date, not only those after that bookmark.
    stream = "ad_account_targeting_analytics"
    start, today = days_ago(500), utc_today()
    fake_api.fail_next_reports("FAILED", after=1)
    first, _ = run_failing(
        config_for(fake_api, start, targeting_types=["GENDER"], **FAST), {stream}
    )
    window_1_end = start + timedelta(days=185)
    assert partitions(first.final_state, stream)[ACCOUNT_1] == window_1_end.isoformat()
    fake_api.clear_log()
    config = config_for(fake_api, start, targeting_types=["GENDER", "COUNTRY"], **FAST)
    second = sync(config, {stream}, state=first.final_state)
    assert windows_of(bodies(fake_api, ACCOUNT_1))[0][0] == start.isoformat()
    country = {k for k in keyed(stream, second.stream(stream)) if "COUNTRY" in k}
    assert len(country) == len(ACCOUNTS) * len(dates_between(start, today)) * values_of(["COUNTRY"])


def test_a_type_added_then_a_run_stopped_midway_still_backfills_the_type(
    fake_api: FakePinterestAPI,
) -> None:
    # Run 1 completes with GENDER; run 2 adds COUNTRY (a restart from start_date) and stops
    # after window 1: its bookmark must say window 1 with both types, not keep run 1's
    # bookmark with both types, so run 3 goes on from window 1 and no COUNTRY date is lost.
    stream = "ad_account_targeting_analytics"
    start, today = days_ago(500), utc_today()
    first = sync(config_for(fake_api, start, targeting_types=["GENDER"], **FAST), {stream})
    config = config_for(fake_api, start, targeting_types=["GENDER", "COUNTRY"], **FAST)
    fake_api.fail_next_reports("FAILED", after=1)
    second, _ = run_failing(config, {stream}, state=first.final_state)
    window_1_end = start + timedelta(days=185)
    stopped = {
        p["context"]["ad_account_id"]: (p["replication_key_value"], p.get("targeting_types"))
        for p in second.final_state["bookmarks"][stream]["partitions"]
    }
    assert stopped[ACCOUNT_1] == (window_1_end.isoformat(), ["GENDER", "COUNTRY"])
    third = sync(config, {stream}, state=second.final_state)
    country = {
        k
        for k in (*keyed(stream, second.stream(stream)), *keyed(stream, third.stream(stream)))
        if "COUNTRY" in k
    }
    assert len(country) == len(ACCOUNTS) * len(dates_between(start, today)) * values_of(["COUNTRY"])


# The fake's contract -------------------------------------------------------------------


def _post(api: FakePinterestAPI, body: dict[str, Any]) -> requests.Response:
    return requests.post(
        f"{api.url}/ad_accounts/{ACCOUNT_1}/reports",
        json=body,
        headers={"Authorization": f"Bearer {DEFAULT_STATIC_TOKEN}"},
        timeout=10,
    )


def _body(level: str, **extra: Any) -> dict[str, Any]:
    return {
        "start_date": days_ago(300).isoformat(),
        "end_date": days_ago(200).isoformat(),
        "granularity": "DAY",
        "level": level,
        "columns": ["SPEND_IN_DOLLAR"],
        **extra,
    }


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (_body("ADVERTISER_TARGETING", targeting_types=DEFAULT_TYPES), 200, None),
        (
            _body("CAMPAIGN_TARGETING"),
            400,
            "Missing required parameter: targeting_types.",
        ),
        (
            _body("AD_GROUP_TARGETING", targeting_types=SIX_TYPES),
            400,
            "Invalid targeting_types: at most 5 values are allowed.",
        ),
        (
            _body("PIN_PROMOTION_TARGETING", targeting_types=["GENDER", "QUIZ_RESULT"]),
            400,
            "Invalid targeting_types: QUIZ_RESULT.",
        ),
        (
            _body("AD_GROUP_TARGETING", targeting_types=["AUDIENCE_MULTIPLIER"]),
            400,
            "Invalid targeting_types for level AD_GROUP_TARGETING: AUDIENCE_MULTIPLIER.",
        ),
        (_body("CAMPAIGN_TARGETING", targeting_types=["AUDIENCE_MULTIPLIER"]), 200, None),
        (
            _body("CAMPAIGN_TARGETING", targeting_types="GENDER"),
            400,
            "Invalid targeting_types: expected a list of targeting types.",
        ),
        (
            _body("CAMPAIGN", targeting_types=["GENDER"]),
            400,
            "Invalid targeting_types: level CAMPAIGN does not end in _TARGETING.",
        ),
        (
            _body("TARGETING", targeting_types=["GENDER"]),
            400,
            "Invalid level: TARGETING.",
        ),
    ],
)
def test_fake_checks_targeting_report_bodies(
    fake_api: FakePinterestAPI, body: dict[str, Any], status: int, message: str | None
) -> None:
    response = _post(fake_api, body)
    assert response.status_code == status, response.text
    if message is not None:
        assert response.json() == {"code": 1, "message": message}


def test_fake_targeting_report_rows(fake_api: FakePinterestAPI) -> None:
    """Keyed by the ad account at ADVERTISER_TARGETING; rows carry the TARGETING_* columns."""
    token = _post(
        fake_api,
        _body(
            "ADVERTISER_TARGETING",
            start_date=days_ago(2).isoformat(),
            end_date=days_ago(2).isoformat(),
            targeting_types=["LOCATION"],
        ),
    ).json()["token"]
    report = fake_api.report_body(fake_api._reports[token])
    assert list(report) == [ACCOUNT_1]
    assert [
        (r["TARGETING_TYPE"], r["TARGETING_VALUE"], r["TARGETING_VALUE_NAME"], r["DATE"])
        for r in report[ACCOUNT_1]
    ] == [("LOCATION", v, f"#{v}", days_ago(2).isoformat()) for v in (500, 501, 502)]
    assert all(
        set(r)
        <= {"SPEND_IN_DOLLAR", "DATE", "TARGETING_TYPE", "TARGETING_VALUE", "TARGETING_VALUE_NAME"}
        for r in report[ACCOUNT_1]
    )
