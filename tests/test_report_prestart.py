"""Reports start first (issue 19, item 1): created when the sync starts, read when reached.

Every run here goes through real HTTP to the fake, in process, on a FakeClock that the
fake's report build time (`report_build_seconds`) counts on too. A run with the early
start switched off (`ReportsAhead.creating = False`: nothing is planned, each stream
creates its own reports, as before) is the reference: the same records, states and calls but polls.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest

from tap_pinterest.failures import StreamFailuresError
from tap_pinterest.settings import DEFAULT_MAX_REPORTS_IN_FLIGHT
from tap_pinterest.tap import TapPinterest
from tests.fake_api import Scale
from tests.fake_clock import FakeClock
from tests.tap_runner import (
    SyncResult,
    assert_records_match_schemas,
    catalog_selecting,
    deselect_properties,
)
from tests.test_analytics import ACCOUNT_1, ACCOUNTS, config_for, days_ago, partitions

if TYPE_CHECKING:
    from tests.fake_api import FakePinterestAPI
    from tests.fake_api.server import LoggedRequest

SMALL = Scale(
    campaigns_per_account=2,
    ad_groups_per_campaign=1,
    ads_per_ad_group=1,
    boards=1,
    pins_per_board=2,
    followers=2,
    following=2,
    keywords_per_ad_group=1,
)
REPORT_CREATE = r"/v5/ad_accounts/\d+/reports"
DOWNLOAD = "/report-files/"
BUILD_SECONDS = 20.0
ANALYTICS = {"ad_account_analytics", "keyword_analytics"}
# Report-backed (keyword_analytics: report-only; ad_account_analytics: 100 days back,
# `auto`, so its 10 oldest days go to reports) and not (the others).
MIXED = {
    "user_account",
    "boards",
    "ad_accounts",
    "campaigns",
    "ad_account_analytics",
    "keyword_analytics",
}


class Killed(BaseException):
    """The reader went away mid-run, as a SIGKILL would leave it."""


class KillingStdout(io.StringIO):
    """A stdout that takes lines until `records` RECORD lines went through, then dies."""

    def __init__(self, records: int) -> None:
        super().__init__()
        self.records_left = records

    def write(self, text: str) -> int:
        kept: list[str] = []
        for line in text.splitlines(keepends=True):
            if self.records_left <= 0:
                super().write("".join(kept))
                raise Killed
            self.records_left -= line.startswith('{"type":"RECORD"')
            kept.append(line)
        return super().write("".join(kept))


def sync(
    config: dict[str, Any],
    streams: set[str],
    clock: FakeClock,
    *,
    early: bool = True,
    state: dict[str, Any] | None = None,
    stdout: io.StringIO | None = None,
) -> tuple[SyncResult, BaseException | None]:
    """One in-process sync; `early=False` switches the early start off. Its messages, error."""
    catalog = catalog_selecting(config, streams)
    for stream in streams & ANALYTICS:  # one metric: quick to build, to send and to read
        deselect_properties(catalog, stream, {"SPEND_IN_DOLLAR"})
    tap = TapPinterest(config=config, state=state, catalog=catalog, parse_env_config=False)
    tap.clock = clock
    tap.run_context.reports_ahead.creating = early
    buffer = stdout or io.StringIO()
    error: BaseException | None = None
    with contextlib.redirect_stdout(buffer):
        try:
            tap.sync_all()
        except (StreamFailuresError, Killed) as exc:
            error = exc
    result = SyncResult([json.loads(line) for line in buffer.getvalue().splitlines() if line])
    assert_records_match_schemas(result)
    return result, error


def is_report_call(call: LoggedRequest) -> bool:
    return call.path.endswith("/reports") or call.path.startswith(DOWNLOAD)


def created_bodies(api: FakePinterestAPI) -> list[tuple[str, str]]:
    return [(c.path, c.body) for c in api.calls(REPORT_CREATE, method="POST")]


def calls_but_polls(api: FakePinterestAPI) -> Counter[tuple[str, str, str, str]]:
    """Every call but report polls, downloads by count (their token names differ)."""
    return Counter(
        (c.method, c.path if not c.path.startswith(DOWNLOAD) else DOWNLOAD, c.query_string, c.body)
        for c in api.log
        if not (c.method == "GET" and c.path.endswith("/reports"))
    )


def most_in_flight(log: list[LoggedRequest]) -> int:
    """The most reports created and not yet downloaded, along the request log."""
    in_flight = most = 0
    for call in log:
        if call.method == "POST" and call.path.endswith("/reports"):
            in_flight += 1
        elif call.path.startswith(DOWNLOAD) and call.status == 200:
            in_flight -= 1
        most = max(most, in_flight)
    return most


def fresh(api: FakePinterestAPI) -> FakeClock:
    """The fake's data and log as new, its reports built in BUILD_SECONDS on a new clock."""
    api.reset(SMALL)
    api.report_build_seconds = BUILD_SECONDS
    clock = FakeClock()
    api.monotonic = clock.monotonic
    return clock


