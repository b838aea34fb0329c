"""Calls in flight together (issue 19, item 2): the same output, calls and budget as serial.

The primitive (tap_pinterest/concurrency.py) is tested on its own: order, bound, errors at
their turn, stopping. Then the tap runs over real HTTP against the fake, which holds every
answer `latency_seconds` so calls in flight overlap: with the default
`max_concurrent_requests` it must write exactly what one call at a time writes (records,
their order, STATE messages and their positions) and make the same calls, in another
order; the fake's `max_in_flight` shows the overlap and its bound; with the fake's rate
limits per category no call goes over the budget (no 429); and a run killed mid-way then
resumed loses nothing.
"""

from __future__ import annotations

import math
import threading
import time
from datetime import date, datetime, timedelta, timezone
from functools import partial
from typing import TYPE_CHECKING, Any

import pytest
import requests

from tap_pinterest import concurrency
from tap_pinterest.errors import CategoryClosedError
from tap_pinterest.ratelimit import RateLimiter
from tap_pinterest.settings import DEFAULT_MAX_CONCURRENT_REQUESTS
from tests.fake_api import Scale
from tests.fake_clock import FakeClock
from tests.tap_runner import catalog_selecting, deselect_properties, run_sync
from tests.test_kill_resume import STREAMS as KILL_STREAMS
from tests.test_kill_resume import keys_by_stream, keys_killed_then_resumed

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from pathlib import Path

    from tests.fake_api import FakePinterestAPI
    from tests.tap_runner import SyncResult

LATENCY = 0.02
# Two accounts, few entities: each stream still makes several independent calls.
SCALE = Scale(
    ad_accounts=2,
    campaigns_per_account=4,
    ad_groups_per_campaign=2,
    ads_per_ad_group=1,
    boards=2,
    sections_per_board=0,
    pins_per_board=3,
    keywords_per_campaign=1,
)
# HOUR: 3-day windows (2 a partition); keywords: one call per
# campaign; promotions: one per ad group; pin analytics: one per pin and window, through
# the per-pin fallback (the bulk endpoint is refused below).
STREAMS = {
    "campaign_analytics",
    "ad_group_analytics",
    "keywords",
    "product_group_promotions",
    "pin_analytics",
}
PIN_BULK = r"/v5/pins/analytics$"


# ---------------------------------------------------------------------- the primitive
def slow_items(name: str, count: int, delay: float, log: list[str]) -> Callable[[], Iterator[str]]:
    """A producer of `count` items, each after `delay` seconds, noting when it starts."""

    def produce() -> Iterator[str]:
        log.append(f"start {name} in {threading.current_thread().name}")
        for index in range(count):
            time.sleep(delay)
            yield f"{name}{index}"

    return produce


def fetch_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("tap-pinterest-fetch-")]


def test_items_come_in_the_producers_order_with_several_running() -> None:
    """The later producers are faster, yet their items come after the earlier ones'."""
    log: list[str] = []
    producers = [
        slow_items(name, 3, delay, log)
        for name, delay in zip("abcd", (0.03, 0.02, 0.01, 0), strict=True)
    ]
    items = list(concurrency.chain_ahead(producers, 3))
    assert items == [f"{name}{i}" for name in "abcd" for i in range(3)]
    # a, b and c ran at once; d only after a ended.
    assert {line.split(" in ")[0] for line in log[:3]} == {"start a", "start b", "start c"}
    assert all("tap-pinterest-fetch-" in line for line in log)
    assert fetch_threads() == []


def test_one_worker_runs_each_producer_in_the_callers_thread_at_its_turn() -> None:
    """workers=1: no thread, and producer n starts only once n-1's items were all read."""
    log: list[str] = []
    producers = [slow_items(name, 2, 0, log) for name in "ab"]
    seen = []
    for item in concurrency.chain_ahead(producers, 1):
        seen.append(item)
        log.append(f"read {item}")
    main = threading.current_thread().name
    assert log == [
        f"start a in {main}",
        "read a0",
        "read a1",
        f"start b in {main}",
        "read b0",
        "read b1",
    ]
    assert seen == ["a0", "a1", "b0", "b1"]


