"""Error handling over real HTTP: retries, give-up messages, fatal errors, rate limits.

A scheduled sync must either finish with every record exactly once or fail with one
line that says what Pinterest answered; it must never loop or hammer the API.
"""

from __future__ import annotations

import logging
import socket
from typing import TYPE_CHECKING, Any

import pytest
import requests

from tap_pinterest.client import MAX_TRIES
from tap_pinterest.errors import (
    FatalTapError,
    PinterestAPIError,
    PinterestUnreachableError,
    QuotaExhaustedError,
)
from tap_pinterest.ratelimit import RateLimiter
from tests.fake_api.data import Scale
from tests.fake_clock import FakeClock
from tests.followers import (
    FOLLOWERS_PATH,
    assert_all_followers,
    sync_followers,
)
from tests.tap_runner import run_sync

if TYPE_CHECKING:
    from tests.fake_api import FakePinterestAPI

# Backoff without Retry-After: 1, 2, 4... s, at most 60 s a wait (client.py).
BACKOFF = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0]


def test_max_tries_is_the_documented_eight() -> None:
    """The give-up tests count calls against MAX_TRIES; pin its value too."""
    assert MAX_TRIES == 8


# --------------------------------------------------------------------- retries
def test_429_with_retry_after_is_retried_until_success(
    fake_api: FakePinterestAPI, static_config: dict[str, Any], clock: FakeClock
) -> None:
    """Two rate-limit answers cost two waits of the Retry-After, not a record."""
    fake_api.inject(FOLLOWERS_PATH, 429, times=2)  # Retry-After: 1 by default

    assert_all_followers(fake_api, sync_followers(static_config, clock))

    assert clock.waits == [1.0, 1.0]

    calls = fake_api.calls(FOLLOWERS_PATH)
    assert len(calls) == 3
    assert [r.status for r in calls] == [429, 429, 200]
    assert calls[0].query == calls[2].query  # the same (first and only) page


def test_500_and_dropped_connection_are_retried(
    fake_api: FakePinterestAPI, static_config: dict[str, Any], clock: FakeClock
) -> None:
    """Transient server and network failures are retried; no page is lost or repeated."""
    static_config["page_size"] = 10
    fake_api.drop_connection(FOLLOWERS_PATH, times=1)
    fake_api.inject(FOLLOWERS_PATH, 500, times=1, headers={"Retry-After": "2"})

    assert_all_followers(fake_api, sync_followers(static_config, clock))

    assert clock.waits == [1.0, 2.0]  # the first backoff step, then the Retry-After

    calls = fake_api.calls(FOLLOWERS_PATH)
    # dropped (logged as 0), 500, then the three pages
    assert [r.status for r in calls] == [0, 500, 200, 200, 200]
    assert calls[0].query == calls[1].query == calls[2].query == {"page_size": ["10"]}
    assert [len(r.query.get("bookmark", [])) for r in calls[2:]] == [0, 1, 1]


def test_error_on_a_child_partition_mid_sync_is_retried(
    fake_api: FakePinterestAPI, static_config: dict[str, Any], clock: FakeClock
) -> None:
    """A 500 on the second board's pins repeats that call only: pins stay exact."""
    boards = [board["id"] for board in fake_api.data.boards]
    assert len(boards) == 3
    second = rf"/v5/boards/{boards[1]}/pins"
    fake_api.inject(second, 500, times=2)

    result = run_sync(static_config, streams={"board_pins"}, clock=clock)

    pin_ids = [pin["id"] for pin in result.stream("board_pins")]
    expected = [pin["id"] for board in boards for pin in fake_api.data.pins_of_board(board)]
    assert len(pin_ids) == 21  # 3 boards x 7 pins
    assert pin_ids == expected
    assert [r.status for r in fake_api.calls(second)] == [500, 500, 200]
    for board in (boards[0], boards[2]):
        assert [r.status for r in fake_api.calls(rf"/v5/boards/{board}/pins")] == [200]
    assert len(fake_api.calls(r"/v5/boards")) == 1
    assert clock.waits == [1.0, 2.0]


