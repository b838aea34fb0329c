"""Targeting breakdowns of the ads analytics: who (age, gender, country...) the money reached.

GET /ad_accounts/{ad_account_id}[/campaigns|/ad_groups|/ads]/targeting_analytics answers
`{"data": [{"targeting_type", "targeting_value", "metrics": {...}}]}`; each item becomes one
row with the metrics as typed top-level columns, exactly like the plain ads analytics, plus
the targeting type and value that split them. Dates, state, id batching and the attribution
settings are the ads analytics' own (AdsAnalyticsStream).

Dates older than the synchronous endpoints' 90 days (or every date, with
`analytics_source: reports`) come from async reports at the levels ADVERTISER_TARGETING,
CAMPAIGN_TARGETING, AD_GROUP_TARGETING and PIN_PROMOTION_TARGETING, like the plain ads
analytics (ReportBackedStream). A report body takes at most 5 targeting types, so a window
takes one report per batch of 5, and its bookmark moves only once all of them were emitted.

Assumed, not specified: the spec does not define the rows of a downloaded report. The tap
takes a targeting report to be the same JSON object keyed by entity id as other reports
(ADVERTISER_TARGETING: keyed by the ad account), each row carrying TARGETING_TYPE and
TARGETING_VALUE (TemplateResponse.columns lists them as report columns) besides DATE and
the metric columns; TARGETING_VALUE_NAME, if present, is ignored. Check against the live API.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from typing_extensions import override

from tap_pinterest import dates, spec
from tap_pinterest.errors import PinterestAPIError
from tap_pinterest.reports import ReportError, ReportRequest
from tap_pinterest.settings import DEFAULT_TARGETING_TYPES
from tap_pinterest.streams.report_analytics import ReportBackedStream

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import date

    from singer_sdk.helpers.types import Context

ACCOUNT_TARGETING_PATH = "/ad_accounts/{ad_account_id}/targeting_analytics"
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


class TargetingAnalyticsStream(ReportBackedStream):
    """One row per entity, date, targeting type and targeting value."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Warn about added or report-less targeting types once per run, not per partition."""
        super().__init__(*args, **kwargs)
        self._warned_types = False
        self._warned_report_types = False

    @property
    @override
    def primary_keys(self) -> tuple[str, ...]:
        keys: tuple[str, ...] = (self.id_column, "DATE")
        if self.granularity == "HOUR":
            keys = (*keys, "HOUR")
        return (*keys, *TARGETING_COLUMNS)

    @primary_keys.setter
    def primary_keys(self, value: Sequence[str]) -> None:
        """The keys follow the granularity setting; the catalog cannot change them."""

    @cached_property
    @override
    def schema(self) -> dict[str, Any]:
        base = super().schema
        properties = {column: {"type": ["string"]} for column in TARGETING_COLUMNS}
        return {**base, "properties": {**base["properties"], **properties}}

    @cached_property
    def max_types_per_call(self) -> int:
        """targeting_types maxItems of this level's operation (15 account, 14 the others)."""
        return spec.parameter_max_items(str(self.path), "targeting_types")

    @cached_property
    def max_ids_per_call(self) -> int:
        """The id parameter's maxItems on this level's operation (250 on each)."""
        if self.ids_param is None:
            return 1
        return spec.parameter_max_items(str(self.path), self.ids_param)

    def targeting_types(self) -> list[str]:
        """The `targeting_types` setting, duplicates dropped, in the order given."""
        configured = self.config.get("targeting_types") or DEFAULT_TARGETING_TYPES
        return list(dict.fromkeys(str(value) for value in configured))

    @override
    def stored_bookmark(self, context: Context | None) -> date | None:
        """The bookmark, unless targeting_types gained a type since it was written.

        The new type's rows before the bookmark were never fetched, so the partition starts
        again from start_date (a state from before types were recorded is taken as is).
        """
        bookmark = super().stored_bookmark(context)
        stored = self.get_context_state(context).get(TYPES_STATE_KEY)
        if bookmark is None or stored is None:
            return bookmark
        added = [t for t in self.targeting_types() if t not in stored]
        if not added:
            return bookmark
        if not self._warned_types:
            self._warned_types = True
            self.logger.warning(
                "%s: targeting_types gained %s since the last run; fetching again from "
                "start_date so their earlier days are not missing",
                self.name,
                ", ".join(added),
            )
        return None

    @override
    def partition_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        if context is None:
            return
        yield from super().partition_records(context)
        # Only with a bookmark that covers them (here, or per report window in checkpoint):
        # a failed run must retry the new types.
        self.get_context_state(context)[TYPES_STATE_KEY] = self.targeting_types()

    @override
    def checkpoint(self, context: Context, last_day: date) -> None:
        """Move the bookmark together with the types it covers: each was fetched up to it.

        Without them, a run stopped midway left a bookmark with no types, taken as is next
        run: a type added in between would miss every date before it. With types added
        since the stored bookmark (stored_bookmark is then None), the partition restarted
        from start_date and the bookmark moves back to this window, with the new types.
        """
        bookmark = self.stored_bookmark(context)
        if bookmark is not None and bookmark >= last_day:
            return
        self.get_context_state(context)[TYPES_STATE_KEY] = self.targeting_types()
        self.move_bookmark(context, last_day)

    @override
    def sync_records(
        self, context: Context, windows: list[dates.DateWindow]
    ) -> Iterable[dict[str, Any]]:
        """Items of the synchronous targeting endpoint, all types in as few calls as allowed."""
        account = str(context["ad_account_id"])
        columns = self.requested_columns()
        if not windows:
            return
        ids = self.entity_ids(context)
        if ids == []:
            return
        type_batches = dates.batched(self.targeting_types(), self.max_types_per_call)
        attribution = self.attribution()
        params_base = self.request_params(columns, attribution)
        path = self.path.format(ad_account_id=account)
        for window in windows:
            for type_batch in type_batches:
                params = {
                    **params_base,
                    "start_date": window.start.isoformat(),
                    "end_date": window.end.isoformat(),
                    "targeting_types": ",".join(type_batch),
                }
                for body in self.fetch_targeted(path, params, ids, context):
                    for item in targeting_items(body, path):
                        yield self.shape_targeting(item, account, attribution)

    @override
    def report_records(
        self, context: Context, windows: list[dates.DateWindow], columns: list[str]
    ) -> Iterable[dict[str, Any]]:
        """The reports' rows, after naming the types reports cannot break these dates into."""
        self.warn_report_types(windows)
        yield from super().report_records(context, windows, columns)

    @override
    def window_reports(
        self,
        account: str,
        window: dates.DateWindow,
        columns: list[str],
        attribution: dict[str, Any],
    ) -> list[ReportRequest]:
        """One report per batch of at most 5 types (ceil(n / 5) reports per window)."""
        body = self.report_body(window, columns, attribution)
        offered, _ = self.report_types()
        return [
            ReportRequest(account, self.report_level, window, {**body, "targeting_types": batch})
            for batch in dates.batched(offered, MAX_REPORT_TYPES)
        ]

    def report_types(self) -> tuple[list[str], list[str]]:
        """(types reports offer, types they do not), from the targeting_types setting."""
        types = self.targeting_types()
        offered = [t for t in types if t in REPORT_TARGETING_TYPES]
        return offered, [t for t in types if t not in REPORT_TARGETING_TYPES]

    def warn_report_types(self, windows: list[dates.DateWindow]) -> None:
        """Name the types and dates reports cannot serve, once per run (like warn_cap)."""
        _, missing = self.report_types()
        if not windows or not missing or self._warned_report_types:
            return
        self._warned_report_types = True
        self.logger.warning(
            "%s: async reports do not offer targeting type %s; its rows for %s to %s "
            "cannot be fetched",
            self.name,
            ", ".join(missing),
            windows[0].start,
            windows[-1].end,
        )

    @override
    def report_record(
        self,
        entity_id: str,
        row: dict[str, Any],
        account: str,
        attribution: dict[str, Any],
        numeric: list[str],
    ) -> dict[str, Any]:
        """The synchronous item's record: TARGETING_TYPE/VALUE become the text keys."""
        targeting_type = row.pop(REPORT_TYPE_COLUMN, None)
        targeting_value = row.pop(REPORT_VALUE_COLUMN, None)
        row.pop(REPORT_VALUE_NAME_COLUMN, None)
        if not targeting_type or targeting_value is None:
            msg = (
                f"Pinterest sent a {self.name} report row without {REPORT_TYPE_COLUMN} or "
                f"{REPORT_VALUE_COLUMN}: its key"
            )
            raise ReportError(msg)
        record = super().report_record(entity_id, row, account, attribution, numeric)
        record["targeting_type"] = str(targeting_type)
        record["targeting_value"] = str(targeting_value)
        return record

    def fetch_targeted(
        self, path: str, params: dict[str, Any], ids: list[str] | None, context: Context
    ) -> Iterable[Any]:
        """One answer at the account level; else one per batch of ids that fits a URL."""
        if ids is None or not self.ids_param:
            yield self.fetch(path, params, context)
            return
        for batch in self.id_batches(path, params, self.ids_param, ids, self.max_ids_per_call):
            yield from self.fetch_ids(path, params, self.ids_param, batch, context)

    def shape_targeting(
        self, item: dict[str, Any], account: str, attribution: dict[str, Any]
    ) -> dict[str, Any]:
        """The item's metrics shaped like an ads analytics row, plus its targeting."""
        targeting_type = item.get("targeting_type")
        targeting_value = item.get("targeting_value")
        metrics = item.get("metrics")
        if not targeting_type or targeting_value is None or not isinstance(metrics, dict):
            msg = (
                f"Pinterest sent a {self.name} item without targeting_type, "
                "targeting_value or metrics: its key"
            )
            raise PinterestAPIError(msg)
        record = self.shape(metrics, account, attribution)
        # The spec's examples send some values as numbers (LOCATION 500): the key is text.
        record["targeting_type"] = str(targeting_type)
        record["targeting_value"] = str(targeting_value)
        return record


