"""Columns that are not selected by default stay off when a wildcard selected them all.

Meltano's `select` sets `selected: true` on every property a pattern matches, whatever
the tap's `selected-by-default` says: `*.*` (its default when `select` is not set) or
`ad_analytics.*` would select the ~430 report-only columns of each ads analytics stream,
sending every date of the ads levels through reports (issue 18) and making the
report-only levels' tables ~600 columns wide. Someone naming columns never names all of
them, so a stream whose catalog selects every one of its `selected-by-default: false`
columns is taken as selected by a wildcard: those columns are deselected before the tap
reads the catalog (the SCHEMA message and the records then agree), said once per stream.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import logging

    from singer_sdk.singerlib import Catalog

# Fewer columns than this can be named one by one: selecting all of them is meant.
MIN_WILDCARD_COLUMNS = 10


def keep_defaults(catalog: Catalog, logger: logging.Logger) -> None:
    """Deselect, per stream, the non-default columns a wildcard selected all of."""
    for entry in catalog.streams:
        optional = [
            metadata
            for breadcrumb, metadata in entry.metadata.items()
            if breadcrumb and metadata.selected_by_default is False
        ]
        if len(optional) < MIN_WILDCARD_COLUMNS or not all(m.selected is True for m in optional):
            continue
        for metadata in optional:
            metadata.selected = False
        root = entry.metadata.get(())
        if root is not None and root.selected:
            logger.info(
                "%s: the catalog selects all %d columns that are not selected by default, "
                "as a wildcard (Meltano's *.* or %s.*) does; they stay off: select the ones "
                "you want by name",
                entry.tap_stream_id,
                len(optional),
                entry.tap_stream_id,
            )
