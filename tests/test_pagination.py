"""Bookmark paging over real HTTP, and the pure date/batching rules of tap_pinterest.dates.

The paginator is driven by hand with `requests` against the fake, so each page and each
bookmark is visible; the date functions take `today` as an argument, so every boundary
is tested on fixed dates.
"""

from __future__ import annotations

import itertools
import math
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pytest
import requests

from tap_pinterest.dates import SyncRange, batched, plan_range, split_windows
from tap_pinterest.errors import PinterestAPIError
from tap_pinterest.pagination import BookmarkPaginator
from tap_pinterest.settings import DEFAULT_MAX_CONCURRENT_REQUESTS
from tests.fake_api.server import DEFAULT_STATIC_TOKEN
from tests.tap_runner import run_sync

if TYPE_CHECKING:
    from tests.fake_api import FakePinterestAPI

AUTH = {"Authorization": f"Bearer {DEFAULT_STATIC_TOKEN}"}
BOARD = "1022106146600"
BOARD_PINS = f"/boards/{BOARD}/pins"


def walk(api: FakePinterestAPI, path: str, page_size: int, limit: int = 50) -> list[dict[str, Any]]:
    """Drive a BookmarkPaginator over real responses until it finishes."""
    paginator = BookmarkPaginator()
    items: list[dict[str, Any]] = []
    for _ in range(limit):
        params: dict[str, Any] = {"page_size": page_size}
        if paginator.current_value:
            params["bookmark"] = paginator.current_value
        response = requests.get(api.url + path, params=params, headers=AUTH, timeout=10)
        assert response.status_code == 200, response.text
        items.extend(response.json()["items"])
        paginator.advance(response)
        if paginator.finished:
            return items
    pytest.fail("paginator never finished")


def bookmark_at(api: FakePinterestAPI, path: str, offset: int) -> str:
    """A bookmark the fake accepts on `path`, pointing at `offset`."""
    return api._bookmark(f"/v5{path}", offset)


# ------------------------------------------------------------------------ paginator
def test_paginator_walks_every_page(fake_api: FakePinterestAPI) -> None:
    """7 pins at 2 per page: 4 calls, every pin once, the last bookmark null."""
    pins = fake_api.data.pins_of_board(BOARD)
    assert len(pins) == 7
    items = walk(fake_api, BOARD_PINS, page_size=2)
    assert items == pins
    calls = fake_api.calls(rf"/v5{BOARD_PINS}")
    assert len(calls) == math.ceil(len(pins) / 2) == 4
    assert "bookmark" not in calls[0].query
    assert len({c.query["bookmark"][0] for c in calls[1:]}) == 3


def test_paginator_follows_empty_page_with_bookmark(fake_api: FakePinterestAPI) -> None:
    """An empty page that still carries a bookmark is not the end of the list."""
    fake_api.inject(
        rf"/v5{BOARD_PINS}$",
        200,
        body={"items": [], "bookmark": bookmark_at(fake_api, BOARD_PINS, 0)},
    )
    items = walk(fake_api, BOARD_PINS, page_size=2)
    assert items == fake_api.data.pins_of_board(BOARD)
    assert len(fake_api.calls(rf"/v5{BOARD_PINS}")) == 5  # the empty page + 4
    paginator = BookmarkPaginator()
    assert paginator.continue_if_empty(requests.Response()) is True


