"""Records the tap builds already typed and limited to selected properties.

The SDK checks every field of every record twice: `pop_deselected_record_properties` (a
selection lookup per key) and `conform_record_data_types` (a type check per value). For
an analytics row with 175 columns that was most of the tap's CPU (issue 10). A stream
with `emits_typed_records` (PinterestStream switches on it, no class of its own) types
each column once, keeps only schema properties, and drops the few deselected ones here,
so the SDK's per-field passes are skipped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import singer_sdk.singerlib as singer
from singer_sdk.mapper import SameRecordTransform

from tap_pinterest import sdk_seam
from tap_pinterest.writer import TypedRecordMessage

if TYPE_CHECKING:
    from collections.abc import Generator

    from singer_sdk.helpers.types import Context, Record

    from tap_pinterest.client import PinterestStream


class GreatestSeen:
    """The greatest text bookmark value a partition handed to the SDK so far."""

    def __init__(self) -> None:
        """No partition seen yet."""
        self.context: object = object()
        self.value = ""

    def moves_bookmark(
        self, stream: PinterestStream, record: Record, context: Context | None
    ) -> bool:
        """False for a row whose bookmark value its partition already had.

        An unsorted stream's progress marker keeps the greatest value seen (singer-sdk 0.54
        `increment_state` with check_sorted), and analytics rows repeat each date once per
        entity: a text value (ISO dates order as text) at or below the greatest one already
        handed over in the same partition changes nothing, so only the others cost a call.
        """
        key = stream.replication_key
        value = record.get(key) if key else None
        if type(value) is not str or stream.is_sorted or not stream.check_sorted:
            return True
        if context is self.context and value <= self.value:
            return False
        self.context, self.value = context, value
        return True


def deselected_properties(stream: PinterestStream) -> frozenset[str]:
    """Schema properties the catalog deselected (rarely in a record: not asked for)."""
    return frozenset(
        name for name in stream.schema["properties"] if not stream.mask[("properties", name)]
    )


def record_messages(
    stream: PinterestStream, record: dict[str, Any], version: int | None
) -> Generator[singer.RecordMessage, None, None]:
    """The SDK's record messages, less its per-field passes (singer-sdk 0.54 `Stream`)."""
    deselected = stream.deselected_in_records
    if deselected:
        for name in deselected.intersection(record):
            del record[name]
    for stream_map in stream.stream_maps:
        mapped_record = stream_map.transform(record)
        if mapped_record is not None:
            # A stream map may compute values: only an unchanged record is typed.
            typed = type(stream_map) is SameRecordTransform
            yield (TypedRecordMessage if typed else singer.RecordMessage)(
                stream=stream_map.stream_alias,
                record=mapped_record,
                version=version,
                time_extracted=sdk_seam.utc_now(),
            )
