"""Ads analytics through async reports: 914 days of history, and the report-only levels.

The four ads analytics streams send the dates older than the synchronous endpoints'
90 days (or, with `analytics_source: reports`, every date) to async reports, and the
rest through the synchronous endpoints, with the same keys, columns and attribution
fields. Keyword, product group and product item analytics exist only as reports. The
targeting analytics streams (targeting_analytics.py) build on this with several reports
per window, one per batch of targeting types.

A partition's bookmark moves to the end of each report window once every row of every
window up to it was emitted, so a backfill that stops midway resumes where it stopped.
"""

from __future__ import annotations

from collections import Counter
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, cast

from typing_extensions import override

from tap_pinterest import dates, spec
from tap_pinterest.analytics_columns import column_json_type
from tap_pinterest.report_planning import AnalyticsSource, report_limits, route
from tap_pinterest.reports import ReportClient, ReportRequest
from tap_pinterest.streams import analytics
from tap_pinterest.streams.analytics import AdsAnalyticsStream

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date

    from singer_sdk.helpers.types import Context

ASYNC_COLUMNS = spec.async_report_columns()
ASYNC_COLUMN_SET = frozenset(ASYNC_COLUMNS)
DEFAULT_POLL_SECONDS = 2.0
DEFAULT_DEADLINE_SECONDS = 3600
_AD_COLUMNS = frozenset(
    c
    for c in ASYNC_COLUMNS
    if c.startswith(("AD_", "PIN_PROMOTION")) and not c.startswith(("AD_GROUP", "AD_ACCOUNT"))
)
_PRODUCT_ITEM_COLUMNS = frozenset(c for c in ASYNC_COLUMNS if c.startswith("PRODUCT_ITEM_"))
_ID_COLUMNS = frozenset({"AD_ID", "PIN_ID", "PIN_PROMOTION_ID", "PRODUCT_GROUP_ID"})


class ReportBackedStream(AdsAnalyticsStream):
    """An ads analytics stream whose old (or all) dates come from async reports."""

    # MetricsReportingLevel of the level's reports (spec, analytics/create_report).
    report_level: ClassVar[str] = "ADVERTISER"
    # Levels no synchronous endpoint serves ignore analytics_source.
    reports_only: ClassVar[bool] = False

    def analytics_source(self) -> AnalyticsSource:
        """Where dates come from: `auto` (reports beyond 90 days), `reports` or `sync`."""
        if self.reports_only:
            return "reports"
        # The settings schema allows only ANALYTICS_SOURCES.
        return cast("AnalyticsSource", self.config.get("analytics_source", "auto"))

    @cached_property
    def report_client(self) -> ReportClient:
        """Polls with waits from report_poll_seconds up, within report_deadline_seconds."""
        return ReportClient(
            self,
            first_wait=float(self.config.get("report_poll_seconds", DEFAULT_POLL_SECONDS)),
            deadline_seconds=float(
                self.config.get("report_deadline_seconds", DEFAULT_DEADLINE_SECONDS)
            ),
            clock=self.pinterest_tap.clock,
        )

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        source = self.analytics_source()
        if context is None or source == "sync":
            yield from super().get_records(context)
            return
        columns = self.requested_columns()
        limits = report_limits(self.report_level, self.granularity)
        reachable = self.plan(context, limits)
        self.warn_cap(reachable, limits.max_days_back)
        plan = route(
            reachable,
            source=source,
            sync_start=self.plan(context).start,
            granularity=self.granularity,
            report_span_days=limits.max_span_days,
        )
        yield from self.report_records(context, plan.reports, columns)
        if plan.sync is not None:
            windows = dates.split_windows(plan.sync, self.granularity)
            yield from self.sync_records(context, windows)

    def report_records(
        self, context: Context, windows: list[dates.DateWindow], columns: list[str]
    ) -> Iterable[dict[str, Any]]:
        """Every row of the windows' reports; the bookmark moves after each window."""
        if not windows:
            return
        account = str(context["ad_account_id"])
        attribution = self.attribution()
        report_columns = [c for c in columns if c in ASYNC_COLUMN_SET]
        if len(report_columns) < len(columns):
            self.logger.info(
                "%s: reports do not offer %s; rows from reports leave it out",
                self.name,
                ", ".join(c for c in columns if c not in ASYNC_COLUMN_SET),
            )
        numeric = [c for c in report_columns if column_json_type(c) == "number"]
        reports = [
            report
            for window in windows
            for report in self.window_reports(account, window, report_columns, attribution)
        ]
        # A window's bookmark waits for the last of its reports (targeting: one per batch).
        pending = Counter(report.window for report in reports)
        for report, rows in self.report_client.run(reports):
            for entity_id, row in rows:
                yield self.report_record(entity_id, row, account, attribution, numeric)
            pending[report.window] -= 1
            if not pending[report.window]:
                self.checkpoint(context, report.window.end)

    def window_reports(
        self,
        account: str,
        window: dates.DateWindow,
        columns: list[str],
        attribution: dict[str, Any],
    ) -> list[ReportRequest]:
        """The reports covering one window: one, unless a subclass splits it."""
        body = self.report_body(window, columns, attribution)
        return [ReportRequest(account, self.report_level, window, body)]

    def report_body(
        self, window: dates.DateWindow, columns: list[str], attribution: dict[str, Any]
    ) -> dict[str, Any]:
        """The JSON body of analytics/create_report (it takes no query parameters)."""
        return {
            "start_date": window.start.isoformat(),
            "end_date": window.end.isoformat(),
            "granularity": self.granularity,
            "level": self.report_level,
            "columns": columns,
            "click_window_days": attribution["CLICK_WINDOW_DAYS"],
            "engagement_window_days": attribution["ENGAGEMENT_WINDOW_DAYS"],
            "view_window_days": attribution["VIEW_WINDOW_DAYS"],
            "conversion_report_time": attribution["CONVERSION_REPORT_TIME"],
            "report_format": "JSON",
        }

    def report_record(
        self,
        entity_id: str,
        row: dict[str, Any],
        account: str,
        attribution: dict[str, Any],
        numeric: list[str],
    ) -> dict[str, Any]:
        """The record the synchronous endpoint would give for the same row.

        JSON reports leave out metrics that are zero (spec), so they are filled with 0;
        the report's key is the entity id.
        """
        full: dict[str, Any] = dict.fromkeys(numeric, 0)
        full.update(row)
        if self.id_column != "ad_account_id":
            full.setdefault(self.id_column, entity_id)
        return self.shape(full, account, attribution)

    def checkpoint(self, context: Context, last_day: date) -> None:
        """Bookmark `last_day`: every window up to it was delivered, in date order."""
        bookmark = self.stored_bookmark(context)
        if bookmark is not None and bookmark >= last_day:
            return
        self.move_bookmark(context, last_day)

    def move_bookmark(self, context: Context, last_day: date) -> None:
        """Set the partition's bookmark to `last_day` and write the state at once."""
        state = self.get_context_state(context)
        state["replication_key"] = self.replication_key
        state["replication_key_value"] = last_day.isoformat()
        self.state_manager.is_flushed = False
        self._write_state_message()


