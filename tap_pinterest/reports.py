"""The async reports flow: create, poll, download (spec analytics/create_report, get_report).

A report is created with a JSON body (the operation takes no query parameters), polled
at times reckoned from its creation until FINISHED (`poll_wait`), and downloaded at once
from a pre-signed link that lives five minutes and must be fetched without the Pinterest
Authorization header. An expired link (403) means creating the report again. Several
reports are created before the first is polled, so Pinterest builds them side by side:
the run's ReportsAhead (reports_ahead.py) hands over those created ahead of the stream
and keeps at most max_reports_in_flight created and not yet read.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import partial
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import requests

from tap_pinterest import sdk_seam
from tap_pinterest.clock import SYSTEM_CLOCK
from tap_pinterest.errors import PinterestAPIError
from tap_pinterest.json_members import ITEM, VALUE, NotAnObjectError, iter_members

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from tap_pinterest.client import PinterestStream
    from tap_pinterest.clock import Clock
    from tap_pinterest.dates import DateWindow

REPORTS_PATH = "/ad_accounts/{ad_account_id}/reports"
# The statuses of BulkReportingJobStatus (spec) that end a report without a result.
FAILED_STATUSES = frozenset({"FAILED", "CANCELLED", "EXPIRED", "DOES_NOT_EXIST"})
# The wait between polls is this share of the report's age, within the floor and the cap
# (poll_wait: why these numbers).
POLL_WAIT_SHARE = 0.25
MAX_POLL_WAIT_SECONDS = 60.0
# A link that keeps expiring before it is read is a problem creating it again won't fix.
MAX_LINK_RENEWALS = 2
# Tries of one download link when the storage drops the connection or answers 5xx.
DOWNLOAD_TRIES = 3
# Bytes read per step of a streamed download (client.ROW_CHUNK: why this size).
ROW_CHUNK = 1 << 16
# A created report's token, and when it was created (its deadline counts from then).
Token = tuple[str, float]


class ReportError(PinterestAPIError):
    """A report ended without data, or never finished: retrying the same call won't help."""


class ExpiredLinkError(Exception):
    """The download link's five minutes are over (HTTP 403 from the storage)."""


@dataclass(frozen=True)
class ReportRequest:
    """One report: an ad account, a level and a date window, and the body to create it."""

    ad_account_id: str
    level: str
    window: DateWindow
    body: dict[str, Any]

    def describe(self) -> str:
        """Names the report in errors: account, level, window (and targeting types)."""
        text = (
            f"ad account {self.ad_account_id}, level {self.level}, "
            f"{self.window.start} to {self.window.end}"
        )
        types = self.body.get("targeting_types")
        return f"{text}, targeting types {', '.join(types)}" if types else text


def poll_wait(age: float, floor: float) -> float:
    """Seconds before the next poll of a report `age` seconds old and still building.

    The schedule hangs on the report's creation, not on the stream's first poll: a report
    created ahead (reports_ahead.py) that finished while other streams synced is read at
    its stream's first poll, and one still building is polled as often as its age says,
    however late its stream reached it. A quarter of the age (POLL_WAIT_SHARE) means a
    finished report is seen at most a quarter of its build time late (5 s of a 20 s
    build), while the polls of a long build grow by a quarter each: 9 polls to see a 20 s
    build, 36 for 20 minutes, 76 for the hour of report_deadline_seconds (doubling waits
    up to 60 s took 5, 25 and 65; a fixed 10 s wait would take 369 for the hour). Never
    less than `floor` (report_poll_seconds: polls of a young report gain little), never
    more than MAX_POLL_WAIT_SECONDS (a long build is seen within a minute).
    """
    return min(MAX_POLL_WAIT_SECONDS, max(floor, age * POLL_WAIT_SHARE))


