"""Which analytics dates go through async reports, and in which windows.

Pure functions of their arguments (today included), so every rule is testable alone.
The synchronous analytics endpoints reach 90 days back; async reports reach 914 (spec,
analytics/create_report), so a partition's range splits in two: reports for the old
dates, the synchronous endpoints for the recent ones (or reports for all of it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from tap_pinterest.dates import (
    DateLimits,
    DateWindow,
    SyncRange,
    as_pendulum,
    split_windows,
)

if TYPE_CHECKING:
    from datetime import date

AnalyticsSource = Literal["auto", "reports", "sync"]
ANALYTICS_SOURCES: tuple[AnalyticsSource, ...] = ("auto", "reports", "sync")

# POST /ad_accounts/{ad_account_id}/reports (analytics/create_report): not HOUR, up to
# 914 days back and a range of at most 186 days; HOUR, 8 days back and 3 days; level
# PRODUCT_ITEM, 92 days back and 31 days. The spec does not say whether a range counts
# its last day, so the tap counts both ends (186 dates: end = start + 185), which is
# valid under either reading.
DAILY_REPORT_LIMITS = DateLimits(max_days_back=914, max_span_days=186 - 1)
HOURLY_REPORT_LIMITS = DateLimits(max_days_back=8, max_span_days=3 - 1)
PRODUCT_ITEM_REPORT_LIMITS = DateLimits(max_days_back=92, max_span_days=31 - 1)
PRODUCT_ITEM_LEVEL = "PRODUCT_ITEM"


def report_limits(level: str, granularity: str) -> DateLimits:
    """How far back one report may reach and how long it may span, for a level."""
    if granularity == "HOUR":
        return HOURLY_REPORT_LIMITS
    if level == PRODUCT_ITEM_LEVEL:
        return PRODUCT_ITEM_REPORT_LIMITS
    return DAILY_REPORT_LIMITS


@dataclass(frozen=True)
class Route:
    """A partition's dates: report windows (oldest first), then a synchronous range."""

    reports: list[DateWindow]
    sync: SyncRange | None


def route(
    reachable: SyncRange,
    *,
    source: AnalyticsSource,
    sync_start: date,
    granularity: str,
    report_span_days: int,
) -> Route:
    """Split the dates reports can reach between reports and the synchronous endpoints.

    `reachable` is the partition's range capped at the reports' reach; `sync_start` the
    first date the synchronous endpoints serve (already on a bucket boundary). `auto`
    sends only the dates before `sync_start` to reports, `reports` sends everything,
    `sync` nothing.
    """
    if reachable.empty:
        return Route([], None)
    if source == "sync":
        return Route([], reachable)
    report_end = reachable.end if source == "reports" else min(reachable.end, _eve(sync_start))
    reports: list[DateWindow] = []
    if reachable.start <= report_end:
        old = SyncRange(reachable.start, report_end, reachable.start)
        reports = split_windows(old, granularity, report_span_days)
    if source == "reports" or report_end >= reachable.end:
        return Route(reports, None)
    recent_start = max(reachable.start, sync_start)
    return Route(reports, SyncRange(recent_start, reachable.end, recent_start))


def _eve(day: date) -> date:
    return as_pendulum(day).subtract(days=1)
