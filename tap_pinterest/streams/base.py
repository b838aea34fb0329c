"""Entity streams: spec schemas, every row of every listing, every run (FULL_TABLE)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from singer_sdk.singerlib.catalog import REPLICATION_FULL_TABLE
from typing_extensions import override

from tap_pinterest import sdk_seam
from tap_pinterest.client import PinterestStream
from tap_pinterest.errors import PinterestAPIError, PinterestNotFoundError
from tap_pinterest.refusal_forms import is_no_catalog

if TYPE_CHECKING:
    from collections.abc import Iterable

    from singer_sdk.helpers.types import Context, Record
    from singer_sdk.singerlib import Catalog


class EntityStream(PinterestStream):
    """A list endpoint whose items are emitted as they come, keyed by `id`.

    FULL_TABLE, whatever the entity's timestamps: no entity list can be filtered on
    update time, so every page is read each run anyway, and emitting every row it read
    costs no call. Filtering on `updated_time` lost changes Pinterest makes without
    moving it: a campaign's or ad group's `summary_status` (when its start or end time
    passes) and an ad's `review_status` (when Pinterest reviews it).
    """

    primary_keys = ("id",)
    # Keep every id listed this run, so the level's analytics need not list them again.
    shares_ids: ClassVar[bool] = False
    # Update-time fields earlier versions bookmarked, per ad account (state cleanup).
    former_replication_key: ClassVar[str | None] = None
    # Board children: a board or section deleted between listing it and reading it.
    skips_gone_parent: ClassVar[bool] = False
    # Catalog lists: an account without a catalog (409, code 4182) is an empty stream.
    empty_without_catalog: ClassVar[bool] = False

    @override
    def apply_catalog(self, catalog: Catalog) -> None:
        """A catalog asking for INCREMENTAL (discovered by an earlier version) is overruled.

        Followed, it would filter rows on an update time that does not move for every
        change; the stream stays FULL_TABLE and says so once.
        """
        super().apply_catalog(catalog)
        asked = self.replication_key
        if asked or self.replication_method != REPLICATION_FULL_TABLE:
            on_key = f" on {asked}" if asked else ""
            self.logger.warning(
                "%s: the catalog asks for INCREMENTAL replication%s; this stream reads "
                "every page each run and emits every row (FULL_TABLE), so that is "
                "ignored: discover the catalog again",
                self.name,
                on_key,
            )
            self.replication_key = None
            self.forced_replication_method = REPLICATION_FULL_TABLE

    @override
    def partition_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        """The listing's rows; an error meaning there is nothing to read ends it empty."""
        try:
            yield from self.listed_records(context)
        except PinterestAPIError as exc:
            if not self.ends_empty(exc):
                raise

    def ends_empty(self, exc: PinterestAPIError) -> bool:
        """True, said in one line, for an error this stream reads as nothing to read."""
        if self.skips_gone_parent and isinstance(exc, PinterestNotFoundError):
            self.logger.warning("%s: skipped, the parent is gone (%s)", self.name, exc)
            return True
        if self.empty_without_catalog and is_no_catalog(exc):
            self.logger.info("%s: the user has no catalog, so nothing to sync (%s)", self.name, exc)
            return True
        return False

    def listed_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        """Every row of the listing, or of the one listed earlier this run."""
        self.forget_former_bookmarks()
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

    def forget_former_bookmarks(self) -> None:
        """Drop the per-ad-account update-time bookmarks an earlier version stored.

        They no longer filter anything; left in place, they would suggest that they do.
        A downgrade finds no bookmark and emits every row once, which loses nothing.
        """
        if self.former_replication_key is None:
            return
        state = sdk_seam.writable_stream_state(self)
        partitions = state.get("partitions")
        if not partitions:
            return
        former = [p for p in partitions if p.get("replication_key") == self.former_replication_key]
        if len(former) != len(partitions):
            return
        del state["partitions"]
        self.logger.info(
            "%s: emits every row each run (FULL_TABLE); removed the %d %s bookmark(s) an "
            "earlier version kept in the state, which no longer filter anything",
            self.name,
            len(former),
            self.former_replication_key,
        )

    @override
    def finish_record(self, row: Record, context: Context | None) -> Record | None:
        """Add the parent ids from the context (also where state is kept per stream)."""
        properties = self.schema["properties"]
        for key, value in (context or {}).items():
            if key in properties and row.get(key) is None:
                row[key] = value
        return row
