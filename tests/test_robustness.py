"""What a real Pinterest account does that the happy path does not: hidden defaults,
unknown shapes, vanished parents, refused access, and HTTP-date Retry-After."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any, cast

import pytest

from tap_pinterest.errors import InvalidStateError, PinterestAPIError
from tests.fake_api.data import Scale
from tests.tap_runner import catalog_selecting, deselect_properties, run_sync

if TYPE_CHECKING:
    from tests.fake_api import FakePinterestAPI

ACCOUNT = "549755885175"
LOWER_LEVEL_IDS = {"CAMPAIGN_ID", "AD_GROUP_ID", "AD_ID", "PIN_ID", "PIN_PROMOTION_ID"}


def today() -> str:
    return datetime.now(timezone.utc).date().isoformat()


def test_pins_include_those_on_protected_boards(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """GET /pins hides protected pins unless asked; the tap asks, for pins and pin ids."""
    run_sync(static_config, streams={"pins"})
    run_sync(static_config, streams={"pin_analytics"})
    calls = fake_api.calls(r"/v5/pins")
    assert len(calls) == 2
    assert [c.query["include_protected_pins"] for c in calls] == [["true"], ["true"]]


def test_hour_inside_date_is_split_into_date_and_hour(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """If Pinterest puts the hour in DATE, rows still get distinct (id, DATE, HOUR) keys."""
    fake_api.reset(Scale(ad_accounts=1))
    fake_api.hour_in_date = True
    config = {**static_config, "analytics_granularity": "HOUR", "start_date": today()}
    records = run_sync(config, streams={"ad_account_analytics"}).stream("ad_account_analytics")
    assert len(records) == 24
    assert {r["DATE"] for r in records} == {today()}
    assert sorted(r["HOUR"] for r in records) == list(range(24))


def test_hour_row_without_an_hour_is_an_error(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """24 rows collapsing onto one key would lose data silently: fail instead."""
    static_config["on_stream_error"] = "fail"  # this test checks the stop-at-once line
    fake_api.reset(Scale(ad_accounts=1))
    body = [{"AD_ACCOUNT_ID": ACCOUNT, "DATE": today(), "SPEND_IN_DOLLAR": 1}]
    fake_api.inject(r"/v5/ad_accounts/\d+/analytics", 200, body=cast("dict[str, Any]", body))
    config = {**static_config, "analytics_granularity": "HOUR", "start_date": today()}
    with pytest.raises(PinterestAPIError, match="HOUR granularity row without an hour"):
        run_sync(config, streams={"ad_account_analytics"})


def test_no_selected_metric_is_a_clear_error(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """An empty `columns` would be a 400 from Pinterest; say what to select instead."""
    static_config["on_stream_error"] = "fail"  # this test checks the stop-at-once line
    catalog = catalog_selecting(static_config, {"campaign_analytics"})
    catalog = deselect_properties(catalog, "campaign_analytics", {"CAMPAIGN_ID", "DATE"})
    with pytest.raises(PinterestAPIError, match="no metric column is selected"):
        run_sync(static_config, catalog=catalog)
    assert fake_api.calls(r"/v5/ad_accounts/\d+/campaigns/analytics") == []


@pytest.mark.parametrize(
    ("stream", "path", "allowed_ids"),
    [
        ("ad_account_analytics", r"/v5/ad_accounts/\d+/analytics", set()),
        ("campaign_analytics", r"/v5/ad_accounts/\d+/campaigns/analytics", set()),
        ("ad_group_analytics", r"/v5/ad_accounts/\d+/ad_groups/analytics", {"CAMPAIGN_ID"}),
        (
            "ad_analytics",
            r"/v5/ad_accounts/\d+/ads/analytics",
            {"CAMPAIGN_ID", "AD_GROUP_ID", "PIN_ID", "PIN_PROMOTION_ID"},
        ),
    ],
)
def test_ids_of_lower_levels_are_not_requested(
    fake_api: FakePinterestAPI,
    static_config: dict[str, Any],
    stream: str,
    path: str,
    allowed_ids: set[str],
) -> None:
    """A campaign row has no ad id: ask each level only for ids at or above it."""
    fake_api.reset(Scale(ad_accounts=1, campaigns_per_account=1))
    run_sync({**static_config, "start_date": today()}, streams={stream})
    (call,) = fake_api.calls(path)
    columns = set(call.query["columns"][0].split(","))
    assert columns & LOWER_LEVEL_IDS == allowed_ids
    assert "AD_ACCOUNT_ID" not in columns
    assert "SPEND_IN_DOLLAR" in columns


def test_forbidden_names_the_stream_and_what_to_do(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """A 403 (a missing role or scope) says which stream and how to get past it."""
    fake_api.reset(Scale(ad_accounts=1))
    static_config["on_stream_error"] = "fail"  # this test checks the stop-at-once line
    path = r"/v5/ad_accounts/\d+/customer_lists"
    fake_api.inject(path, 403, body={"code": 29, "message": "Not permitted"})
    with pytest.raises(PinterestAPIError) as failure:
        run_sync(static_config, streams={"customer_lists"})
    assert str(failure.value) == (
        f"stream customer_lists (ad account {ACCOUNT}): HTTP 403, code 29: Not permitted for "
        f"/v5/ad_accounts/{ACCOUNT}/customer_lists; to fix: deselect the stream, or ask for the "
        "`ads:read` scope and the Business Access role the endpoint needs (beta endpoints "
        "need Pinterest to enable them for the app)"
    )
    assert len(fake_api.calls(path)) == 1


def test_board_deleted_mid_sync_is_skipped_and_the_rest_synced(
    fake_api: FakePinterestAPI, static_config: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """A board gone between listing and reading leaves nothing to lose: skip it, go on."""
    boards = [b["id"] for b in fake_api.data.boards]
    gone = boards[1]
    fake_api.inject(rf"/v5/boards/{gone}/pins", 404, body={"code": 2, "message": "Not found"})
    caplog.set_level(logging.WARNING)
    result = run_sync(static_config, streams={"board_pins"})
    expected = [p["id"] for b in boards if b != gone for p in fake_api.data.pins_of_board(b)]
    assert [r["id"] for r in result.stream("board_pins")] == expected
    assert len(expected) == 14
    assert any("board_pins: skipped, the parent is gone" in r.getMessage() for r in caplog.records)


def test_board_children_keep_one_state_entry_and_their_parent_ids(
    static_config: dict[str, Any],
) -> None:
    """Full-table children need no state per board; records still carry the parent ids."""
    result = run_sync(static_config, streams={"board_sections", "board_section_pins", "keywords"})
    bookmarks = result.final_state["bookmarks"]
    for stream in ("board_sections", "board_section_pins", "keywords"):
        assert "partitions" not in bookmarks.get(stream, {}), stream
    sections = result.stream("board_sections")
    assert len(sections) == 6
    assert all(s["board_id"] for s in sections)
    section_pins = result.stream("board_section_pins")
    assert len(section_pins) == 12
    assert all(p["section_id"] and p["board_id"] for p in section_pins)
    assert all(k["ad_account_id"] for k in result.stream("keywords"))


def test_retry_after_as_an_http_date_is_honoured(
    fake_api: FakePinterestAPI, static_config: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """Retry-After may be a date (RFC 9110); a past one means retry now, not in 1 s."""
    past = format_datetime(datetime.now(timezone.utc) - timedelta(seconds=5), usegmt=True)
    fake_api.inject(r"/v5/boards", 429, headers={"Retry-After": past})
    caplog.set_level(logging.WARNING)
    result = run_sync(static_config, streams={"boards"})
    assert len(result.stream("boards")) == 3
    assert [c.status for c in fake_api.calls(r"/v5/boards")] == [429, 200]
    retries = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Retrying")]
    assert len(retries) == 1
    assert "in 0.0 s" in retries[0]


@pytest.mark.parametrize(
    ("stream", "key", "value", "expected"),
    [
        ("campaign_analytics", "DATE", "yesterday-ish", "not a date"),
    ],
)
def test_corrupt_bookmark_is_a_clear_error(
    fake_api: FakePinterestAPI,
    static_config: dict[str, Any],
    stream: str,
    key: str,
    value: str,
    expected: str,
) -> None:
    """A bookmark the tap cannot have written stops the run with the stream and value."""
    fake_api.reset(Scale(ad_accounts=1))
    state = {
        "bookmarks": {
            stream: {
                "partitions": [
                    {
                        "context": {"ad_account_id": ACCOUNT},
                        "replication_key": key,
                        "replication_key_value": value,
                    }
                ]
            }
        }
    }
    with pytest.raises(InvalidStateError) as failure:
        run_sync(static_config, streams={stream}, state=state)
    assert str(failure.value) == (
        f"State for {stream} {{'ad_account_id': '{ACCOUNT}'}} has bookmark '{value}', {expected}"
    )


@pytest.mark.parametrize(
    ("stream", "path", "body", "expected"),
    [
        (
            "boards",
            r"/v5/boards",
            {"data": []},
            "Pinterest answered /v5/boards without an items list (dict body)",
        ),
        (
            "keywords",
            r"/v5/ad_accounts/\d+/keywords",
            {"items": None},
            "Pinterest answered /ad_accounts/549755885175/keywords without an items list",
        ),
        (
            "ad_account_analytics",
            r"/v5/ad_accounts/\d+/analytics",
            {"rows": []},
            "Pinterest answered /ad_accounts/549755885175/analytics with dict, not a list",
        ),
    ],
)
def test_answers_of_the_wrong_shape_are_clear_errors(
    fake_api: FakePinterestAPI,
    static_config: dict[str, Any],
    stream: str,
    path: str,
    body: dict[str, Any],
    expected: str,
) -> None:
    """A body that is not what the spec says is an error, never zero records."""
    static_config["on_stream_error"] = "fail"  # this test checks the stop-at-once line
    fake_api.reset(Scale(ad_accounts=1))
    fake_api.inject(path, 200, body=body)
    with pytest.raises(PinterestAPIError, match=re.escape(expected)):
        run_sync(static_config, streams={stream})


def test_analytics_row_without_its_key_is_an_error(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """A row with no CAMPAIGN_ID or DATE cannot be upserted: stop rather than load it."""
    static_config["on_stream_error"] = "fail"  # this test checks the stop-at-once line
    fake_api.reset(Scale(ad_accounts=1, campaigns_per_account=1))
    rows = [{"DATE": today(), "SPEND_IN_DOLLAR": 3}]
    fake_api.inject(
        r"/v5/ad_accounts/\d+/campaigns/analytics", 200, body=cast("dict[str, Any]", rows)
    )
    with pytest.raises(PinterestAPIError, match="campaign_analytics row without CAMPAIGN_ID"):
        run_sync(static_config, streams={"campaign_analytics"})


def test_comma_joined_parameters_keep_literal_commas(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """columns is explode=false (one comma-joined value); ids repeat their key (spec)."""
    fake_api.reset(Scale(ad_accounts=1, campaigns_per_account=2))
    catalog = catalog_selecting(static_config, {"campaign_analytics"})
    catalog = deselect_properties(
        catalog,
        "campaign_analytics",
        {"CAMPAIGN_ID", "DATE", "SPEND_IN_DOLLAR", "TOTAL_IMPRESSION"},
    )
    run_sync({**static_config, "start_date": today()}, catalog=catalog)
    (call,) = fake_api.calls(r"/v5/ad_accounts/\d+/campaigns/analytics")
    assert "columns=SPEND_IN_DOLLAR,TOTAL_IMPRESSION&" in call.query_string
    ids = [c["id"] for c in fake_api.data.campaigns[ACCOUNT]]
    assert f"campaign_ids={ids[0]}&campaign_ids={ids[1]}" in call.query_string
