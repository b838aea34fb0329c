"""One `today` per run, in the time zone the analytics days are counted in.

Pinterest checks its date limits on its own clock. A run that read the clock per
partition could plan one account's windows before UTC midnight and the next one's after
it, so windows of one run would disagree about the edge of the limits. The run fixes
the moment it started once, and every stream and partition derives its `today` from it.

With `reporting_timezone: AD_ACCOUNT_TIME_ZONE` an ad account's analytics days are the
account's own (spec: ReportingTimeZone, beta), so "today" for its bookmark cap is the
date in the account's `time_zone` (a field the live GET /ad_accounts sends and the
bundled 5.23.0 schema lacks), taken from the ad account record the tap listed.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tap_pinterest.client import PinterestStream

# The values of ReportingTimeZone (spec), the query parameter of every ads analytics
# operation and a field of AdsAnalyticsCreateAsyncRequest.
PINTEREST_TIME_ZONE = "PINTEREST_TIME_ZONE"
AD_ACCOUNT_TIME_ZONE = "AD_ACCOUNT_TIME_ZONE"
REPORTING_TIMEZONES = (PINTEREST_TIME_ZONE, AD_ACCOUNT_TIME_ZONE)
# The ad account field naming its zone (live API; not in the bundled schema).
ACCOUNT_ZONE_FIELD = "time_zone"

logger = logging.getLogger("tap-pinterest")


def reporting_timezone(config: Mapping[str, Any]) -> str:
    """The `reporting_timezone` setting (the settings schema allows only the two values)."""
    return str(config.get("reporting_timezone") or PINTEREST_TIME_ZONE)


class RunClock:
    """The run's start, fixed once, and the ad accounts' time zones seen this run."""

    def __init__(self, now: datetime | None = None) -> None:
        """Take the moment the run starts (UTC)."""
        self.started = now or datetime.now(tz=timezone.utc)
        self._zones: dict[str, str | None] = {}
        self._warned: set[str] = set()

    def utc_today(self) -> date:
        """The run's date in UTC, Pinterest's reporting zone by default."""
        return self.started.astimezone(timezone.utc).date()

    def note_account(self, record: Mapping[str, Any]) -> None:
        """Remember an ad account's `time_zone` from its GET /ad_accounts record."""
        zone = record.get(ACCOUNT_ZONE_FIELD)
        self._zones[str(record.get("id"))] = str(zone) if zone else None

    def account_today(self, ad_account_id: str) -> date:
        """The run's date in the ad account's time zone (UTC if it names none we know)."""
        name = self._zones.get(ad_account_id)
        try:
            if name:
                return self.started.astimezone(ZoneInfo(name)).date()
        except (ZoneInfoNotFoundError, ValueError):
            pass
        if ad_account_id not in self._warned:
            self._warned.add(ad_account_id)
            logger.warning(
                "Ad account %s has no time_zone the tap knows (%r); with reporting_timezone "
                "%s its 'today' is taken in UTC",
                ad_account_id,
                name,
                AD_ACCOUNT_TIME_ZONE,
            )
        return self.utc_today()

    def today(self, config: Mapping[str, Any], ad_account_id: str | None) -> date:
        """`today` for a partition: the account's date under AD_ACCOUNT_TIME_ZONE, else UTC."""
        if ad_account_id is not None and reporting_timezone(config) == AD_ACCOUNT_TIME_ZONE:
            return self.account_today(ad_account_id)
        return self.utc_today()

    def reach_today(self, config: Mapping[str, Any], ad_account_id: str | None) -> date:
        """The latest of the UTC and the partition's date: where the far limits are counted.

        The spec counts the 90/914-day limits from the current UTC date; whichever clock
        Pinterest uses with the account's zone, the later date is the safe one to count from.
        """
        return max(self.utc_today(), self.today(config, ad_account_id))


def _partition(
    stream: PinterestStream, context: Mapping[str, Any] | None
) -> tuple[RunClock, str | None]:
    account = (context or {}).get("ad_account_id")
    return stream.run.run_clock, None if account is None else str(account)


def partition_today(stream: PinterestStream, context: Mapping[str, Any] | None) -> date:
    """The run's today for a stream partition (an ad account's zone if asked for)."""
    clock, account = _partition(stream, context)
    return clock.today(stream.config, account)


def partition_reach_today(stream: PinterestStream, context: Mapping[str, Any] | None) -> date:
    """The date a partition's far date limits are counted from (see RunClock.reach_today)."""
    clock, account = _partition(stream, context)
    return clock.reach_today(stream.config, account)
