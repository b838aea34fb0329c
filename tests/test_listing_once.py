"""A list is read once per run: pins serve both `pins` and `pin_analytics`.

The SDK syncs streams by name, so pin_analytics (which needs every pin id) runs before
pins; either way round, GET /pins must be walked once.
"""

from __future__ import annotations

import contextlib
import io
import json
from typing import TYPE_CHECKING, Any

import pytest
from typing_extensions import override

from tap_pinterest.tap import TapPinterest
from tests.tap_runner import SyncResult, catalog_selecting, run_sync

if TYPE_CHECKING:
    from singer_sdk.streams import Stream

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
