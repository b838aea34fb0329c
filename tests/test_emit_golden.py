"""The emit path writes the same records as before issue 10, and exact numbers.

tests/golden/records.jsonl holds the RECORD lines the tap wrote, before the emit-path
rewrite, for the raw answers in tests/golden/answers/ (all 175 ads columns, hourly rows,
pin and user analytics, entity lists, and edge values). Records must match it value for
value and number text for number text; only key order may differ (and, stronger, the
lines are the same bytes but for time_extracted).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.golden.every_stream import GOLDEN as EVERY_STREAM
from tests.golden.every_stream import all_streams, digests, golden_every_stream
from tests.golden.scenario import golden_syncs

if TYPE_CHECKING:
    from tests.fake_api import FakePinterestAPI

GOLDEN = Path(__file__).resolve().parent / "golden" / "records.jsonl"


class NumberText(str):
    """A JSON number kept as the exact text written (`1.5` is not `1.50`, `5e-06`...)."""

    __slots__ = ()


def stream_and_record(line: str) -> tuple[str, dict[str, Any]]:
    """Parse one RECORD line keeping each number's text; time_extracted is ignored."""
    message = json.loads(line, parse_float=NumberText, parse_int=NumberText)
    return message["stream"], message["record"]


def typed(value: Any) -> Any:
    """Tell a number's text from a string of the same characters."""
    if isinstance(value, NumberText):
        return ("number", str(value))
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    return value


def test_records_are_the_same_as_before_apart_from_key_order(
    fake_api: FakePinterestAPI,
) -> None:
    expected = [stream_and_record(line) for line in GOLDEN.read_text("utf-8").splitlines()]
    actual = [stream_and_record(line) for line in golden_syncs(fake_api)]
    assert [s for s, _ in actual] == [s for s, _ in expected]
    assert len(actual) == 27
    for (stream, got), (_, want) in zip(actual, expected, strict=True):
        assert typed(got) == typed(want), stream


def without_time_extracted(line: str) -> str:
    return re.sub(r',"time_extracted":"[^"]*"', "", line)


def test_record_lines_are_the_same_bytes_as_before(fake_api: FakePinterestAPI) -> None:
    """Stronger than the promise: even key order and escapes are unchanged."""
    expected = GOLDEN.read_text("utf-8").splitlines(keepends=True)
    actual = list(golden_syncs(fake_api))
    assert list(map(without_time_extracted, actual)) == list(map(without_time_extracted, expected))


def test_golden_edge_values_are_in_the_golden_file() -> None:
    """The file covers what it claims: text, escapes, exponents and exact big integers."""
    edge = next(
        record
        for stream, record in map(stream_and_record, GOLDEN.read_text("utf-8").splitlines())
        if stream == "ad_analytics" and record.get("AD_NAME") == "}"
    )
    assert edge["AD_ID"] == "687195134316"
    assert edge["CAMPAIGN_NAME"] == 'Été ☃ "q" {b} [c] \\ \x01 😀'
    assert typed(edge["CTR"]) == ("number", "5e-06")
    assert typed(edge["SPEND_IN_DOLLAR"]) == ("number", "1.5")
    assert Decimal(edge["SPEND_IN_MICRO_DOLLAR"]) == 2**53 + 1
    assert "UNKNOWN_NEW_COLUMN" not in edge


def test_every_stream_writes_the_same_records_states_and_calls_as_before(
    fake_api: FakePinterestAPI,
) -> None:
    """Issue 17: each stream's lines are byte-identical to the code before the redesign.

    tests/golden/every_stream.jsonl holds, per scenario, run (fresh, then resumed from its
    state), stream and kind (SCHEMA, RECORD, STATE: the stream's bookmarks as they change,
    CALL; and the run's FINAL STATE), the count and sha256 of the lines;
    `python -m tests.golden.every_stream --full PATH` writes the lines themselves.
    """
    expected = [json.loads(line) for line in EVERY_STREAM.read_text("utf-8").splitlines()]
    actual = [json.loads(line) for line in digests(golden_every_stream(fake_api))]

    # Each stream's messages in order, streams in any order (issue 19 syncs an account's
    # report-backed streams last); calls per path, in any order (reports created first).
    def by_stream(lines: list[dict[str, Any]]) -> dict[tuple[str, ...], Any]:
        return {
            (line["scenario"], line["run"], line["stream"], line["kind"]): line
            for line in lines
            if line["kind"] != "CALL"
        }

    messages, got_messages = by_stream(expected), by_stream(actual)
    keys = messages.keys() | got_messages.keys()
    differing: list[Any] = sorted(k for k in keys if messages.get(k) != got_messages.get(k))
    calls = {json.dumps(line, sort_keys=True) for line in expected if line["kind"] == "CALL"}
    got_calls = {json.dumps(line, sort_keys=True) for line in actual if line["kind"] == "CALL"}
    differing += sorted(calls ^ got_calls)
    assert differing == []
    assert len(actual) == len(expected)
    assert {line["stream"] for line in expected if line["kind"] == "SCHEMA"} == all_streams()
    recorded = {line["stream"] for line in expected if line["kind"] == "RECORD"}
    # The small scale has no video pin and no promoted product group.
    assert all_streams() - recorded == {"top_video_pins_analytics", "product_group_promotions"}