def test_a_producer_waits_once_it_holds_its_buffer() -> None:
    """A producer ahead of the reader holds at most `buffer` items (plus one chunk)."""
    made = [0, 0]

    def counting(slot: int, count: int) -> Callable[[], Iterator[int]]:
        def produce() -> Iterator[int]:
            for index in range(count):
                made[slot] += 1
                yield index

        return produce

    answers = concurrency.fetch_ahead([counting(0, 5), counting(1, 10_000)], 2, buffer=64)
    first = next(answers)
    assert next(first) == 0
    deadline = time.monotonic() + 2
    while made[1] < 64 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # the second producer had all the time it needed to run on
    assert 64 <= made[1] <= 64 + concurrency.CHUNK + 1
    assert list(first) == [1, 2, 3, 4]
    assert sum(1 for _ in next(answers)) == 10_000
    assert made[1] == 10_000
    answers.close()
    assert fetch_threads() == []


def test_an_error_is_raised_at_its_producers_turn() -> None:
    """Items before the failing producer's error come first; nothing after it."""

    def failing() -> Iterator[str]:
        yield "b0"
        msg = "b broke"
        raise ValueError(msg)

    log: list[str] = []
    producers = [slow_items("a", 3, 0.02, log), failing, slow_items("c", 2, 0, log)]
    seen: list[str] = []
    with pytest.raises(ValueError, match="b broke"):
        seen.extend(concurrency.chain_ahead(producers, 3))
    assert seen == ["a0", "a1", "a2", "b0"]
    assert fetch_threads() == []


def test_closing_the_reader_stops_and_joins_every_worker() -> None:
    """A reader that stops early leaves no thread behind; producers' finally blocks run."""
    closed: list[str] = []

    def endless(name: str) -> Callable[[], Iterator[str]]:
        def produce() -> Iterator[str]:
            try:
                while True:
                    yield name
            finally:
                closed.append(name)

        return produce

    items = concurrency.chain_ahead([endless(n) for n in "abc"], 3)
    assert next(items) == "a"
    time.sleep(0.1)  # b and c fill their queues and wait
    items.close()
    assert fetch_threads() == []
    assert sorted(closed) == ["a", "b", "c"]


def test_the_producers_iterable_is_read_in_the_callers_thread_as_far_as_needed() -> None:
    """Reading producers is lazy: at most `workers` ahead, from the caller's thread."""
    pulled: list[str] = []

    def one(index: int) -> list[int]:
        return [index]

    def producers() -> Iterable[Callable[[], Iterable[int]]]:
        for index in range(6):
            pulled.append(threading.current_thread().name)
            yield partial(one, index)

    answers = concurrency.fetch_ahead(producers(), 2)
    assert list(next(answers)) == [0]
    assert len(pulled) == 2
    assert [list(items) for items in answers] == [[1], [2], [3], [4], [5]]
    assert set(pulled) == {threading.current_thread().name}


def test_an_error_reading_the_producers_comes_after_the_earlier_producers_items() -> None:
    """Listing what to call can fail too (ids_of): the earlier calls' items come first."""
    log: list[str] = []

    def producers() -> Iterator[Callable[[], Iterable[str]]]:
        yield slow_items("a", 2, 0.02, log)
        yield slow_items("b", 1, 0, log)
        msg = "listing broke"
        raise LookupError(msg)

    seen: list[str] = []
    with pytest.raises(LookupError, match="listing broke"):
        seen.extend(concurrency.chain_ahead(producers(), 4))
    assert seen == ["a0", "a1", "b0"]
    assert fetch_threads() == []


# ------------------------------------------------------------------ the rate limiter
def budget_answer(remaining: int, reset: int) -> requests.Response:
    response = requests.Response()
    response.headers["X-RateLimit-Remaining"] = str(remaining)
    response.headers["X-RateLimit-Reset"] = str(reset)
    return response


def test_a_call_waits_while_the_budget_left_is_held_by_calls_in_flight() -> None:
    """2 left, 2 in flight: a third waits for an answer; a closed category ends its wait."""
    clock = FakeClock()
    limiter = RateLimiter(clock, concurrent=True)
    limiter.observe(budget_answer(2, 30), "ads_analytics")
    closed = threading.Event()
    outcome: list[str] = []

    def refuse() -> None:
        if closed.is_set():
            msg = "the quota of category ads_analytics is spent for this run"
            raise CategoryClosedError(msg, category="ads_analytics")

    def third_call() -> None:
        try:
            with limiter.reserve("ads_analytics", refuse):
                outcome.append("sent")
        except CategoryClosedError:
            outcome.append("refused")

    with limiter.reserve("ads_analytics"), limiter.reserve("ads_analytics"):
        waiting = threading.Thread(target=third_call)
        waiting.start()
        time.sleep(0.1)
        assert outcome == []  # 2 left, both held
        # An answer says the budget is spent until a reset hours away: the category closes.
        limiter.observe(budget_answer(0, 7200), "ads_analytics")
        closed.set()
    waiting.join(5)
    assert outcome == ["refused"]
    assert clock.waits == []  # it never slept toward the far reset


