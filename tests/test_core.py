"""The SDK's standard tap tests, CLI metadata, schemas, BATCH mode and stream maps.

The SDK builds its test class at import time, and the class's `runner` fixture syncs
every stream over HTTP. So this module starts its own fake API at import (port 0 picks
a free port) and stops it when the module is done (or at interpreter exit, if only
collection ran).
"""

from __future__ import annotations

import atexit
import gzip
import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import pytest
from singer_sdk.testing import SuiteConfig, get_tap_test_class
from singer_sdk.typing import DEFAULT_JSONSCHEMA_VALIDATOR

from tap_pinterest.tap import TapPinterest
from tests.fake_api import FakePinterestAPI
from tests.fake_api.server import DEFAULT_STATIC_TOKEN
from tests.tap_runner import run_sync

if TYPE_CHECKING:
    from collections.abc import Iterator

    from singer_sdk.testing.runners import TapTestRunner

# Every stream the tap offers (tap_pinterest/streams/__init__.py), hard-coded on purpose:
# a stream silently lost or renamed must fail here.
EXPECTED_STREAMS = [
    "user_account",
    "user_account_followers",
    "user_account_following",
    "user_account_analytics",
    "top_pins_analytics",
    "top_video_pins_analytics",
    "boards",
    "board_sections",
    "board_pins",
    "board_section_pins",
    "pins",
    "pin_analytics",
    "ad_accounts",
    "campaigns",
    "ad_groups",
    "ads",
    "ad_account_analytics",
    "campaign_analytics",
    "ad_group_analytics",
    "ad_analytics",
    "keyword_analytics",
    "product_group_analytics",
    "product_item_analytics",
    "audiences",
    "customer_lists",
    "conversion_tags",
    "keywords",
    "ad_account_targeting_analytics",
    "campaign_targeting_analytics",
    "ad_group_targeting_analytics",
    "ad_targeting_analytics",
    "product_group_targeting_analytics",
    "product_item_targeting_analytics",
    "catalogs",
    "catalogs_feeds",
    "catalogs_product_groups",
    "product_group_promotions",
]

# Entity records the standard suite's capped sync must emit from the default fake data.
ENTITY_COUNTS = {
    "user_account": 1,
    "user_account_followers": 30,
    "user_account_following": 12,
    "boards": 3,
    "board_sections": 6,
    "board_pins": 21,
    "board_section_pins": 12,
    "pins": 21,
    "ad_accounts": 2,
    "campaigns": 24,
    "ad_groups": 48,
    "ads": 80,
    "audiences": 14,
    "customer_lists": 6,
    "conversion_tags": 4,
    "keywords": 80,
    "catalogs": 2,
    "catalogs_feeds": 4,
    "catalogs_product_groups": 12,
    "product_group_promotions": 24,
}

# The standard suite's own server: it must be up when the class-scoped runner syncs,
# which happens long after import, so it cannot be the per-test `fake_api` fixture.
_SUITE_API = FakePinterestAPI().start()
atexit.register(_SUITE_API.stop)

SUITE_CONFIG: dict[str, Any] = {
    "access_token": DEFAULT_STATIC_TOKEN,
    "api_url": _SUITE_API.url,
    "start_date": (datetime.now(tz=timezone.utc).date() - timedelta(days=3)).isoformat(),
    "page_size": 10,
    # One targeting breakdown (3 values) instead of the default five (24 values): the
    # targeting streams keep every column and check, at an eighth of the rows the fake
    # builds (test_targeting_*.py cover the types themselves).
    "targeting_types": ["GENDER"],
    # The SDK's runner builds the tap itself, so it cannot hand it the simulated clock:
    # the report polls' least wait, 2 s by default, made each worker sleep about 20 s.
    "report_poll_seconds": 0.05,
}

# Every stream returns records against the fake, so no stream is excused from
# returns_record. The SDK caps each stream partition at 40 records, which keeps the run
# short yet still crosses page boundaries (page_size 10).
_StandardTests = get_tap_test_class(
    TapPinterest,
    config=SUITE_CONFIG,
    suite_config=SuiteConfig(max_records_limit=40),
    parse_env_config=False,
)


