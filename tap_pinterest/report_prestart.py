"""Before the first stream syncs, plan every async report the run will need (issue 19).

Reports take Pinterest seconds to minutes to build. Created only when their stream
reaches its windows, they kept the whole run waiting, one stream after the other. So
when the sync starts, the run lists the ad accounts once (kept for the ad_accounts
stream: `Listings`, so no call is added) and walks the selected report-backed streams
(the report-only levels, custom reports, levels with report-only columns selected,
`auto` levels whose dates reach past the synchronous 90 days) in the order the SDK
will sync them: each ad account, then each such stream of it, which syncs after the
account's other streams (`sync_report_streams_last`), so the reports build meanwhile
instead of the run standing still at the first one. Each partition's reports
come from the stream's own plan (`route`, `ReportSource.reports_for`), from the state
and the settings, so they are exactly the bodies the stream will ask for; the run's
ReportsAhead creates them in that order within the cap of reports in flight.

Planning reads the state without changing it: the SDK creates an empty entry for a
partition it is asked about, so the state is put back as it was. A stream whose plan
fails (no metric selected, a state from other settings) is left out: it meets the same
error when it runs. A listing that fails leaves every stream to create its own reports;
an error that ends the run (auth, unreachable, quota spent) ends it here, as the first
stream's first call would.
"""

from __future__ import annotations

import copy
import logging
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, cast

from singer_sdk.exceptions import FatalAPIError

from tap_pinterest.errors import PinterestAPIError
from tap_pinterest.run_context import Listing
from tap_pinterest.streams.ads import wanted_account_ids
from tap_pinterest.streams.analytics import AdsAnalyticsStream

if TYPE_CHECKING:
    from singer_sdk.streams import Stream

    from tap_pinterest.reports import ReportRequest
    from tap_pinterest.tap import TapPinterest

LOGGER = logging.getLogger("tap-pinterest")
ACCOUNTS_STREAM = "ad_accounts"
# `auto` sends to reports only dates past the synchronous endpoints' 90 days; a start
# date more recent than this (a margin for time zones) needs no report.
SYNC_REACH_DAYS = 85


def sync_report_streams_last(tap: TapPinterest) -> None:
    """Each ad account's report-backed streams after its other streams.

    The SDK syncs an ad account's child streams in `child_streams` order (stream type
    order) as it reads each ad account. Moved last, in their own order, the streams
    that read reports give Pinterest the time the account's other streams take to build
    them, instead of the run standing still at the first one. Only the order of whole
    streams changes: each partition's records, STATE and calls stay as they were.
    """
    children = tap.stream(ACCOUNTS_STREAM).child_streams
    last = report_streams(children)
    children[:] = [*(stream for stream in children if stream not in last), *last]


def report_streams(children: list[Stream]) -> list[AdsAnalyticsStream]:
    """The selected child streams that may read reports, in their sync order."""
    return [
        stream
        for stream in children
        if isinstance(stream, AdsAnalyticsStream) and stream.selected and may_need_reports(stream)
    ]


def start_reports_early(tap: TapPinterest) -> None:
    """Plan the run's reports and create the first ones (within the cap in flight).

    Planned in the order the streams read them: each ad account, then its report-backed
    streams in `child_streams` order (last of the account: sync_report_streams_last).
    Nothing when the run's ReportsAhead does not create (tests compare with that run).
    """
    if not tap.run_context.reports_ahead.creating:
        return
    streams = report_streams(tap.stream(ACCOUNTS_STREAM).child_streams)
    if not streams:
        return
    run = tap.run_context
    state = cast("dict[str, Any]", tap.state)  # the SDK types it as a TypedDict
    saved = copy.deepcopy(state)
    try:
        accounts = list_accounts(tap)
        for account in accounts:
            context = {"ad_account_id": account}
            for stream in list(streams):
                try:
                    reports = partition_reports(stream, context)
                except FatalAPIError:
                    streams.remove(stream)  # it meets the error itself when it runs
                    continue
                run.reports_ahead.plan(stream.report_source.client, reports)
    except PinterestAPIError as exc:  # an error that ends the run (FatalTapError) ends it
        LOGGER.info("Reports are not created ahead (%s); each stream creates its own", exc)
        return
    finally:
        state.clear()
        state.update(saved)
    if run.reports_ahead.planned:
        LOGGER.info(
            "Creating %d report(s) ahead, at most %d in flight, while the other streams sync",
            run.reports_ahead.planned,
            run.reports_ahead.cap,
        )
    run.reports_ahead.fill()


def may_need_reports(stream: AdsAnalyticsStream) -> bool:
    """False when no partition of the stream can reach a report (saves the listing).

    A bookmark only moves a partition's start later than start_date, so a recent
    start_date under `auto` (or `sync`) keeps every date synchronous.
    """
    try:
        source = stream.analytics_source(stream.requested_columns())
    except FatalAPIError:
        return False
    if source != "auto":
        return source == "reports"
    start = stream.config.get("start_date")
    if not start:
        return False  # the default start is 30 days back
    today = stream.run.run_clock.utc_today()
    return date.fromisoformat(str(start)[:10]) < today - timedelta(days=SYNC_REACH_DAYS)


def list_accounts(tap: TapPinterest) -> list[str]:
    """The ad accounts the ad_accounts stream will sync, listed once and kept for it."""
    stream = tap.stream(ACCOUNTS_STREAM)
    listings = tap.run_context.listings
    started_at = tap.run_context.clock.wall()
    params = {**stream.extra_params, **stream.organic_params()}
    items: list[dict[str, Any]] = list(stream.iter_items(str(stream.path), params, None))
    listings.keep(ACCOUNTS_STREAM, None, Listing(items, started_at))
    listings.record_ids(ACCOUNTS_STREAM, None, [str(item["id"]) for item in items])
    tap.run_context.progress.listed(ACCOUNTS_STREAM, len(items), last_page=True)
    wanted = wanted_account_ids(stream.config)
    accounts = []
    for item in items:
        if not wanted or str(item["id"]) in wanted:
            tap.run_context.run_clock.note_account(item)  # its time zone (run_clock)
            accounts.append(str(item["id"]))
    return accounts


def partition_reports(stream: AdsAnalyticsStream, context: dict[str, Any]) -> list[ReportRequest]:
    """The reports the stream's partition will ask for, from its own plan."""
    account = str(context["ad_account_id"])
    return [
        report
        for source, windows, columns in stream.route(context)
        if source is stream.report_source
        for report in stream.report_source.reports_for(account, windows, columns)
    ]
