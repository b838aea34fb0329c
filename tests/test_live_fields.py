"""Fields the live API sends beyond the bundled 5.23.0 spec reach the output.

The fake sends them as Pinterest does (tests/fake_api/data.py); the SDK would drop each
one with a "not found in catalog schema" warning if the schema did not list it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from tap_pinterest.schemas import to_json_schema
from tap_pinterest.schemas.live_fields import LIVE_FIELDS
from tests.tap_runner import run_sync

if TYPE_CHECKING:
    import pytest

    from tests.fake_api import FakePinterestAPI

STREAMS = {"ad_accounts", "ad_groups", "pins"}


def test_live_fields_are_emitted(
    fake_api: FakePinterestAPI, static_config: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """time_zone on ad accounts, placement_traffic_type on ad groups, note and more on pins."""
    with caplog.at_level(logging.WARNING):
        result = run_sync(static_config, streams=STREAMS)
    accounts = result.stream("ad_accounts")
    assert [(a["id"], a["time_zone"]) for a in accounts] == [
        ("549755885175", "Pacific/Kiritimati"),
        ("549755885176", "Pacific/Pago_Pago"),
    ]
    assert accounts == fake_api.data.ad_accounts
    groups = result.stream("ad_groups")
    assert len(groups) == 48
    assert {g["placement_traffic_type"] for g in groups} == {"BROWSE", "SEARCH"}
    pins = result.stream("pins")
    assert pins == fake_api.data.pins
    assert pins[0]["note"] == "Private note 1"
    assert pins[1]["note"] is None
    assert [p["id"] for p in pins if p["is_product"]] == [
        p["id"] for n, p in enumerate(fake_api.data.pins) if n % 5 == 0
    ]
    assert all(p["product_tags"] == [] for p in pins)
    schemas = {m["stream"]: m["schema"] for m in result.messages if m["type"] == "SCHEMA"}
    assert schemas["ad_accounts"]["properties"]["time_zone"]["type"] == ["string", "null"]
    dropped = [
        r.getMessage() for r in caplog.records if "not found in catalog schema" in r.getMessage()
    ]
    assert dropped == []


def test_live_fields_are_not_in_the_bundled_spec() -> None:
    """Each one is really missing from the spec (else the spec's definition is used)."""
    for component, fields in LIVE_FIELDS.items():
        from_spec = to_json_schema({"$ref": f"#/components/schemas/{component}"})
        assert not set(fields) & set(from_spec["properties"]), component
