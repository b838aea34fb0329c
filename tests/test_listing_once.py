"""A list is read once per run, whichever of its readers syncs first.

The SDK syncs streams by name, so pin_analytics (which needs every pin id) runs before
pins; either way round, GET /pins must be walked once. Likewise keywords, which needs
every campaign and ad group id, and the incremental campaigns and ad_groups streams.
"""

from __future__ import annotations

import contextlib
import io
import json
from typing import TYPE_CHECKING, Any

import pytest
from typing_extensions import override

from tap_pinterest import streams
from tap_pinterest.streams.ads import AdGroupsStream, CampaignsStream, KeywordsStream
from tap_pinterest.tap import TapPinterest
from tests.tap_runner import SyncResult, catalog_selecting, run_sync

if TYPE_CHECKING:
    from singer_sdk.streams import Stream

    from tap_pinterest.client import PinterestStream
    from tests.fake_api import FakePinterestAPI

STREAMS = {"pins", "pin_analytics"}


class PinsFirstTap(TapPinterest):
    """The same tap with the top-level sync order reversed (pins before pin_analytics)."""

    @property
    @override
    def streams(self) -> dict[str, Stream]:
        return dict(reversed(super().streams.items()))


def run_pins_first(config: dict[str, Any]) -> SyncResult:
    catalog = catalog_selecting(config, STREAMS)
    tap = PinsFirstTap(config=config, catalog=catalog, parse_env_config=False)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        tap.sync_all()
    return SyncResult([json.loads(line) for line in buffer.getvalue().splitlines() if line])


def first_record_stream(result: SyncResult) -> str:
    return str(next(m["stream"] for m in result.messages if m["type"] == "RECORD"))


@pytest.mark.parametrize("order", ["sdk", "pins_first"])
def test_pins_are_listed_once_per_run(
    fake_api: FakePinterestAPI, static_config: dict[str, Any], order: str
) -> None:
    config = {**static_config, "page_size": 5}
    result = run_sync(config, streams=STREAMS) if order == "sdk" else run_pins_first(config)
    assert first_record_stream(result) == ("pin_analytics" if order == "sdk" else "pins")

    # 21 pins at 5 a page: 5 pages, once.
    pages = fake_api.calls(r"/v5/pins")
    assert len(pages) == 5
    assert all(p.query["include_protected_pins"] == ["true"] for p in pages)
    assert result.stream("pins") == fake_api.data.pins
    pin_ids = [p["id"] for p in fake_api.data.pins]
    assert {r["pin_id"] for r in result.stream("pin_analytics")} == set(pin_ids)
    (analytics_call,) = fake_api.calls(r"/v5/pins/analytics")  # 21 pins: one batch
    assert [v for raw in analytics_call.query["pin_ids"] for v in raw.split(",")] == pin_ids


def test_pin_analytics_alone_lists_pins_without_keeping_them(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    result = run_sync({**static_config, "page_size": 5}, streams={"pin_analytics"})
    assert len(fake_api.calls(r"/v5/pins")) == 5
    assert result.stream("pins") == []
    assert len({r["pin_id"] for r in result.stream("pin_analytics")}) == 21


class KeywordsFirstTap(TapPinterest):
    """The same tap with keywords synced before the campaigns and ad groups it needs."""

    @override
    def discover_streams(self) -> list[Stream]:
        producers = (CampaignsStream, AdGroupsStream)
        order: list[type[PinterestStream]] = [
            KeywordsStream,
            *(t for t in streams.STREAM_TYPES if t is not KeywordsStream),
        ]
        assert order.index(KeywordsStream) < min(order.index(t) for t in producers)
        return [stream_type(tap=self) for stream_type in order]


ENTITY_STREAMS = {"campaigns", "ad_groups", "keywords"}


def run_keywords_first(config: dict[str, Any], state: dict[str, Any] | None = None) -> SyncResult:
    catalog = catalog_selecting(config, ENTITY_STREAMS)
    tap = KeywordsFirstTap(config=config, catalog=catalog, state=state, parse_env_config=False)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        tap.sync_all()
    return SyncResult([json.loads(line) for line in buffer.getvalue().splitlines() if line])


def list_calls(fake_api: FakePinterestAPI) -> list[str]:
    return [call.path for call in fake_api.log if call.path.endswith(("/campaigns", "/ad_groups"))]


def test_lists_are_read_once_when_their_consumer_syncs_first(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """Same records, same state, and each list read once, in either sync order."""
    usual = run_sync(static_config, streams=ENTITY_STREAMS)
    usual_calls = list_calls(fake_api)
    fake_api.reset()
    reordered = run_keywords_first(static_config)

    assert first_record_stream(reordered) == "keywords"
    assert first_record_stream(usual) == "campaigns"
    # Two ad accounts, one page each of campaigns and of ad groups: four lists, once each.
    assert sorted(list_calls(fake_api)) == sorted(usual_calls)
    assert len(usual_calls) == 4
    for name in ENTITY_STREAMS:
        assert sorted(reordered.stream(name), key=lambda r: r["id"]) == sorted(
            usual.stream(name), key=lambda r: r["id"]
        ), name
    assert reordered.final_state == usual.final_state
    assert len(reordered.stream("campaigns")) == sum(map(len, fake_api.data.campaigns.values()))

    # From that state the kept listing gives the same rows: every one (FULL_TABLE, issue 16).
    fake_api.reset()
    usual_again = run_sync(static_config, streams=ENTITY_STREAMS, state=usual.final_state)
    fake_api.reset()
    again = run_keywords_first(static_config, state=reordered.final_state)
    assert len(list_calls(fake_api)) == 4
    for name in ("campaigns", "ad_groups"):
        assert again.stream(name) == usual_again.stream(name), name
        assert len(again.stream(name)) == len(reordered.stream(name)), name