class TestTapPinterest(_StandardTests):  # type: ignore[misc,valid-type]
    """The SDK's generated tests, plus a check that they really synced over HTTP."""

    def test_suite_synced_every_stream_over_http(self, runner: TapTestRunner) -> None:
        """Without this, a suite that synced nothing could still look green."""
        assert sorted(runner.records) == sorted(EXPECTED_STREAMS)
        counts = {name: len(rows) for name, rows in runner.records.items()}
        # The SDK caps each stream partition at max_records_limit (40): the fake's 48 ads
        # per account become 40 per account, 50 keywords per account become 40.
        assert {name: counts[name] for name in ENTITY_COUNTS} == ENTITY_COUNTS
        assert all(counts[name] >= 1 for name in EXPECTED_STREAMS)
        assert _SUITE_API.calls(r"/v5/ad_accounts/\d+/campaigns")
        assert _SUITE_API.calls(r"/v5/user_account/analytics")


@pytest.fixture(scope="module", autouse=True)
def _suite_api() -> Iterator[FakePinterestAPI]:
    """Stop the suite's server when this module's tests are done."""
    yield _SUITE_API
    _SUITE_API.stop()


def _cli(*args: str) -> dict[str, Any]:
    """Run the real CLI entry point and parse its JSON output (which holds no secret)."""
    done = subprocess.run(
        [sys.executable, "-m", "tap_pinterest", *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert DEFAULT_STATIC_TOKEN not in done.stdout + done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_standard_suite_covers_every_stream() -> None:
    """The generated per-stream tests are parametrized over all 37 streams."""
    params = TestTapPinterest.params
    ids = [p.id for p in params["test_tap_stream_returns_record"]]
    assert sorted(ids) == sorted(EXPECTED_STREAMS)
    assert len(ids) == 37


@pytest.mark.subprocess
def test_about_lists_capabilities() -> None:
    """Orchestrators read --about to know what the tap supports."""
    about = _cli("--about", "--format=json")
    assert about["name"] == "tap-pinterest"
    capabilities = set(about["capabilities"])
    expected = {
        "batch",
        "schema-flattening",
        "stream-maps",
        "state",
        "catalog",
        "discover",
        "about",
    }
    assert expected <= capabilities, expected - capabilities
    secret_settings = {
        name for name, schema in about["settings"]["properties"].items() if schema.get("secret")
    }
    assert secret_settings == {"access_token", "client_id", "client_secret", "refresh_token"}


@pytest.mark.subprocess
def test_discover_lists_exactly_the_streams(
    fake_api: FakePinterestAPI, static_config: dict[str, Any], tmp_path: Path
) -> None:
    """--discover makes no HTTP call and lists every stream exactly once."""
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(static_config), encoding="utf-8")
    catalog = _cli("--config", str(config_path), "--discover")
    names = [entry["tap_stream_id"] for entry in catalog["streams"]]
    assert sorted(names) == sorted(EXPECTED_STREAMS)
    assert len(names) == len(set(names)) == 37
    assert fake_api.log == []


@pytest.mark.parametrize("stream_name", EXPECTED_STREAMS)
def test_stream_schema_is_valid_json_schema(
    static_config: dict[str, Any], stream_name: str
) -> None:
    """A schema a target cannot parse would break every load."""
    tap = TapPinterest(config=static_config, parse_env_config=False)
    schema = tap.streams[stream_name].schema
    DEFAULT_JSONSCHEMA_VALIDATOR.check_schema(schema)
    assert schema["type"] == "object"
    assert schema["properties"], f"{stream_name} has no properties"
    for key in tap.streams[stream_name].primary_keys or []:
        assert key in schema["properties"], f"{stream_name}: primary key {key} not in schema"


def test_batch_mode_writes_every_record(
    fake_api: FakePinterestAPI, static_config: dict[str, Any], tmp_path: Path
) -> None:
    """BATCH messages replace RECORD messages; the files hold exactly the records."""
    config = {
        **static_config,
        "page_size": 5,
        "batch_config": {
            "encoding": {"format": "jsonl", "compression": "gzip"},
            "storage": {"root": tmp_path.as_uri(), "prefix": "pinterest-"},
        },
    }
    result = run_sync(config, streams={"campaigns"})
    assert result.stream("campaigns") == []
    batches = [m for m in result.messages if m["type"] == "BATCH"]
    assert batches
    assert {m["stream"] for m in batches} == {"campaigns"}
    rows: list[dict[str, Any]] = []
    for message in batches:
        assert message["encoding"] == {"format": "jsonl", "compression": "gzip"}
        for uri in message["manifest"]:
            path = Path(urlparse(uri).path)
            assert path.parent == tmp_path
            assert path.name.startswith("pinterest-")
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                rows.extend(json.loads(line) for line in handle if line.strip())
    expected_ids = sorted(c["id"] for cs in fake_api.data.campaigns.values() for c in cs)
    assert len(rows) == 24
    assert sorted(r["id"] for r in rows) == expected_ids
    assert len(fake_api.calls(r"/v5/ad_accounts/\d+/campaigns")) == 6  # 12 per account, 5/page


def test_batch_mode_writes_typed_analytics_rows_and_their_state(
    static_config: dict[str, Any], tmp_path: Path
) -> None:
    """Analytics streams build their records typed and keep state their own way: in BATCH
    mode the files hold the very records (and the state) of a RECORD-message run."""
    streams = {"ad_accounts", "ad_analytics"}
    plain = run_sync(static_config, streams=streams)
    config = {
        **static_config,
        "batch_config": {
            "encoding": {"format": "jsonl", "compression": "gzip"},
            "storage": {"root": tmp_path.as_uri(), "prefix": "analytics-"},
        },
    }
    batched = run_sync(config, streams=streams)
    rows: list[dict[str, Any]] = []
    for message in batched.messages:
        if message["type"] == "BATCH" and message["stream"] == "ad_analytics":
            for uri in message["manifest"]:
                with gzip.open(Path(urlparse(uri).path), "rt", encoding="utf-8") as handle:
                    rows.extend(json.loads(line) for line in handle if line.strip())
    expected = plain.stream("ad_analytics")
    assert len(expected) == 2 * 48 * 11  # 2 accounts x 48 ads x 11 days
    assert sorted(rows, key=json.dumps) == sorted(expected, key=json.dumps)
    assert batched.final_state == plain.final_state


def test_stream_maps_on_a_typed_analytics_stream(static_config: dict[str, Any]) -> None:
    """The tap types analytics records itself: a map may still compute, drop and filter."""
    plain = run_sync(static_config, streams={"ad_accounts", "ad_analytics"})
    config = {
        **static_config,
        "stream_maps": {
            "ad_analytics": {
                "__filter__": "DATE != '" + plain.stream("ad_analytics")[0]["DATE"] + "'",
                "clicks_x2": "int(TOTAL_CLICKTHROUGH * 2)",
                "CAMPAIGN_NAME": None,
            }
        },
    }
    mapped = run_sync(config, streams={"ad_accounts", "ad_analytics"})
    first_date = plain.stream("ad_analytics")[0]["DATE"]
    expected = [
        {
            **{k: v for k, v in row.items() if k != "CAMPAIGN_NAME"},
            "clicks_x2": row["TOTAL_CLICKTHROUGH"] * 2,
        }
        for row in plain.stream("ad_analytics")
        if row["DATE"] != first_date
    ]
    got = mapped.stream("ad_analytics")
    assert len(got) == 2 * 48 * 10
    assert sorted(got, key=json.dumps) == sorted(expected, key=json.dumps)
    schema = next(
        m for m in mapped.messages if m["type"] == "SCHEMA" and m["stream"] == "ad_analytics"
    )
    assert "CAMPAIGN_NAME" not in schema["schema"]["properties"]
    assert "clicks_x2" in schema["schema"]["properties"]


def test_stream_maps_and_flattening(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """A stream map drops a property and flattening splits nested objects one level."""
    config = {
        **static_config,
        "stream_maps": {"ad_groups": {"name": None, "budget_in_micro_currency": None}},
        "flattening_enabled": True,
        "flattening_max_depth": 1,
    }
    result = run_sync(config, streams={"ad_groups"})
    records = result.stream("ad_groups")
    assert len(records) == 48
    source = fake_api.data.ad_groups["549755885175"][0]
    targeting = {f"targeting_spec__{k}" for k in source["targeting_spec"]}
    expected = (set(source) - {"name", "budget_in_micro_currency", "targeting_spec"}) | targeting
    assert set(records[0]) == expected
    assert records[0]["targeting_spec__LOCATION"] == json.dumps(["US"])
    schema = next(m for m in result.messages if m["type"] == "SCHEMA")
    assert schema["stream"] == "ad_groups"
    assert "name" not in schema["schema"]["properties"]
    assert "targeting_spec__GENDER" in schema["schema"]["properties"]
    assert "targeting_spec" not in schema["schema"]["properties"]