def test_tap_keeps_paging_after_empty_page(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """The stream, not only the paginator, goes on after an empty page with a bookmark."""
    fake_api.inject(
        rf"/v5{BOARD_PINS}$",
        200,
        body={"items": [], "bookmark": bookmark_at(fake_api, BOARD_PINS, 0)},
    )
    result = run_sync({**static_config, "page_size": 2}, streams={"board_pins"})
    ids = [p["id"] for p in result.stream("board_pins")]
    assert ids == [p["id"] for p in fake_api.data.pins]
    assert len(ids) == 21
    assert len(fake_api.calls(rf"/v5{BOARD_PINS}")) == 5


def test_paginator_repeated_bookmark_raises(fake_api: FakePinterestAPI) -> None:
    """A bookmark that comes back would loop forever: fail naming the path."""
    fake_api.repeat_bookmark_on(rf"/v5{BOARD_PINS}$")
    with pytest.raises(PinterestAPIError) as caught:
        walk(fake_api, BOARD_PINS, page_size=2)
    message = str(caught.value)
    assert "bookmark already followed" in message
    assert f"/v5{BOARD_PINS}" in message
    assert "page 2" in message
    assert len(fake_api.calls(rf"/v5{BOARD_PINS}")) == 2


def test_paginator_detects_non_consecutive_repeat(fake_api: FakePinterestAPI) -> None:
    """A, B, A is a loop too, though the SDK only compares consecutive tokens."""
    paginator = BookmarkPaginator()
    first = requests.get(
        fake_api.url + BOARD_PINS, params={"page_size": 2}, headers=AUTH, timeout=10
    )
    paginator.advance(first)
    seen = paginator.current_value
    assert seen == bookmark_at(fake_api, BOARD_PINS, 2)
    fake_api.inject(
        rf"/v5{BOARD_PINS}$",
        200,
        body={"items": [], "bookmark": bookmark_at(fake_api, BOARD_PINS, 4)},
    )
    fake_api.inject(rf"/v5{BOARD_PINS}$", 200, body={"items": [], "bookmark": seen})
    params: dict[str, Any] = {"page_size": 2, "bookmark": seen}
    second = requests.get(fake_api.url + BOARD_PINS, params=params, headers=AUTH, timeout=10)
    paginator.advance(second)
    assert paginator.current_value == bookmark_at(fake_api, BOARD_PINS, 4)
    params["bookmark"] = str(paginator.current_value)
    third = requests.get(fake_api.url + BOARD_PINS, params=params, headers=AUTH, timeout=10)
    with pytest.raises(PinterestAPIError, match=r"already followed .*page 3"):
        paginator.advance(third)


def test_tap_repeated_bookmark_fails_the_sync(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """In a real sync the loop guard stops the run with a clear error."""
    static_config["on_stream_error"] = "fail"  # this test checks the stop-at-once line
    fake_api.repeat_bookmark_on(r"/v5/user_account/followers$")
    with pytest.raises(PinterestAPIError, match="bookmark already followed") as caught:
        run_sync({**static_config, "page_size": 5}, streams={"user_account_followers"})
    assert DEFAULT_STATIC_TOKEN not in str(caught.value)
    assert len(fake_api.calls(r"/v5/user_account/followers")) == 2


def test_iter_items_repeated_bookmark_fails(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """Keywords page with their own loop (iter_items); it has the same guard."""
    static_config["on_stream_error"] = "fail"  # this test checks the stop-at-once line
    fake_api.repeat_bookmark_on(r"/v5/ad_accounts/\d+/keywords$")
    with pytest.raises(PinterestAPIError, match=r"already followed \(/ad_accounts/\d+/keywords"):
        run_sync(static_config, streams={"keywords"})
    # The campaigns' lists were in flight with the account's (issue 19): each stops at its
    # repeated bookmark, the account's list (the first) fails the run.
    calls = fake_api.calls(r"/v5/ad_accounts/\d+/keywords")
    per_list: dict[str, int] = {}
    for call in calls:
        key = str(call.query.get("campaign_id"))
        per_list[key] = per_list.get(key, 0) + 1
    assert per_list["None"] == 2
    assert set(per_list.values()) <= {1, 2}  # a list stopped with the run may end early
    assert len(per_list) <= DEFAULT_MAX_CONCURRENT_REQUESTS


# ---------------------------------------------------------------------- plan_range
TODAY = date(2026, 6, 15)  # a Monday


def plan(
    *,
    start_date: date,
    bookmark: date | None = None,
    end_date: date | None = None,
    lookback_days: int = 7,
    granularity: str = "DAY",
) -> SyncRange:
    return plan_range(
        bookmark=bookmark,
        start_date=start_date,
        end_date=end_date,
        lookback_days=lookback_days,
        granularity=granularity,
        today=TODAY,
    )


def test_plan_range_without_bookmark_starts_at_start_date() -> None:
    planned = plan(start_date=date(2026, 5, 1))
    assert planned == SyncRange(date(2026, 5, 1), TODAY, date(2026, 5, 1))
    assert not planned.capped
    assert not planned.empty


def test_plan_range_bookmark_minus_lookback() -> None:
    """Pinterest revises recent days, so the run re-reads lookback days before the bookmark."""
    planned = plan(start_date=date(2026, 5, 1), bookmark=date(2026, 6, 10), lookback_days=7)
    assert planned.start == date(2026, 6, 3)
    assert planned.end == TODAY
    planned = plan(start_date=date(2026, 5, 1), bookmark=date(2026, 6, 10), lookback_days=0)
    assert planned.start == date(2026, 6, 10)


def test_plan_range_start_date_wins_over_early_lookback() -> None:
    """Lookback never reaches before start_date."""
    planned = plan(start_date=date(2026, 6, 8), bookmark=date(2026, 6, 10), lookback_days=7)
    assert planned.start == date(2026, 6, 8)
    assert planned.requested_start == date(2026, 6, 8)


def test_plan_range_caps_at_90_days_back_less_a_day_of_margin() -> None:
    planned = plan(start_date=TODAY - timedelta(days=200))
    assert planned.start == TODAY - timedelta(days=89) == date(2026, 3, 18)
    assert planned.requested_start == TODAY - timedelta(days=200)
    assert planned.capped


def test_plan_range_exact_cap_boundary() -> None:
    """today - 89 is asked; today - 90, the limit's edge, is not (issue 16: margin)."""
    at_cap = plan(start_date=TODAY - timedelta(days=89))
    assert at_cap.start == TODAY - timedelta(days=89)
    assert not at_cap.capped
    past_cap = plan(start_date=TODAY - timedelta(days=90))
    assert past_cap.start == TODAY - timedelta(days=89)
    assert past_cap.capped


def test_plan_range_hour_cap_is_8_days_less_a_day_of_margin() -> None:
    planned = plan(start_date=TODAY - timedelta(days=30), granularity="HOUR")
    assert planned.start == TODAY - timedelta(days=7)
    assert planned.capped
    assert not plan(start_date=TODAY - timedelta(days=7), granularity="HOUR").capped


def test_plan_range_end_date() -> None:
    """A future end_date is capped to today; a past one is kept."""
    start = date(2026, 5, 1)
    assert plan(start_date=start, end_date=TODAY + timedelta(days=30)).end == TODAY
    assert plan(start_date=start, end_date=date(2026, 5, 20)).end == date(2026, 5, 20)
    assert plan(start_date=start).end == TODAY


def test_plan_range_end_date_before_cap_is_empty() -> None:
    planned = plan(start_date=date(2025, 1, 1), end_date=date(2025, 2, 1))
    assert planned.empty
    assert planned.start == date(2026, 3, 18)


def test_plan_range_week_and_month_alignment() -> None:
    """A window starting mid-bucket would emit a partial bucket under the same DATE."""
    week = plan(start_date=date(2026, 6, 3), granularity="WEEK")  # a Wednesday
    assert week.start == date(2026, 6, 1)
    assert week.requested_start == date(2026, 6, 1)
    week = plan(start_date=date(2026, 5, 1), bookmark=date(2026, 6, 12), granularity="WEEK")
    assert week.start == date(2026, 6, 1)  # 6-12 minus 7 days is Friday 6-5
    month = plan(start_date=date(2026, 5, 17), granularity="MONTH")
    assert month.start == date(2026, 5, 1)
    month = plan(start_date=date(2026, 1, 1), bookmark=date(2026, 6, 5), granularity="MONTH")
    assert month.start == date(2026, 5, 1)  # 6-5 minus 7 days is 5-29


def test_plan_range_capped_week_and_month_start_on_a_whole_bucket() -> None:
    """The cap must not reintroduce a mid-bucket start.

    today - 89 (the cap, one day inside the limit) is Wednesday 2026-03-18. Pinterest
    keys a WEEK row by its Monday even when the range starts later, so starting on 03-18
    yields a 5-day row under DATE 03-16 that overwrites the complete week loaded by an
    earlier run (the very problem align_to_bucket exists to prevent). The first whole
    bucket inside the cap is the Monday 03-23 (WEEK) or 04-01 (MONTH).
    """
    week = plan(start_date=TODAY - timedelta(days=200), granularity="WEEK")
    assert week.capped
    assert week.start == date(2026, 3, 23)
    month = plan(start_date=TODAY - timedelta(days=200), granularity="MONTH")
    assert month.capped
    assert month.start == date(2026, 4, 1)


# -------------------------------------------------------------------- split_windows
def _assert_contiguous(windows: list[Any], sync_range: SyncRange) -> None:
    assert windows[0].start == sync_range.start
    assert windows[-1].end == sync_range.end
    for before, after in itertools.pairwise(windows):
        assert after.start == before.end + timedelta(days=1)


def test_split_windows_day_91_dates_is_one_window() -> None:
    """end - start <= 90 is one request: 91 dates fit."""
    sync_range = SyncRange(TODAY - timedelta(days=90), TODAY, TODAY - timedelta(days=90))
    windows = split_windows(sync_range, "DAY")
    assert len(windows) == 1
    assert (windows[0].start, windows[0].end) == (sync_range.start, TODAY)


def test_split_windows_day_longer_range() -> None:
    start = date(2026, 1, 1)
    sync_range = SyncRange(start, start + timedelta(days=200), start)
    windows = split_windows(sync_range, "DAY")
    assert [(w.end - w.start).days for w in windows] == [90, 90, 18]
    _assert_contiguous(windows, sync_range)


def test_split_windows_hour_spans_at_most_3_days() -> None:
    sync_range = SyncRange(TODAY - timedelta(days=8), TODAY, TODAY - timedelta(days=8))
    windows = split_windows(sync_range, "HOUR")
    assert [(w.end - w.start).days for w in windows] == [3, 3, 0]
    _assert_contiguous(windows, sync_range)


def test_split_windows_week_never_splits_a_week() -> None:
    sync_range = SyncRange(date(2026, 1, 5), date(2026, 11, 24), date(2026, 1, 5))
    windows = split_windows(sync_range, "WEEK")
    assert [(w.start, w.end) for w in windows] == [
        (date(2026, 1, 5), date(2026, 4, 5)),
        (date(2026, 4, 6), date(2026, 7, 5)),
        (date(2026, 7, 6), date(2026, 10, 4)),
        (date(2026, 10, 5), date(2026, 11, 24)),
    ]
    _assert_contiguous(windows, sync_range)
    for window in windows:
        assert window.start.weekday() == 0
        assert (window.end - window.start).days <= 90
    for window in windows[:-1]:
        assert window.end.weekday() == 6


def test_split_windows_month_never_splits_a_month() -> None:
    sync_range = SyncRange(date(2026, 1, 1), date(2026, 11, 24), date(2026, 1, 1))
    windows = split_windows(sync_range, "MONTH")
    assert [(w.start, w.end) for w in windows] == [
        (date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), date(2026, 8, 31)),
        (date(2026, 9, 1), date(2026, 11, 24)),
    ]
    _assert_contiguous(windows, sync_range)
    for window in windows:
        assert window.start.day == 1
        assert (window.end - window.start).days <= 90
    for window in windows[:-1]:
        assert (window.end + timedelta(days=1)).day == 1


def test_split_windows_empty_range() -> None:
    assert split_windows(SyncRange(TODAY, TODAY - timedelta(days=1), TODAY), "DAY") == []


# -------------------------------------------------------------------------- batched
def test_batched_600_ids() -> None:
    ids = [str(i) for i in range(600)]
    batches = batched(ids, 250)
    assert [len(b) for b in batches] == [250, 250, 100]
    assert [i for b in batches for i in b] == ids


def test_batched_edges() -> None:
    assert batched([], 250) == []
    assert batched(["1"], 250) == [["1"]]
    assert [len(b) for b in batched([str(i) for i in range(250)], 250)] == [250]
    assert [len(b) for b in batched([str(i) for i in range(251)], 250)] == [250, 1]
