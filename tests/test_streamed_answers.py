"""Targeting answers and report downloads decoded as they stream (issue 19, item 5).

The decoder against a whole-body parse at every chunk boundary; the tap's records over
real HTTP with the fake sending tiny chunks against the same answers read whole; and a
malformed or cut answer: one clear line, and no bookmark moves.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import msgspec
import pytest
import requests

from tap_pinterest.json_members import (
    ARRAY_START,
    ITEM,
    VALUE,
    NotAnObjectError,
    iter_members,
)
from tap_pinterest.json_rows import EXACT_DECODER
from tests.fake_api import Scale
from tests.tap_runner import catalog_selecting, deselect_properties, run_sync
from tests.test_analytics import ACCOUNT_1, ACCOUNT_2, config_for, days_ago, run_failing

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.fake_api import FakePinterestAPI

SMALL = Scale(campaigns_per_account=2, ad_groups_per_campaign=1, ads_per_ad_group=2)
KEPT = {"SPEND_IN_DOLLAR", "CTR", "CAMPAIGN_NAME", "TOTAL_IMPRESSION"}
MEANING = {
    "ad_account_id",
    "GRANULARITY",
    "CLICK_WINDOW_DAYS",
    "ENGAGEMENT_WINDOW_DAYS",
    "VIEW_WINDOW_DAYS",
    "CONVERSION_REPORT_TIME",
    "REPORTING_TIMEZONE",
}
TARGETING = r"/v5/ad_accounts/\d+/ads/targeting_analytics"
REPORT_FILES = r"^/report-files/"


def whole(body: dict[str, Any]) -> list[tuple[int, str, Any]]:
    """What iter_members must give for a body parsed whole."""
    out: list[tuple[int, str, Any]] = []
    for key, value in body.items():
        if isinstance(value, list):
            out.append((ARRAY_START, key, None))
            out += [(ITEM, key, item) for item in value]
        else:
            out.append((VALUE, key, value))
    return out


def split_everywhere(text: bytes) -> Iterator[list[bytes]]:
    """The text in two pieces at every byte, and one byte at a time."""
    for cut in range(len(text) + 1):
        yield [text[:cut], text[cut:]]
    yield [text[i : i + 1] for i in range(len(text))]


TRICKY_BODIES: list[dict[str, Any]] = [
    {
        "data": [
            {
                "targeting_type": "KEYWORD",
                "targeting_value": 'shoes ]}, "x": [',
                "metrics": {"SPEND_IN_DOLLAR": 1.25, "LIST": [1, {"a": "}"}], "NAME": '\\"'},
            },
            {"targeting_type": "LOCATION", "targeting_value": 500, "metrics": {}},
        ]
    },
    {
        "549755885175": [{"DATE": "2026-11-01", "SPEND_IN_DOLLAR": 0.5}] * 3,
        "5497558851\u00e976": [],
        "empty": [{}],
        "note": {"nested": [[], [{}]]},
        "n": -1.5e-07,
        "s": "]",
    },
    {},
    {"data": []},
]


@pytest.mark.parametrize("body", TRICKY_BODIES)
@pytest.mark.parametrize("indent", [None, 2])
def test_every_chunk_boundary_gives_the_whole_parse(
    body: dict[str, Any], indent: int | None
) -> None:
    text = json.dumps(body, indent=indent).encode()
    expected = whole(msgspec.json.decode(text))
    for chunks in split_everywhere(text):
        assert list(iter_members(chunks)) == expected, chunks


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (b"", "empty body"),
        (b'{"data": [{"a": 1}', "the body is malformed or cut short: its object never closes"),
        (b'{"data": [{"a": 1},]}', "an array ends with ','"),
        (b'{"data": [{"a": 1} {"b": 2}]}', "expected ',' or ']' between items"),
        (b'{"data": []} x', "text after the object"),
        (b'{"data": [], }', "expected a member's key"),
        (b'{"data": [] "x": 1}', "expected ',' or '}' between members"),
    ],
)
def test_malformed_text_is_a_value_error(text: bytes, problem: str) -> None:
    for chunks in ([text], [text[i : i + 1] for i in range(len(text))]):
        with pytest.raises(ValueError, match=r"^") as excinfo:
            list(iter_members(chunks))
        assert str(excinfo.value) == problem


def test_a_body_that_is_not_an_object_is_named() -> None:
    with pytest.raises(NotAnObjectError) as excinfo:
        list(iter_members([b" [1,", b" 2]"]))
    assert excinfo.value.body == [1, 2]


def test_real_answers_decode_as_they_would_whole(fake_api: FakePinterestAPI) -> None:
    """A targeting answer and a report, fetched from the fake, at every 97-byte boundary."""
    fake_api.reset(SMALL)
    config = config_for(fake_api, days_ago(2), analytics_source="reports", report_poll_seconds=0.01)
    run_sync(config, catalog=narrow({"ad_targeting_analytics"}, config))
    links = [c.path for c in fake_api.calls(r"/report-files/report-\d+")]
    sync = config_for(fake_api, days_ago(2))
    run_sync(sync, catalog=narrow({"ad_targeting_analytics"}, sync))
    answers = [requests.get(f"http://{fake_api.host}:{fake_api.port}{links[0]}", timeout=10)]
    call = fake_api.calls(TARGETING)[0]
    answers.append(
        requests.get(
            f"http://{fake_api.host}:{fake_api.port}{call.path}?{call.query_string}",
            headers={"Authorization": "Bearer demo-access-token"},
            timeout=10,
        )
    )
    for answer in answers:
        text = answer.content
        expected = whole(EXACT_DECODER.decode(text))
        assert len(expected) > 10
        for offset in range(0, 97, 13):
            pieces = [text[:offset]] + [text[i : i + 97] for i in range(offset, len(text), 97)]
            assert list(iter_members(pieces)) == expected


# Over HTTP: the tap's records -----------------------------------------------------


def narrow(streams: set[str], config: dict[str, Any]) -> dict[str, Any]:
    catalog = catalog_selecting(config, streams)
    for stream in streams:
        deselect_properties(catalog, stream, KEPT | MEANING)
    return catalog


def sync_twice(
    fake_api: FakePinterestAPI, config: dict[str, Any], stream: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(records read with 64 KiB reads, records read from 7- and 61-byte chunks)."""
    fake_api.reset(SMALL)
    catalog = narrow({stream}, config)
    whole_run = run_sync(config, catalog=catalog)
    calls = len(fake_api.log)
    chunked = []
    for size in (7, 61):
        fake_api.reset(SMALL)
        fake_api.chunk_bytes = size
        run = run_sync(config, catalog=catalog)
        assert run.final_state == whole_run.final_state
        assert len(fake_api.log) == calls
        chunked.append(run.stream(stream))
    assert chunked[0] == chunked[1]
    return whole_run.stream(stream), chunked[0]


