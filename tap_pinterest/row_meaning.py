"""Guards on what gives an analytics row its meaning: settings, keys, meaning columns.

A row's numbers depend on settings that are not in its key (granularity, attribution
windows, the user account analytics split): a run under other settings would upsert rows
that mean something else onto the same keys, and sums come out wrong without any error.
So each partition's state keeps the settings its rows were counted under, and a run under
different ones stops with one line saying what changed and how to reset the stream,
unless the stream runs FULL_TABLE (the user asked to start over). Likewise a catalog whose
key properties are not the ones the settings require is refused, since the SDK would
emit the catalog's keys and rows would collapse downstream.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from singer_sdk.exceptions import ConfigValidationError

from tap_pinterest.errors import InvalidStateError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from singer_sdk.helpers.types import Context
    from singer_sdk.singerlib import CatalogEntry

SETTINGS_KEY = "settings"
# What a partition's state holds about how far it got (the SDK's keys).
BOOKMARK_KEYS = ("replication_key", "replication_key_value", "progress_markers")
RESET_HINT = "see 'Resetting a stream's state' in the README"
# Settings recorded since a later release: a state written before holds none of them, and
# its rows were counted under the only value the tap sent then.
RECORDED_LATER = {"reporting_timezone": "PINTEREST_TIME_ZONE"}


class SettingsChangedError(InvalidStateError):
    """The state was written under settings that give rows another meaning."""


class CatalogKeysError(ConfigValidationError):
    """The catalog's key properties are not the ones the settings require."""

    def __init__(self, message: str) -> None:
        """One line, also as the single validation error the CLI prints."""
        super().__init__(message, errors=[message])


def _describe(context: Context | None) -> str:
    items = ", ".join(f"{key} {value}" for key, value in (context or {}).items())
    return f" ({items})" if items else ""


def check_partition_settings(
    stream: str,
    context: Context | None,
    partition_state: dict[str, Any],
    current: Mapping[str, Any],
    *,
    start_over: bool,
) -> None:
    """Record `current` in the partition's state, failing if it holds others.

    A state without settings (written before they were kept) is trusted. When the
    stream starts over (FULL_TABLE), a bookmark made under other settings is dropped, so
    the next incremental run also reads from start_date.
    """
    stored = partition_state.get(SETTINGS_KEY)
    if isinstance(stored, dict):
        stored = {**{k: v for k, v in RECORDED_LATER.items() if k in current}, **stored}
    if isinstance(stored, dict) and stored != dict(current):
        if not start_over:
            changes = ", ".join(
                f"{name} was {stored.get(name)!r} and is now {value!r}"
                for name, value in current.items()
                if stored.get(name) != value
            )
            msg = (
                f"{stream}{_describe(context)}: settings changed since the state was written "
                f"({changes}); rows counted both ways would mix under the same keys. Put the "
                f"settings back, or reset {stream}'s state and its table ({RESET_HINT})"
            )
            raise SettingsChangedError(msg)
        for key in BOOKMARK_KEYS:
            partition_state.pop(key, None)
    partition_state[SETTINGS_KEY] = dict(current)


def check_catalog_keys(stream: str, entry: CatalogEntry, required: Sequence[str], why: str) -> None:
    """Refuse a selected catalog entry whose keys (or schema) miss what settings require."""
    root = entry.metadata.get(())
    if root is not None and root.selected is False:
        return
    keys = list(entry.key_properties or getattr(root, "table_key_properties", None) or [])
    properties = (entry.schema.to_dict().get("properties") or {}) if entry.schema else {}
    missing = [key for key in required if key not in properties]
    if sorted(keys) == sorted(required) and not missing:
        return
    msg = (
        f"{stream}: the catalog's key properties are [{', '.join(keys)}] but {why} needs "
        f"[{', '.join(required)}]"
    )
    if missing:
        msg += f" (and its schema lacks {', '.join(missing)})"
    msg += "; discover the catalog again with the current settings"
    raise CatalogKeysError(msg)