def targeting_items(body: Any, path: str) -> list[dict[str, Any]]:  # noqa: ANN401
    """The `data` list of a MetricsResponse; anything else is an error."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        msg = f"Pinterest answered {path} without a data list ({type(body).__name__} body)"
        raise PinterestAPIError(msg)
    return data


class AdAccountTargetingAnalyticsStream(TargetingAnalyticsStream):
    """GET /ad_accounts/{ad_account_id}/targeting_analytics (no id list); old dates by report."""

    name = "ad_account_targeting_analytics"
    path = ACCOUNT_TARGETING_PATH
    report_level = "ADVERTISER_TARGETING"


class CampaignTargetingAnalyticsStream(TargetingAnalyticsStream):
    """Campaigns: GET .../campaigns/targeting_analytics (250 ids a call), or reports."""

    name = "campaign_targeting_analytics"
    path = "/ad_accounts/{ad_account_id}/campaigns/targeting_analytics"
    report_level = "CAMPAIGN_TARGETING"
    id_column = "CAMPAIGN_ID"
    ids_param = "campaign_ids"
    lower_level_columns = frozenset({"AD_GROUP_ID", "AD_ID", "PIN_ID", "PIN_PROMOTION_ID"})
    entity_stream = "campaigns"


class AdGroupTargetingAnalyticsStream(TargetingAnalyticsStream):
    """Ad groups: GET .../ad_groups/targeting_analytics (250 ids a call), or reports."""

    name = "ad_group_targeting_analytics"
    path = "/ad_accounts/{ad_account_id}/ad_groups/targeting_analytics"
    report_level = "AD_GROUP_TARGETING"
    id_column = "AD_GROUP_ID"
    ids_param = "ad_group_ids"
    lower_level_columns = frozenset({"AD_ID", "PIN_ID", "PIN_PROMOTION_ID"})
    entity_stream = "ad_groups"


class AdTargetingAnalyticsStream(TargetingAnalyticsStream):
    """Ads: GET .../ads/targeting_analytics (250 ids a call), or PIN_PROMOTION reports."""

    name = "ad_targeting_analytics"
    path = "/ad_accounts/{ad_account_id}/ads/targeting_analytics"
    report_level = "PIN_PROMOTION_TARGETING"
    id_column = "AD_ID"
    ids_param = "ad_ids"
    lower_level_columns = frozenset()
    entity_stream = "ads"
