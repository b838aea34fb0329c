"""The harness's schema check (tests/tap_runner.py) fails exactly when Draft 7 does.

RecordValidator skips values it has already found valid; these cases show a bad value
still fails after good ones of the same property, with the full validator's message.
"""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft7Validator  # type: ignore[import-untyped]

from tests.tap_runner import RecordValidator, SyncResult, assert_records_match_schemas

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