@pytest.fixture
def api(fake_api: FakePinterestAPI) -> FakePinterestAPI:
    return fake_api


def test_reports_are_created_before_the_other_streams_call_and_change_nothing_else(
    api: FakePinterestAPI,
) -> None:
    config = config_for(api, days_ago(100))
    early, _ = sync(config, MIXED, fresh(api))
    early_log = api.log
    early_calls = calls_but_polls(api)
    early_bodies = created_bodies(api)
    late, _ = sync(config, MIXED, fresh(api), early=False)

    # The ad accounts are listed once, then every report is created (2 streams x 2
    # accounts: within the cap), before any other stream's first call.
    first = [(c.method, c.path.split("/v5")[-1]) for c in early_log[:5]]
    assert first == [
        ("GET", "/ad_accounts"),
        *[("POST", f"/ad_accounts/{account}/reports") for account in ACCOUNTS for _ in "ab"],
    ]
    assert [c.path for c in early_log].count("/v5/ad_accounts") == 1
    # No report created twice, and as many as the run needs: the same as without.
    assert len(set(early_bodies)) == len(early_bodies) == 4
    assert Counter(early_bodies) == Counter(created_bodies(api))
    levels = Counter(json.loads(body)["level"] for _, body in early_bodies)
    assert levels == {"ADVERTISER": 2, "KEYWORD": 2}
    # The same records, states and calls, polls aside.
    assert lines(early) == lines(late)
    assert early_calls == calls_but_polls(api)
    assert early.stream("keyword_analytics")
    assert early.states == late.states


@pytest.mark.parametrize("cap", [None, 3])
def test_more_reports_than_the_cap_are_created_as_room_frees(
    api: FakePinterestAPI, cap: int | None
) -> None:
    """20 reports: max_reports_in_flight from the start, one more as each is read."""
    extra: dict[str, Any] = {} if cap is None else {"max_reports_in_flight": cap}
    cap = cap or DEFAULT_MAX_REPORTS_IN_FLIGHT
    config = config_for(api, days_ago(800), analytics_source="reports", **extra)
    streams = {"ad_accounts", "ad_account_analytics", "keyword_analytics", "campaigns"}
    early_clock = fresh(api)
    early, _ = sync(config, streams, early_clock)
    log = api.log
    early_polls = len(api.calls(REPORT_CREATE))
    creates = [i for i, c in enumerate(log) if c.method == "POST"]
    assert len(creates) == 5 * 2 * 2  # 801 dates: 5 windows, 2 streams, 2 accounts
    assert most_in_flight(log) == cap
    # The first `cap` before the first campaigns call; the rest as reports are read.
    first_campaigns = next(i for i, c in enumerate(log) if c.path.endswith("/campaigns"))
    assert creates[:cap] == list(range(1, cap + 1))
    assert creates[cap] > first_campaigns
    assert len(set(created_bodies(api))) == 20

    late_clock = fresh(api)
    late, _ = sync(config, streams, late_clock, early=False)
    assert lines(early) == lines(late)
    # Never more polls or waiting. (The clock moves only when the tap waits, so the other
    # streams' calls take no time here; scripts/benchmark_wall.py measures what it saves.)
    assert early_polls <= len(api.calls(REPORT_CREATE))
    assert sum(early_clock.waits) <= sum(late_clock.waits)


