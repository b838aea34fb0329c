"""Behaviours of the live API the spec does not document (issue 16, items 4 to 6).

- The per-pin fallback of pin_analytics spends at most `pin_analytics_call_budget` calls a
  run; a cursor in state makes successive runs cover every pin once per cycle.
- The date limits are checked on Pinterest's clock: the run fixes its today once, keeps one
  day of margin at each limit's far edge, and `auto` fetches that day through reports.
- `reporting_timezone` is sent on every ads analytics call and report, carried in rows,
  recorded in state and guarded; under AD_ACCOUNT_TIME_ZONE "today" is the account's.
"""

from __future__ import annotations

import copy
import json
import logging
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest
import requests

from tap_pinterest import dates, pin_cycle
from tap_pinterest.errors import InvalidStateError
from tap_pinterest.report_planning import (
    DAILY_REPORT_LIMITS,
    HOURLY_REPORT_LIMITS,
    PRODUCT_ITEM_REPORT_LIMITS,
)
from tap_pinterest.row_meaning import SettingsChangedError
from tap_pinterest.run_clock import RunClock
from tests.fake_api import Attribution, Scale
from tests.fake_api.server import DEFAULT_STATIC_TOKEN
from tests.tap_runner import catalog_selecting, deselect_properties, run_sync

if TYPE_CHECKING:
    from tests.fake_api import FakePinterestAPI
    from tests.fake_api.data import FakeData

ACCOUNTS = ("549755885175", "549755885176")
PIN_SCALE = Scale(boards=2, sections_per_board=0, pins_per_board=5)
PER_PIN = r"/v5/pins/\d+/analytics"
BULK = r"/v5/pins/analytics"
FAST = {"report_poll_seconds": 0.01}


def utc_today() -> date:
    return datetime.now(tz=timezone.utc).date()


def days_ago(n: int) -> date:
    return utc_today() - timedelta(days=n)


def config_for(api: FakePinterestAPI, start: date, **extra: Any) -> dict[str, Any]:
    return {
        "access_token": DEFAULT_STATIC_TOKEN,
        "api_url": api.url,
        "start_date": start.isoformat(),
        **FAST,
        **extra,
    }


