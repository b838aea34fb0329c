"""One refused endpoint never costs the other streams (issue: a sync that survives).

Every endpoint the tap calls is refused in turn; every stream that does not need that
endpoint must arrive exactly as in a clean run, and the failure is named at the end.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from tap_pinterest.failures import StreamFailuresError
from tap_pinterest.tap import TapPinterest
from tests.fake_api.data import Scale
from tests.fake_api.server import DEFAULT_STATIC_TOKEN
from tests.tap_runner import SyncResult, run_sync

if TYPE_CHECKING:
    from tests.fake_api import FakePinterestAPI
    from tests.fake_clock import FakeClock

SMALL = Scale(
    ad_accounts=2,
    campaigns_per_account=4,  # the 4th is CATALOG_SALES: product group promotions
    ad_groups_per_campaign=1,
    ads_per_ad_group=1,
    boards=2,
    sections_per_board=1,
    pins_per_board=2,
    followers=3,
    following=2,
    audiences_per_account=1,
    customer_lists_per_account=1,
    conversion_tags_per_account=1,
    keywords_per_ad_group=1,
)
AD_STREAMS = {
    "ad_accounts",
    "campaigns",
    "ad_groups",
    "ads",
    "ad_account_analytics",
    "campaign_analytics",
    "ad_group_analytics",
    "ad_analytics",
    "audiences",
    "customer_lists",
    "conversion_tags",
    "keywords",
    "ad_account_targeting_analytics",
    "campaign_targeting_analytics",
    "ad_group_targeting_analytics",
    "ad_targeting_analytics",
    "product_group_promotions",
    "keyword_analytics",
    "product_group_analytics",
    "product_item_analytics",
    "product_group_targeting_analytics",
    "product_item_targeting_analytics",
}
BOARD_STREAMS = {"boards", "board_sections", "board_pins", "board_section_pins"}
ACCT = r"/v5/ad_accounts/\d+"
# Each endpoint of the tap, and the streams that cannot be complete without it.
DEPENDENTS: dict[str, set[str]] = {
    r"/v5/user_account$": {"user_account"},
    r"/v5/user_account/followers$": {"user_account_followers"},
    r"/v5/user_account/following$": {"user_account_following"},
    r"/v5/user_account/analytics$": {"user_account_analytics"},
    r"/v5/user_account/analytics/top_pins$": {"top_pins_analytics"},
    r"/v5/user_account/analytics/top_video_pins$": {"top_video_pins_analytics"},
    r"/v5/boards$": BOARD_STREAMS,
    r"/v5/boards/\d+/sections$": {"board_sections", "board_section_pins"},
    r"/v5/boards/\d+/pins$": {"board_pins"},
    r"/v5/boards/\d+/sections/\d+/pins$": {"board_section_pins"},
    r"/v5/pins$": {"pins", "pin_analytics"},
    r"/v5/pins/analytics$": set(),  # degrades to GET /pins/{pin_id}/analytics
    r"/v5/ad_accounts$": AD_STREAMS,
    ACCT + "/campaigns$": {
        "campaigns",
        "campaign_analytics",
        "campaign_targeting_analytics",
        "keywords",
    },
    ACCT + "/ad_groups$": {
        "ad_groups",
        "ad_group_analytics",
        "ad_group_targeting_analytics",
        "keywords",
        "product_group_promotions",
    },
    ACCT + "/ads$": {"ads", "ad_analytics", "ad_targeting_analytics"},
    ACCT + "/analytics$": {"ad_account_analytics"},
    ACCT + "/campaigns/analytics$": {"campaign_analytics"},
    ACCT + "/ad_groups/analytics$": {"ad_group_analytics"},
    ACCT + "/ads/analytics$": {"ad_analytics"},
    ACCT + "/audiences$": {"audiences"},
    ACCT + "/customer_lists$": {"customer_lists"},
    ACCT + "/conversion_tags$": {"conversion_tags"},
    ACCT + "/keywords$": {"keywords"},
    ACCT + "/targeting_analytics$": {"ad_account_targeting_analytics"},
    ACCT + "/campaigns/targeting_analytics$": {"campaign_targeting_analytics"},
    ACCT + "/ad_groups/targeting_analytics$": {"ad_group_targeting_analytics"},
    ACCT + "/ads/targeting_analytics$": {"ad_targeting_analytics"},
    ACCT + "/product_group_promotions$": {"product_group_promotions"},
    ACCT + "/reports$": {
        "keyword_analytics",
        "product_group_analytics",
        "product_item_analytics",
        "product_group_targeting_analytics",
        "product_item_targeting_analytics",
    },
    r"/v5/catalogs$": {"catalogs"},
    r"/v5/catalogs/feeds$": {"catalogs_feeds"},
    r"/v5/catalogs/product_groups$": {"catalogs_product_groups"},
}
_CLEAN: dict[str, list[str]] = {}


def small_config(fake_api: FakePinterestAPI) -> dict[str, Any]:
    start = date.today() - timedelta(days=3)  # noqa: DTZ011 - the fake's "today" is UTC too
    return {
        "access_token": DEFAULT_STATIC_TOKEN,
        "api_url": fake_api.url,
        "start_date": start.isoformat(),
        # One targeting breakdown: each endpoint is refused in turn, whatever the types; the
        # default five would make the fake build eight times the targeting rows per sync.
        "targeting_types": ["GENDER"],
    }


def canonical(result: SyncResult) -> dict[str, list[str]]:
    """Each stream's records as sorted JSON lines: comparable whatever the order."""
    return {
        stream: sorted(json.dumps(r, sort_keys=True) for r in records)
        for stream, records in result.records.items()
    }


