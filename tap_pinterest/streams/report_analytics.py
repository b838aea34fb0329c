"""Ads analytics through async reports: 914 days of history, and the report-only levels.

The synchronous levels send the dates older than their endpoints' 90 days (or, with
`analytics_source: reports`, every date) to async reports, with the same keys, columns
and attribution fields; the report-only levels (keyword, product group, product item
and their targeting twins) take every date from them. A targeting level's window takes
several reports, one per batch of targeting types (targeting_analytics.py).

A partition's bookmark moves to the end of each report window once every row of every
window up to it was emitted, so a backfill that stops midway resumes where it stopped.
"""

from __future__ import annotations

from collections import Counter
from functools import cached_property
from typing import TYPE_CHECKING, Any

from tap_pinterest import sdk_seam
from tap_pinterest.analytics_columns import column_json_type
from tap_pinterest.custom_reports import EVENT_KEY
from tap_pinterest.report_columns import ASYNC_COLUMN_SET
from tap_pinterest.reports import ReportClient, ReportRequest
from tap_pinterest.settings import DEFAULT_REPORT_DEADLINE_SECONDS, DEFAULT_REPORT_POLL_SECONDS

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date

    from singer_sdk.helpers.types import Context

    from tap_pinterest import dates
    from tap_pinterest.streams.analytics import AdsAnalyticsStream


class ReportSource:
    """A level's async reports (POST /ad_accounts/{ad_account_id}/reports)."""

    def __init__(self, stream: AdsAnalyticsStream) -> None:
        """The stream whose level is reported."""
        self.stream = stream

    @cached_property
    def client(self) -> ReportClient:
        """Polls with waits from report_poll_seconds up, within report_deadline_seconds."""
        config = self.stream.config
        return ReportClient(
            self.stream,
            first_wait=float(config.get("report_poll_seconds", DEFAULT_REPORT_POLL_SECONDS)),
            deadline_seconds=float(
                config.get("report_deadline_seconds", DEFAULT_REPORT_DEADLINE_SECONDS)
            ),
            clock=self.stream.run.clock,
        )

    def records(
        self, context: Context, windows: list[dates.DateWindow], columns: list[str]
    ) -> Iterable[dict[str, Any]]:
        """Every row of the windows' reports; the bookmark moves after each window."""
        stream = self.stream
        if stream.targeting is not None:
            stream.targeting.warn_report_types(windows)
        if not windows:
            return
        account = str(context["ad_account_id"])
        attribution = stream.attribution()
        report_columns = [c for c in columns if c in ASYNC_COLUMN_SET]
        if len(report_columns) < len(columns):
            stream.logger.info(
                "%s: reports do not offer %s; rows from reports leave it out",
                stream.name,
                ", ".join(c for c in columns if c not in ASYNC_COLUMN_SET),
            )
        numeric = [c for c in report_columns if column_json_type(c) == "number"]
        reports = self.reports_for(account, windows, columns)
        # A window's bookmark waits for the last of its reports (targeting: one per batch).
        pending = Counter(report.window for report in reports)
        for report, rows in self.client.run(reports):
            for entity_id, row in rows:
                yield self.report_record(entity_id, row, account, attribution, numeric)
            pending[report.window] -= 1
            if not pending[report.window]:
                stream.checkpoint(context, report.window.end)
                stream.run.progress.window_done(stream.name)

    def reports_for(
        self, account: str, windows: list[dates.DateWindow], columns: list[str]
    ) -> list[ReportRequest]:
        """The reports of a partition's windows, in the order they are read.

        The run plans them ahead with this same method (report_prestart.py), so a report
        created ahead has exactly the body the stream asks for.
        """
        attribution = self.stream.attribution()
        report_columns = [c for c in columns if c in ASYNC_COLUMN_SET]
        return [
            report
            for window in windows
            for report in self.window_reports(account, window, report_columns, attribution)
        ]

    def window_reports(
        self,
        account: str,
        window: dates.DateWindow,
        columns: list[str],
        attribution: dict[str, Any],
    ) -> list[ReportRequest]:
        """The reports covering one window: one, or one per batch of targeting types."""
        level = self.stream.level.report_level
        body = self.report_body(window, columns, attribution)
        targeting = self.stream.targeting
        if targeting is None:
            return [ReportRequest(account, level, window, body)]
        return [
            ReportRequest(account, level, window, {**body, "targeting_types": batch})
            for batch in targeting.report_type_batches()
        ]

    def report_body(
        self, window: dates.DateWindow, columns: list[str], attribution: dict[str, Any]
    ) -> dict[str, Any]:
        """The JSON body of analytics/create_report (it takes no query parameters)."""
        custom = self.stream.level.custom
        return {
            "start_date": window.start.isoformat(),
            "end_date": window.end.isoformat(),
            "granularity": self.stream.granularity,
            "level": self.stream.level.report_level,
            "columns": columns,
            "click_window_days": attribution["CLICK_WINDOW_DAYS"],
            "engagement_window_days": attribution["ENGAGEMENT_WINDOW_DAYS"],
            "view_window_days": attribution["VIEW_WINDOW_DAYS"],
            "conversion_report_time": attribution["CONVERSION_REPORT_TIME"],
            "reporting_timezone": attribution["REPORTING_TIMEZONE"],
            "report_format": "JSON",
            **({} if custom is None else custom.report_fields()),
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
        the report's key is the entity id. A targeting row's TARGETING_TYPE and
        TARGETING_VALUE become its text keys.
        """
        stream = self.stream
        targeting = stream.targeting
        key = None if targeting is None else targeting.report_key(row)
        custom = stream.level.custom
        event = None
        if custom is not None:  # a custom conversion event's row holds only its metrics
            event, numeric = custom.split_event(row, numeric)
        full: dict[str, Any] = dict.fromkeys(numeric, 0)
        full.update(row)
        if stream.id_column != "ad_account_id":
            full.setdefault(stream.id_column, entity_id)
        record = stream.shape(full, account, attribution)
        if key is not None:
            record["targeting_type"], record["targeting_value"] = key
        if event is not None:
            record[EVENT_KEY] = event
        return record


def move_bookmark(stream: AdsAnalyticsStream, context: Context, last_day: date) -> None:
    """Set the partition's bookmark to `last_day` and write the state at once."""
    sdk_seam.write_checkpoint(stream, context, last_day.isoformat())