def test_an_answer_frees_the_budget_for_the_next_call() -> None:
    """Answers arriving out of order keep the lowest remaining of their window."""
    clock = FakeClock()
    limiter = RateLimiter(clock, concurrent=True)
    limiter.observe(budget_answer(1, 30), "ads_read")
    outcome: list[str] = []

    def second_call() -> None:
        with limiter.reserve("ads_read"):
            outcome.append("sent")

    with limiter.reserve("ads_read"):
        waiting = threading.Thread(target=second_call)
        waiting.start()
        time.sleep(0.1)
        assert outcome == []
        limiter.observe(budget_answer(0, 30), "ads_read")  # this call's answer
        limiter.observe(budget_answer(5, 30), "ads_read")  # a stale, earlier one
    waiting.join(5)
    # 0 left in the window and nothing in flight: it waited for the reset, then went.
    assert outcome == ["sent"]
    assert clock.waits == [30.0]


# ------------------------------------------------------------------ the tap over HTTP
def config_for(api: FakePinterestAPI, **extra: Any) -> dict[str, Any]:
    return {
        "access_token": "demo-access-token",
        "api_url": api.url,
        # HOUR: 5 days in two 3-day windows per ad account.
        "start_date": (datetime.now(tz=timezone.utc).date() - timedelta(days=4)).isoformat(),
        "analytics_granularity": "HOUR",
        "analytics_source": "sync",
        **extra,
    }


def narrow_catalog(config: dict[str, Any]) -> dict[str, Any]:
    """The streams, ads analytics with two columns (rows are cheap; calls are the same)."""
    catalog = catalog_selecting(config, STREAMS)
    for stream in ("campaign_analytics", "ad_group_analytics"):
        deselect_properties(catalog, stream, {"SPEND_IN_DOLLAR", "IMPRESSION_1"})
    return catalog


def without_times(result: SyncResult) -> list[dict[str, Any]]:
    """Every message as written, without the extraction time (it differs per run)."""
    return [{k: v for k, v in m.items() if k != "time_extracted"} for m in result.messages]


def calls(api: FakePinterestAPI) -> list[tuple[str, str, str, int]]:
    """The fake's request log as a sorted multiset (method, path, query, status)."""
    return sorted((r.method, r.path, r.query_string, r.status) for r in api.log)


def sync(api: FakePinterestAPI, config: dict[str, Any], **kwargs: Any) -> SyncResult:
    """One run from a fresh fake, its bulk pin analytics refused (the per-pin path)."""
    api.reset(SCALE)
    api.latency_seconds = LATENCY
    api.inject(PIN_BULK, 403)
    return run_sync(config, catalog=narrow_catalog(config), **kwargs)


def test_the_default_writes_and_calls_what_one_call_at_a_time_does(
    fake_api: FakePinterestAPI,
) -> None:
    """Same messages in the same order, same calls (any order), several in flight."""
    serial = sync(fake_api, config_for(fake_api, max_concurrent_requests=1))
    serial_calls = calls(fake_api)
    assert fake_api.max_in_flight == 1

    concurrent = sync(fake_api, config_for(fake_api))

    assert without_times(concurrent) == without_times(serial)
    assert calls(fake_api) == serial_calls
    assert 1 < fake_api.max_in_flight <= DEFAULT_MAX_CONCURRENT_REQUESTS
    # Each stream had records and several calls of one kind to overlap.
    assert {name for name in STREAMS if serial.stream(name)} == STREAMS
    per_pin = [c for c in serial_calls if c[1].startswith("/v5/pins/") and c[3] == 200]
    assert len(per_pin) == 6  # 6 pins, one 90-day window each
    assert len([c for c in serial_calls if "campaign_id=" in c[2]]) == 8


