"""Organic analytics streams against the fake API: user, pin and top-pin analytics.

Expectations come from the fake's builders (`user_analytics`, `pin_analytics`,
`top_pins`) and are pinned by literal counts so a broken fake cannot make them vacuous.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pytest

from tests.fake_api import Scale
from tests.fake_api.data import (
    pin_metric_types,
    top_pins_sort_by,
    top_video_pins_sort_by,
    user_metric_types,
    video_metric_types,
)
from tests.tap_runner import run_sync

if TYPE_CHECKING:
    from tests.fake_api import FakePinterestAPI

USER_PATH = r"/v5/user_account/analytics"
PINS_PATH = r"/v5/pins/analytics"
TOP_PATHS = {
    "top_pins_analytics": r"/v5/user_account/analytics/top_pins",
    "top_video_pins_analytics": r"/v5/user_account/analytics/top_video_pins",
}


def utc_today() -> date:
    return datetime.now(tz=timezone.utc).date()


def days_ago(n: int) -> date:
    return utc_today() - timedelta(days=n)


def config_for(api: FakePinterestAPI, start: date, **extra: Any) -> dict[str, Any]:
    return {
        "access_token": "demo-access-token",
        "api_url": api.url,
        "start_date": start.isoformat(),
        **extra,
    }


def flat(series: dict[str, Any]) -> list[dict[str, Any]]:
    """A fake series' daily_metrics as the rows the tap should emit."""
    return [
        {"date": d["date"], "data_status": d["data_status"], **d["metrics"]}
        for d in series["daily_metrics"]
    ]


def bookmark(state: dict[str, Any], stream: str) -> Any:
    entry = state["bookmarks"][stream]
    assert entry["replication_key"] == "date"
    return entry["replication_key_value"]


# user_account_analytics -------------------------------------------------------------


def test_user_account_analytics_rows_match_fake(fake_api: FakePinterestAPI) -> None:
    """One typed row per date, exactly the API's values and data_status."""
    start = days_ago(10)
    result = run_sync(config_for(fake_api, start), streams={"user_account_analytics"})
    records = result.stream("user_account_analytics")
    expected = [
        {**row, "split_field": "NO_SPLIT", "split_value": "all", "ad_account_id": None}
        for row in flat(
            fake_api.data.user_analytics(start, utc_today(), list(user_metric_types()))["all"]
        )
    ]
    assert len(records) == 11
    assert records == expected
    assert [r["date"] for r in records] == [
        (start + timedelta(days=i)).isoformat() for i in range(11)
    ]
    assert [r["data_status"] for r in records] == ["READY"] * 9 + ["PROCESSING"] * 2
    for record in records:
        for metric in user_metric_types():
            assert type(record[metric]) in {int, float}, metric
    calls = fake_api.calls(USER_PATH)
    assert len(calls) == 1
    assert calls[0].query["start_date"] == [start.isoformat()]
    assert calls[0].query["end_date"] == [utc_today().isoformat()]
    assert calls[0].query["metric_types"] == [",".join(user_metric_types())]


def test_user_account_analytics_split_and_business_account(fake_api: FakePinterestAPI) -> None:
    """A split gives one row per date and value; organic_ad_account_id is sent and kept."""
    start = days_ago(3)
    config = config_for(
        fake_api,
        start,
        user_account_analytics_split_field="APP_TYPE",
        organic_ad_account_id="549755885175",
    )
    records = run_sync(config, streams={"user_account_analytics"}).stream("user_account_analytics")
    groups = fake_api.data.user_analytics(
        start, utc_today(), list(user_metric_types()), split_field="APP_TYPE"
    )
    expected = [
        {**row, "split_field": "APP_TYPE", "split_value": group, "ad_account_id": "549755885175"}
        for group, metrics in groups.items()
        for row in flat(metrics)
    ]
    assert len(records) == 12  # 4 dates x MOBILE, TABLET, WEB
    assert sorted(records, key=lambda r: (r["split_value"], r["date"])) == sorted(
        expected, key=lambda r: (r["split_value"], r["date"])
    )
    assert len({(r["date"], r["split_value"]) for r in records}) == 12
    (call,) = fake_api.calls(USER_PATH)
    assert call.query["split_field"] == ["APP_TYPE"]
    assert call.query["ad_account_id"] == ["549755885175"]


