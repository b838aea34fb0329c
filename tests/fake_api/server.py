"""HTTP server faking the Pinterest REST API v5 for the tap's tests.

``FakePinterestAPI`` serves the endpoints a read-only tap uses, under ``/v5``, with
the spec's response shapes and ``{"code": int, "message": str}`` errors.  All state
(data, tokens, faults, switches, request log) sits behind one lock; ``reset()``
restores every default.
The route handlers live in one mixin per domain (:mod:`.auth`, :mod:`.paging`,
:mod:`.organic`, :mod:`.entities`, :mod:`.analytics`, :mod:`.reports`) and in
:mod:`.shopping`'s routes; this module keeps the HTTP plumbing, the routing table, faults,
stalls, rate limits and the request log, and re-exports :mod:`.common`'s names.

Contract of the fake where the spec is silent (tests rely on it):

- Pagination: ``page_size`` 1..250 (default 25), otherwise 400 code 1
  ``"Invalid page_size: <v>. page_size must be an integer between 1 and 250."``;
  bookmarks are opaque (base64 of offset + path) and only valid on the path that
  issued them, else 400 ``"Invalid bookmark."``.
- Lists sort by id (``order=ASCENDING`` default, or ``DESCENDING``).
- Array query params (ids, ``entity_statuses``, ``columns``, ``metric_types`` ...)
  are accepted both as repeated keys and comma-joined.
- Ads analytics: ``start_date`` < today(UTC) - 90 days -> 400; ``end_date -
  start_date`` > 90 days -> 400; ``end_date < start_date`` -> 400.  With
  ``granularity=HOUR``: ``start_date`` < today - 8 days -> 400 and, except on the
  ad-account endpoint (whose description states only the 8-day rule),
  ``end_date - start_date`` > 3 days -> 400.  HOUR rows carry ``DATE`` plus an int
  ``HOUR`` (0..23, all 24 hours, even today's).  Dates after today have no rows.
  Ids not belonging to the account are silently skipped.
- Async reports (spec analytics/create_report, analytics/get_report):
  ``POST /ad_accounts/{id}/reports`` takes a JSON body only (any query parameter or a
  body that is not a JSON object -> 400); ``start_date``, ``end_date``, ``granularity``,
  ``level`` and ``columns`` are required; columns must be in ``ReportingColumnAsync``.
  Limits, counting both ends of the range: not HOUR, ``start_date`` >= today - 914 and
  at most 186 dates; HOUR, today - 8 and 3 dates; level PRODUCT_ITEM, today - 92 and 31
  dates, and no ad or pin promotion columns -> else 400.  The answer is
  ``{"report_status": "IN_PROGRESS", "token", "message": null}``.  ``GET ...?token=``
  answers IN_PROGRESS ``report_in_progress_polls`` times, then FINISHED with ``url`` and
  ``size`` (or the status queued by ``fail_next_reports``); an unknown token or another
  account's -> ``DOES_NOT_EXIST``.  Each FINISHED answer issues a download link
  ``http://host:port/report-files/<token>`` valid ``report_url_ttl`` seconds (300):
  after that, or while ``expire_next_report_links`` lasts, it answers 403; with an
  ``Authorization`` header it answers 400 (a pre-signed link takes no other auth); it
  is not rate limited.  The download is a JSON object keyed by entity id (ADVERTISER:
  the ad account; PIN_PROMOTION: the ad id) of row lists: rows hold ``DATE`` (and
  ``HOUR``) and the requested columns, never the level's id unless requested, with the
  values of the synchronous endpoints; zero metrics are left out of a row, and a row
  whose metrics are all zero is left out (``zero_entities`` / ``zero_columns`` make
  values zero in both paths).
- Targeting reports (levels ``ADVERTISER_TARGETING``, ``CAMPAIGN_TARGETING``,
  ``AD_GROUP_TARGETING``, ``PIN_PROMOTION_TARGETING``, ``PRODUCT_GROUP_TARGETING`` and
  ``PRODUCT_ITEM_TARGETING``, every ``*_TARGETING`` level of ``MetricsReportingLevel``;
  ASSUMED: ``PRODUCT_ITEM_TARGETING`` keeps ``PRODUCT_ITEM``'s 92 days, 31 dates and no
  ad columns, which the spec states for ``PRODUCT_ITEM`` only): ``targeting_types`` is
  required there (1..5 values of the body's own enum,
  ``TargetingTypeFilter``; ``AUDIENCE_MULTIPLIER`` only at ``CAMPAIGN_TARGETING``, as its
  description says) and refused on every other level -> else 400.  INVENTED (the spec
  does not define report rows; ``TemplateResponse.columns`` lists ``TARGETING_TYPE``,
  ``TARGETING_VALUE`` and ``TARGETING_VALUE_NAME`` as report columns): the download is
  keyed by entity id like other reports (``ADVERTISER_TARGETING``: the ad account), one
  row per item of the synchronous targeting answer for the same rows (the product levels:
  of their plain report's rows, split the same way) (see
  :mod:`tests.fake_api.shopping`), with ``TARGETING_TYPE``, ``TARGETING_VALUE`` (a
  number for LOCATION, as there) and ``TARGETING_VALUE_NAME`` besides ``DATE`` and the
  requested columns; zeros are left out as in other reports.
- Time: ``data.now_override`` (a UTC datetime) and ``data.today_override`` set the fake's
  clock; every date limit is checked on it (a test can move it mid-run with ``on_page``).
  ``reporting_timezone`` (``PINTEREST_TIME_ZONE`` | ``AD_ACCOUNT_TIME_ZONE``; else 400) is
  taken by the ads analytics operations and the report body; with
  ``AD_ACCOUNT_TIME_ZONE`` the account's days are its own: the last day with rows is the
  fake's time in ``data.account_time_zones[id]``, and values differ from UTC days'.
  Ad accounts carry that ``time_zone`` (the live API sends it; the 5.23.0 spec lacks it).
- Organic analytics: same 90-day rules; NO_SPLIT's group key is ``"all"``; APP_TYPE
  gives ``MOBILE/TABLET/WEB``; OWNED_CONTENT ``OTHER/CLAIMED``; SOURCE
  ``YOUR_PINS/OTHER_PINS``; PIN_FORMAT the seven non-ALL pin formats.  Bulk pin
  analytics is keyed ``{pin_id: {"all": ...}}`` and skips unknown pins.
- Auth: ``Authorization: Bearer <token>`` on everything but ``POST /oauth/token``;
  failures -> 401 ``{"code": 2, "message": "Authentication failed."}``.  Issued
  tokens expire after ``access_token_ttl`` seconds and, if
  ``access_token_max_requests`` is set, after that many authenticated requests.
  Static tokens (``static_tokens``) never expire.
- OAuth (spec declares only ``default: Error``): bad/missing Basic credentials ->
  401 ``{"code": 2, "message": "Authentication failed."}``; grant_type other than
  refresh_token -> 400 code 1 ``"Unsupported grant_type."``; missing refresh_token
  -> 400 code 1 ``"Missing required parameter: refresh_token."``; unknown refresh
  token -> 401 ``{"code": 2, "message": "Invalid refresh token."}``;
  ``refuse_refresh = True`` -> 400 ``{"code": 1, "message": "Invalid refresh token."}``.
- Rate limits (the spec declares NO headers; this is the fake's own contract): with
  ``rate_limit_per_window`` set, every response carries ``X-RateLimit-Limit``,
  ``X-RateLimit-Remaining`` and ``X-RateLimit-Reset`` (whole seconds until the fixed
  window resets); once the window's budget is spent the fake answers 429
  ``{"code": 8, ...}`` with ``Retry-After`` = seconds to reset.  ``POST /oauth/token``
  is not rate limited.  Default ``None``: no such headers at all.
- Keywords: unfiltered, only the ad account's own; ``campaign_id`` gives the campaign's
  and its ad groups' (the spec does not say); ``ad_group_id``/``ad_group_ids`` the ad
  groups'.  ``refuse_ad_group_ids = 403`` (code 29, "You are not permitted to access that
  resource.") or ``= 400`` (code 1) refuses the beta ``ad_group_ids`` filter.
- Page hooks (``on_page(path_regex, page, hook)``): ``hook(data)`` runs once, under the
  lock, just before the matching list serves its ``page``-th page (1-based, from the
  bookmark's offset and ``page_size``); items are copied after it, so edits show at once.
- ``oauth_delay_seconds`` delays every ``POST /oauth/token`` answer (default 0), so
  that parallel jobs race for the refresh.
- Latency (issue 19): ``latency_seconds`` (default 0) holds every other answer that long
  before it is sent, outside the lock, so calls in flight together overlap as they would
  over a real network.  ``max_in_flight`` is the most requests the fake held at once
  (from their arrival until their answer starts) since the last ``reset()``.
- Report build time (issue 19): ``report_build_seconds`` (default 0) keeps a report
  IN_PROGRESS until that many seconds (on ``monotonic``) after it was created, besides
  ``report_in_progress_polls``.
- Request length: a request target (path and query) longer than
  ``max_request_target`` (default 8192 bytes, what common front ends accept) is
  answered 414 ``{"code": 414, "message": "Request-URI Too Long"}``; None lifts it.
- ``GET /pins/{pin_id}/analytics`` answers the bulk endpoint's entry for that pin
  (404 code 50 for an unknown pin).
- Faults (``inject``/``drop_connection``/``repeat_bookmark_on``) match their regex with
  ``re.search`` on the full path (``/v5/...``, no query string); ``calls()`` uses
  ``re.fullmatch``.  Faults are applied before rate limiting and auth; ``inject(...,
  after=N)`` answers the first N matching requests normally.
- Catalogs, product group promotions and analytics, and targeting analytics: see
  :mod:`tests.fake_api.shopping` (``api.shopping`` holds their data).
- Stalls (``stall``): a request whose path matches (``re.search``) is held unanswered
  until ``release_stalls()``, ``reset()`` or ``STALL_MAX_SECONDS``, then its connection is
  closed without an answer (logged with status 0): the client is meant to be killed
  meanwhile (interrupted-run tests).  ``wait_until_stalled`` tells when one is held.
- ``inject_raw`` answers 200 with a given body byte for byte (number texts such as
  ``1.50`` or ``1E+2`` that ``json.dumps`` never writes).  ``break_body`` answers
  normally but closes the connection after the first N bytes of the body (the
  Content-Length promises all of it).  ``chunk_bytes`` (None: off) sends every answer
  with HTTP/1.1 chunked transfer in pieces of that many bytes, which the client reads
  one by one: chunk boundaries anywhere in the JSON.
- Request log: one :class:`LoggedRequest` per request, path with ``/v5``, secrets
  redacted (``Authorization`` credentials and the token form's ``refresh_token``,
  ``client_secret``, ``code`` become ``redact(value)``); dropped connections are
  logged with status 0.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.fake_api.data import (
    LEVEL_ID_KEYS,
    FakeData,
    Scale,
    load_spec,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

    from tests.fake_api.shopping import ShoppingData

from tests.fake_api.analytics import AnalyticsMixin
from tests.fake_api.auth import AuthMixin
from tests.fake_api.common import (
    _AUTH_FAILED,
    _SECRET_FORM_FIELDS,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_MAX_REQUEST_TARGET,
    DEFAULT_PAGE_SIZE,
    DEFAULT_REFRESH_TOKEN,
    DEFAULT_SCOPE,
    DEFAULT_STATIC_TOKEN,
    HOUR_MAX_DAYS_BACK,
    HOUR_MAX_RANGE_DAYS,
    HOUR_REPORT_MAX_DATES,
    HTTP_FORBIDDEN,
    HTTP_OK,
    HTTP_TOO_MANY,
    HTTP_URI_TOO_LONG,
    MAX_DAYS_BACK,
    MAX_IDS,
    MAX_PAGE_SIZE,
    MAX_PIN_IDS,
    MAX_RANGE_DAYS,
    PREFIX,
    PRODUCT_ITEM_MAX_DATES,
    PRODUCT_ITEM_MAX_DAYS_BACK,
    PRODUCT_ITEM_RULE_LEVELS,
    RATE_LIMIT_MESSAGE,
    REFRESH_TOKEN_TTL,
    REPORT_FILES,
    REPORT_MAX_DATES,
    REPORT_MAX_DAYS_BACK,
    REPORT_ONLY_ID_KEYS,
    REPORT_ONLY_LEVELS,
    REPORT_ONLY_TARGETING_LEVELS,
    REPORTING_TIMEZONES,
    STALL_MAX_SECONDS,
    SYNC_LEVELS,
    TARGETING_REPORT_LEVELS,
    TARGETING_TYPE_ONLY_AT,
    ApiError,
    Handler,
    PageHook,
    _bad,
    _IssuedToken,
    _not_found,
    _Query,
    _Report,
)
from tests.fake_api.entities import EntitiesMixin
from tests.fake_api.organic import OrganicMixin
from tests.fake_api.paging import PagingMixin
from tests.fake_api.reports import ReportsMixin, async_columns, report_targeting_parameter


def redact(value: str) -> str:
    """Stable non-secret stand-in for a secret (compare with ``redact(expected)``)."""
    return "redacted:" + hashlib.sha256(value.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class LoggedRequest:
    """One request the fake received (secrets redacted)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: str
    status: int
    # The query exactly as sent (encoding included), e.g. to see literal commas.
    query_string: str = ""

    @property
    def form(self) -> dict[str, list[str]]:
        """The body parsed as a form (``POST /oauth/token``)."""
        return parse_qs(self.body, keep_blank_values=True)

    def header(self, name: str) -> str | None:
        """Case-insensitive header lookup."""
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