def report_rows(
    chunks: Iterable[bytes], request: ReportRequest
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(entity id, row) pairs of a JSON report (an object keyed by entity id), as it arrives.

    Decoded a chunk at a time (issue 19: a report can be hundreds of MB). Pinterest leaves
    out rows whose columns are all zero, so an id missing from the report had nothing to
    count; it is not a lost row.
    """
    try:
        for kind, entity_id, row in iter_members(chunks):
            if kind == VALUE or (kind == ITEM and not isinstance(row, dict)):
                msg = (
                    f"Pinterest sent a report for {request.describe()} whose {entity_id} "
                    "is not rows"
                )
                raise ReportError(msg)
            if kind == ITEM:
                yield entity_id, row
    except NotAnObjectError as exc:
        msg = (
            f"Pinterest sent a report for {request.describe()} that is not an object keyed "
            f"by entity id ({type(exc.body).__name__})"
        )
        raise ReportError(msg) from None
    except ValueError as exc:
        msg = (
            f"Pinterest answered the report for {request.describe()} with a body that is "
            f"not JSON ({exc})"
        )
        raise ReportError(msg) from None


class ReportClient:
    """Runs reports through a stream's auth, rate limit, retries and error handling."""

    def __init__(
        self,
        stream: PinterestStream,
        *,
        first_wait: float,
        deadline_seconds: float,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        """Poll from `first_wait` after creation up, for at most `deadline_seconds` a report."""
        self.stream = stream
        self.first_wait = first_wait
        self.deadline_seconds = deadline_seconds
        self._clock = clock
        # No Authorization header and no session defaults: the link is pre-signed.
        self._download_session = requests.Session()

    def run(
        self, reports: Sequence[ReportRequest]
    ) -> Iterator[tuple[ReportRequest, Iterator[tuple[str, dict[str, Any]]]]]:
        """Each report's rows as they download, in the order given.

        The next reports are created (or taken from those the run created ahead) while
        the run has room for reports in flight, so Pinterest builds them while the tap
        waits on the first. Read each report's rows before asking for the next.
        """
        ahead = self.stream.run.reports_ahead
        tokens: deque[Token] = deque()
        started = settled = 0
        try:
            for index, report in enumerate(reports):
                while started < len(reports) and (
                    started == index or ahead.has_room() or ahead.is_created(reports[started])
                ):
                    tokens.append(ahead.start(self, reports[started]))
                    started += 1
                yield report, self.result(report, tokens.popleft())
                settled += 1
                ahead.settled()
        finally:
            # Reports given up (the partition failed) leave the reports in flight, and so
            # do those created ahead for it and never reached.
            ahead.settled(started - settled, fill=False)
            if reports:
                ahead.forget_unread(self, reports[0].ad_account_id)

    def result(self, report: ReportRequest, token: Token) -> Iterator[tuple[str, dict[str, Any]]]:
        """Wait for the report and stream it, creating it again if its link expired.

        A download that breaks off, or a link that expires midway, is read again from
        the start and the rows already yielded are skipped.
        """
        yielded = [0]
        for renewal in range(MAX_LINK_RENEWALS + 1):
            try:
                url = self.wait(report, token)
            finally:
                self.stream.run.progress.report_settled(self.stream.name)
            try:
                yield from self.download(url, report, yielded)
            except ExpiredLinkError:
                if renewal == MAX_LINK_RENEWALS:
                    break
                self.stream.logger.info(
                    "Report link for %s expired before download; creating it again",
                    report.describe(),
                )
                token = self.create(report)
            else:
                return
        msg = (
            f"The download link of the report for {report.describe()} expired "
            f"{MAX_LINK_RENEWALS + 1} times before it could be read"
        )
        raise ReportError(msg)

    def create(self, report: ReportRequest) -> Token:
        """POST the report; its token and when it was created (for the deadline)."""
        path = REPORTS_PATH.format(ad_account_id=report.ad_account_id)
        stream = self.stream
        request = stream.build_prepared_request(
            method="POST",
            url=f"{stream.url_base}{path}",
            json=report.body,
            headers=stream.http_headers,
        )
        response = stream.request_decorator(partial(sdk_seam.send, stream))(request, None)
        stream.update_sync_costs(request, response, None)
        body = _json(response, report)
        status = str(body.get("report_status") or "")
        token = body.get("token")
        if status in FAILED_STATUSES or not token:
            raise ReportError(_status_message(status or "no token", report, body.get("message")))
        stream.run.progress.report_created(stream.name)
        return str(token), self._clock.monotonic()

    def wait(self, report: ReportRequest, token: Token) -> str:
        """Poll until FINISHED and return the download link; other ends are errors.

        The first poll comes `first_wait` after the creation (at once for a report created
        that long ago), the next ones after poll_wait of the report's age.
        """
        value, created_at = token
        path = REPORTS_PATH.format(ad_account_id=report.ad_account_id)
        now = self._clock.monotonic()
        if now < created_at + self.first_wait:
            first = min(self.first_wait - (now - created_at), MAX_POLL_WAIT_SECONDS)
            self.sleep_before_poll(report, created_at, first)
        while True:
            body = self.stream.fetch(path, {"token": value}, None)
            status = str(body.get("report_status") if isinstance(body, dict) else "")
            if status == "FINISHED":
                url = body.get("url")
                if not url:
                    msg = f"Pinterest finished the report for {report.describe()} without a url"
                    raise ReportError(msg)
                return str(url)
            if status != "IN_PROGRESS":
                raise ReportError(_status_message(status or "unknown", report, None))
            wait = poll_wait(self._clock.monotonic() - created_at, self.first_wait)
            self.sleep_before_poll(report, created_at, wait)

    def sleep_before_poll(self, report: ReportRequest, created_at: float, wait: float) -> None:
        """Wait `wait` s, unless the poll after it would come past the report's deadline."""
        if self._clock.monotonic() + wait - created_at > self.deadline_seconds:
            msg = (
                f"The report for {report.describe()} was not ready after "
                f"{self.deadline_seconds:.0f} s (report_deadline_seconds)"
            )
            raise ReportError(msg)
        self._clock.sleep(wait)
        self.stream.run.progress.tick()

    def download(
        self, url: str, report: ReportRequest, yielded: list[int]
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """GET the pre-signed link, without the Authorization header, and stream its rows.

        A dropped connection or a 5xx from the storage is tried again (the link is still
        valid for its five minutes), skipping the `yielded[0]` rows already handed on;
        403 means the link expired.
        """
        failure = ""
        for attempt in range(DOWNLOAD_TRIES):
            if attempt:
                self._clock.sleep(self.first_wait * attempt)
            try:
                response = self._download_session.get(url, timeout=self.stream.timeout, stream=True)
            except requests.RequestException as exc:
                failure = type(exc).__name__
                continue
            try:
                if response.status_code >= HTTPStatus.INTERNAL_SERVER_ERROR:
                    failure = f"HTTP {response.status_code}"
                    continue
                if response.status_code == HTTPStatus.FORBIDDEN:
                    raise ExpiredLinkError
                if response.status_code != HTTPStatus.OK:
                    failure = f"HTTP {response.status_code}"
                    break
                rows = report_rows(response.iter_content(ROW_CHUNK), report)
                for index, row in enumerate(rows):
                    if index >= yielded[0]:
                        yielded[0] += 1
                        yield row
            except requests.RequestException as exc:
                failure = type(exc).__name__
                continue
            finally:
                response.close()
            return
        msg = f"Downloading the report for {report.describe()} failed: {failure}"
        raise ReportError(msg)


def _json(response: requests.Response, report: ReportRequest) -> Any:  # noqa: ANN401
    try:
        return response.json()
    except ValueError:
        msg = f"Pinterest answered the report for {report.describe()} with a body that is not JSON"
        raise ReportError(msg) from None


def _status_message(status: str, report: ReportRequest, detail: Any) -> str:  # noqa: ANN401
    message = f"Pinterest report {status} for {report.describe()}"
    return f"{message}: {detail}" if detail else message