def test_user_account_analytics_bookmark_stops_at_last_ready_day(
    fake_api: FakePinterestAPI,
) -> None:
    """Days still PROCESSING are not bookmarked: even lookback 0 fetches them again."""
    config = config_for(fake_api, days_ago(10), lookback_window_days=0)
    first = run_sync(config, streams={"user_account_analytics"})
    assert bookmark(first.final_state, "user_account_analytics") == days_ago(2).isoformat()

    fake_api.clear_log()
    second = run_sync(config, streams={"user_account_analytics"}, state=first.final_state)
    calls = fake_api.calls(USER_PATH)
    assert len(calls) == 1
    assert calls[0].query["start_date"] == [days_ago(2).isoformat()]
    dates = [r["date"] for r in second.stream("user_account_analytics")]
    assert dates == [days_ago(n).isoformat() for n in (2, 1, 0)]
    assert bookmark(second.final_state, "user_account_analytics") == days_ago(2).isoformat()


def test_user_account_analytics_bookmark_follows_processing_days(
    fake_api: FakePinterestAPI,
) -> None:
    """The bookmark tracks the API's data_status, not a fixed offset from today."""
    fake_api.processing_days = 4
    result = run_sync(config_for(fake_api, days_ago(10)), streams={"user_account_analytics"})
    statuses = [r["data_status"] for r in result.stream("user_account_analytics")]
    assert statuses == ["READY"] * 7 + ["PROCESSING"] * 4
    assert bookmark(result.final_state, "user_account_analytics") == days_ago(4).isoformat()


# pin_analytics ----------------------------------------------------------------------


def test_pin_analytics_batches_100_pins_per_call(fake_api: FakePinterestAPI) -> None:
    """250 pins: one /pins page of 250 and 100/100/50 pin ids per analytics call."""
    fake_api.reset(Scale(boards=5, pins_per_board=50))
    assert len(fake_api.data.pins) == 250
    start = days_ago(3)
    result = run_sync(config_for(fake_api, start), streams={"pin_analytics"})

    lists = fake_api.calls(r"/v5/pins")
    assert len(lists) == 1
    calls = fake_api.calls(PINS_PATH)
    # The batches after the first are in flight together (issue 19): any order.
    assert len(calls[0].query["pin_ids"]) == 100
    assert sorted(len(c.query["pin_ids"]) for c in calls) == [50, 100, 100]
    sent = [p for c in calls for p in c.query["pin_ids"]]
    assert len(set(sent)) == 250
    assert set(sent) == {p["id"] for p in fake_api.data.pins}
    for call in calls:
        assert call.query["start_date"] == [start.isoformat()]
        assert call.query["end_date"] == [utc_today().isoformat()]
        assert call.query["metric_types"] == [",".join(pin_metric_types())]

    records = result.stream("pin_analytics")
    assert len(records) == 250 * 4
    body = fake_api.data.pin_analytics(sent, start, utc_today(), list(pin_metric_types()))
    expected = {
        (pin_id, row["date"]): {"pin_id": pin_id, **row}
        for pin_id, groups in body.items()
        for row in flat(groups["all"])
    }
    assert {(r["pin_id"], r["date"]): r for r in records} == expected
    for record in records:
        assert isinstance(record["pin_id"], str)


def test_pin_analytics_rows_match_fake_default_scale(fake_api: FakePinterestAPI) -> None:
    """Exact rows for the default 21 pins (one call), PROCESSING days included."""
    start = days_ago(4)
    result = run_sync(config_for(fake_api, start), streams={"pin_analytics"})
    records = result.stream("pin_analytics")
    pin_ids = [p["id"] for p in fake_api.data.pins]
    assert len(pin_ids) == 21
    assert len(records) == 21 * 5
    body = fake_api.data.pin_analytics(pin_ids, start, utc_today(), list(pin_metric_types()))
    expected = [
        {"pin_id": pin_id, **row} for pin_id in pin_ids for row in flat(body[pin_id]["all"])
    ]
    key = lambda r: (r["pin_id"], r["date"])  # noqa: E731
    assert sorted(records, key=key) == sorted(expected, key=key)
    assert len(fake_api.calls(PINS_PATH)) == 1
    assert bookmark(result.final_state, "pin_analytics") == days_ago(2).isoformat()