@pytest.mark.parametrize(
    ("status", "body", "headers", "expected", "waits"),
    [
        (
            500,
            {"code": 2001, "message": "Backend hiccup."},
            {"Retry-After": "5"},
            ["HTTP 500", "code 2001", "Backend hiccup."],
            [5.0] * 7,
        ),
        (503, None, {}, ["HTTP 503", "code 503", "Injected fault: HTTP 503."], BACKOFF),
    ],
)
def test_retries_exhausted_fail_loudly_after_max_tries(
    fake_api: FakePinterestAPI,
    static_config: dict[str, Any],
    clock: FakeClock,
    status: int,
    body: dict[str, Any] | None,
    headers: dict[str, str],
    expected: list[str],
    waits: list[float],
) -> None:
    """Bounded retries: exactly MAX_TRIES calls, then one line with the API's error."""
    static_config["on_stream_error"] = "fail"  # this test checks the stop-at-once line
    fake_api.inject(FOLLOWERS_PATH, status, times=MAX_TRIES + 3, headers=headers, body=body)
    with pytest.raises(PinterestAPIError) as info:
        sync_followers(static_config, clock)

    message = str(info.value)
    assert "Gave up" in message
    for part in expected:
        assert part in message
    assert "\n" not in message
    assert "demo-access-token" not in message
    assert len(fake_api.calls(FOLLOWERS_PATH)) == MAX_TRIES
    assert len(fake_api.calls(FOLLOWERS_PATH)) == 8
    assert clock.waits == waits  # a wait between tries, none after the last


def test_quota_exhausted_is_fatal_and_says_when_it_resets(
    fake_api: FakePinterestAPI, static_config: dict[str, Any], clock: FakeClock
) -> None:
    """429 after every retry: no other stream could go on, so the run stops in one line."""
    fake_api.inject(
        FOLLOWERS_PATH, 429, times=MAX_TRIES + 3, headers={"Retry-After": "30"}, body=None
    )
    with pytest.raises(QuotaExhaustedError) as info:
        sync_followers(static_config, clock)  # on_stream_error=continue does not soften it
    message = str(info.value)
    assert message.startswith("Pinterest quota exhausted (HTTP 429, code 8: This request")
    assert "after 8 tries; Pinterest says it resets in 30 s; run again later" in message
    assert "\n" not in message
    assert len(fake_api.calls(FOLLOWERS_PATH)) == MAX_TRIES
    assert clock.waits == [30.0] * 7


def test_waits_stop_at_the_ten_minute_retry_budget(
    fake_api: FakePinterestAPI, static_config: dict[str, Any], clock: FakeClock
) -> None:
    """Retry-After 250 s: the third wait is cut to what is left of 600 s, then it gives up."""
    static_config["on_stream_error"] = "fail"
    fake_api.inject(FOLLOWERS_PATH, 503, times=MAX_TRIES, headers={"Retry-After": "250"})
    with pytest.raises(PinterestAPIError, match="Gave up after 8 tries or 600 s: HTTP 503"):
        sync_followers(static_config, clock)

    assert clock.waits == [250.0, 250.0, 100.0]
    assert len(fake_api.calls(FOLLOWERS_PATH)) == 4


def test_unreachable_api_stops_the_run_after_the_backoff(
    static_config: dict[str, Any], clock: FakeClock
) -> None:
    """Nothing listens on the port: 8 tries with growing waits (2 minutes), then one line.

    A fatal error, so the CLI prints it as its one ERROR line and exits 1 (test_cli_errors
    runs that path in a subprocess for the other fatal errors).
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    static_config["api_url"] = f"http://127.0.0.1:{port}/v5"
    with pytest.raises(PinterestUnreachableError) as info:
        run_sync(static_config, clock=clock)  # every stream; the first one's failure ends it

    assert isinstance(info.value, FatalTapError)
    assert str(info.value) == (
        "Pinterest is unreachable: ConnectionError after 8 tries; "
        "check api_url and the network, then run again"
    )
    assert clock.waits == BACKOFF


# ---------------------------------------------------------------- fatal errors
@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (400, {"code": 1, "message": "Invalid parameter: columns."}, "code 1"),
        (403, {"code": 29, "message": "You are not permitted to access that resource."}, "code 29"),
        (404, {"code": 404, "message": "Not found."}, "code 404"),
    ],
)
def test_client_errors_are_fatal_and_not_retried(
    fake_api: FakePinterestAPI,
    static_config: dict[str, Any],
    status: int,
    body: dict[str, Any],
    expected: str,
) -> None:
    """Retrying a 4xx cannot help: fail at once with Pinterest's code and message."""
    static_config["on_stream_error"] = "fail"  # this test checks the stop-at-once line
    fake_api.inject(FOLLOWERS_PATH, status, times=5, body=body)
    with pytest.raises(PinterestAPIError) as info:
        sync_followers(static_config)

    message = str(info.value)
    assert f"HTTP {status}" in message
    assert expected in message
    assert body["message"] in message
    assert "/v5/user_account/followers" in message
    assert "Gave up" not in message
    assert [r.status for r in fake_api.calls(FOLLOWERS_PATH)] == [status]