def by_pin(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        out.setdefault(record["pin_id"], []).append(record)
    return out


def info_lines(caplog: pytest.LogCaptureFixture, prefix: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith(prefix)]


# 4. Per-pin analytics within a budget ---------------------------------------------------


def test_per_pin_budget_covers_every_pin_once_per_cycle(
    fake_api: FakePinterestAPI, caplog: pytest.LogCaptureFixture
) -> None:
    """10 pins, 4 calls a run: runs of 4, 4 and 2 pins, then the next cycle starts over."""
    fake_api.reset(PIN_SCALE)
    pins = sorted(p["id"] for p in fake_api.data.pins)
    assert len(pins) == 10
    config = config_for(fake_api, days_ago(10), pin_analytics_call_budget=4)
    clean = by_pin(run_sync(config, streams={"pin_analytics"}).stream("pin_analytics"))
    assert sorted(clean) == pins
    last_final = days_ago(2).isoformat()  # the fake's last 2 days are PROCESSING

    state: dict[str, Any] = {}
    read: list[str] = []
    for run, (first, count) in enumerate([(0, 4), (4, 4), (8, 2)], start=1):
        fake_api.clear_log()
        fake_api.inject(rf"{BULK}$", 403)
        with caplog.at_level(logging.INFO):
            caplog.clear()
            result = run_sync(config, streams={"pin_analytics"}, state=state)
        state = result.final_state
        run_pins = pins[first : first + count]
        # In flight together (issue 19): the calls reach the fake in any order.
        called = sorted(c.path.split("/")[3] for c in fake_api.calls(PER_PIN))
        assert called == run_pins, run
        assert [c.status for c in fake_api.calls(BULK)] == [403]
        assert by_pin(result.stream("pin_analytics")) == {p: clean[p] for p in run_pins}
        read += called
        pin_state = state["bookmarks"]["pin_analytics"]
        lines = info_lines(caplog, "pin_analytics: per-pin cycle")
        if run < 3:
            assert pin_state == {
                "settings": {"app_types": "ALL"},
                "per_pin_cycle": {
                    "next_pin_id": pins[first + count],
                    "first_date": days_ago(10).isoformat(),
                    "covered_to": last_final,
                    "pins_read": first + count,
                },
            }, run
            assert lines == [
                (
                    f"pin_analytics: per-pin cycle: {first + count} pins read in this cycle "
                    f"({count} this run, {count} calls, pin_analytics_call_budget); "
                    f"{10 - first - count} of 10 pins still due, from pin {pins[first + count]} "
                    "next run"
                )
            ]
        else:
            assert pin_state == {
                "settings": {"app_types": "ALL"},
                "replication_key": "date",
                "replication_key_value": last_final,
            }
            assert lines == [
                (
                    "pin_analytics: per-pin cycle complete: 10 pins read in this cycle "
                    f"(2 this run, 2 calls); the bookmark moves to {last_final}"
                )
            ]
    assert read == pins  # every pin exactly once in the cycle

    # The next cycle starts at the first pin again, from the bookmark less the lookback.
    fake_api.clear_log()
    fake_api.inject(rf"{BULK}$", 403)
    result = run_sync(config, streams={"pin_analytics"}, state=state)
    assert sorted(c.path.split("/")[3] for c in fake_api.calls(PER_PIN)) == pins[:4]
    starts = {c.query["start_date"][0] for c in fake_api.calls(PER_PIN)}
    assert starts == {days_ago(9).isoformat()}  # days_ago(2) - 7 days of lookback
    expected = {p: [r for r in clean[p] if r["date"] >= days_ago(9).isoformat()] for p in pins[:4]}
    assert by_pin(result.stream("pin_analytics")) == expected
    assert result.final_state["bookmarks"]["pin_analytics"]["per_pin_cycle"] == {
        "next_pin_id": pins[4],
        "first_date": days_ago(9).isoformat(),
        "covered_to": last_final,
        "pins_read": 4,
    }
    assert result.final_state["bookmarks"]["pin_analytics"]["replication_key_value"] == last_final


def test_a_working_bulk_endpoint_ends_the_cycle(fake_api: FakePinterestAPI) -> None:
    """The bulk path is unchanged: it reads every pin, so a cycle under way is dropped."""
    fake_api.reset(PIN_SCALE)
    config = config_for(fake_api, days_ago(10), pin_analytics_call_budget=4)
    fake_api.inject(rf"{BULK}$", 403)
    first = run_sync(config, streams={"pin_analytics"})
    assert "per_pin_cycle" in first.final_state["bookmarks"]["pin_analytics"]
    fake_api.clear_log()
    again = run_sync(config, streams={"pin_analytics"}, state=first.final_state)
    assert fake_api.calls(PER_PIN) == []
    assert len(fake_api.calls(BULK)) == 1
    assert len(by_pin(again.stream("pin_analytics"))) == 10
    assert again.final_state["bookmarks"]["pin_analytics"] == {
        "settings": {"app_types": "ALL"},
        "replication_key": "date",
        "replication_key_value": days_ago(2).isoformat(),
    }


# 5. The edge of the date limits -----------------------------------------------------------


def _tomorrow_on(api: FakePinterestAPI) -> None:
    """Pinterest's clock passes UTC midnight once the run has started (at its first list)."""

    def hook(data: FakeData) -> None:
        data.today_override = utc_today() + timedelta(days=1)

    api.on_page(r"/v5/ad_accounts$", 1, hook)


def test_a_run_that_crosses_midnight_stays_inside_both_limits(
    fake_api: FakePinterestAPI, caplog: pytest.LogCaptureFixture
) -> None:
    """Planned on day D, called on D+1: D-90 and D-914 would be refused; D-89/D-913 are not."""
    fake_api.reset(Scale(campaigns_per_account=1, ad_groups_per_campaign=1, ads_per_ad_group=1))
    today = utc_today()
    stream = "ad_account_analytics"
    config = config_for(fake_api, days_ago(920))
    catalog = deselect_properties(
        catalog_selecting(config, {stream}), stream, {"SPEND_IN_DOLLAR", "ad_account_id"}
    )
    _tomorrow_on(fake_api)
    with caplog.at_level(logging.WARNING):
        result = run_sync(config, catalog=catalog)

    assert fake_api.data.today() == today + timedelta(days=1)
    assert [c for c in fake_api.log if c.status != 200] == []
    posts = fake_api.calls(rf"/v5/ad_accounts/{ACCOUNTS[0]}/reports", "POST")
    bodies = [json.loads(c.body) for c in posts]
    assert bodies[0]["start_date"] == days_ago(913).isoformat()
    assert bodies[-1]["end_date"] == days_ago(90).isoformat()  # the sync path's margin day
    sync_calls = fake_api.calls(r"/v5/ad_accounts/\d+/analytics")
    assert [(c.query["start_date"][0], c.query["end_date"][0]) for c in sync_calls] == [
        (days_ago(89).isoformat(), today.isoformat())
    ] * 2
    assert [r.getMessage() for r in caplog.records if "can no longer" in r.getMessage()] == [
        (
            f"{stream}: Pinterest serves analytics at most 914 days back; {days_ago(920)} to "
            f"{days_ago(914)} can no longer be fetched, starting at {days_ago(913)}"
        )
    ]
    records = result.stream(stream)
    for account in ACCOUNTS:
        rows = fake_api.data.ads_analytics_rows(
            account, "ad_account", None, days_ago(913), today,
            columns=["SPEND_IN_DOLLAR"], granularity="DAY",
        )  # fmt: skip
        expected = {r["DATE"]: r["SPEND_IN_DOLLAR"] for r in rows}
        got = {r["DATE"]: r["SPEND_IN_DOLLAR"] for r in records if r["ad_account_id"] == account}
        assert got == expected
        assert len(got) == 914
    partitions = result.final_state["bookmarks"][stream]["partitions"]
    assert {p["replication_key_value"] for p in partitions} == {today.isoformat()}

    # Without the margin the fake refuses: the test above could fail.
    for path, query in [
        (f"/ad_accounts/{ACCOUNTS[0]}/analytics", {"start_date": days_ago(90).isoformat()}),
    ]:
        answer = requests.get(
            fake_api.url + path,
            params={
                **query,
                "end_date": today.isoformat(),
                "columns": "SPEND_IN_DOLLAR",
                "granularity": "DAY",
            },
            headers={"Authorization": f"Bearer {DEFAULT_STATIC_TOKEN}"},
            timeout=10,
        )
        assert answer.status_code == 400
    late = {"start_date": days_ago(914).isoformat(), "end_date": days_ago(900).isoformat()}
    answer = requests.post(
        fake_api.url + f"/ad_accounts/{ACCOUNTS[0]}/reports",
        json={**late, "granularity": "DAY", "level": "ADVERTISER", "columns": ["SPEND_IN_DOLLAR"]},
        headers={"Authorization": f"Bearer {DEFAULT_STATIC_TOKEN}"},
        timeout=10,
    )
    assert answer.status_code == 400


# 6. The reporting time zone -----------------------------------------------------------------


def test_reporting_timezone_is_sent_carried_and_recorded(fake_api: FakePinterestAPI) -> None:
    """Default PINTEREST_TIME_ZONE: on every call and report, in every row, in state."""
    fake_api.reset(Scale(campaigns_per_account=1, ad_groups_per_campaign=1, ads_per_ad_group=1))
    streams = {"ad_account_analytics", "ad_account_targeting_analytics", "keyword_analytics"}
    config = config_for(fake_api, days_ago(95), targeting_types=["GENDER"])
    catalog = catalog_selecting(config, streams)
    for stream in streams:
        deselect_properties(catalog, stream, {"SPEND_IN_DOLLAR"})
    result = run_sync(config, catalog=catalog)

    sync_calls = [c for c in fake_api.log if c.path.endswith("analytics")]
    assert len(sync_calls) == 4  # 2 streams x 2 ad accounts
    assert {c.query["reporting_timezone"][0] for c in sync_calls} == {"PINTEREST_TIME_ZONE"}
    reports = [json.loads(c.body) for c in fake_api.calls(r"/v5/ad_accounts/\d+/reports", "POST")]
    assert len(reports) == 6  # 3 streams x 2 ad accounts
    assert {b["reporting_timezone"] for b in reports} == {"PINTEREST_TIME_ZONE"}
    for stream in streams:
        records = result.stream(stream)
        assert records
        assert {r["REPORTING_TIMEZONE"] for r in records} == {"PINTEREST_TIME_ZONE"}, stream
        for partition in result.final_state["bookmarks"][stream]["partitions"]:
            assert partition["settings"]["reporting_timezone"] == "PINTEREST_TIME_ZONE"


def test_ad_account_time_zone_moves_today_to_each_account(
    fake_api: FakePinterestAPI, caplog: pytest.LogCaptureFixture
) -> None:
    """UTC+14 and UTC-11 accounts: end_date, rows and bookmark follow each account's date."""
    fake_api.reset(Scale(campaigns_per_account=1, ad_groups_per_campaign=1, ads_per_ad_group=1))
    now = datetime.now(tz=timezone.utc)
    local = {
        account: now.astimezone(ZoneInfo(fake_api.data.account_time_zones[account])).date()
        for account in ACCOUNTS
    }
    assert fake_api.data.account_time_zones == {
        ACCOUNTS[0]: "Pacific/Kiritimati",
        ACCOUNTS[1]: "Pacific/Pago_Pago",
    }
    stream = "ad_account_analytics"
    start = days_ago(5)
    config = config_for(fake_api, start, reporting_timezone="AD_ACCOUNT_TIME_ZONE")
    with caplog.at_level(logging.WARNING):
        result = run_sync(config, streams={stream})

    calls = fake_api.calls(r"/v5/ad_accounts/\d+/analytics")
    assert {(c.path.split("/")[3], c.query["end_date"][0]) for c in calls} == {
        (account, local[account].isoformat()) for account in ACCOUNTS
    }
    assert {c.query["reporting_timezone"][0] for c in calls} == {"AD_ACCOUNT_TIME_ZONE"}
    zoned = Attribution(reporting_timezone="AD_ACCOUNT_TIME_ZONE")
    for account in ACCOUNTS:
        rows = fake_api.data.ads_analytics_rows(
            account, "ad_account", None, start, local[account],
            columns=["SPEND_IN_DOLLAR"], granularity="DAY", attribution=zoned,
        )  # fmt: skip
        records = [r for r in result.stream(stream) if r["ad_account_id"] == account]
        assert {r["DATE"]: r["SPEND_IN_DOLLAR"] for r in records} == {
            r["DATE"]: r["SPEND_IN_DOLLAR"] for r in rows
        }
        assert max(r["DATE"] for r in records) == local[account].isoformat()
        assert {r["REPORTING_TIMEZONE"] for r in records} == {"AD_ACCOUNT_TIME_ZONE"}
    bookmarks = {
        p["context"]["ad_account_id"]: p["replication_key_value"]
        for p in result.final_state["bookmarks"][stream]["partitions"]
    }
    assert bookmarks == {account: local[account].isoformat() for account in ACCOUNTS}
    assert not [r for r in caplog.records if "no time_zone" in r.getMessage()]


def test_an_account_without_a_time_zone_is_named_once(
    fake_api: FakePinterestAPI, caplog: pytest.LogCaptureFixture
) -> None:
    fake_api.reset(Scale(campaigns_per_account=1, ad_groups_per_campaign=1, ads_per_ad_group=1))
    for account in fake_api.data.ad_accounts:
        del account["time_zone"]
        # The fake reports these accounts in UTC too: with their UTC-11 zone the row count
        # would depend on the hour the test runs.
        del fake_api.data.account_time_zones[account["id"]]
    config = config_for(fake_api, days_ago(3), reporting_timezone="AD_ACCOUNT_TIME_ZONE")
    with caplog.at_level(logging.WARNING):
        result = run_sync(config, streams={"ad_account_analytics", "campaign_analytics"})
    assert [r.getMessage() for r in caplog.records if "time_zone" in r.getMessage()] == [
        f"Ad account {account} has no time_zone the tap knows (None); with reporting_timezone "
        "AD_ACCOUNT_TIME_ZONE its 'today' is taken in UTC"
        for account in ACCOUNTS
    ]
    calls = fake_api.calls(r"/v5/ad_accounts/\d+/(campaigns/)?analytics")
    assert {c.query["end_date"][0] for c in calls} == {utc_today().isoformat()}
    assert len(result.stream("ad_account_analytics")) == 2 * 4


def test_a_state_from_before_the_setting_counts_as_pinterest_time_zone(
    fake_api: FakePinterestAPI,
) -> None:
    """Rows synced before the setting existed were UTC days: kept; another zone is refused."""
    stream = "ad_account_analytics"
    first = run_sync(config_for(fake_api, days_ago(3)), streams={stream})
    old = copy.deepcopy(first.final_state)
    for partition in old["bookmarks"][stream]["partitions"]:
        del partition["settings"]["reporting_timezone"]
    again = run_sync(config_for(fake_api, days_ago(3)), streams={stream}, state=copy.deepcopy(old))
    for partition in again.final_state["bookmarks"][stream]["partitions"]:
        assert partition["settings"]["reporting_timezone"] == "PINTEREST_TIME_ZONE"
    zoned = config_for(fake_api, days_ago(3), reporting_timezone="AD_ACCOUNT_TIME_ZONE")
    with pytest.raises(SettingsChangedError) as excinfo:
        run_sync(zoned, streams={stream}, state=old)
    assert str(excinfo.value) == (
        f"{stream} (ad_account_id {ACCOUNTS[0]}): settings changed since the state was written "
        "(reporting_timezone was 'PINTEREST_TIME_ZONE' and is now 'AD_ACCOUNT_TIME_ZONE'); "
        "rows counted both ways would mix under the same keys. Put the settings back, or reset "
        f"{stream}'s state and its table (see 'Resetting a stream's state' in the README)"
    )


def test_the_fake_refuses_an_unknown_reporting_timezone(fake_api: FakePinterestAPI) -> None:
    headers = {"Authorization": f"Bearer {DEFAULT_STATIC_TOKEN}"}
    day = utc_today().isoformat()
    answer = requests.get(
        f"{fake_api.url}/ad_accounts/{ACCOUNTS[0]}/analytics",
        params={
            "start_date": day,
            "end_date": day,
            "columns": "SPEND_IN_DOLLAR",
            "granularity": "DAY",
            "reporting_timezone": "UTC",
        },
        headers=headers,
        timeout=10,
    )
    assert answer.status_code == 400
    body = {
        "start_date": day,
        "end_date": day,
        "granularity": "DAY",
        "level": "ADVERTISER",
        "columns": ["SPEND_IN_DOLLAR"],
        "reporting_timezone": "UTC",
    }
    answer = requests.post(
        f"{fake_api.url}/ad_accounts/{ACCOUNTS[0]}/reports", json=body, headers=headers, timeout=10
    )
    assert answer.status_code == 400
    assert answer.json()["message"] == "Invalid reporting_timezone: UTC."


# Pure rules -------------------------------------------------------------------------------


def test_run_clock_gives_each_account_its_own_date() -> None:
    clock = RunClock(datetime(2026, 12, 3, 20, 0, tzinfo=timezone.utc))
    clock.note_account({"id": "1", "time_zone": "Pacific/Kiritimati"})  # UTC+14
    clock.note_account({"id": "2", "time_zone": "Pacific/Pago_Pago"})  # UTC-11
    zoned = {"reporting_timezone": "AD_ACCOUNT_TIME_ZONE"}
    assert clock.today(zoned, "1") == date(2026, 12, 4)
    assert clock.today(zoned, "2") == date(2026, 12, 3)
    assert clock.today({}, "1") == date(2026, 12, 3)  # PINTEREST_TIME_ZONE: UTC
    assert clock.today(zoned, None) == date(2026, 12, 3)  # organic: no ad account
    assert clock.reach_today(zoned, "1") == date(2026, 12, 4)
    late = RunClock(datetime(2026, 12, 3, 2, 0, tzinfo=timezone.utc))
    late.note_account({"id": "2", "time_zone": "Pacific/Pago_Pago"})
    assert late.today(zoned, "2") == date(2026, 12, 2)
    assert late.reach_today(zoned, "2") == date(2026, 12, 3)  # limits count from UTC


def test_plan_range_keeps_one_day_inside_each_limit() -> None:
    today = date(2026, 12, 3)
    for limits, back in [
        (dates.DAILY_LIMITS, 89),
        (dates.HOURLY_LIMITS, 7),
        (DAILY_REPORT_LIMITS, 913),
        (HOURLY_REPORT_LIMITS, 7),
        (PRODUCT_ITEM_REPORT_LIMITS, 91),
    ]:
        planned = dates.plan_range(
            bookmark=None,
            start_date=date(2020, 1, 1),
            end_date=None,
            lookback_days=0,
            granularity="DAY",
            today=today,
            limits=limits,
        )
        assert planned.start == today - timedelta(days=back), limits


def test_pin_cycle_plans_whole_pins_within_the_budget() -> None:
    pins = ["10", "9", "11", "9"]
    assert pin_cycle.pin_order(pins) == ["9", "10", "11"]  # numeric, once each
    plan = pin_cycle.plan_run(["9", "10", "11"], None, budget=5, windows=2)
    assert (plan.pins, plan.next_pin, plan.due_before) == (["9", "10"], "11", 3)
    # A budget smaller than one pin's windows still reads one pin: the cycle moves on.
    plan = pin_cycle.plan_run(["9", "10", "11"], "10", budget=1, windows=2)
    assert (plan.pins, plan.next_pin, plan.due_before) == (["10"], "11", 2)
    plan = pin_cycle.plan_run(["9", "10", "11"], "11", budget=5, windows=1)
    assert (plan.pins, plan.next_pin) == (["11"], None)


def test_an_unreadable_cycle_in_state_is_one_line() -> None:
    with pytest.raises(InvalidStateError) as excinfo:
        pin_cycle.load_cycle({"per_pin_cycle": {"first_date": "soon"}}, "pin_analytics")
    assert str(excinfo.value) == (
        "State for pin_analytics has a per_pin_cycle the tap cannot read "
        "({'first_date': 'soon'}); delete bookmarks.pin_analytics.per_pin_cycle to start "
        "the pins' cycle over"
    )