def test_bulk_pin_batches_in_flight_write_what_one_at_a_time_does(
    fake_api: FakePinterestAPI,
) -> None:
    """250 pins: the batches after the first go together; same messages, same calls."""
    results = []
    logs = []
    for workers in (1, DEFAULT_MAX_CONCURRENT_REQUESTS):
        fake_api.reset(Scale(boards=5, sections_per_board=0, pins_per_board=50))
        fake_api.latency_seconds = LATENCY
        config = config_for(fake_api, max_concurrent_requests=workers)
        results.append(without_times(run_sync(config, streams={"pin_analytics"})))
        logs.append(calls(fake_api))
        in_flight = fake_api.max_in_flight
    assert results[0] == results[1]
    assert logs[0] == logs[1]
    assert len([c for c in logs[0] if c[1] == "/v5/pins/analytics"]) == 3
    assert in_flight == 2  # the 2nd and 3rd batches


def test_calls_in_flight_never_exceed_the_setting(fake_api: FakePinterestAPI) -> None:
    """max_concurrent_requests bounds what the fake holds at once."""
    result = sync(fake_api, config_for(fake_api, max_concurrent_requests=2))
    assert fake_api.max_in_flight == 2
    assert len(result.stream("pin_analytics")) > 0


def test_no_call_goes_over_a_categorys_budget(fake_api: FakePinterestAPI, clock: FakeClock) -> None:
    """Budgets of 3 calls per category and window: waits, never a 429, the same output."""
    serial = sync(fake_api, config_for(fake_api, max_concurrent_requests=1))
    serial_calls = calls(fake_api)

    fake_api.reset(SCALE)
    fake_api.latency_seconds = LATENCY
    fake_api.inject(PIN_BULK, 403)
    fake_api.rate_limit_by_category = True
    fake_api.rate_limit_per_window = 3
    fake_api.rate_limit_window_seconds = 5.0
    config = config_for(fake_api)
    limited = run_sync(config, catalog=narrow_catalog(config), clock=clock)

    assert [r.status for r in fake_api.log if r.status == 429] == []
    assert without_times(limited) == without_times(serial)
    assert calls(fake_api) == serial_calls
    # The budget was spent and waited for, many times over.
    assert len(clock.waits) >= len(serial_calls) // 3 - 10
    assert 1 < fake_api.max_in_flight <= 3


def test_one_refresh_at_a_time_serves_calls_in_flight(
    fake_api: FakePinterestAPI, oauth_config: dict[str, Any]
) -> None:
    """Tokens refused mid-run while calls are in flight: each is refreshed once."""
    config = {**oauth_config, **config_for(fake_api)}
    config.pop("access_token")
    fake_api.reset(SCALE)
    fake_api.latency_seconds = LATENCY
    fake_api.oauth_delay_seconds = 0.05  # a slow refresh, for the calls in flight to race
    fake_api.access_token_max_requests = 7
    fake_api.inject(PIN_BULK, 403)
    result = run_sync(config, catalog=narrow_catalog(config))

    assert {name for name in STREAMS if result.stream(name)} == STREAMS
    served = [r for r in fake_api.log if r.path != "/v5/oauth/token" and r.status != 401]
    # The injected 403 is answered before auth; every other answer used up a token's turn.
    authenticated = len(served) - 1
    refreshes = fake_api.calls("/v5/oauth/token", method="POST")
    assert len(refreshes) == math.ceil(authenticated / 7)
    assert fake_api.max_in_flight > 1


_CLEAN: dict[str, set[str]] = {}


@pytest.mark.subprocess
@pytest.mark.parametrize("share", [0.4, 0.8])
def test_a_killed_run_with_calls_in_flight_resumes_losing_nothing(
    fake_api: FakePinterestAPI, static_config: dict[str, Any], tmp_path: Path, share: float
) -> None:
    """SIGKILL while calls are in flight, resume from the last STATE: every key arrives."""
    fake_api.reset(SCALE)
    fake_api.latency_seconds = 0.002
    # HOUR: two 3-day windows of ads analytics per ad account, in flight together.
    start = date.fromisoformat(static_config["start_date"]) + timedelta(days=6)
    config = {
        **static_config,
        "start_date": start.isoformat(),
        "analytics_granularity": "HOUR",
        "max_concurrent_requests": DEFAULT_MAX_CONCURRENT_REQUESTS,
    }
    if not _CLEAN:
        _CLEAN.update(keys_by_stream(run_sync(config, streams=KILL_STREAMS).messages))
    total = sum(len(keys) for keys in _CLEAN.values())
    got = keys_killed_then_resumed(config, tmp_path, int(total * share))
    for stream, keys in _CLEAN.items():
        assert keys <= got.get(stream, set()), stream