def sync_collecting_failures(
    config: dict[str, Any], state: dict[str, Any] | None = None, clock: FakeClock | None = None
) -> tuple[SyncResult, StreamFailuresError | None]:
    """A full sync of every stream; the end-of-run failure, if any, is returned.

    With `clock` (the fixture: the fake's too) the report polls' waits are simulated
    (about 1.8 s of real waiting per full sync otherwise).
    """
    tap = TapPinterest(config=config, state=state, parse_env_config=False)
    if clock is not None:
        tap.clock = clock
    buffer = io.StringIO()
    error: StreamFailuresError | None = None
    with contextlib.redirect_stdout(buffer):
        try:
            tap.sync_all()
        except StreamFailuresError as exc:
            error = exc
    return SyncResult([json.loads(line) for line in buffer.getvalue().splitlines()]), error


def clean_run(fake_api: FakePinterestAPI, clock: FakeClock) -> dict[str, list[str]]:
    """The records of a clean run at SMALL scale (the fake's data is deterministic)."""
    if not _CLEAN:
        fake_api.reset(SMALL)
        result, error = sync_collecting_failures(small_config(fake_api), clock=clock)
        assert error is None
        _CLEAN.update(canonical(result))
    return _CLEAN


@pytest.mark.parametrize("endpoint", sorted(DEPENDENTS))
def test_one_refused_endpoint_costs_only_its_dependents(
    fake_api: FakePinterestAPI, clock: FakeClock, endpoint: str
) -> None:
    clean = clean_run(fake_api, clock)
    assert len(clean) == 37
    fake_api.reset(SMALL)
    fake_api.inject(endpoint, 403, times=10_000, body={"code": 29, "message": "Not permitted"})
    result, error = sync_collecting_failures(small_config(fake_api), clock=clock)
    got = canonical(result)
    affected = DEPENDENTS[endpoint]
    for stream, records in clean.items():
        if stream in affected:
            assert set(got.get(stream, [])) <= set(records), stream
        else:
            assert got.get(stream) == records, stream
    if not affected:
        assert error is None
        return
    assert error is not None
    assert {f.stream for f in error.failures} <= affected
    for failure in error.failures:
        assert failure.problem.startswith("HTTP 403, code 29: Not permitted for /v5/")
        assert failure.hint.startswith("deselect the stream, or ask for the `")
    assert fake_api.calls(endpoint) or fake_api.calls(endpoint, method="POST")