def test_targeting_answers_in_tiny_chunks_give_the_same_records(
    fake_api: FakePinterestAPI,
) -> None:
    config = config_for(fake_api, days_ago(2))
    records, chunked = sync_twice(fake_api, config, "ad_targeting_analytics")
    # 2 accounts x 4 ads x 3 days x 24 targeting values of the default types.
    assert len(records) == 2 * 4 * 3 * 24
    assert chunked == records


def test_reports_in_tiny_chunks_give_the_same_records(fake_api: FakePinterestAPI) -> None:
    config = config_for(fake_api, days_ago(2), analytics_source="reports", report_poll_seconds=0.01)
    records, chunked = sync_twice(fake_api, config, "ad_targeting_analytics")
    assert len(records) == 2 * 4 * 3 * 24
    assert chunked == records
    plain, plain_chunked = sync_twice(fake_api, config, "ad_analytics")
    assert len(plain) == 2 * 4 * 3
    assert plain_chunked == plain


def test_a_download_broken_midway_is_read_again_without_repeats(
    fake_api: FakePinterestAPI,
) -> None:
    config = config_for(fake_api, days_ago(2), analytics_source="reports", report_poll_seconds=0.01)
    records, _ = sync_twice(fake_api, config, "ad_targeting_analytics")
    fake_api.reset(SMALL)
    fake_api.break_body(REPORT_FILES, after_bytes=3000)
    again = run_sync(config, catalog=narrow({"ad_targeting_analytics"}, config))
    assert again.stream("ad_targeting_analytics") == records
    assert [c.status for c in fake_api.calls(r"/report-files/report-\d+")] == [200, 200, 200]


