"""Behaviours of the live API that the spec does not document (issue 16, items 1-3, 8, 9).

Each is taught to the fake (tests/fake_api/quirks.py) and checked over real HTTP: the
records, the state, the calls made, and for whole runs the exit code and stderr lines.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
import requests

from tap_pinterest.client import MAX_TRIES
from tap_pinterest.errors import QuotaExhaustedError
from tap_pinterest.failures import StreamFailuresError
from tap_pinterest.tap import TapPinterest
from tap_pinterest.throttle import throttle_seconds
from tests.fake_api.quirks import (
    cut_pin_listing,
    refuse_attribution_windows,
    remove_catalogs,
    spend_daily_quota,
    throttle_with_400,
)
from tests.tap_runner import SyncResult, catalog_selecting, run_sync

if TYPE_CHECKING:
    from pathlib import Path

    from tests.fake_api import FakePinterestAPI

ACCOUNT_ANALYTICS = r"/v5/ad_accounts/\d+/analytics"
CAMPAIGN_ANALYTICS = r"/v5/ad_accounts/\d+/campaigns/analytics"
PRODUCT_GROUPS = r"/v5/catalogs/product_groups"
CATALOG_STREAMS = {"catalogs", "catalogs_feeds", "catalogs_product_groups"}
QUOTA_HINT = (
    "to fix: run again after the reset (the bookmarks resume there), or raise "
    "max_rate_limit_wait_seconds to wait for it"
)


@dataclass
class Run:
    """One run of the installed CLI: exit code, Singer messages and stderr lines."""

    returncode: int
    result: SyncResult
    stderr: list[str]

    def lines(self, level: str, logger: str = "tap-pinterest") -> list[str]:
        """The messages logged at `level` by `logger` or its children (time | level | ...)."""
        out = []
        for line in self.stderr:
            parts = [part.strip() for part in line.split(" | ", 3)]
            if len(parts) == 4 and parts[1] == level and parts[2].startswith(logger):
                out.append(parts[3])
        return out


def run_cli(
    tmp_path: Path,
    config: dict[str, Any],
    streams: set[str] | None = None,
    state: dict[str, Any] | None = None,
) -> Run:
    """`python -m tap_pinterest` with config, catalog and state files, as Meltano runs it."""
    args = [sys.executable, "-m", "tap_pinterest"]
    files: dict[str, Any] = {"config": config}
    if streams is not None:
        files["catalog"] = catalog_selecting(config, streams)
    if state is not None:
        files["state"] = state
    for name, content in files.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(content), "utf-8")
        args += [f"--{name}", str(path)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAP_PINTEREST_")}
    proc = subprocess.run(args, capture_output=True, text=True, check=False, timeout=300, env=env)
    messages = [json.loads(line) for line in proc.stdout.splitlines() if line]
    return Run(proc.returncode, SyncResult(messages), proc.stderr.splitlines())


def sync_expecting_failures(
    config: dict[str, Any], streams: set[str], state: dict[str, Any] | None = None
) -> tuple[SyncResult, StreamFailuresError]:
    """An in-process sync that ends with failed partitions: its messages and the error."""
    catalog = catalog_selecting(config, streams)
    tap = TapPinterest(config=config, catalog=catalog, state=state, parse_env_config=False)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(StreamFailuresError) as info:
        tap.sync_all()
    messages = [json.loads(line) for line in out.getvalue().splitlines() if line]
    return SyncResult(messages), info.value


def bookmarks(state: dict[str, Any], stream: str) -> Any:
    """A stream's bookmark entry, or None."""
    return state.get("bookmarks", {}).get(stream)