class AdAccountAnalyticsStream(ReportBackedStream, analytics.AdAccountAnalyticsStream):
    """The whole account per date; reports at level ADVERTISER."""

    report_level = "ADVERTISER"


class CampaignAnalyticsStream(ReportBackedStream, analytics.CampaignAnalyticsStream):
    """Campaigns per date; reports at level CAMPAIGN (no ids to list)."""

    report_level = "CAMPAIGN"


class AdGroupAnalyticsStream(ReportBackedStream, analytics.AdGroupAnalyticsStream):
    """Ad groups per date; reports at level AD_GROUP."""

    report_level = "AD_GROUP"


class AdAnalyticsStream(ReportBackedStream, analytics.AdAnalyticsStream):
    """Ads per date; reports at level PIN_PROMOTION, the older name for an ad."""

    report_level = "PIN_PROMOTION"


class KeywordAnalyticsStream(ReportBackedStream):
    """Keywords per date: level KEYWORD, which only reports serve."""

    name = "keyword_analytics"
    path = "/ad_accounts/{ad_account_id}/reports"
    report_level = "KEYWORD"
    reports_only = True
    id_column = "KEYWORD_ID"
    offered_columns = ASYNC_COLUMNS
    lower_level_columns = _ID_COLUMNS | _PRODUCT_ITEM_COLUMNS


class ProductGroupAnalyticsStream(ReportBackedStream):
    """Product groups per date: level PRODUCT_GROUP, from reports (no ids to list)."""

    name = "product_group_analytics"
    path = "/ad_accounts/{ad_account_id}/reports"
    report_level = "PRODUCT_GROUP"
    reports_only = True
    id_column = "PRODUCT_GROUP_ID"
    offered_columns = ASYNC_COLUMNS
    lower_level_columns = _ID_COLUMNS | _PRODUCT_ITEM_COLUMNS


class ProductItemAnalyticsStream(ReportBackedStream):
    """Catalog items per date: level PRODUCT_ITEM, 92 days back in 31-day reports."""

    name = "product_item_analytics"
    path = "/ad_accounts/{ad_account_id}/reports"
    report_level = "PRODUCT_ITEM"
    reports_only = True
    id_column = "PRODUCT_ITEM_ID"
    offered_columns = ASYNC_COLUMNS
    # analytics/create_report: no ad or pin promotion columns at level PRODUCT_ITEM.
    lower_level_columns = _ID_COLUMNS | _AD_COLUMNS
