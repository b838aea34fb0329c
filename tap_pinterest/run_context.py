"""Everything one run shares across its streams, in one object the tap creates.

Pinterest counts calls per user and app (one rate limiter), a failed partition is
summarised when the run ends (one failure log), a warning about the settings is given
once per run, and a list read by one stream serves every other stream that needs it
(`Listings`). Streams receive this object as `stream.run`; nothing run-wide lives on
the tap or in module globals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from tap_pinterest.clock import SYSTEM_CLOCK, Clock
from tap_pinterest.failures import FailureLog
from tap_pinterest.progress import Progress
from tap_pinterest.quota import DEFAULT_MAX_RATE_LIMIT_WAIT_SECONDS, QuotaClosures
from tap_pinterest.ratelimit import RateLimiter
from tap_pinterest.reports_ahead import ReportsAhead
from tap_pinterest.run_clock import RunClock
from tap_pinterest.settings import DEFAULT_MAX_REPORTS_IN_FLIGHT

if TYPE_CHECKING:
    import logging

    from singer_sdk.helpers.types import Context


def listing_key(stream_name: str, context: Context | None) -> tuple[str, str]:
    """Where a stream's listing is kept: (stream, ad account id or '' for the user's)."""
    return stream_name, str((context or {}).get("ad_account_id", ""))


@dataclass
class Listing:
    """Items one stream would list itself, read earlier by a stream that needed their ids.

    `started_at` (wall clock) is when that listing's first page was asked for: an
    update-time stream caps its bookmark there, as if it had listed them itself.
    """

    items: list[dict[str, Any]]
    started_at: float


@dataclass
class Listings:
    """Ids (and items) each list yielded this run, so no list is read twice.

    A stream that needs another stream's ids takes them from `ids` if that stream ran;
    otherwise it lists them and, when the other stream is selected and still to run,
    keeps the items here for it (`keep`): whichever of the two syncs first, the list is
    read once.
    """

    ids: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    kept: dict[tuple[str, str], Listing] = field(default_factory=dict)

    def known_ids(self, stream_name: str, context: Context | None) -> list[str] | None:
        """The ids the stream listed for this partition this run, or None."""
        return self.ids.get(listing_key(stream_name, context))

    def record_ids(self, stream_name: str, context: Context | None, ids: list[str]) -> None:
        """A complete listing's ids (a partial list would hide entities from reuse)."""
        self.ids[listing_key(stream_name, context)] = ids

    def keep(self, stream_name: str, context: Context | None, listing: Listing) -> None:
        """Items for a selected stream that has not run yet."""
        self.kept[listing_key(stream_name, context)] = listing

    def peek(self, stream_name: str, context: Context | None) -> Listing | None:
        """The items kept for the stream's partition, left in place."""
        return self.kept.get(listing_key(stream_name, context))

    def take(self, stream_name: str, context: Context | None) -> Listing | None:
        """The items kept for the stream's partition; they are handed out once."""
        return self.kept.pop(listing_key(stream_name, context), None)


@dataclass
class RunContext:
    """The run-wide state: rate limit, quotas, failures, warnings given, listings, clocks."""

    clock: Clock = SYSTEM_CLOCK
    max_rate_limit_wait_seconds: float = DEFAULT_MAX_RATE_LIMIT_WAIT_SECONDS
    # Calls of a stream that may be in flight together (max_concurrent_requests, issue 19).
    max_concurrent_requests: int = 1
    # Reports created and not yet read (max_reports_in_flight, issue 19).
    max_reports_in_flight: int = DEFAULT_MAX_REPORTS_IN_FLIGHT
    failures: FailureLog = field(default_factory=FailureLog)
    warned: set[str] = field(default_factory=set)
    listings: Listings = field(default_factory=Listings)
    rate_limiter: RateLimiter = field(init=False)
    # x-ratelimit-categories whose quota is spent for the rest of the run (issue 16).
    quota: QuotaClosures = field(init=False)
    # The run's `today`, fixed once at its start: every window of a run agrees (issue 16).
    run_clock: RunClock = field(init=False)
    # Where a long run is, said about every 30 s (issue 19).
    progress: Progress = field(init=False)
    # Reports created ahead of the streams that read them (issue 19, report_prestart.py).
    reports_ahead: ReportsAhead = field(init=False)

    def __post_init__(self) -> None:
        """One rate limiter, one quota ledger and one `today` per run, on the run's clock."""
        self.rate_limiter = self.new_rate_limiter(self.clock)
        self.progress = Progress(self.clock)
        self.reports_ahead = ReportsAhead(self.clock, self.max_reports_in_flight)
        self.quota = QuotaClosures(self.max_rate_limit_wait_seconds, now=self.utc_now)
        self.run_clock = RunClock(self.utc_now())

    def use_clock(self, clock: Clock) -> None:
        """Wait and time on `clock` from now on (set before the sync starts)."""
        self.clock = clock
        self.rate_limiter = self.new_rate_limiter(clock)
        self.progress = Progress(clock)
        self.reports_ahead = ReportsAhead(clock, self.max_reports_in_flight)

    def new_rate_limiter(self, clock: Clock) -> RateLimiter:
        """The run's limiter, reserving budget per call when calls are in flight together."""
        return RateLimiter(clock, concurrent=self.max_concurrent_requests > 1)

    def utc_now(self) -> datetime:
        """The run's wall clock as an aware UTC datetime."""
        return datetime.fromtimestamp(self.clock.wall(), tz=timezone.utc)

    def warn_once(
        self, key: str, logger: logging.Logger | logging.LoggerAdapter[Any], message: str
    ) -> None:
        """Log a warning about the settings the first time `key` comes up this run."""
        if key in self.warned:
            return
        self.warned.add(key)
        logger.warning(message)