@dataclass(frozen=True)
class _Incoming:
    """The parts of a received request the fake looks at."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: str
    query_string: str = ""


@dataclass
class _Fault:
    pattern: re.Pattern[str]
    remaining: int
    status: int = 0  # 0 = drop the connection
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | bytes | None = None
    skip: int = 0  # matching requests answered normally before the fault starts


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    api: FakePinterestAPI


class _RequestHandler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        self.server.api._serve(self)

    def do_POST(self) -> None:
        self.server.api._serve(self)

    def do_PUT(self) -> None:
        self.server.api._serve(self)

    def do_PATCH(self) -> None:
        self.server.api._serve(self)

    def do_DELETE(self) -> None:
        self.server.api._serve(self)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Stay quiet: the request log replaces stderr logging."""


@cache
def _category_routes() -> list[tuple[re.Pattern[str], str]]:
    """The spec's GET paths as patterns, fewest placeholders first (most specific)."""
    routes = []
    for template, operations in load_spec()["paths"].items():
        category = operations.get("get", {}).get("x-ratelimit-category")
        if category:
            pattern = re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template))
            routes.append((template.count("{"), re.compile(pattern), str(category)))
    return [(pattern, category) for _, pattern, category in sorted(routes, key=lambda r: r[0])]


def category_of(path: str) -> str:
    """The x-ratelimit-category the spec gives the GET operation at `path`."""
    for pattern, category in _category_routes():
        if pattern.fullmatch(path):
            return category
    return "unknown"


