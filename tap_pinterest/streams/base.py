"""Entity streams: spec schemas, and client-side `updated_time` filtering."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from typing_extensions import override

from tap_pinterest.client import PinterestStream
from tap_pinterest.errors import InvalidStateError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from singer_sdk.helpers.types import Context, Record

# The bookmark of an update-time stream never passes the time its listing started, less
# this margin. Lists are ordered by id, not update time, so an entity edited after its page
# was read would otherwise fall behind a bookmark set by an entity edited later on a later
# page. The margin covers our clock running ahead of Pinterest's (update times are
# Pinterest's) and an edit reaching list answers a little after the time it is stamped
# with; its only cost is re-emitting the entities edited in those 10 minutes next run.
CLOCK_SKEW_MARGIN_SECONDS = 600


class EntityStream(PinterestStream):
    """A list endpoint whose items are emitted as they come, keyed by `id`."""

    primary_keys = ("id",)
    # Keep every id listed this run, so the level's analytics need not list them again.
    shares_ids: ClassVar[bool] = False

    @override
    def partition_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        # Listed earlier this run by a stream that needed the ids (client.ids_of).
        listed = self.run.listings.take(self.name, context)
        records = super().partition_records(context) if listed is None else listed.items
        if not self.shares_ids:
            yield from records
            return
        ids: list[str] = []
        for record in records:
            ids.append(str(record["id"]))
            yield record
        # Stored only once the listing is complete: a partial list would hide entities.
        self.run.listings.record_ids(self.name, context, ids)

    @override
    def get_replication_key_signpost(self, context: Context | None = None) -> Any:
        """The listing's start less the clock-skew margin: the SDK caps the bookmark there.

        Every page is read each run anyway (the API cannot filter on update time), so
        the cap costs no request; it only re-emits entities edited since then.
        """
        if not self.replication_key:
            return super().get_replication_key_signpost(context)
        # Listed earlier this run by a stream that needed the ids: that listing's start.
        listed = self.run.listings.peek(self.name, context)
        started_at = self.run.clock.wall() if listed is None else listed.started_at
        return int(started_at) - CLOCK_SKEW_MARGIN_SECONDS

    def stored_bookmark(self, context: Context | None) -> float | None:
        """The partition's last update timestamp; start_date does not apply to entities.

        start_date bounds analytics dates; an entity created before it is still current,
        so entity streams read the raw bookmark instead of the SDK's start_date-seeded one.
        """
        value = self.raw_bookmark(context)
        if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
            return value
        msg = f"State for {self.name} {dict(context or {})} has bookmark {value!r}, not a timestamp"
        raise InvalidStateError(msg)

    @override
    def finish_record(self, row: Record, context: Context | None) -> Record | None:
        """Add the parent ids, and drop rows not updated since the bookmark.

        Parent ids come from the context, not the state partition, so streams that keep
        one state entry (state_partitioning_keys) still carry them. The API cannot filter
        on the update timestamp, so the tap does.
        """
        properties = self.schema["properties"]
        for key, value in (context or {}).items():
            if key in properties and row.get(key) is None:
                row[key] = value
        if not self.replication_key:
            return row
        bookmark = self.stored_bookmark(context)
        value = row.get(self.replication_key)
        if bookmark is None or value is None:
            return row
        return row if value >= bookmark else None