def test_pin_metric_types_narrows_request_and_records(fake_api: FakePinterestAPI) -> None:
    """pin_metric_types asks only for those metrics, and rows carry only them."""
    start = days_ago(2)
    config = config_for(fake_api, start, pin_metric_types=["SAVE", "IMPRESSION"])
    result = run_sync(config, streams={"pin_analytics"})
    calls = fake_api.calls(PINS_PATH)
    assert len(calls) == 1
    assert set(calls[0].query["metric_types"][0].split(",")) == {"IMPRESSION", "SAVE"}
    records = result.stream("pin_analytics")
    assert len(records) == 21 * 3
    pin_ids = [p["id"] for p in fake_api.data.pins]
    body = fake_api.data.pin_analytics(pin_ids, start, utc_today(), ["IMPRESSION", "SAVE"])
    for record in records:
        assert set(record) == {"pin_id", "date", "data_status", "IMPRESSION", "SAVE"}
        day = next(
            d for d in body[record["pin_id"]]["all"]["daily_metrics"] if d["date"] == record["date"]
        )
        assert record["IMPRESSION"] == day["metrics"]["IMPRESSION"]
        assert record["SAVE"] == day["metrics"]["SAVE"]


def test_pin_analytics_rerun_fetches_only_lookback(fake_api: FakePinterestAPI) -> None:
    """From state, pin analytics re-reads lookback days before the last READY day only."""
    config = config_for(fake_api, days_ago(20), lookback_window_days=3)
    first = run_sync(config, streams={"pin_analytics"})
    assert len(first.stream("pin_analytics")) == 21 * 21
    assert bookmark(first.final_state, "pin_analytics") == days_ago(2).isoformat()

    fake_api.clear_log()
    second = run_sync(config, streams={"pin_analytics"}, state=first.final_state)
    calls = fake_api.calls(PINS_PATH)
    assert len(calls) == 1
    assert calls[0].query["start_date"] == [days_ago(5).isoformat()]
    records = second.stream("pin_analytics")
    assert len(records) == 21 * 6
    assert {r["date"] for r in records} == {days_ago(n).isoformat() for n in range(6)}
    assert bookmark(second.final_state, "pin_analytics") == days_ago(2).isoformat()


# top pins ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stream", "video", "per_sort", "sort_count"),
    [
        # 21 pins by default; every 4th is a video pin: 5 video pins.
        ("top_pins_analytics", False, 21, 5),
        ("top_video_pins_analytics", True, 5, 9),
    ],
)
def test_top_pins_one_call_per_sort_and_stable_keys(
    fake_api: FakePinterestAPI, stream: str, video: bool, per_sort: int, sort_count: int
) -> None:
    """One ranking per sort_by, keyed so a same-day re-run upserts the same rows."""
    start = days_ago(10)
    config = config_for(fake_api, start)
    first = run_sync(config, streams={stream})
    sort_values = top_video_pins_sort_by() if video else top_pins_sort_by()
    assert len(sort_values) == sort_count
    calls = fake_api.calls(TOP_PATHS[stream])
    assert [c.query["sort_by"] for c in calls] == [[s] for s in sort_values]
    for call in calls:
        assert call.query["start_date"] == [start.isoformat()]
        assert call.query["end_date"] == [utc_today().isoformat()]

    records = first.stream(stream)
    assert len(records) == per_sort * sort_count
    metrics = list(video_metric_types() if video else user_metric_types())
    for sort_by in sort_values:
        rows = [r for r in records if r["sort_by"] == sort_by]
        assert [r["rank"] for r in rows] == list(range(1, per_sort + 1))
        expected = fake_api.data.top_pins(start, utc_today(), sort_by, metrics, 50, video=video)[
            "pins"
        ]
        assert [r["pin_id"] for r in rows] == [p["pin_id"] for p in expected]
        for row, pin in zip(rows, expected, strict=True):
            assert row["start_date"] == start.isoformat()
            assert row["end_date"] == utc_today().isoformat()
            assert row["data_status"] == pin["data_status"]
            for metric, value in pin["metrics"].items():
                assert row[metric] == value, (sort_by, metric)
    schema = next(m for m in first.messages if m["type"] == "SCHEMA" and m["stream"] == stream)
    assert schema["key_properties"] == ["start_date", "end_date", "sort_by", "pin_id"]

    def keys(rows: list[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
        return [(r["start_date"], r["end_date"], r["sort_by"], r["pin_id"]) for r in rows]

    assert len(set(keys(records))) == len(records)
    fake_api.clear_log()
    second = run_sync(config, streams={stream}, state=first.final_state)
    assert sorted(keys(second.stream(stream))) == sorted(keys(records))
    assert len(fake_api.calls(TOP_PATHS[stream])) == sort_count