class FakePinterestAPI(
    AuthMixin, PagingMixin, OrganicMixin, EntitiesMixin, AnalyticsMixin, ReportsMixin
):
    """A fake Pinterest API v5 on 127.0.0.1, served from a daemon thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, scale: Scale | None = None) -> None:
        """Configure the server; call :meth:`start` (or use ``with``) to serve."""
        self.host = host
        self.port = port
        self._lock = threading.RLock()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._routes = self._build_routes()
        self._default_scale = scale
        # Rate-limit windows run on this clock; a test can give the fake and the tap one clock.
        self.monotonic: Callable[[], float] = time.monotonic
        self.reset()

    # ------------------------------------------------------------ lifecycle
    def start(self) -> FakePinterestAPI:
        """Bind (port 0 = a free port) and serve in a daemon thread."""
        if self._httpd is not None:
            return self
        httpd = _HTTPServer((self.host, self.port), _RequestHandler)
        httpd.api = self
        self.port = httpd.server_address[1]
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, name="fake-pinterest-api", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> FakePinterestAPI:  # noqa: PYI034 - no typing.Self on 3.10
        """Start on entering the ``with`` block."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop on leaving the ``with`` block."""
        self.stop()

    @property
    def url(self) -> str:
        """Base URL including ``/v5`` (what the tap's ``api_url`` should be)."""
        return f"http://{self.host}:{self.port}{PREFIX}"

    def reset(self, scale: Scale | None = None) -> None:
        """Restore every default: data, tokens, faults, switches and the log.

        ``scale`` None means the scale given to the constructor (default ``Scale()``).
        """
        with self._lock:
            self.data = FakeData(scale or self._default_scale)
            # Catalogs, promotions and targeting (tests/fake_api/shopping.py imports this module).
            from tests.fake_api.shopping import ShoppingData  # noqa: PLC0415

            self.shopping: ShoppingData = ShoppingData(self.data)
            # Auth
            self.static_tokens: set[str] = {DEFAULT_STATIC_TOKEN}
            self.client_id = DEFAULT_CLIENT_ID
            self.client_secret = DEFAULT_CLIENT_SECRET
            self.refresh_tokens: set[str] = {DEFAULT_REFRESH_TOKEN}
            self.access_token_ttl = 3600
            self.refresh_token_ttl = REFRESH_TOKEN_TTL
            self.hour_in_date = False
            self.access_token_max_requests: int | None = None
            self.invalidate_rotated_refresh_tokens = False
            self.refuse_refresh = False
            self.oauth_delay_seconds = 0.0
            # Every other answer waits this long, outside the lock (issue 19).
            self.latency_seconds = 0.0
            self._in_flight = 0
            self.max_in_flight = 0
            self._issued: dict[str, _IssuedToken] = {}
            self._token_counter = 0
            # Faults and switches
            self._faults: list[_Fault] = []
            self._repeat_bookmark: list[re.Pattern[str]] = []
            self._page_hooks: list[tuple[re.Pattern[str], int, PageHook]] = []
            self._body_breaks: list[list[Any]] = []
            # Answers sent in chunks of this many bytes (HTTP/1.1 chunked); None: whole.
            self.chunk_bytes: int | None = None
            self.processing_days = 2
            # HTTP status refusing the beta ad_group_ids filter of GET .../keywords (None:
            # accepted): 403 code 29 "not permitted", or 400 code 1.
            self.refuse_ad_group_ids: int | None = None
            # Front ends refuse request lines longer than this (HTTP 414); None: no limit.
            self.max_request_target: int | None = DEFAULT_MAX_REQUEST_TARGET
            # Async reports
            self.report_in_progress_polls = 0
            self.report_url_ttl = 300.0
            # A report stays IN_PROGRESS this long after its creation (on `monotonic`).
            self.report_build_seconds = 0.0
            self.expire_next_report_links = 0
            self._report_endings: list[str] = []
            self._reports: dict[str, _Report] = {}
            self.zero_entities: set[str] = set()
            self.zero_columns: set[str] = set()
            # Rate limiting
            self.rate_limit_per_window: int | None = None
            self.rate_limit_window_seconds: float = 60.0
            # Pinterest counts quota per x-ratelimit-category; False: one quota for all.
            self.rate_limit_by_category = False
            self._windows: dict[str, list[float]] = {}
            # Log
            self._log: list[LoggedRequest] = []
            self._reset_stalls()

    # ------------------------------------------------------------- switches
    def inject(
        self,
        path_regex: str,
        status: int,
        times: int = 1,
        headers: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        after: int = 0,
    ) -> None:
        """Answer the next ``times`` requests whose path matches with ``status``.

        With ``after``, that many matching requests are answered normally first.
        429 defaults to ``Retry-After: 1`` and ``{"code": 8, ...}``; other statuses
        default to ``{"code": <status>, "message": ...}``.
        """
        hdrs = dict(headers or {})
        if status == HTTP_TOO_MANY and not any(k.lower() == "retry-after" for k in hdrs):
            hdrs["Retry-After"] = "1"
        if body is None:
            body = (
                {"code": 8, "message": RATE_LIMIT_MESSAGE}
                if status == HTTP_TOO_MANY
                else {"code": status, "message": f"Injected fault: HTTP {status}."}
            )
        with self._lock:
            self._faults.append(
                _Fault(re.compile(path_regex), times, status, hdrs, body, skip=after)
            )

    def inject_raw(self, path_regex: str, body: bytes, times: int = 1) -> None:
        """Answer the next ``times`` matching requests 200 with ``body`` byte for byte.

        For number texts ``json.dumps`` never writes (``1.50``, long decimals, ``1E+2``).
        """
        with self._lock:
            self._faults.append(_Fault(re.compile(path_regex), times, HTTP_OK, {}, body))

    def break_body(self, path_regex: str, after_bytes: int, times: int = 1) -> None:
        """Answer the next ``times`` matching requests but close after ``after_bytes``."""
        with self._lock:
            self._body_breaks.append([re.compile(path_regex), times, after_bytes])

    def drop_connection(self, path_regex: str, times: int = 1) -> None:
        """Close the socket without answering the next ``times`` matching requests."""
        with self._lock:
            self._faults.append(_Fault(re.compile(path_regex), times))

    def repeat_bookmark_on(self, path_regex: str) -> None:
        """Make matching list endpoints always return the same non-null bookmark."""
        with self._lock:
            self._repeat_bookmark.append(re.compile(path_regex))

    def on_page(self, path_regex: str, page: int, hook: PageHook) -> None:
        """Run ``hook(self.data)`` once, just before page ``page`` (1 = first) of a list.

        Lets a test edit objects while the tap is between pages of a listing, e.g. an
        object already read on page 1, the way a user editing in Ads Manager would.
        """
        with self._lock:
            self._page_hooks.append((re.compile(path_regex), page, hook))

    def revise(self, days: int = 3) -> None:
        """Restate the last ``days`` dates (up to today) of every analytics endpoint."""
        with self._lock:
            self.data.revise(days)

    def fail_next_reports(self, status: str, times: int = 1, after: int = 0) -> None:
        """After ``after`` good reports, the next ``times`` end in ``status`` (FAILED...)."""
        with self._lock:
            self._report_endings.extend(["FINISHED"] * after + [status] * times)

    def expire_access_tokens(self) -> None:
        """Expire every issued access token now (static tokens are unaffected)."""
        with self._lock:
            for token in self._issued.values():
                token.revoked = True

    @property
    def issued_token_count(self) -> int:
        """How many access tokens ``POST /oauth/token`` has issued since reset."""
        with self._lock:
            return self._token_counter

    # ------------------------------------------------------------- stalls
    def _reset_stalls(self) -> None:
        old_release: threading.Event | None = getattr(self, "_stall_release", None)
        if old_release is not None:
            old_release.set()  # never leave a handler thread waiting across a reset
        self._stalls: list[re.Pattern[str]] = []
        self._stall_release = threading.Event()
        self._stall_hit = threading.Event()

    def stall(self, path_regex: str) -> None:
        """Hold matching requests unanswered until :meth:`release_stalls`."""
        with self._lock:
            if self._stall_release.is_set():  # released before: stall afresh
                self._stall_release = threading.Event()
                self._stall_hit = threading.Event()
            self._stalls.append(re.compile(path_regex))

    def wait_until_stalled(self, timeout: float) -> bool:
        """Whether a request is (or was) held by a stall within ``timeout`` seconds."""
        return self._stall_hit.wait(timeout)

    def release_stalls(self) -> None:
        """Let held requests go (their connections close unanswered) and stall no more."""
        with self._lock:
            self._stalls.clear()
            self._stall_release.set()

    def _hold_if_stalled(self, path: str) -> bool:
        with self._lock:
            if not any(pattern.search(path) for pattern in self._stalls):
                return False
            release = self._stall_release
            self._stall_hit.set()
        release.wait(STALL_MAX_SECONDS)
        return True

    # ---------------------------------------------------------------- log
    @property
    def log(self) -> list[LoggedRequest]:
        """A copy of the request log."""
        with self._lock:
            return list(self._log)

    def calls(self, path_regex: str, method: str = "GET") -> list[LoggedRequest]:
        """Logged requests whose full path (``/v5/...``) fully matches the regex."""
        pattern = re.compile(path_regex)
        with self._lock:
            return [r for r in self._log if r.method == method and pattern.fullmatch(r.path)]

    def clear_log(self) -> None:
        """Forget logged requests."""
        with self._lock:
            self._log.clear()

    # ------------------------------------------------------------ serving
    def _serve(self, handler: _RequestHandler) -> None:
        split = urlsplit(handler.path)
        path = split.path
        raw_query = parse_qs(split.query, keep_blank_values=True)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length).decode("utf-8", "replace") if length else ""
        headers = {k: v for k, v in handler.headers.items()}  # noqa: C416 - Message -> dict
        request = _Incoming(handler.command, path, raw_query, headers, body, split.query)
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        holding = [True]
        try:
            self._serve_held(handler, request, path, holding)
        finally:
            self._release(holding)

    def _release(self, holding: list[bool]) -> None:
        """The request is no longer held: its answer starts (counted once)."""
        with self._lock:
            if holding[0]:
                holding[0] = False
                self._in_flight -= 1

    def _serve_held(
        self, handler: _RequestHandler, request: _Incoming, path: str, holding: list[bool]
    ) -> None:
        if path.endswith("/oauth/token"):
            if self.oauth_delay_seconds:
                time.sleep(self.oauth_delay_seconds)  # a slow refresh, for racing jobs
        elif self.latency_seconds:
            time.sleep(self.latency_seconds)  # a network's round trip, outside the lock
        held = self._hold_if_stalled(path)
        with self._lock:
            fault = None if held else self._take_fault(path)
            limit = self.max_request_target
            if held or (fault is not None and fault.status == 0):
                status, payload, extra = 0, None, dict[str, str]()
            elif limit is not None and len(handler.path) > limit:
                status, extra = HTTP_URI_TOO_LONG, dict[str, str]()
                payload = {"code": HTTP_URI_TOO_LONG, "message": "Request-URI Too Long"}
            else:
                status, payload, extra = self._respond(request, fault)
            self._record(request, status)
        # Held until here: a client reading the answer may send its next call before this
        # thread has written the last byte, which is not two calls in flight.
        self._release(holding)
        if status == 0:
            handler.close_connection = True
            with contextlib.suppress(OSError):
                handler.connection.shutdown(socket.SHUT_RDWR)
            return
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        with self._lock:
            cut = self._take_body_break(path)
        if cut is not None:
            self._send_cut(handler, status, data, cut)
            return
        if self.chunk_bytes:
            self._send_chunked(handler, status, data, extra, self.chunk_bytes)
            return
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for key, value in extra.items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(data)

    @staticmethod
    def _send_chunked(
        handler: _RequestHandler, status: int, data: bytes, extra: dict[str, str], size: int
    ) -> None:
        """HTTP/1.1 chunked transfer in `size`-byte chunks: the client reads each on its own."""
        handler.protocol_version = "HTTP/1.1"
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.send_header("Connection", "close")
        for key, value in extra.items():
            handler.send_header(key, value)
        handler.end_headers()
        for start in range(0, len(data), size):
            piece = data[start : start + size]
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            handler.wfile.flush()
        handler.wfile.write(b"0\r\n\r\n")
        handler.close_connection = True

    def _take_body_break(self, path: str) -> int | None:
        for entry in self._body_breaks:
            pattern, remaining, after = entry
            if remaining > 0 and pattern.search(path):
                entry[1] = remaining - 1
                return int(after)
        return None

    @staticmethod
    def _send_cut(handler: _RequestHandler, status: int, data: bytes, cut: int) -> None:
        """Promise the whole body, send its first ``cut`` bytes, close the connection."""
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data[:cut])
        handler.wfile.flush()
        handler.close_connection = True
        with contextlib.suppress(OSError):
            handler.connection.shutdown(socket.SHUT_RDWR)

    def _take_fault(self, path: str) -> _Fault | None:
        for fault in self._faults:
            if fault.remaining > 0 and fault.pattern.search(path):
                if fault.skip:
                    fault.skip -= 1
                    continue
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _record(self, request: _Incoming, status: int) -> None:
        safe_headers = {}
        for key, value in request.headers.items():
            if key.lower() == "authorization":
                scheme, _, cred = value.partition(" ")
                safe_headers[key] = f"{scheme} {redact(cred)}" if cred else redact(value)
            else:
                safe_headers[key] = value
        safe_body = request.body
        if request.path.endswith("/oauth/token") and request.body:
            form = parse_qs(request.body, keep_blank_values=True)
            for name in _SECRET_FORM_FIELDS:
                if name in form:
                    form[name] = [redact(v) for v in form[name]]
            safe_body = urlencode(form, doseq=True)
        self._log.append(
            LoggedRequest(
                request.method,
                request.path,
                request.query,
                safe_headers,
                safe_body,
                status,
                request.query_string,
            ),
        )

    def _rate_window(self, path: str) -> list[float]:
        """[window start, calls] of the quota this path draws on (one, or its category)."""
        key = category_of(path.removeprefix(PREFIX)) if self.rate_limit_by_category else ""
        now = self.monotonic()
        window = self._windows.setdefault(key, [now, 0])
        if now - window[0] >= self.rate_limit_window_seconds:
            window[0], window[1] = now, 0
        return window

    def _rate_headers(self, window: list[float]) -> dict[str, str]:
        limit = self.rate_limit_per_window or 0
        reset_in = max(1, math.ceil(window[0] + self.rate_limit_window_seconds - self.monotonic()))
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(0, limit - int(window[1]))),
            "X-RateLimit-Reset": str(reset_in),
        }

    def _rate_limit(self, path: str) -> tuple[dict[str, str], ApiError | None]:
        """Fixed-window counter; returns headers and, when spent, a 429 error."""
        limit = self.rate_limit_per_window
        if limit is None or path == f"{PREFIX}/oauth/token" or path.startswith(REPORT_FILES):
            return {}, None
        window = self._rate_window(path)
        if window[1] >= limit:
            headers = self._rate_headers(window)
            return {**headers, "Retry-After": headers["X-RateLimit-Reset"]}, ApiError(
                429, 8, RATE_LIMIT_MESSAGE
            )
        window[1] += 1
        return self._rate_headers(window), None

    def _rate_headers_peek(self, path: str) -> dict[str, str]:
        if self.rate_limit_per_window is None:
            return {}
        return self._rate_headers(self._rate_window(path))

    def _respond(
        self,
        request: _Incoming,
        fault: _Fault | None,
    ) -> tuple[int, Any, dict[str, str]]:
        if fault is not None:
            return (
                fault.status,
                fault.body,
                {**self._rate_headers_peek(request.path), **fault.headers},
            )
        rate_headers, limited = self._rate_limit(request.path)
        try:
            if limited is not None:
                return self._error_response(limited, rate_headers)
            return HTTP_OK, self._dispatch(request), rate_headers
        except ApiError as err:
            return self._error_response(err, rate_headers)
        except Exception as exc:  # noqa: BLE001 - a fake bug must surface as a response
            return 500, {"code": 500, "message": f"Fake server bug: {exc!r}"}, rate_headers

    @staticmethod
    def _error_response(
        err: ApiError,
        rate_headers: dict[str, str],
    ) -> tuple[int, Any, dict[str, str]]:
        body = {"code": err.code, "message": err.message}
        return err.status, body, {**rate_headers, **err.headers}

    def _dispatch(self, request: _Incoming) -> Any:
        if request.path.startswith(REPORT_FILES + "/"):
            return self._download_report(request)
        if not request.path.startswith(PREFIX + "/"):
            msg = f"Not found: {request.path}."
            raise _not_found(msg)
        sub = request.path[len(PREFIX) :]
        handler, params = self._route(request.method, sub)
        if sub == "/oauth/token":
            return handler(request.headers, request.body)
        self._authenticate(request.headers)
        if request.method == "POST":
            return handler(_Query(request.query), request.body, **params)
        return handler(_Query(request.query), **params)

    def _route(self, method: str, sub: str) -> tuple[Handler, dict[str, str]]:
        allowed = False
        for route_method, pattern, handler in self._routes:
            match = pattern.fullmatch(sub)
            if match is None:
                continue
            if route_method == method:
                return handler, match.groupdict()
            allowed = True
        if allowed:
            msg = f"Method {method} not allowed on {PREFIX}{sub}."
            raise ApiError(405, 405, msg)
        msg = f"Not found: {PREFIX}{sub}."
        raise _not_found(msg)

    def _build_routes(self) -> list[tuple[str, re.Pattern[str], Handler]]:
        acct = r"/ad_accounts/(?P<ad_account_id>[^/]+)"
        table: list[tuple[str, str, Handler]] = [
            ("POST", r"/oauth/token", self._oauth_token),
            ("GET", r"/user_account", self._user_account),
            ("GET", r"/user_account/followers", self._followers),
            ("GET", r"/user_account/following", self._following),
            ("GET", r"/user_account/analytics", self._user_analytics),
            ("GET", r"/user_account/analytics/top_pins", self._top_pins),
            ("GET", r"/user_account/analytics/top_video_pins", self._top_video_pins),
            ("GET", r"/boards", self._boards),
            ("GET", r"/boards/(?P<board_id>[^/]+)", self._board),
            ("GET", r"/boards/(?P<board_id>[^/]+)/sections", self._sections),
            ("GET", r"/boards/(?P<board_id>[^/]+)/pins", self._board_pins),
            (
                "GET",
                r"/boards/(?P<board_id>[^/]+)/sections/(?P<section_id>[^/]+)/pins",
                self._section_pins,
            ),
            ("GET", r"/pins", self._pins),
            ("GET", r"/pins/analytics", self._pins_analytics),
            ("GET", r"/pins/(?P<pin_id>[^/]+)/analytics", self._pin_analytics),
            ("GET", r"/pins/(?P<pin_id>[^/]+)", self._pin),
            ("GET", r"/ad_accounts", self._ad_accounts),
            ("GET", acct, self._ad_account),
            ("GET", acct + r"/analytics", self._account_analytics),
            ("GET", acct + r"/campaigns", self._campaigns),
            ("GET", acct + r"/campaigns/analytics", self._campaign_analytics),
            ("GET", acct + r"/campaigns/(?P<campaign_id>\d+)", self._campaign),
            ("GET", acct + r"/ad_groups", self._ad_groups),
            ("GET", acct + r"/ad_groups/analytics", self._ad_group_analytics),
            ("GET", acct + r"/ad_groups/(?P<ad_group_id>\d+)", self._ad_group),
            ("GET", acct + r"/ads", self._ads),
            ("GET", acct + r"/ads/analytics", self._ad_analytics),
            ("GET", acct + r"/ads/(?P<ad_id>\d+)", self._ad),
            ("GET", acct + r"/audiences", self._audiences),
            ("GET", acct + r"/customer_lists", self._customer_lists),
            ("GET", acct + r"/conversion_tags", self._conversion_tags),
            ("GET", acct + r"/keywords", self._keywords),
            ("POST", acct + r"/reports", self._create_report),
            ("GET", acct + r"/reports", self._get_report),
        ]
        from tests.fake_api.shopping import ShoppingRoutes  # noqa: PLC0415 - it imports us

        table += ShoppingRoutes(self).table(acct)
        return [(m, re.compile(p), h) for m, p, h in table]


