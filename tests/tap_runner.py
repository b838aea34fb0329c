"""Run the tap in-process against the fake API and collect its Singer messages.

Tests assert on what a target would receive: the RECORD, SCHEMA and STATE messages the
tap writes to stdout, exactly as `tap-pinterest --config ... --state ...` would. Every
record of every sync is validated against its stream's SCHEMA message.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jsonschema import Draft7Validator  # type: ignore[import-untyped]
from singer_sdk.singerlib import Catalog, MetadataMapping

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


# Discovered catalogs by config, as JSON: discovery depends on the config alone (and the
# code, which does not change within a test run), and it costs about as much as a small
# sync. The catalog is 1.7 MB (37 streams): json.loads copies it in a third of deepcopy's
# time; a sync's own selection (`parsed_selection`) copies only the metadata it changes.
_DISCOVERED: dict[str, tuple[dict[str, Any], str]] = {}


def _discovered(config: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The cached catalog of `config` (never handed out: schemas are shared) and its JSON."""
    key = json.dumps(config, sort_keys=True, default=str)
    if key not in _DISCOVERED:
        catalog = TapPinterest(config=config, parse_env_config=False).catalog_dict
        _DISCOVERED[key] = (catalog, json.dumps(catalog))
    return _DISCOVERED[key]


def discovered_catalog(config: dict[str, Any]) -> dict[str, Any]:
    """A fresh copy of what `tap-pinterest --discover` writes for `config`."""
    catalog: dict[str, Any] = json.loads(_discovered(config)[1])
    return catalog


def _select(catalog: dict[str, Any], streams: set[str]) -> dict[str, Any]:
    """Select only `streams` in `catalog` (their default properties), in place."""
    for entry in catalog["streams"]:
        chosen = entry["tap_stream_id"] in streams
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == []:
                metadata["metadata"]["selected"] = chosen
    return catalog


def catalog_selecting(config: dict[str, Any], streams: set[str]) -> dict[str, Any]:
    """The discovered catalog with only `streams` selected (their default properties)."""
    return _select(discovered_catalog(config), streams)


# The discovered catalogs of the last few configs, parsed as singer-sdk parses a catalog
# file (Catalog.from_dict: about 0.1 s of CPU for the 37 streams, a third of a narrow
# sync). A sync's selection shares their schemas and property metadata, which the tap
# only reads (tests/test_tap_runner.py checks); an LRU, since each holds ~80,000 objects.
_PARSED: OrderedDict[str, Catalog] = OrderedDict()
_PARSED_KEPT = 4


def _parsed(config: dict[str, Any]) -> Catalog:
    """Catalog.from_dict of `config`'s discovered catalog, parsed once (never handed out)."""
    key = json.dumps(config, sort_keys=True, default=str)
    if key in _PARSED:
        _PARSED.move_to_end(key)
    else:
        # From the JSON text, as a catalog file is read (lists, where the tap has tuples).
        _PARSED[key] = Catalog.from_dict(discovered_catalog(config))
        while len(_PARSED) > _PARSED_KEPT:
            _PARSED.popitem(last=False)
    return _PARSED[key]


def parsed_selection(config: dict[str, Any], streams: set[str]) -> Catalog:
    """`Catalog.from_dict(_selection(config, streams))`, built from the parsed cache.

    New entries, metadata mappings and stream-level metadata (what the selection sets);
    the schemas and property metadata are the cached catalog's own.
    """
    catalog = Catalog()
    for entry in _parsed(config).streams:
        metadata = MetadataMapping(entry.metadata)
        root = metadata.get(())
        if root is not None:
            metadata[()] = dataclasses.replace(root, selected=entry.tap_stream_id in streams)
        catalog[entry.tap_stream_id] = dataclasses.replace(entry, metadata=metadata)
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
    selection: dict[str, Any] | Catalog | None = catalog
    if catalog is None and streams is not None:
        selection = parsed_selection(config, streams)
    tap = TapPinterest(config=config, state=state, catalog=selection, parse_env_config=False)
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
    validators: dict[str, RecordValidator] = {}
    for message in result.messages:
        stream = message.get("stream", "")
        if message["type"] == "SCHEMA":
            validators[stream] = RecordValidator(message["schema"])
        elif message["type"] == "RECORD":
            error = validators[stream].first_error(message["record"])
            assert error is None, f"{stream} record does not match its schema: {error}"


# Keywords whose outcome for a value depends on its JSON type alone.
_TYPE_ONLY = frozenset({"type", "description", "title"})
# Top-level keywords under which a record is valid exactly when each property's value is
# valid against that property's schema (no required, dependencies, extra-key rules...).
_PER_PROPERTY = frozenset({"type", "properties", "description", "title"})


def _type_signature(value: Any) -> tuple[str, bool]:
    """What a type-only schema sees of a value: its Python type (floats: integral or not)."""
    return type(value).__name__, isinstance(value, float) and value.is_integer()


class RecordValidator:
    """Draft 7 validation of one stream's records, each distinct property value checked once.

    Analytics syncs write thousands of records of ~175 numeric columns; validating each
    whole record took twice as long as the sync. Where the schema allows it (see
    _PER_PROPERTY) each property is validated alone, and a value already found valid is
    not validated again: by its type signature where the property's schema is type-only,
    by its exact JSON otherwise (formats, nested objects). On any failure, or for any
    other schema, the whole record goes through the full validator, so the verdict and
    the message are the full validator's.
    """

    def __init__(self, schema: dict[str, Any]) -> None:
        checker = Draft7Validator.FORMAT_CHECKER
        self.full = Draft7Validator(schema, format_checker=checker)
        properties = schema.get("properties", {})
        self.per_property = set(schema) <= _PER_PROPERTY and schema.get("type") == "object"
        self.properties = {
            name: (Draft7Validator(sub, format_checker=checker), set(sub) <= _TYPE_ONLY)
            for name, sub in properties.items()
        }
        self.valid: set[tuple[str, Any]] = set()

    def first_error(self, record: dict[str, Any]) -> str | None:
        """The full validator's first error message for `record`, or None if valid."""
        if self.per_property and isinstance(record, dict) and self._all_properties_valid(record):
            return None
        errors = list(self.full.iter_errors(record))
        return errors[0].message if errors else None

    def _all_properties_valid(self, record: dict[str, Any]) -> bool:
        for name, value in record.items():
            entry = self.properties.get(name)
            if entry is None:
                continue  # no additionalProperties rule at the top level: any extra key
            validator, type_only = entry
            seen = _type_signature(value) if type_only else json.dumps(value, sort_keys=True)
            key = (name, seen)
            if key in self.valid:
                continue
            if not validator.is_valid(value):
                return False
            self.valid.add(key)
        return True
