"""Run the tap in-process against the fake API and collect its Singer messages.

Tests assert on what a target would receive: the RECORD, SCHEMA and STATE messages the
tap writes to stdout, exactly as `tap-pinterest --config ... --state ...` would. Every
record of every sync is validated against its stream's SCHEMA message.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jsonschema import Draft7Validator  # type: ignore[import-untyped]

from tap_pinterest.tap import TapPinterest

if TYPE_CHECKING:
    from tap_pinterest.clock import Clock


@dataclass
class SyncResult:
    """Everything one sync wrote, split by message type."""

    messages: list[dict[str, Any]] = field(default_factory=list)

    @property
    def records(self) -> dict[str, list[dict[str, Any]]]:
        """RECORD payloads per stream, in emission order."""
        out: dict[str, list[dict[str, Any]]] = {}
        for message in self.messages:
            if message["type"] == "RECORD":
                out.setdefault(message["stream"], []).append(message["record"])
        return out

    def stream(self, name: str) -> list[dict[str, Any]]:
        """RECORD payloads of one stream (empty when none)."""
        return self.records.get(name, [])

    @property
    def states(self) -> list[dict[str, Any]]:
        """Every STATE value, in order."""
        return [m["value"] for m in self.messages if m["type"] == "STATE"]

    @property
    def final_state(self) -> dict[str, Any]:
        """The last STATE value: what the orchestrator stores for the next run."""
        return self.states[-1] if self.states else {}


# Discovered catalogs by config: discovery depends on the config alone (and the code, which
# does not change within a test run), and it costs about as much as a small sync.
_DISCOVERED: dict[str, dict[str, Any]] = {}


def discovered_catalog(config: dict[str, Any]) -> dict[str, Any]:
    """A fresh copy of what `tap-pinterest --discover` writes for `config`."""
    key = json.dumps(config, sort_keys=True, default=str)
    if key not in _DISCOVERED:
        _DISCOVERED[key] = TapPinterest(config=config, parse_env_config=False).catalog_dict
    return copy.deepcopy(_DISCOVERED[key])


def catalog_selecting(config: dict[str, Any], streams: set[str]) -> dict[str, Any]:
    """The discovered catalog with only `streams` selected (their default properties)."""
    catalog = discovered_catalog(config)
    for entry in catalog["streams"]:
        chosen = entry["tap_stream_id"] in streams
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == []:
                metadata["metadata"]["selected"] = chosen
    return catalog


def deselect_properties(catalog: dict[str, Any], stream: str, keep: set[str]) -> dict[str, Any]:
    """Deselect every property of `stream` except `keep` (and automatic ones)."""
    for entry in catalog["streams"]:
        if entry["tap_stream_id"] != stream:
            continue
        for metadata in entry["metadata"]:
            breadcrumb = metadata["breadcrumb"]
            if len(breadcrumb) == 2 and breadcrumb[1] not in keep:
                metadata["metadata"]["selected"] = False
    return catalog


def select_properties(catalog: dict[str, Any], stream: str, names: set[str]) -> dict[str, Any]:
    """Select the properties `names` of `stream` (e.g. report-only columns)."""
    for entry in catalog["streams"]:
        if entry["tap_stream_id"] != stream:
            continue
        for metadata in entry["metadata"]:
            breadcrumb = metadata["breadcrumb"]
            if len(breadcrumb) == 2 and breadcrumb[1] in names:
                metadata["metadata"]["selected"] = True
    return catalog


def run_sync(
    config: dict[str, Any],
    *,
    streams: set[str] | None = None,
    state: dict[str, Any] | None = None,
    catalog: dict[str, Any] | None = None,
    clock: Clock | None = None,
) -> SyncResult:
    """Sync the selected streams (all when None) and return the parsed messages.

    With `clock` (tests/fake_clock.py), the run waits on it instead of the system's.
    """
    if catalog is None and streams is not None:
        catalog = catalog_selecting(config, streams)
    tap = TapPinterest(config=config, state=state, catalog=catalog, parse_env_config=False)
    if clock is not None:
        tap.clock = clock
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        tap.sync_all()
    result = SyncResult([json.loads(line) for line in buffer.getvalue().splitlines() if line])
    assert_records_match_schemas(result)
    return result


def assert_records_match_schemas(result: SyncResult) -> None:
    """Every RECORD matches the SCHEMA its stream last sent (issue 10: nothing less exact)."""
    validators: dict[str, Draft7Validator] = {}
    for message in result.messages:
        stream = message.get("stream", "")
        if message["type"] == "SCHEMA":
            validators[stream] = Draft7Validator(
                message["schema"], format_checker=Draft7Validator.FORMAT_CHECKER
            )
        elif message["type"] == "RECORD":
            errors = list(validators[stream].iter_errors(message["record"]))
            assert not errors, f"{stream} record does not match its schema: {errors[0].message}"
