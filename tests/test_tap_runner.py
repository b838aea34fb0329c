"""The harness (tests/tap_runner.py) checks as much as the plain way would.

RecordValidator skips values it has already found valid; these cases show a bad value
still fails after good ones of the same property, with the full validator's message.
run_sync hands the tap a catalog whose schemas are the cached discovery's own; a sync
changes none of it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from jsonschema import Draft7Validator  # type: ignore[import-untyped]
from singer_sdk.singerlib import Catalog

from tests.fake_api.data import Scale
from tests.tap_runner import (
    RecordValidator,
    SyncResult,
    _discovered,
    _parsed,
    assert_records_match_schemas,
    catalog_selecting,
    parsed_selection,
    run_sync,
)

if TYPE_CHECKING:
    from tests.fake_api import FakePinterestAPI

ONE_OF_EACH = Scale(
    ad_accounts=1,
    campaigns_per_account=1,
    ad_groups_per_campaign=1,
    ads_per_ad_group=1,
    boards=1,
    sections_per_board=1,
    pins_per_board=1,
    followers=1,
    following=1,
    audiences_per_account=1,
    customer_lists_per_account=1,
    conversion_tags_per_account=1,
    keywords_per_ad_group=1,
)

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": ["string", "null"]},
        "clicks": {"type": ["integer", "null"]},
        "ctr": {"type": ["number", "null"]},
        "day": {"type": ["string", "null"], "format": "date"},
        "owner": {
            "type": ["object", "null"],
            "properties": {"id": {"type": ["string", "null"]}},
        },
    },
}
GOOD = {"id": "1", "clicks": 3, "ctr": 0.5, "day": "2026-01-02", "owner": {"id": "9"}}
BAD = [
    {**GOOD, "clicks": "3"},
    {**GOOD, "clicks": 2.5},
    {**GOOD, "ctr": True},
    {**GOOD, "day": "2026-13-45"},
    {**GOOD, "owner": {"id": 9}},
    {**GOOD, "id": 1},
]


def full_message(record: dict[str, Any]) -> str:
    errors = list(
        Draft7Validator(SCHEMA, format_checker=Draft7Validator.FORMAT_CHECKER).iter_errors(record)
    )
    assert errors
    return str(errors[0].message)


@pytest.mark.parametrize("bad", BAD, ids=[str(i) for i in range(len(BAD))])
def test_a_bad_value_fails_after_good_ones_with_the_full_message(bad: dict[str, Any]) -> None:
    validator = RecordValidator(SCHEMA)
    assert validator.first_error(GOOD) is None
    assert validator.first_error({**GOOD, "clicks": 7.0, "id": None}) is None  # 7.0 is integral
    assert validator.first_error(bad) == full_message(bad)


def test_the_sync_check_names_the_stream_and_the_error() -> None:
    messages = [
        {"type": "SCHEMA", "stream": "s", "schema": SCHEMA, "key_properties": []},
        {"type": "RECORD", "stream": "s", "record": GOOD},
        {"type": "RECORD", "stream": "s", "record": BAD[0]},
    ]
    with pytest.raises(AssertionError, match="s record does not match its schema: '3' is not"):
        assert_records_match_schemas(SyncResult(messages))


def test_other_schemas_get_the_full_validator() -> None:
    schema = {**SCHEMA, "required": ["id"]}
    validator = RecordValidator(schema)
    assert not validator.per_property
    assert validator.first_error({"clicks": 1}) == "'id' is a required property"


def test_a_sync_changes_nothing_of_the_catalog_it_is_given(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """run_sync shares the cached catalog's schemas with the tap: the tap must only read them.

    It hands the tap the discovered catalog as singer-sdk parses it (a Catalog: the
    parse of the catalog file is done once per config), selected as catalog_selecting
    selects it; nothing of the parsed cache changes in a sync.
    """
    # One object of each kind: the catalog is the same at any scale (69 s at the default).
    fake_api.reset(ONE_OF_EACH)
    streams = {
        "ad_accounts",
        "campaign_analytics",
        "campaign_targeting_analytics",
        "keyword_analytics",
        "boards",
        "user_account_analytics",
    }
    result = run_sync(static_config, streams=streams)
    assert set(result.records) == streams
    cached, text = _discovered(static_config)
    assert json.dumps(cached) == text
    parsed = _parsed(static_config)
    assert parsed.to_dict() == Catalog.from_dict(json.loads(text)).to_dict()
    assert parsed_selection(static_config, streams).to_dict() == (
        Catalog.from_dict(catalog_selecting(static_config, streams)).to_dict()
    )