def test_failed_partition_keeps_its_bookmark_and_the_rest_move_on(
    fake_api: FakePinterestAPI, clock: FakeClock
) -> None:
    """customer_lists 404 on one account: its bookmark stays, everything else advances."""
    fake_api.reset(SMALL)
    config = small_config(fake_api)
    first, error = sync_collecting_failures(config, clock=clock)
    assert error is None
    accounts = [a["id"] for a in fake_api.data.ad_accounts]
    fake_api.inject(rf"/v5/ad_accounts/{accounts[1]}/customer_lists$", 404, times=5)
    second, error = sync_collecting_failures(config, state=first.final_state, clock=clock)
    assert error is not None
    expected = (
        f"Stream customer_lists (ad account {accounts[1]}) failed: HTTP 404, code 404: "
        f"Injected fault: HTTP 404. for /v5/ad_accounts/{accounts[1]}/customer_lists; "
        "to fix: check ad_account_ids and the object's owner, or deselect the stream"
    )
    assert [f.summary_line() for f in error.failures] == [expected]
    before = first.final_state["bookmarks"]
    after = second.final_state["bookmarks"]
    assert after["customer_lists"] == before["customer_lists"]
    assert sorted(after) == sorted(before)
    # The parent of the failed child is still emitted, and so is every stream after it.
    assert [r["id"] for r in second.stream("ad_accounts")] == accounts
    assert canonical(second)["boards"] == canonical(first)["boards"]
    assert len(second.stream("customer_lists")) == SMALL.customer_lists_per_account


def test_on_stream_error_fail_stops_at_the_first_error(fake_api: FakePinterestAPI) -> None:
    fake_api.reset(SMALL)
    config = {**small_config(fake_api), "on_stream_error": "fail"}
    fake_api.inject(r"/v5/ad_accounts/\d+/customer_lists$", 404, times=5)
    tap = TapPinterest(config=config, parse_env_config=False)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), pytest.raises(Exception, match="customer_lists"):
        tap.sync_all()
    streams = {json.loads(line).get("stream") for line in buffer.getvalue().splitlines()}
    assert "boards" not in streams  # synced after ad accounts: never reached
    assert len(fake_api.calls(r"/v5/ad_accounts/\d+/customer_lists$")) == 1


def test_pin_analytics_falls_back_to_one_pin_per_call_when_bulk_is_refused(
    fake_api: FakePinterestAPI, caplog: pytest.LogCaptureFixture
) -> None:
    fake_api.reset(SMALL)
    config = small_config(fake_api)
    clean = canonical(run_sync(config, streams={"pin_analytics"}))["pin_analytics"]
    pins = [p["id"] for p in fake_api.data.pins]
    for run in (1, 2):
        fake_api.reset(SMALL)
        fake_api.inject(r"/v5/pins/analytics$", 403, times=10)
        with caplog.at_level(logging.WARNING):
            caplog.clear()
            result = run_sync(config, streams={"pin_analytics"})
        assert canonical(result)["pin_analytics"] == clean, run
        # The bulk is tried again each run, once; then one call per pin.
        assert len(fake_api.calls(r"/v5/pins/analytics$")) == 1
        assert sorted(c.path.split("/")[3] for c in fake_api.calls(r"/v5/pins/\d+/analytics")) == (
            sorted(pins)
        )
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1
        assert "reading each pin from GET /pins/{pin_id}/analytics instead" in warnings[0]


def test_clean_run_logs_no_warning_and_one_total_line_per_stream(
    fake_api: FakePinterestAPI, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    fake_api.reset(SMALL)
    with caplog.at_level(logging.INFO):
        result, error = sync_collecting_failures(small_config(fake_api), clock=clock)
    assert error is None
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    totals = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Stream ")]
    assert len(totals) == 37
    campaigns = len(result.stream("campaigns"))
    assert f"Stream campaigns: {campaigns} records, 2 HTTP calls" in totals
