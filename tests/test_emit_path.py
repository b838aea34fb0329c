"""Issue 10's emit path: streamed answers, exact numbers, the SDK's exact text, clear errors."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import random
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from itertools import accumulate
from typing import TYPE_CHECKING, Any

import pytest
from singer_sdk.singerlib.encoding.simple import RecordMessage, StateMessage
from singer_sdk.singerlib.json import serialize_json
from singer_sdk.streams.core import Stream

from tap_pinterest.analytics_columns import ADS_COLUMNS
from tap_pinterest.errors import PinterestAPIError, QuotaExhaustedError
from tap_pinterest.json_rows import (
    EXACT_DECODER,
    NotAnArrayError,
    ReprFloat,
    exact_number,
    iter_array_items,
)
from tap_pinterest.tap import TapPinterest
from tap_pinterest.writer import (
    RECORD_WRITE_BYTES,
    SingerLineWriter,
    TypedRecordMessage,
    serialize_line,
)
from tests.fake_api.server import DEFAULT_STATIC_TOKEN
from tests.golden.scenario import record_lines
from tests.tap_runner import catalog_selecting, deselect_properties, run_sync

if TYPE_CHECKING:
    from tests.fake_api import FakePinterestAPI

ADS_ANALYTICS = r"/v5/ad_accounts/\d+/ads/analytics"
TRICKY_ARRAY = (
    b' [ {"a": "}", "b": "]\\"}", "c": [1, {"d": "}"}], "e": 1.50},\n'
    b'{"a": "x\\\\", "n": null, "t": true, "f": 5e-06, "big": 123456789012345678901234567890},'
    b'{}, [], "text", 7 , {"z": 1234567890123456.78}\n]\n'
)


def config(api: FakePinterestAPI, **extra: Any) -> dict[str, Any]:
    start = datetime.now(tz=timezone.utc).date() - timedelta(days=3)
    return {
        "access_token": DEFAULT_STATIC_TOKEN,
        "api_url": api.url,
        "start_date": start.isoformat(),
        **extra,
    }


# ------------------------------------------------------------------ decoding
@pytest.mark.parametrize("size", [1, 2, 3, 7, 16, 64, 10_000])
def test_every_chunking_decodes_the_same_items(size: int) -> None:
    chunks = [TRICKY_ARRAY[i : i + size] for i in range(0, len(TRICKY_ARRAY), size)]
    items = list(iter_array_items(chunks))
    assert items == EXACT_DECODER.decode(TRICKY_ARRAY)
    assert len(items) == 7
    assert items[0] == {"a": "}", "b": ']"}', "c": [1, {"d": "}"}], "e": 1.5}
    assert items[1]["big"] == 123456789012345678901234567890
    assert items[6] == {"z": Decimal("1234567890123456.78")}


@pytest.mark.parametrize("body", [b"[]", b" [ ] ", b"[\n]\n"])
def test_empty_arrays_have_no_items(body: bytes) -> None:
    assert list(iter_array_items([body[:1], body[1:]])) == []


def test_a_body_that_is_not_an_array_is_returned_with_the_error() -> None:
    with pytest.raises(NotAnArrayError) as excinfo:
        list(iter_array_items([b' {"code": 1, ', b'"message": "no"}']))
    assert excinfo.value.body == {"code": 1, "message": "no"}


@pytest.mark.parametrize("body", [b"", b"[{", b'[{"a": 1}', b"[1,,2]", b"[1] 2", b"nope"])
def test_broken_bodies_are_value_errors(body: bytes) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - NotAnArrayError is one too; both fail
        list(iter_array_items([body]))


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("1.50", 1.5, float),
        ("0.1", 0.1, float),
        ("-0.0", -0.0, float),
        ("1E+2", 100.0, float),
        ("5e-06", 5e-06, ReprFloat),
        ("0.000005", 5e-06, ReprFloat),
        ("1e16", 1e16, ReprFloat),
        ("1234567890123456.78", Decimal("1234567890123456.78"), Decimal),
        (
            "0.1000000000000000055511151231257827",
            Decimal("0.1000000000000000055511151231257827"),
            Decimal,
        ),
        ("1e400", Decimal("1e400"), Decimal),
    ],
)
def test_numbers_are_floats_only_when_exact(text: str, value: Any, kind: type) -> None:
    number = exact_number(text)
    assert type(number) is kind
    assert number == value
    assert Decimal(repr(number) if isinstance(number, float) else str(number)) == Decimal(text)


# ------------------------------------------------------------------ writing
def tricky_values() -> list[Any]:
    rng = random.Random(10)  # noqa: S311 - reproducible test values
    floats = [rng.uniform(-1, 1) * 10 ** rng.randint(-30, 30) for _ in range(300)]
    rates = [round(rng.random(), 6) for _ in range(300)]
    texts = [chr(i) + "x" for i in range(300)] + ["Été ☃", "e-commerce", "0.00001", "\u2028"]
    decimals = [
        Decimal(rng.randint(-(10**20), 10**20)).scaleb(rng.randint(-30, 5)) for _ in range(300)
    ]
    parsed = [exact_number(repr(f)) for f in floats + rates]
    specials = [float("nan"), float("inf"), -0.0, 0.0, 10**30, True, None, [1.5, {"k": 1e-7}]]
    return floats + rates + texts + decimals + parsed + specials


def test_lines_are_what_the_sdk_writer_writes() -> None:
    extracted = datetime(2026, 11, 30, 12, 0, 1, 5, tzinfo=timezone.utc)
    values = tricky_values()
    for start in range(0, len(values), 7):
        record = {f"C{i}": v for i, v in enumerate(values[start : start + 7])}
        message = RecordMessage(stream="s", record=record, time_extracted=extracted)
        assert serialize_line(message) == serialize_json(message.to_dict()).encode(), record
    parsed = [exact_number(repr(v)) for v in values if type(v) is float]
    for start in range(0, len(parsed), 7):
        record = {f"C{i}": v for i, v in enumerate(parsed[start : start + 7])}
        typed = TypedRecordMessage(stream="s", record=record, time_extracted=extracted)
        assert serialize_line(typed) == serialize_json(typed.to_dict()).encode(), record
    state = StateMessage(value={"bookmarks": {"s": {"replication_key_value": "2026-11-30"}}})
    assert serialize_line(state) == serialize_json(state.to_dict()).encode()


def test_records_are_gathered_and_written_before_the_next_state(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A binary stdout, as the tap's process has: records wait in 64 KiB batches; a STATE
    # writes every record before it, then itself; write_pending writes what is left.
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="utf-8"))
    writer = SingerLineWriter()
    record = RecordMessage(stream="s", record={"v": "x" * 1000})
    line = serialize_line(record) + b"\n"
    state = StateMessage(value={"bookmarks": {}})
    for _ in range(3):
        writer.write_message(record)
    assert raw.getvalue() == b""
    writer.write_message(state)
    assert raw.getvalue() == line * 3 + serialize_line(state) + b"\n"
    raw.seek(0)
    raw.truncate()
    batch = -(-RECORD_WRITE_BYTES // len(line))  # the record that reaches 64 KiB
    for _ in range(batch + 2):
        writer.write_message(record)
    assert raw.getvalue() == line * batch
    writer.write_pending()
    assert raw.getvalue() == line * (batch + 2)


class BrokenPipeOnce(io.BytesIO):
    """A stdout whose first write fails (the target went away), then works."""

    failed = False

    def write(self, data: Any) -> int:
        if not self.failed:
            self.failed = True
            raise BrokenPipeError
        return super().write(data)


def test_a_batch_whose_write_failed_is_not_sent_again(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = BrokenPipeOnce()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="utf-8"))
    writer = SingerLineWriter()
    record = RecordMessage(stream="s", record={"v": "x" * 1000})
    with pytest.raises(BrokenPipeError):
        writer.write_message(StateMessage(value={}))
    writer.write_message(record)
    writer.write_pending()
    assert raw.getvalue() == serialize_line(record) + b"\n"


def test_records_gathered_when_a_sync_breaks_off_are_written(fake_api: FakePinterestAPI) -> None:
    # The quota runs out on the partition's second call: the rows of its first call
    # (gathered, under 64 KiB, no STATE after them) must still reach stdout.
    fake_api.inject(ADS_ANALYTICS, 429, times=20, headers={"Retry-After": "0"}, after=1)
    # The least URL allowed; one call at a time, so the first call sent is the one answered.
    cfg = config(fake_api, max_url_length=2000, max_concurrent_requests=1)
    catalog = catalog_selecting(cfg, {"ad_accounts", "ad_analytics"})
    # Columns filling about 1,400 bytes of the URL: a few ads a call, so several calls.
    columns = list(accumulate(ADS_COLUMNS, lambda text, column: f"{text},{column}"))
    kept = next(text for text in columns if len(text) > 1400).split(",")
    deselect_properties(catalog, "ad_analytics", set(kept))
    tap = TapPinterest(config=cfg, catalog=catalog, parse_env_config=False)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(QuotaExhaustedError):
        tap.sync_all()
    messages = [json.loads(line) for line in out.getvalue().splitlines()]
    rows = [m for m in messages if m["type"] == "RECORD" and m["stream"] == "ad_analytics"]
    first_call = fake_api.calls(ADS_ANALYTICS)[0]
    ads_asked = sum(len(ids.split(",")) for ids in first_call.query["ad_ids"])
    assert len(rows) == ads_asked * 4  # every ad of the first call, 4 days each
    assert messages[-1]["type"] == "RECORD"  # no STATE covers them


# ------------------------------------------------------------------ over HTTP
def ad_rows(fake_api: FakePinterestAPI, **extra: Any) -> list[dict[str, Any]]:
    result = run_sync(config(fake_api, **extra), streams={"ad_accounts", "ad_analytics"})
    return result.stream("ad_analytics")


def test_a_body_broken_mid_answer_is_asked_again_without_duplicates(
    fake_api: FakePinterestAPI, caplog: pytest.LogCaptureFixture
) -> None:
    expected = ad_rows(fake_api)
    calls = len(fake_api.calls(ADS_ANALYTICS))
    assert len(expected) == 2 * 48 * 4  # 2 accounts x 48 ads x 4 days
    fake_api.clear_log()

    fake_api.break_body(ADS_ANALYTICS, after_bytes=20_000)
    caplog.set_level(logging.WARNING)
    assert ad_rows(fake_api) == expected
    assert len(fake_api.calls(ADS_ANALYTICS)) == calls + 1
    assert "broke off" in caplog.text


def test_a_body_broken_every_time_fails_clearly(fake_api: FakePinterestAPI) -> None:
    fake_api.break_body(ADS_ANALYTICS, after_bytes=5_000, times=100)
    fail_fast = config(fake_api, on_stream_error="fail")  # checks the stop-at-once line
    with pytest.raises(PinterestAPIError, match=r"Gave up after 8 tries: .* reading /ad_acc"):
        run_sync(fail_fast, streams={"ad_accounts", "ad_analytics"})


def raw_ad_answer(rows: str) -> bytes:
    return ("[" + rows + "]").encode()


def test_money_and_micro_dollars_keep_every_digit(fake_api: FakePinterestAPI) -> None:
    """The written lines carry the exact numbers the answer had."""
    row = (
        '{"AD_ID": "687195134316", "DATE": "2026-11-29", "SPEND_IN_DOLLAR": 1234567890123456.78,'
        ' "SPEND_IN_MICRO_DOLLAR": 123456789012345678901234567890, "CTR": 0.1234567890123456789,'
        ' "CPM_IN_DOLLAR": 12.34, "ECTR": 5e-06}'
    )
    fake_api.inject_raw(ADS_ANALYTICS, raw_ad_answer(row), times=10)
    lines = record_lines(config(fake_api), {"ad_accounts", "ad_analytics"})
    analytics = [line for line in lines if '"stream":"ad_analytics"' in line]
    assert len(analytics) == 2  # one per ad account
    for text in analytics:
        assert '"SPEND_IN_DOLLAR":1234567890123456.78,' in text
        assert '"SPEND_IN_MICRO_DOLLAR":123456789012345678901234567890,' in text
        assert '"CTR":0.1234567890123456789,' in text
        assert '"CPM_IN_DOLLAR":12.34,' in text
        assert '"ECTR":5e-06,' in text


def test_an_answer_that_is_not_a_list_is_a_clear_error(fake_api: FakePinterestAPI) -> None:
    fake_api.inject_raw(ADS_ANALYTICS, b'{"items": []}', times=10)
    with pytest.raises(PinterestAPIError, match=r"ads/analytics with dict, not a list of rows;"):
        ad_rows(fake_api, on_stream_error="fail")


def test_an_answer_that_is_not_json_is_a_clear_error(fake_api: FakePinterestAPI) -> None:
    fake_api.inject_raw(ADS_ANALYTICS, b'[{"AD_ID": "1", "DATE": ', times=10)
    with pytest.raises(PinterestAPIError, match=r"ads/analytics with a body that is not JSON;"):
        ad_rows(fake_api, on_stream_error="fail")


def test_a_value_of_the_wrong_type_is_converted_as_before(fake_api: FakePinterestAPI) -> None:
    row = (
        '{"AD_ID": 687195134316, "DATE": "2026-11-29", "AD_GROUP_ID": 12, "CTR": "0.25",'
        ' "IS_PREMIERE_CAMPAIGN": "true", "SPEND_IN_DOLLAR": null}'
    )
    fake_api.inject_raw(ADS_ANALYTICS, raw_ad_answer(row), times=10)
    record = ad_rows(fake_api)[0]
    assert record["AD_ID"] == "687195134316"
    assert record["AD_GROUP_ID"] == "12"
    assert record["CTR"] == 0.25
    assert record["IS_PREMIERE_CAMPAIGN"] is True
    assert record["SPEND_IN_DOLLAR"] is None


def test_a_non_numeric_metric_is_a_clear_error(fake_api: FakePinterestAPI) -> None:
    row = '{"AD_ID": "1", "DATE": "2026-11-29", "CTR": "high"}'
    fake_api.inject_raw(ADS_ANALYTICS, raw_ad_answer(row), times=10)
    with pytest.raises(PinterestAPIError, match="non-numeric value for analytics column CTR"):
        ad_rows(fake_api, on_stream_error="fail")


USER_ANALYTICS = r"/v5/user_account/analytics"


def user_answer(metrics: str) -> bytes:
    return (
        '{"all": {"daily_metrics": [{"date": "2026-11-29", "data_status": "READY",'
        f' "metrics": {{{metrics}}}}}]}}}}'
    ).encode()


def test_organic_metrics_are_typed_and_unknown_ones_dropped(
    fake_api: FakePinterestAPI, caplog: pytest.LogCaptureFixture
) -> None:
    fake_api.inject_raw(
        USER_ANALYTICS, user_answer('"IMPRESSION": "12", "SAVE_RATE": 5e-06, "NEW_METRIC": 3')
    )
    caplog.set_level(logging.WARNING)
    result = run_sync(config(fake_api), streams={"user_account_analytics"})
    [record] = result.stream("user_account_analytics")
    assert record["IMPRESSION"] == 12
    assert record["SAVE_RATE"] == 5e-06
    assert "NEW_METRIC" not in record
    assert "Pinterest sent metric NEW_METRIC, which the schema does not know" in caplog.text


def test_a_non_numeric_organic_metric_is_a_clear_error(fake_api: FakePinterestAPI) -> None:
    fake_api.inject_raw(USER_ANALYTICS, user_answer('"IMPRESSION": "many"'))
    with pytest.raises(PinterestAPIError, match="non-numeric value for metric IMPRESSION"):
        run_sync(config(fake_api, on_stream_error="fail"), streams={"user_account_analytics"})


# ------------------------------------------------------------------ state
def test_bookmark_shortcut_keeps_what_the_sdk_would_keep(fake_api: FakePinterestAPI) -> None:
    # Rows whose date their partition already passed skip the SDK's state call: over
    # shuffled dates, partitions taking turns and null dates, the state must be the SDK's.
    rng = random.Random(12)  # noqa: S311 - reproducible test values
    fast = TapPinterest(config=config(fake_api), parse_env_config=False).streams["ad_analytics"]
    plain = TapPinterest(config=config(fake_api), parse_env_config=False).streams["ad_analytics"]
    partitions = [{"ad_account_id": "1"}, {"ad_account_id": "2"}]
    greatest: dict[str, str] = {}
    for step in range(600):
        context = partitions[min(step // 200, 1)] if step < 400 else rng.choice(partitions)
        day = f"2026-0{rng.randint(1, 9)}-{rng.randint(10, 28)}" if step % 97 else None
        if day is not None:
            account = context["ad_account_id"]
            greatest[account] = max(greatest.get(account, day), day)
        fast._increment_stream_state({"DATE": day}, context=context)
        Stream._increment_stream_state(plain, {"DATE": day}, context=context)
    assert fast.tap_state == plain.tap_state
    # The same stream synced again (a new partition start, no context): nothing skipped.
    for stream in (fast, plain):
        stream._finalize_state(stream.get_context_state(None))
        stream._write_starting_replication_value(None)
    for _ in range(2):
        fast._increment_stream_state({"DATE": "2026-09-28"}, context=None)
        Stream._increment_stream_state(plain, {"DATE": "2026-09-28"}, context=None)
    for stream in (fast, plain):
        stream._finalize_state(stream.get_context_state(None))
        stream._write_starting_replication_value(None)
    fast._increment_stream_state({"DATE": "2026-01-10"}, context=None)
    Stream._increment_stream_state(plain, {"DATE": "2026-01-10"}, context=None)
    assert fast.tap_state == plain.tap_state
    kept = {
        p["context"]["ad_account_id"]: p["progress_markers"]["replication_key_value"]
        for p in fast.tap_state["bookmarks"]["ad_analytics"]["partitions"]
    }
    assert kept == greatest
