"""Date arithmetic for analytics: the 90-day cap, lookback, bucket alignment, windows.

Pure functions of their arguments (today included), so every rule is testable alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pendulum

if TYPE_CHECKING:
    from collections.abc import Sequence


def utc_today() -> date:
    """Pinterest computes its 90-day limit on the current UTC date (spec, analytics ops)."""
    return pendulum.today("UTC").date()


def as_pendulum(day: date) -> pendulum.Date:
    """A pendulum Date (still a `date`), for its calendar arithmetic."""
    return pendulum.Date(day.year, day.month, day.day)


@dataclass(frozen=True)
class DateLimits:
    """How far back one granularity may reach and how long one request may span."""

    max_days_back: int
    max_span_days: int


# GET /ad_accounts/{id}/campaigns/analytics (and the ad account, ad group, ad, user and
# pin analytics operations): start_date at most 90 days back, end_date at most 90 days
# after start_date; with granularity HOUR, 8 days back and a 3-day range.
DAILY_LIMITS = DateLimits(max_days_back=90, max_span_days=90)
HOURLY_LIMITS = DateLimits(max_days_back=8, max_span_days=3)


# Pinterest refuses exactly the 90th (914th...) day when its clock has passed UTC midnight
# and ours not yet, or a run that planned before midnight calls after it (issue 16; other
# connectors moved to 89 and 913 days). The tap never asks for the last day of a limit:
# with `analytics_source: auto` the other path (reports) fetches the day given up.
EDGE_MARGIN_DAYS = 1


def limits_for(granularity: str) -> DateLimits:
    """The spec's limits for a granularity."""
    return HOURLY_LIMITS if granularity == "HOUR" else DAILY_LIMITS


@dataclass(frozen=True)
class DateWindow:
    """One request's inclusive date range."""

    start: date
    end: date


@dataclass(frozen=True)
class SyncRange:
    """The dates one partition's run fetches, and what the API's cap cut off."""

    start: date
    end: date
    requested_start: date

    @property
    def capped(self) -> bool:
        """True when the API's limit kept some requested dates out of reach."""
        return self.requested_start < self.start

    @property
    def empty(self) -> bool:
        """True when nothing is left to fetch (e.g. end_date before the cap)."""
        return self.end < self.start


def align_to_bucket(day: date, granularity: str) -> date:
    """The first date of the WEEK (Monday) or MONTH bucket holding `day`.

    A window starting mid-bucket would yield a partial bucket under the same DATE key
    and overwrite the complete one downstream.
    """
    if granularity == "WEEK":
        return as_pendulum(day).start_of("week")
    if granularity == "MONTH":
        return as_pendulum(day).start_of("month")
    return day


def plan_range(  # noqa: PLR0913
    *,
    bookmark: date | None,
    start_date: date,
    end_date: date | None,
    lookback_days: int,
    granularity: str,
    today: date,
    limits: DateLimits | None = None,
    reach_today: date | None = None,
) -> SyncRange:
    """Start at max(bookmark - lookback, start_date), never before the API's cap.

    `limits` defaults to the synchronous endpoints'; async reports reach further. The
    cap keeps EDGE_MARGIN_DAYS inside the limit, counted from `reach_today` (default
    `today`: the run's date, fixed at its start).
    """
    limits = limits or limits_for(granularity)
    requested = start_date
    if bookmark is not None:
        requested = max(bookmark - timedelta(days=lookback_days), start_date)
    requested = align_to_bucket(requested, granularity)
    earliest = earliest_day(reach_today or today, limits)
    start = requested
    if earliest > requested:
        # The cap cuts a bucket: start at the first whole one, or its row would be partial.
        start = earliest
        if align_to_bucket(earliest, granularity) < earliest:
            start = next_bucket(earliest, granularity)
    end = min(end_date or today, today)
    return SyncRange(start=start, end=end, requested_start=requested)


def earliest_day(today: date, limits: DateLimits) -> date:
    """The oldest date the tap asks for under `limits`: one day inside the API's edge."""
    return today - timedelta(days=limits.max_days_back - EDGE_MARGIN_DAYS)


def next_bucket(day: date, granularity: str) -> date:
    """The first date of the WEEK or MONTH bucket after the one holding `day`."""
    bucket = as_pendulum(align_to_bucket(day, granularity))
    return bucket.add(weeks=1) if granularity == "WEEK" else bucket.add(months=1)


def split_windows(
    sync_range: SyncRange, granularity: str, span_days: int | None = None
) -> list[DateWindow]:
    """Consecutive windows no longer than one request may span, aligned to buckets.

    A window ends at most `span_days` (default: the synchronous endpoints' limit) after
    its start.
    """
    span = limits_for(granularity).max_span_days if span_days is None else span_days
    windows: list[DateWindow] = []
    start = sync_range.start
    while start <= sync_range.end:
        end = min(start + timedelta(days=span), sync_range.end)
        if granularity in {"WEEK", "MONTH"} and end < sync_range.end:
            # End the window before the bucket that straddles it, so no bucket is split.
            bucket_start = align_to_bucket(end + timedelta(days=1), granularity)
            if bucket_start > start:
                end = bucket_start - timedelta(days=1)
        windows.append(DateWindow(start, end))
        start = end + timedelta(days=1)
    return windows


def batched(ids: Sequence[str], size: int) -> list[list[str]]:
    """Ids in runs of at most `size`, the spec's per-call cap, to spend the fewest calls."""
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]
