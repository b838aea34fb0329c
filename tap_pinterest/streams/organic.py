"""Boards, their sections and pins, and the user's own pins."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from typing_extensions import override

from tap_pinterest.errors import PinterestAPIError
from tap_pinterest.refusal_forms import listing_limit
from tap_pinterest.schemas import STRING, spec_schema
from tap_pinterest.streams.base import EntityStream

if TYPE_CHECKING:
    from collections.abc import Iterable

    from singer_sdk.helpers.types import Context, Record


class BoardsStream(EntityStream):
    """GET /boards: boards the user owns or collaborates on, every privacy level."""

    name = "boards"
    path = "/boards"
    accepts_organic_ad_account_id = True
    schema = spec_schema("Board")

    @override
    def get_child_context(self, record: Record, context: Context | None) -> Context:
        return {"board_id": record["id"]}


class BoardSectionsStream(EntityStream):
    """GET /boards/{board_id}/sections: items are only id and name, so board_id is added."""

    name = "board_sections"
    path = "/boards/{board_id}/sections"
    parent_stream_type = BoardsStream
    # One state entry for the stream, not one per board or section.
    state_partitioning_keys = ()
    skips_gone_parent = True
    accepts_organic_ad_account_id = True
    schema = spec_schema("BoardSection", board_id=STRING)

    @override
    def get_child_context(self, record: Record, context: Context | None) -> Context:
        return {"board_id": record["board_id"], "section_id": record["id"]}


class BoardPinsStream(EntityStream):
    """GET /boards/{board_id}/pins: every pin saved to a board, the user's or not."""

    name = "board_pins"
    path = "/boards/{board_id}/pins"
    parent_stream_type = BoardsStream
    # One state entry for the stream, not one per board or section.
    state_partitioning_keys = ()
    skips_gone_parent = True
    accepts_organic_ad_account_id = True
    schema = spec_schema("Pin")


class BoardSectionPinsStream(EntityStream):
    """GET /boards/{board_id}/sections/{section_id}/pins."""

    name = "board_section_pins"
    path = "/boards/{board_id}/sections/{section_id}/pins"
    parent_stream_type = BoardSectionsStream
    # One state entry for the stream, not one per board or section.
    state_partitioning_keys = ()
    skips_gone_parent = True
    accepts_organic_ad_account_id = True
    schema = spec_schema("Pin", section_id=STRING)


class PinsStream(EntityStream):
    """GET /pins: pins the user owns, whatever board they are on.

    Full table: Pin has no updated timestamp and the spec promises no order, so a
    created_at bookmark could skip pins and would never see edits.
    """

    name = "pins"
    path = "/pins"
    accepts_organic_ad_account_id = True
    # The list hides pins on protected boards unless asked (spec: include_protected_pins).
    extra_params: ClassVar[dict[str, Any]] = {"include_protected_pins": "true"}
    schema = spec_schema("Pin")
    shares_ids = True

    @override
    def partition_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        """Pinterest stops a long pins/list listing with a 400 (README): keep what was read.

        Full table, so no bookmark moves; the partial list is not shared with
        pin_analytics (EntityStream keeps only complete listings).
        """
        read = 0
        try:
            for record in super().partition_records(context):
                read += 1
                yield record
        except PinterestAPIError as exc:
            limit = listing_limit(exc)
            if limit is None:
                raise
            self.logger.warning(
                "%s: Pinterest stopped the listing after %d pins (its limit: %d pins); the "
                "rest is reachable through board_pins and board_section_pins (README)",
                self.name,
                read,
                limit,
            )