# Malformed and cut answers ----------------------------------------------------------


def bookmarks(state: dict[str, Any], stream: str) -> dict[str, Any]:
    return {
        p["context"]["ad_account_id"]: p.get("replication_key_value")
        for p in state.get("bookmarks", {}).get(stream, {}).get("partitions", [])
    }


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            b'{"data": [{"targeting_type": "GENDER", "targeting_value": "female", "metr',
            "with a body that is not JSON",
        ),
        (b'{"data": {"targeting_type": "GENDER"}}', "without a data list (dict body)"),
        (b'[{"targeting_type": "GENDER"}]', "without a data list (list body)"),
        (b'{"items": []}', "without a data list (dict body)"),
    ],
)
def test_a_bad_targeting_answer_is_one_line_and_moves_no_bookmark(
    fake_api: FakePinterestAPI, body: bytes, problem: str
) -> None:
    fake_api.reset(SMALL)
    config = config_for(fake_api, days_ago(2))
    old = {ACCOUNT_1: days_ago(5).isoformat(), ACCOUNT_2: days_ago(5).isoformat()}
    state = {
        "bookmarks": {
            "ad_targeting_analytics": {
                "partitions": [
                    {
                        "context": {"ad_account_id": account},
                        "replication_key": "DATE",
                        "replication_key_value": value,
                    }
                    for account, value in old.items()
                ]
            }
        }
    }
    fake_api.inject_raw(TARGETING, body, times=1)
    result, error = run_failing(config, {"ad_targeting_analytics"}, state=state)
    assert len(error.failures) == 1
    line = error.failures[0].problem
    assert line == f"Pinterest answered /ad_accounts/{ACCOUNT_1}/ads/targeting_analytics {problem}"
    assert "\n" not in line
    assert bookmarks(result.final_state, "ad_targeting_analytics")[ACCOUNT_1] == old[ACCOUNT_1]
    assert bookmarks(result.final_state, "ad_targeting_analytics")[ACCOUNT_2] != old[ACCOUNT_2]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            b'{"549755885175": [{"DATE": "2026-01-01", "TARGETING_TYPE": "GEN',
            (
                "with a body that is not JSON (the body is malformed or cut short: its object "
                "never closes)"
            ),
        ),
        (b'{"549755885175": 3}', "whose 549755885175 is not rows"),
        (b'[{"DATE": "2026-01-01"}]', "that is not an object keyed by entity id (list)"),
    ],
)
def test_a_bad_report_is_one_line_and_moves_no_bookmark(
    fake_api: FakePinterestAPI, body: bytes, problem: str
) -> None:
    fake_api.reset(SMALL)
    start, end = days_ago(3), days_ago(1)
    config = config_for(fake_api, start, end, analytics_source="reports", report_poll_seconds=0.01)
    fake_api.inject_raw(REPORT_FILES, body, times=1)
    result, error = run_failing(config, {"ad_targeting_analytics"})
    line = error.failures[0].problem
    assert "\n" not in line
    assert problem in line
    assert line.startswith(("Pinterest sent a report for ", "Pinterest answered the report for "))
    assert f"ad account {ACCOUNT_1}, level PIN_PROMOTION_TARGETING, {start} to {end}" in line
    assert ACCOUNT_1 not in bookmarks(result.final_state, "ad_targeting_analytics") or (
        bookmarks(result.final_state, "ad_targeting_analytics")[ACCOUNT_1] is None
    )
    assert bookmarks(result.final_state, "ad_targeting_analytics")[ACCOUNT_2] == end.isoformat()