def test_a_stream_that_fails_after_creating_ahead_loses_nothing(api: FakePinterestAPI) -> None:
    config = config_for(api, days_ago(400), analytics_source="reports", max_reports_in_flight=5)
    streams = {"ad_accounts", "ad_account_analytics", "keyword_analytics"}
    clean, _ = sync(config, streams, fresh(api), early=False)
    clock = fresh(api)
    # The plan: per account, ad_account_analytics' 3 windows, then keyword_analytics' 3.
    # The 2nd report fails: account 1's ad_account_analytics stops after its 1st window,
    # its 3rd report (created ahead) is never read.
    api.fail_next_reports("FAILED", after=1)
    first, error = sync(config, streams, clock)
    assert isinstance(error, StreamFailuresError)
    assert [f.stream for f in error.failures] == ["ad_account_analytics"]
    assert partitions(first.final_state, "ad_account_analytics")[ACCOUNT_1] == (
        days_ago(400 - 185).isoformat()
    )
    assert len(api.calls(REPORT_CREATE, method="POST")) == 12
    # The tap never has more than 5 in flight; the failed report and the one created
    # ahead after it are never downloaded, so the log counts them on to the end.
    assert most_in_flight(api.log) == 5 + 2

    second, error = sync(config, streams, clock, state=first.final_state)
    assert error is None
    assert keys(first) | keys(second) == keys(clean)


@pytest.mark.parametrize("records", [1, 40, 400, 1200])
def test_a_run_killed_after_creating_ahead_resumes_losing_nothing(
    api: FakePinterestAPI, records: int
) -> None:
    config = config_for(api, days_ago(400), analytics_source="reports")
    streams = {"ad_accounts", "campaigns", "ad_account_analytics", "keyword_analytics"}
    clean, _ = sync(config, streams, fresh(api), early=False)
    clock = fresh(api)
    killed, error = sync(config, streams, clock, stdout=KillingStdout(records))
    assert isinstance(error, Killed)
    assert len(killed.stream("ad_account_analytics") + killed.stream("keyword_analytics")) < len(
        clean.stream("ad_account_analytics") + clean.stream("keyword_analytics")
    )
    state = killed.final_state or None
    resumed, error = sync(config, streams, clock, state=state)
    assert error is None
    assert keys(killed) | keys(resumed) == keys(clean)


def lines(result: SyncResult) -> list[dict[str, Any]]:
    """Every message as a target reads it, but the time each record was extracted."""
    return [{k: v for k, v in m.items() if k != "time_extracted"} for m in result.messages]


def keys(result: SyncResult) -> set[tuple[str, str]]:
    """(stream, record) of every record, as sorted JSON."""
    return {
        (stream, json.dumps(record, sort_keys=True))
        for stream, records in result.records.items()
        for record in records
    }


def test_a_report_created_ahead_too_long_ago_is_created_again(api: FakePinterestAPI) -> None:
    """A report lives an hour (analytics/get_report): one older than 50 minutes is not used."""
    clock = fresh(api)
    api.report_build_seconds = 3100.0  # account 1's report takes 52 minutes to build
    config = config_for(api, days_ago(3), days_ago(1), analytics_source="reports")
    result, error = sync(config, {"ad_accounts", "ad_account_analytics"}, clock)
    assert error is None
    assert len(result.stream("ad_account_analytics")) == 3 * 2
    posts = [c.path for c in api.calls(REPORT_CREATE, method="POST")]
    # Both created at the start; account 2's again when reached, 52 minutes later.
    assert posts == [f"/v5/ad_accounts/{account}/reports" for account in (*ACCOUNTS, ACCOUNTS[1])]
    assert [c.path for c in api.log if c.path.startswith(DOWNLOAD)] == [
        f"{DOWNLOAD}report-1",
        f"{DOWNLOAD}report-3",
    ]


