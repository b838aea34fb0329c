"""Targeting breakdowns of the ads analytics: who (age, gender, country...) the money reached.

GET /ad_accounts/{ad_account_id}[/campaigns|/ad_groups|/ads]/targeting_analytics answers
`{"data": [{"targeting_type", "targeting_value", "metrics": {...}}]}`; each item becomes one
row with the metrics as typed top-level columns, exactly like the plain ads analytics, plus
the targeting type and value that split them. Dates, state, id batching and the attribution
settings are the ads analytics' own (AdsAnalyticsStream): a targeting level is the same
stream type with this row shape (TargetingRows), not a class of its own.

Dates older than the synchronous endpoints' 90 days (or every date, with
`analytics_source: reports`) come from async reports at the levels ADVERTISER_TARGETING,
CAMPAIGN_TARGETING, AD_GROUP_TARGETING and PIN_PROMOTION_TARGETING, like the plain ads
analytics (report_analytics.ReportSource); PRODUCT_GROUP_TARGETING and
PRODUCT_ITEM_TARGETING exist only as reports. A report body takes at most 5 targeting
types, so a window takes one report per batch of 5, and its bookmark moves only once all
of them were emitted.

Assumed, not specified: the spec does not define the rows of a downloaded report. The tap
takes a targeting report to be the same JSON object keyed by entity id as other reports
(ADVERTISER_TARGETING: keyed by the ad account), each row carrying TARGETING_TYPE and
TARGETING_VALUE (TemplateResponse.columns lists them as report columns) besides DATE and
the metric columns; TARGETING_VALUE_NAME, if present, is ignored. Check against the live API.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, NoReturn

from tap_pinterest import dates, spec
from tap_pinterest.errors import PinterestAPIError
from tap_pinterest.json_members import ITEM, VALUE, NotAnObjectError, iter_members
from tap_pinterest.reports import ReportError
from tap_pinterest.settings import DEFAULT_TARGETING_TYPES

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from datetime import date

    from singer_sdk.helpers.types import Context

    from tap_pinterest.streams.analytics import AdsAnalyticsStream

TARGETING_COLUMNS = ("targeting_type", "targeting_value")
# Kept in each partition's state: a type added later has no rows before the bookmark.
TYPES_STATE_KEY = "targeting_types"
# POST /ad_accounts/{ad_account_id}/reports (analytics/create_report): the body's
# targeting_types (AdsAnalyticsCreateAsyncRequest) has its own enum and takes at most 5.
REPORT_TARGETING_TYPES, MAX_REPORT_TYPES = spec.report_targeting_types()
# The report row columns naming a row's targeting (assumed: see the module docstring).
REPORT_TYPE_COLUMN = "TARGETING_TYPE"
REPORT_VALUE_COLUMN = "TARGETING_VALUE"
REPORT_VALUE_NAME_COLUMN = "TARGETING_VALUE_NAME"


class TargetingRows:
    """The targeting row shape: one row per entity, date, targeting type and value."""

    def __init__(self, stream: AdsAnalyticsStream) -> None:
        """Warn about added or report-less targeting types once per run, not per partition."""
        self.stream = stream
        self._warned_types = False
        self._warned_report_types = False

    @cached_property
    def max_types_per_call(self) -> int:
        """targeting_types maxItems of the level's operation (15 account, 14 the others)."""
        return spec.parameter_max_items(self.stream.level.path, "targeting_types")

    def targeting_types(self) -> list[str]:
        """The `targeting_types` setting, duplicates dropped, in the order given."""
        configured = self.stream.config.get("targeting_types") or DEFAULT_TARGETING_TYPES
        return list(dict.fromkeys(str(value) for value in configured))

    def sync_type_batches(self) -> list[list[str]]:
        """The types in as few synchronous calls as the level's operation allows."""
        return dates.batched(self.targeting_types(), self.max_types_per_call)

    def stored_bookmark(self, context: Context | None, bookmark: date | None) -> date | None:
        """The bookmark, unless targeting_types gained a type since it was written.

        The new type's rows before the bookmark were never fetched, so the partition starts
        again from start_date (a state from before types were recorded is taken as is).
        """
        stored = self.stream.get_context_state(context).get(TYPES_STATE_KEY)
        if bookmark is None or stored is None:
            return bookmark
        added = [t for t in self.targeting_types() if t not in stored]
        if not added:
            return bookmark
        if not self._warned_types:
            self._warned_types = True
            self.stream.logger.warning(
                "%s: targeting_types gained %s since the last run; fetching again from "
                "start_date so their earlier days are not missing",
                self.stream.name,
                ", ".join(added),
            )
        return None

    def note_types(self, context: Context) -> None:
        """Record the types the partition's bookmark covers (with the bookmark, or after).

        Without them, a run stopped midway left a bookmark with no types, taken as is next
        run: a type added in between would miss every date before it. With types added
        since the stored bookmark (stored_bookmark is then None), the partition restarted
        from start_date and the bookmark moves back to this window, with the new types.
        """
        self.stream.get_context_state(context)[TYPES_STATE_KEY] = self.targeting_types()

    def report_types(self) -> tuple[list[str], list[str]]:
        """(types reports offer, types they do not), from the targeting_types setting."""
        types = self.targeting_types()
        offered = [t for t in types if t in REPORT_TARGETING_TYPES]
        return offered, [t for t in types if t not in REPORT_TARGETING_TYPES]

    def report_type_batches(self) -> list[list[str]]:
        """One report per batch of at most 5 types (ceil(n / 5) reports per window)."""
        offered, _ = self.report_types()
        return dates.batched(offered, MAX_REPORT_TYPES)

    def warn_report_types(self, windows: list[dates.DateWindow]) -> None:
        """Name the types and dates reports cannot serve, once per run (like warn_cap)."""
        _, missing = self.report_types()
        if not windows or not missing or self._warned_report_types:
            return
        self._warned_report_types = True
        self.stream.logger.warning(
            "%s: async reports do not offer targeting type %s; its rows for %s to %s "
            "cannot be fetched",
            self.stream.name,
            ", ".join(missing),
            windows[0].start,
            windows[-1].end,
        )

    def report_key(self, row: dict[str, Any]) -> tuple[str, str]:
        """A report row's (targeting_type, targeting_value), taken out of the row."""
        targeting_type = row.pop(REPORT_TYPE_COLUMN, None)
        targeting_value = row.pop(REPORT_VALUE_COLUMN, None)
        row.pop(REPORT_VALUE_NAME_COLUMN, None)
        if not targeting_type or targeting_value is None:
            msg = (
                f"Pinterest sent a {self.stream.name} report row without {REPORT_TYPE_COLUMN} "
                f"or {REPORT_VALUE_COLUMN}: its key"
            )
            raise ReportError(msg)
        return str(targeting_type), str(targeting_value)

    def shape_item(
        self, item: dict[str, Any], account: str, attribution: dict[str, Any]
    ) -> dict[str, Any]:
        """The item's metrics shaped like an ads analytics row, plus its targeting."""
        targeting_type = item.get("targeting_type")
        targeting_value = item.get("targeting_value")
        metrics = item.get("metrics")
        if not targeting_type or targeting_value is None or not isinstance(metrics, dict):
            msg = (
                f"Pinterest sent a {self.stream.name} item without targeting_type, "
                "targeting_value or metrics: its key"
            )
            raise PinterestAPIError(msg)
        record = self.stream.shape(metrics, account, attribution)
        # The spec's examples send some values as numbers (LOCATION 500): the key is text.
        record["targeting_type"] = str(targeting_type)
        record["targeting_value"] = str(targeting_value)
        return record


def streamed_targeting_items(chunks: Iterable[bytes], path: str) -> Iterator[Any]:
    """The `data` items of a MetricsResponse as its bytes arrive (issue 19: ~290 MB answers).

    Anything but an object with a `data` list is an error, as when it was parsed whole.
    """
    found = False
    try:
        for kind, key, value in iter_members(chunks):
            if key != "data":
                continue
            if kind == VALUE:
                _no_data_list(path, "dict")
            found = True
            if kind == ITEM:
                yield value
    except NotAnObjectError as exc:
        _no_data_list(path, type(exc.body).__name__)
    if not found:
        _no_data_list(path, "dict")


def _no_data_list(path: str, body_type: str) -> NoReturn:
    msg = f"Pinterest answered {path} without a data list ({body_type} body)"
    raise PinterestAPIError(msg)