# ------------------------------------------------------- items 1 and 2 together
@pytest.mark.subprocess
def test_no_catalog_and_throttling_400s_exit_0_with_every_record(
    fake_api: FakePinterestAPI, static_config: dict[str, Any], tmp_path: Path
) -> None:
    """The ordinary advertiser of issue 16: no catalog, analytics throttled with 400s."""
    remove_catalogs(fake_api)
    streams = {"ad_accounts", "ad_account_analytics", "campaign_analytics", *CATALOG_STREAMS}
    clean = run_sync(static_config, streams=streams)
    clean_calls = len(fake_api.calls(ACCOUNT_ANALYTICS))
    fake_api.clear_log()
    throttle_with_400(fake_api, ACCOUNT_ANALYTICS, seconds=0, times=2)
    throttle_with_400(fake_api, CAMPAIGN_ANALYTICS, seconds=0, times=1, after=1)

    run = run_cli(tmp_path, static_config, streams)

    assert run.returncode == 0, run.stderr[-20:]
    assert run.lines("ERROR") == []
    assert run.result.records == clean.records
    assert run.result.final_state == clean.final_state
    assert clean.stream("ad_account_analytics")
    for name in CATALOG_STREAMS:
        assert run.result.stream(name) == []
    assert len(fake_api.calls(ACCOUNT_ANALYTICS)) == clean_calls + 2
    assert [r.status for r in fake_api.calls(PRODUCT_GROUPS)] == [409]
    retries = [line for line in run.lines("WARNING") if "Retrying" in line]
    assert len(retries) == 3
    assert all("HTTP 400, code 1: Retry after 0 seconds" in line for line in retries)
    assert retries[0].startswith("Retrying ad_account_analytics in 0.0 s (try 1 of 8)")
    no_catalog = [line for line in run.lines("INFO") if "has no catalog" in line]
    assert no_catalog == [
        (
            "catalogs_product_groups: the user has no "
            "catalog, so nothing to sync (HTTP 409, code 4182: Can't access this feature without "
            "an existing catalog. for /v5/catalogs/product_groups)"
        )
    ]


