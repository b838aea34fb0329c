"""Streams whose records the tap builds already typed and limited to selected properties.

The SDK checks every field of every record twice: `pop_deselected_record_properties` (a
selection lookup per key) and `conform_record_data_types` (a type check per value). For
an analytics row with 175 columns that was most of the tap's CPU (issue 10). Streams
built on this base type each column once, keep only schema properties, and drop the few
deselected ones here, so the SDK's per-field passes are skipped.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

import singer_sdk.singerlib as singer
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.mapper import SameRecordTransform
from typing_extensions import override

from tap_pinterest import sdk_seam
from tap_pinterest.client import PinterestStream
from tap_pinterest.writer import TypedRecordMessage

if TYPE_CHECKING:
    from collections.abc import Generator, Iterable

    from singer_sdk.helpers.types import Context, Record


class TypedRecordsStream(PinterestStream):
    """Records are flat, typed to the schema and hold only its properties."""

    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE
    emits_typed_records = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """No bookmark value seen yet."""
        super().__init__(*args, **kwargs)
        # (partition context, greatest text bookmark value handed to the SDK in it).
        self._greatest_seen: tuple[object, str] = (object(), "")

    @cached_property
    def deselected_properties(self) -> frozenset[str]:
        """Schema properties the catalog deselected (rarely in a record: not asked for)."""
        return frozenset(
            name for name in self.schema["properties"] if not self.mask[("properties", name)]
        )

    @override
    def generate_child_contexts(
        self, record: Record, context: Context | None
    ) -> Iterable[Context | None]:
        """No child context to build (and copy) per record when no stream is a child."""
        if self.child_streams:
            yield from super().generate_child_contexts(record, context)

    @override
    def partition_starting(self, context: Context | None) -> None:
        """No bookmark value handed over yet in this partition."""
        self._greatest_seen = (object(), "")

    @override
    def moves_bookmark(self, record: Record, context: Context | None) -> bool:
        """False for a row whose bookmark value its partition already had.

        An unsorted stream's progress marker keeps the greatest value seen (singer-sdk 0.54
        `increment_state` with check_sorted), and analytics rows repeat each date once per
        entity: a text value (ISO dates order as text) at or below the greatest one already
        handed over in the same partition changes nothing, so only the others cost a call.
        """
        key = self.replication_key
        value = record.get(key) if key else None
        if type(value) is not str or self.is_sorted or not self.check_sorted:
            return True
        seen_context, greatest = self._greatest_seen
        if context is seen_context and value <= greatest:
            return False
        self._greatest_seen = (context, value)
        return True

    @override
    def typed_record_messages(
        self, record: dict[str, Any], version: int | None
    ) -> Generator[singer.RecordMessage, None, None]:
        """The SDK's record messages, less its per-field passes (singer-sdk 0.54 `Stream`)."""
        deselected = self.deselected_properties
        if deselected:
            for name in deselected.intersection(record):
                del record[name]
        for stream_map in self.stream_maps:
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