def test_polls_count_from_the_creation_so_a_ready_report_is_read_at_once(
    api: FakePinterestAPI,
) -> None:
    """Poll times hang on each report's creation, not on its stream's first poll."""
    config = config_for(api, days_ago(100))
    clock = fresh(api)
    result, error = sync(config, {"ad_accounts", *ANALYTICS}, clock)
    assert error is None
    assert len(result.stream("keyword_analytics")) == 2 * 4 * 101  # accounts, keywords, days
    # The first report read, 20 s to build: polled 2 s after its creation, every 2 s up to
    # 10 s, then a quarter of its age on: 9 polls, and read at 24.4 s, 4.4 s after it
    # finished (doubling waits from the first poll read it at 30 s). The three others,
    # created with it, finished meanwhile: each read at its first poll, without a wait.
    assert clock.waits == [*[2.0] * 5, 2.5, 3.125, 3.90625, 4.8828125]
    assert clock.now - 1_000.0 == 24.4140625
    reports = [(c.method, c.path.rsplit("/", 2)[-1], c.query_string) for c in api.log]
    reports = [r for r in reports if r[1] in {"reports", *(f"report-{n}" for n in range(1, 5))}]
    assert reports == [
        *[("POST", "reports", "")] * 4,
        *[("GET", "reports", "token=report-1")] * 9,
        ("GET", "report-1", ""),
        *[
            call
            for n in (2, 3, 4)
            for call in (("GET", "reports", f"token=report-{n}"), ("GET", f"report-{n}", ""))
        ],
    ]


@pytest.mark.parametrize(
    ("start_days", "order"),
    [
        # 100 days back under `auto`: ad_account_analytics reads reports for its 10 oldest
        # days, so it moves last too, before keyword_analytics as in the stream order.
        (100, ["campaigns", "audiences", "ad_account_analytics", "keyword_analytics"]),
        # 30 days: ad_account_analytics reads no report and keeps its place.
        (30, ["campaigns", "ad_account_analytics", "audiences", "keyword_analytics"]),
    ],
)
def test_report_backed_streams_sync_last_in_each_account_while_their_reports_build(
    api: FakePinterestAPI, start_days: int, order: list[str]
) -> None:
    """An account's report-backed streams after its other streams: no run stands still.

    Each account's audiences take 30 s here (the clock moves on when the fake serves
    them), more than a report's 20 s build: every report, created at the start, is
    ready when its stream reaches it, and the run never waits for one.
    """
    config = config_for(api, days_ago(start_days))
    streams = {"ad_accounts", "campaigns", "audiences", *ANALYTICS}
    late, _ = sync(config, streams, fresh(api), early=False)
    clock = fresh(api)

    def thirty_seconds(_data: object) -> None:
        clock.now += 30.0

    for account in ACCOUNTS:
        api.on_page(rf"/ad_accounts/{account}/audiences$", 1, thirty_seconds)
    result, error = sync(config, streams, clock)
    assert error is None

    # Per account, the records of each stream together, the report-backed ones last (the
    # SDK writes an ad account's record after its children's).
    records = [m for m in result.messages if m["type"] == "RECORD"]
    runs = [(m["stream"], m["record"].get("ad_account_id") or m["record"]["id"]) for m in records]
    runs = [run for i, run in enumerate(runs) if i == 0 or runs[i - 1] != run]
    assert runs == [(stream, account) for account in ACCOUNTS for stream in [*order, "ad_accounts"]]
    # Every report was created before the first account's other streams called, each
    # account's first poll comes after its audiences, and the run never waited.
    log = [(c.method, c.path.split("/v5")[-1]) for c in api.log]
    creates = [i for i, (method, _) in enumerate(log) if method == "POST"]
    reports = 4 if start_days == 100 else 2
    assert creates == list(range(1, reports + 1))
    assert log[reports + 1] == ("GET", f"/ad_accounts/{ACCOUNT_1}/campaigns")
    for account in ACCOUNTS:
        audiences = log.index(("GET", f"/ad_accounts/{account}/audiences"))
        assert audiences < log.index(("GET", f"/ad_accounts/{account}/reports"))  # 1st poll
    assert clock.waits == []
    # Read in the order they were planned and created (report-1 first).
    downloads = [c.path for c in api.log if c.path.startswith(DOWNLOAD)]
    assert downloads == [f"{DOWNLOAD}report-{n}" for n in range(1, reports + 1)]
    # One poll per report (each was ready), and the same messages as without creating ahead.
    assert len(api.calls(REPORT_CREATE)) == reports
    assert lines(result) == lines(late)