__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_MAX_REQUEST_TARGET",
    "DEFAULT_PAGE_SIZE",
    "DEFAULT_REFRESH_TOKEN",
    "DEFAULT_SCOPE",
    "DEFAULT_STATIC_TOKEN",
    "HOUR_MAX_DAYS_BACK",
    "HOUR_MAX_RANGE_DAYS",
    "HOUR_REPORT_MAX_DATES",
    "HTTP_FORBIDDEN",
    "HTTP_OK",
    "HTTP_TOO_MANY",
    "HTTP_URI_TOO_LONG",
    "LEVEL_ID_KEYS",
    "MAX_DAYS_BACK",
    "MAX_IDS",
    "MAX_PAGE_SIZE",
    "MAX_PIN_IDS",
    "MAX_RANGE_DAYS",
    "PREFIX",
    "PRODUCT_ITEM_MAX_DATES",
    "PRODUCT_ITEM_MAX_DAYS_BACK",
    "PRODUCT_ITEM_RULE_LEVELS",
    "RATE_LIMIT_MESSAGE",
    "REFRESH_TOKEN_TTL",
    "REPORTING_TIMEZONES",
    "REPORT_FILES",
    "REPORT_MAX_DATES",
    "REPORT_MAX_DAYS_BACK",
    "REPORT_ONLY_ID_KEYS",
    "REPORT_ONLY_LEVELS",
    "REPORT_ONLY_TARGETING_LEVELS",
    "STALL_MAX_SECONDS",
    "SYNC_LEVELS",
    "TARGETING_REPORT_LEVELS",
    "TARGETING_TYPE_ONLY_AT",
    "_AUTH_FAILED",
    "_SECRET_FORM_FIELDS",
    "ApiError",
    "FakePinterestAPI",
    "Handler",
    "LoggedRequest",
    "PageHook",
    "_IssuedToken",
    "_Query",
    "_Report",
    "_bad",
    "_category_routes",
    "_not_found",
    "async_columns",
    "category_of",
    "redact",
    "report_targeting_parameter",
]