def test_repeated_bookmark_fails_instead_of_looping(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """An API that hands back the same bookmark would loop forever; the tap stops."""
    static_config["on_stream_error"] = "fail"  # this test checks the stop-at-once line
    static_config["page_size"] = 10
    fake_api.repeat_bookmark_on(FOLLOWERS_PATH)
    with pytest.raises(PinterestAPIError) as info:
        sync_followers(static_config)

    assert "bookmark already followed" in str(info.value)
    assert "/v5/user_account/followers" in str(info.value)
    calls = fake_api.calls(FOLLOWERS_PATH)
    assert len(calls) == 2  # first page, then the page behind the repeated bookmark
    assert calls[1].query["bookmark"] != []


# ----------------------------------------------------------------- rate limits
def test_client_side_rate_limiter_waits_instead_of_hitting_429(
    fake_api: FakePinterestAPI,
    static_config: dict[str, Any],
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With X-RateLimit-* headers the tap spends the budget, then waits for the window."""
    caplog.set_level(logging.INFO)
    fake_api.rate_limit_per_window = 2
    fake_api.rate_limit_window_seconds = 5.0
    # 6 pages: three windows' budget, so an impatient client would see a 429.
    static_config["page_size"] = 5

    assert_all_followers(fake_api, sync_followers(static_config, clock))

    assert "Rate-limit budget of ads_read spent; waiting 5.0 s" in caplog.text
    # A window's full 5 s after its 2nd call, twice; none after the 6th (the last page).
    assert clock.waits == [5.0, 5.0]

    calls = fake_api.calls(FOLLOWERS_PATH)
    assert len(calls) == 6
    assert [r.status for r in fake_api.log] == [200] * 6
    assert all(r.status != 429 for r in fake_api.log)


def test_rate_limit_budgets_are_kept_per_category(
    fake_api: FakePinterestAPI,
    static_config: dict[str, Any],
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Each x-ratelimit-category has its own budget: the tap waits on the spent one only."""
    caplog.set_level(logging.INFO)
    fake_api.reset(Scale(ad_accounts=1, campaigns_per_account=4))
    fake_api.rate_limit_by_category = True
    fake_api.rate_limit_per_window = 1
    fake_api.rate_limit_window_seconds = 1.0
    # ads_read: /ad_accounts + 2 campaign pages; ads_analytics: 2 windows of HOUR days
    # (7 days back: one day of margin inside the 8 the spec allows, issue 16).
    static_config.update(page_size=2, analytics_granularity="HOUR", start_date="2000-01-01")

    result = run_sync(static_config, streams={"campaigns", "campaign_analytics"}, clock=clock)

    assert len(result.stream("campaigns")) == 4
    assert len(fake_api.calls(r"/v5/ad_accounts/\d+/campaigns/analytics")) == 2
    assert [r.status for r in fake_api.log if r.status != 200] == []
    waits = [r.getMessage() for r in caplog.records if "spent; waiting" in r.getMessage()]
    # One call per window and category: ads_read's 3 calls wait twice, the analytics' 2
    # once; one budget for both would have waited 4 times.
    assert [w.split(" spent")[0] for w in waits] == [
        "Rate-limit budget of ads_read",
        "Rate-limit budget of ads_read",
        "Rate-limit budget of ads_analytics",
    ]
    assert clock.waits == [1.0, 1.0, 1.0]  # each category's own 1 s window


def test_rate_limiter_keeps_one_budget_per_category() -> None:
    """A fresh ads_read budget does not hide a spent ads_analytics one."""
    clock = FakeClock()
    slept = clock.waits
    limiter = RateLimiter(clock)

    def answer(remaining: int, reset: int) -> requests.Response:
        response = requests.Response()
        response.headers["X-RateLimit-Remaining"] = str(remaining)
        response.headers["X-RateLimit-Reset"] = str(reset)
        return response

    limiter.observe(answer(0, 30), "ads_analytics")
    limiter.observe(answer(900, 60), "ads_read")
    limiter.wait("ads_read")
    assert slept == []
    limiter.wait("ads_analytics")
    assert slept == [30.0]


# ------------------------------------------------------------ ad account scope
def test_configured_ad_account_not_visible_is_named(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """A typo in ad_account_ids must not silently sync nothing for that account."""
    static_config["on_stream_error"] = "fail"  # this test checks the stop-at-once line
    visible = fake_api.data.ad_accounts[0]["id"]
    assert visible == "549755885175"
    static_config["ad_account_ids"] = [visible, "999999999"]
    with pytest.raises(PinterestAPIError) as info:
        run_sync(static_config, streams={"ad_accounts"})

    message = str(info.value)
    assert "ad_account_ids" in message
    assert "999999999" in message
    assert visible not in message
    assert len(fake_api.calls(r"/v5/ad_accounts")) == 1