def test_a_catalog_409_still_fails_other_shopping_refusals(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """Only the 409 means "no catalog": a 403 on the same list stays a failure."""
    fake_api.inject(PRODUCT_GROUPS, 403, body={"code": 29, "message": "Not permitted."})
    result, error = sync_expecting_failures(static_config, {"catalogs_product_groups"})
    assert result.stream("catalogs_product_groups") == []
    assert [f.stream for f in error.failures] == ["catalogs_product_groups"]
    assert "HTTP 403, code 29: Not permitted." in error.failures[0].problem


# ------------------------------------------------------------------ item 1 alone
def test_a_real_bad_request_is_permanent_and_not_retried(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    message = "Invalid parameter: start_date must be within the last 90 days (Retry later)."
    fake_api.inject(ACCOUNT_ANALYTICS, 400, times=1, body={"code": 1, "message": message})
    result, error = sync_expecting_failures(static_config, {"ad_accounts", "ad_account_analytics"})
    calls = fake_api.calls(ACCOUNT_ANALYTICS)
    assert [r.status for r in calls] == [400, 200]  # one call each account, no retry
    assert [f.stream for f in error.failures] == ["ad_account_analytics"]
    assert error.failures[0].problem == f"HTTP 400, code 1: {message} for {calls[0].path}"
    assert {r["ad_account_id"] for r in result.stream("ad_account_analytics")} == {
        calls[1].path.split("/")[3]
    }


def test_throttling_400s_share_the_429_retry_budget(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """4 x 429 then throttling 400s: the 8 tries are one budget, then the quota line."""
    static_config["on_stream_error"] = "fail"
    fake_api.inject(ACCOUNT_ANALYTICS, 429, times=4, headers={"Retry-After": "0"})
    throttle_with_400(fake_api, ACCOUNT_ANALYTICS, seconds=0, times=MAX_TRIES)
    with pytest.raises(QuotaExhaustedError) as info:
        run_sync(static_config, streams={"ad_accounts", "ad_account_analytics"})
    assert [r.status for r in fake_api.calls(ACCOUNT_ANALYTICS)] == [429] * 4 + [400] * 4
    assert str(info.value) == (
        f"Pinterest quota exhausted (HTTP 400, code 1: Retry after 0 seconds for "
        f"{fake_api.calls(ACCOUNT_ANALYTICS)[0].path}) after {MAX_TRIES} tries; Pinterest "
        "says it resets in 0 s; run again later, or sync fewer streams or ad accounts per run"
    )


def test_a_throttle_asking_longer_than_the_setting_is_not_waited(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """Bounded like Retry-After: 'Retry after 400 seconds' over a 300 s limit closes."""
    throttle_with_400(fake_api, ACCOUNT_ANALYTICS, seconds=400, times=MAX_TRIES)
    streams = {"ad_accounts", "ad_account_analytics", "campaign_analytics"}
    result, error = sync_expecting_failures(static_config, streams)
    assert [r.status for r in fake_api.calls(ACCOUNT_ANALYTICS)] == [400]
    assert fake_api.calls(CAMPAIGN_ANALYTICS) == []  # same category: not called
    assert result.stream("ad_accounts")
    [line] = [f.summary_line() for f in error.failures]
    assert line.startswith("Pinterest's quota of category ads_analytics is spent until ")
    assert line.endswith(
        "(HTTP 400, code 1: Retry after 400 seconds); streams stopped with their bookmarks "
        f"unmoved: ad_account_analytics, campaign_analytics; {QUOTA_HINT}"
    )


# ------------------------------------------------------------------------ item 3
@pytest.mark.subprocess
def test_a_spent_daily_quota_stops_only_its_category(
    fake_api: FakePinterestAPI, static_config: dict[str, Any], tmp_path: Path
) -> None:
    streams = {
        "ad_accounts",
        "campaigns",
        "ad_account_analytics",
        "campaign_analytics",
        "user_account_analytics",
        "boards",
    }
    first = run_sync(static_config, streams=streams)
    state = first.final_state
    clean = run_sync(static_config, streams=streams, state=state)
    fake_api.clear_log()
    spend_daily_quota(fake_api, "ads_analytics")

    run = run_cli(tmp_path, static_config, streams, state)

    assert run.returncode == 3, run.stderr[-20:]
    analytics = {"ad_account_analytics", "campaign_analytics"}
    for name in streams - analytics:
        assert run.result.stream(name) == clean.stream(name), name
        assert bookmarks(run.result.final_state, name) == bookmarks(clean.final_state, name)
    for name in analytics:
        assert run.result.stream(name) == []
        assert bookmarks(run.result.final_state, name) == bookmarks(state, name)
        assert bookmarks(state, name)  # there was a bookmark to keep
    # One 429, then the category is closed: no other analytics call, no retry.
    assert [r.status for r in fake_api.calls(ACCOUNT_ANALYTICS)] == [429]
    assert fake_api.calls(CAMPAIGN_ANALYTICS) == []
    errors = run.lines("ERROR")
    assert len(errors) == 2, errors
    assert errors[0].startswith("Pinterest's quota of category ads_analytics is spent until ")
    assert errors[0].endswith(
        " UTC (HTTP 429, code 8: You have exceeded your rate limit. Try again later.); "
        "streams stopped with their bookmarks unmoved: ad_account_analytics, "
        f"campaign_analytics; {QUOTA_HINT}"
    )
    assert errors[1].endswith(
        "1 stream partition(s) failed (ad_account_analytics, campaign_analytics); every "
        "other stream was synced and its state saved"
    )
    warnings = [line for line in run.lines("WARNING") if "quota of category" in line]
    assert warnings == [
        (
            "Pinterest's quota of category ads_analytics resets in 67000 s, "
            "longer than max_rate_limit_wait_seconds (300): its streams stop for this run, the "
            "others go on"
        )
    ]


def test_a_short_429_wait_is_still_waited(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """Short waits stay as before: wait, retry, and every record arrives."""
    streams = {"ad_accounts", "ad_account_analytics"}
    clean = run_sync(static_config, streams=streams)
    fake_api.clear_log()
    body = {"code": 8, "message": "You have exceeded your rate limit. Try again later."}
    fake_api.inject(ACCOUNT_ANALYTICS, 429, times=2, headers={"Retry-After": "0"}, body=body)
    result = run_sync(static_config, streams=streams)
    assert result.records == clean.records
    assert [r.status for r in fake_api.calls(ACCOUNT_ANALYTICS)][:3] == [429, 429, 200]


# ------------------------------------------------------------------------ item 8
@pytest.mark.subprocess
def test_an_invalid_attribution_combination_is_refused_at_config(
    fake_api: FakePinterestAPI, static_config: dict[str, Any], tmp_path: Path
) -> None:
    static_config.update(click_window_days=7, engagement_window_days=30, view_window_days=1)
    run = run_cli(tmp_path, static_config)
    assert run.returncode == 1
    # One line naming the problem, then the SDK's heading (as for every setting).
    assert run.lines("ERROR") == [
        (
            "click_window_days=7, engagement_window_days=30 and view_window_days=1 are a "
            "combination Pinterest refuses: the windows must satisfy click >= engagement >= "
            "view (or be 30/60/1)."
        ),
        "Config validation failed",
    ]
    assert fake_api.log == []
    assert run.result.messages == []


@pytest.mark.parametrize(
    "windows",
    [
        {"click_window_days": 60, "engagement_window_days": 30, "view_window_days": 7},
        {"click_window_days": 30, "engagement_window_days": 60, "view_window_days": 1},
        {"click_window_days": 14, "engagement_window_days": 30, "view_window_days": 0},
    ],
)
def test_documented_and_undocumented_combinations_pass_config(
    static_config: dict[str, Any], windows: dict[str, int]
) -> None:
    tap = TapPinterest(config={**static_config, **windows}, parse_env_config=False)
    assert tap.config["click_window_days"] == windows["click_window_days"]


@pytest.mark.subprocess
def test_a_windows_400_is_one_fatal_line(
    fake_api: FakePinterestAPI, static_config: dict[str, Any], tmp_path: Path
) -> None:
    refuse_attribution_windows(fake_api)
    streams = {"ad_accounts", "ad_account_analytics", "campaign_analytics", "ad_analytics"}
    run = run_cli(tmp_path, static_config, streams)
    assert run.returncode == 1
    assert run.lines("ERROR") == [
        (
            "Pinterest refused the attribution windows (click_window_days=30, "
            "engagement_window_days=30, view_window_days=1): HTTP 400, code 1: Invalid "
            "attribution windows: click_window_days, engagement_window_days and view_window_days "
            "are not a supported combination.; to fix: set click_window_days, "
            "engagement_window_days and view_window_days to a combination Pinterest accepts "
            "(README, attribution windows)"
        )
    ]
    analytics = [r for r in fake_api.log if "analytics" in r.path or "reports" in r.path]
    assert len(analytics) == 1


# ------------------------------------------------------------------------ item 9
def test_a_pin_listing_cut_short_keeps_what_was_read(
    fake_api: FakePinterestAPI, static_config: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    static_config["page_size"] = 5
    clean = run_sync(static_config, streams={"pins"})
    assert len(clean.stream("pins")) == 21
    fake_api.clear_log()
    cut_pin_listing(fake_api, after_pages=2)
    caplog.set_level(logging.INFO)

    result = run_sync(static_config, streams={"pins"})

    assert result.stream("pins") == clean.stream("pins")[:10]
    assert result.final_state == clean.final_state
    assert bookmarks(result.final_state, "pins") in (None, {})
    assert [r.status for r in fake_api.calls(r"/v5/pins")] == [200, 200, 400]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        (
            "pins: Pinterest stopped the listing after 10 pins (its limit: 100000 pins); the rest "
            "is reachable through board_pins and board_section_pins (README)"
        )
    ]


def test_a_throttled_report_request_is_retried(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """The report endpoints throttle with the same 400 as the synchronous ones."""
    static_config["analytics_source"] = "reports"
    streams = {"ad_accounts", "ad_account_analytics"}
    clean = run_sync(static_config, streams=streams)
    fake_api.clear_log()
    throttle_with_400(fake_api, r"/v5/ad_accounts/\d+/reports$", seconds=0, times=1)
    result = run_sync(static_config, streams=streams)
    assert result.records == clean.records
    creates = fake_api.calls(r"/v5/ad_accounts/\d+/reports", method="POST")
    assert [r.status for r in creates][:2] == [400, 200]


def answer(status: int, message: str) -> requests.Response:
    """An HTTP answer with Pinterest's {code, message} body, as requests would hold it."""
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps({"code": 1, "message": message}).encode()
    return response


@pytest.mark.parametrize(
    ("status", "message", "seconds"),
    [
        (400, "Retry after 60 seconds", 60.0),
        (400, "Rate limit exceeded. Retry after 1 second.", 1.0),
        (400, "retry after 2.5 seconds", 2.5),
        (400, "Invalid parameter: start_date. Retry later.", None),
        (400, "Retry after the report is ready", None),
        (429, "Retry after 60 seconds", None),  # a 429 is retried on its own terms
    ],
)
def test_the_throttle_message_forms(status: int, message: str, seconds: float | None) -> None:
    assert throttle_seconds(answer(status, message)) == seconds
