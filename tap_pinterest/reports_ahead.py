"""Reports created ahead of the stream that reads them, within a cap in flight (issue 19).

Pinterest builds a report while the tap does other work, so the run plans every report
its streams will ask for as early as it can know them (report_prestart.py), in the order
the streams will read them, and creates them in that order while fewer than
max_reports_in_flight (settings.py: why its default) are created and not yet read. A
stream that reaches a report takes the token created for its exact body (same ad
account, same JSON) instead of creating it again; each report it finishes reading makes
room for the next of the queue. A report the plan did not foresee is created by its
stream, as before.

Planned reports a partition did not read (it failed midway) are forgotten when it ends:
Pinterest builds them for nothing, and nothing else is lost (a run that stops loses
nothing either: no bookmark moved past a window whose rows were not written).
"""

from __future__ import annotations

import json
import logging
import threading
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tap_pinterest.errors import PinterestAPIError
from tap_pinterest.settings import DEFAULT_MAX_REPORTS_IN_FLIGHT

if TYPE_CHECKING:
    from collections.abc import Iterable

    from tap_pinterest.clock import Clock
    from tap_pinterest.reports import ReportClient, ReportRequest, Token

# analytics/get_report: "the report is valid for one hour". A token created ahead and
# older than this is not used: polling and the five-minute download must fit in the hour.
REPORT_LIFETIME_SECONDS = 3600.0
MAX_TOKEN_AGE_SECONDS = REPORT_LIFETIME_SECONDS - 600.0

LOGGER = logging.getLogger("tap-pinterest")


def report_key(report: ReportRequest) -> tuple[str, str]:
    """What makes two reports the same: the ad account and the exact body."""
    return report.ad_account_id, json.dumps(report.body, sort_keys=True)


@dataclass
class Planned:
    """One report of the plan, the client of the stream that will read it, its token."""

    client: ReportClient
    report: ReportRequest
    key: tuple[str, str]
    token: Token | None = None


class ReportsAhead:
    """The run's planned reports, created in run order within the cap in flight.

    Its methods hold one lock (reentrant: taking a report creates the next ones), so
    partitions read in parallel share the cap.
    """

    def __init__(self, clock: Clock, cap: int = DEFAULT_MAX_REPORTS_IN_FLIGHT) -> None:
        """An empty plan: until one is given, streams create their own reports."""
        self.clock = clock
        self.cap = cap
        # Planned and not created yet, in the order the streams will read them.
        self.pending: deque[Planned] = deque()
        # Created ahead (or given up on: token None) and not taken yet, in the same order.
        self.created: deque[Planned] = deque()
        # Reports created and not yet read (or abandoned), whoever created them.
        self.in_flight = 0
        self.creating = True
        self._lock = threading.RLock()

    def plan(self, client: ReportClient, reports: Iterable[ReportRequest]) -> None:
        """Add a stream partition's reports, in the order it will read them."""
        with self._lock:
            self.pending.extend(Planned(client, r, report_key(r)) for r in reports)

    @property
    def planned(self) -> int:
        """Reports planned and not taken yet."""
        return len(self.pending) + len(self.created)

    def has_room(self) -> bool:
        """True while fewer than the cap are created and not yet read."""
        return self.in_flight < self.cap

    def fill(self) -> None:
        """Create the next planned reports while there is room.

        A creation that fails stops creating ahead: the stream meets the error itself
        when it reaches that report, as it would have without the plan. An error that
        ends the run (auth, unreachable, quota spent) ends it here too: the next call
        would meet it.
        """
        with self._lock:
            while self.creating and self.pending and self.has_room():
                entry = self.pending.popleft()
                self.created.append(entry)
                try:
                    entry.token = entry.client.create(entry.report)
                except PinterestAPIError as exc:
                    self.creating = False
                    LOGGER.info("Reports are no longer created ahead: %s", exc)
                    return
                self.in_flight += 1

    def is_created(self, report: ReportRequest) -> bool:
        """True when the report was created ahead: taking it needs no room."""
        key = report_key(report)
        with self._lock:
            return any(entry.key == key and entry.token is not None for entry in self.created)

    def start(self, client: ReportClient, report: ReportRequest) -> Token:
        """The report's token: the one created ahead, or a new one. In flight until settled."""
        with self._lock:
            entry = self.take(report_key(report))
            token = None if entry is None else entry.token
            if token is not None and self.clock.monotonic() - token[1] > MAX_TOKEN_AGE_SECONDS:
                self.in_flight -= 1  # too old to be read within its hour: created again
                token = None
            if token is None:
                token = client.create(report)
                self.in_flight += 1
            self.fill()
            return token

    def take(self, key: tuple[str, str]) -> Planned | None:
        """The first planned entry for `key`, out of the plan; None if none is planned."""
        with self._lock:
            for queue in (self.created, self.pending):
                for entry in queue:
                    if entry.key == key:
                        queue.remove(entry)
                        return entry
            return None

    def forget_unread(self, client: ReportClient, ad_account_id: str) -> None:
        """A partition ended: the reports planned for it and not taken are not needed.

        Those created ahead leave the reports in flight (Pinterest builds them for
        nothing); the others are not created.
        """
        with self._lock:
            for queue in (self.created, self.pending):
                unread = [
                    entry
                    for entry in queue
                    if entry.client is client and entry.report.ad_account_id == ad_account_id
                ]
                for entry in unread:
                    queue.remove(entry)
                    self.in_flight -= entry.token is not None

    def settled(self, count: int = 1, *, fill: bool = True) -> None:
        """`count` reports were read (or given up): make room, and create the next ones."""
        with self._lock:
            self.in_flight -= count
            if fill:
                self.fill()
