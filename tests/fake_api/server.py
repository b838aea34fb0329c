"""HTTP server faking the Pinterest REST API v5 for the tap's tests.

``FakePinterestAPI`` serves the endpoints a read-only tap uses, under ``/v5``, with
the spec's response shapes and ``{"code": int, "message": str}`` errors.  All state
(data, tokens, faults, switches, request log) sits behind one lock; ``reset()``
restores every default.

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
  Content-Length promises all of it).
- Request log: one :class:`LoggedRequest` per request, path with ``/v5``, secrets
  redacted (``Authorization`` credentials and the token form's ``refresh_token``,
  ``client_secret``, ``code`` become ``redact(value)``); dropped connections are
  logged with status 0.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import math
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.fake_api.data import (
    CONVERSION_REPORT_TIMES,
    ENTITY_STATUSES,
    GRANULARITIES,
    LEVEL_ID_KEYS,
    MATCH_TYPES,
    SPLIT_GROUPS,
    WINDOW_DAYS,
    Attribution,
    FakeData,
    Scale,
    _param_enum,
    load_spec,
    pin_metric_types,
    sync_columns,
    top_pins_sort_by,
    top_video_pins_sort_by,
    user_metric_types,
    video_metric_types,
)

if TYPE_CHECKING:
    from types import TracebackType

    from tests.fake_api.shopping import ShoppingData

PREFIX = "/v5"
MAX_PAGE_SIZE = 250
DEFAULT_PAGE_SIZE = 25
MAX_IDS = 250
MAX_PIN_IDS = 100
MAX_DAYS_BACK = 90
MAX_RANGE_DAYS = 90
HOUR_MAX_DAYS_BACK = 8
HOUR_MAX_RANGE_DAYS = 3
DEFAULT_STATIC_TOKEN = "demo-access-token"
DEFAULT_CLIENT_ID = "fake-client-id"
DEFAULT_CLIENT_SECRET = "fake-client-secret"
DEFAULT_REFRESH_TOKEN = "fake-refresh-token"
REFRESH_TOKEN_TTL = 5_184_000  # 60 days, the continuous refresh token lifetime.
DEFAULT_SCOPE = (
    "ads:read,boards:read,boards:read_secret,pins:read,pins:read_secret,user_accounts:read"
)
RATE_LIMIT_MESSAGE = (
    "This request exceeded a rate limit. This can happen if the client exceeds one "
    "of the published rate limits within a short time window."
)
_SECRET_FORM_FIELDS = ("refresh_token", "client_secret", "code", "access_token")
HTTP_OK = 200
HTTP_URI_TOO_LONG = 414
# What common front ends (nginx large_client_header_buffers, many CDNs) accept: 8 KB.
DEFAULT_MAX_REQUEST_TARGET = 8192
REPORT_FILES = "/report-files"
REPORT_MAX_DAYS_BACK = 914
REPORT_MAX_DATES = 186
PRODUCT_ITEM_MAX_DAYS_BACK = 92
PRODUCT_ITEM_MAX_DATES = 31
HOUR_REPORT_MAX_DATES = 3
# ReportingTimeZone (spec, beta): a query parameter of the ads analytics operations and a
# field of the report request.
REPORTING_TIMEZONES = ("PINTEREST_TIME_ZONE", "AD_ACCOUNT_TIME_ZONE")
SYNC_LEVELS = {
    "ADVERTISER": "ad_account",
    "CAMPAIGN": "campaign",
    "AD_GROUP": "ad_group",
    "PIN_PROMOTION": "ad",
}
REPORT_ONLY_LEVELS = ("KEYWORD", "PRODUCT_GROUP", "PRODUCT_ITEM")
# The *_TARGETING levels of MetricsReportingLevel the fake serves, by their plain level.
TARGETING_REPORT_LEVELS = {
    "ADVERTISER_TARGETING": "ad_account",
    "CAMPAIGN_TARGETING": "campaign",
    "AD_GROUP_TARGETING": "ad_group",
    "PIN_PROMOTION_TARGETING": "ad",
}
# The *_TARGETING levels only reports serve, by their plain report-only level.
REPORT_ONLY_TARGETING_LEVELS = {
    "PRODUCT_GROUP_TARGETING": "PRODUCT_GROUP",
    "PRODUCT_ITEM_TARGETING": "PRODUCT_ITEM",
}
REPORT_ONLY_ID_KEYS = {
    "KEYWORD": "KEYWORD_ID",
    "PRODUCT_GROUP": "PRODUCT_GROUP_ID",
    "PRODUCT_ITEM": "PRODUCT_ITEM_ID",
}
# Levels with PRODUCT_ITEM's rules (analytics/create_report; the twin by assumption).
PRODUCT_ITEM_RULE_LEVELS = ("PRODUCT_ITEM", "PRODUCT_ITEM_TARGETING")
# TargetingTypeFilter.targeting_types' description: "[AUDIENCE_MULTIPLIER] is only
# available in CAMPAIGN_TARGETING level. [MEDIA_TYPE] is only available in
# PRODUCT_ITEM_TARGETING level."
TARGETING_TYPE_ONLY_AT = {
    "AUDIENCE_MULTIPLIER": "CAMPAIGN_TARGETING",
    "MEDIA_TYPE": "PRODUCT_ITEM_TARGETING",
}
STALL_MAX_SECONDS = 120.0
HTTP_TOO_MANY = 429
HTTP_FORBIDDEN = 403


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
class _Report:
    """One async report the fake was asked to build."""

    token: str
    ad_account_id: str
    level: str
    start: date
    end: date
    granularity: str
    columns: list[str]
    attribution: Attribution
    ending: str
    polls_left: int
    url_expires_at: float = 0.0
    targeting_types: tuple[str, ...] = ()


@dataclass
class _Fault:
    pattern: re.Pattern[str]
    remaining: int
    status: int = 0  # 0 = drop the connection
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | bytes | None = None
    skip: int = 0  # matching requests answered normally before the fault starts


@dataclass
class _IssuedToken:
    expires_at: float
    requests: int = 0
    revoked: bool = False


class ApiError(Exception):
    """An error response ``{"code", "message"}`` with an HTTP status."""

    def __init__(
        self, status: int, code: int, message: str, headers: dict[str, str] | None = None
    ) -> None:
        """Remember the response parts."""
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def _bad(message: str) -> ApiError:
    return ApiError(400, 1, message)


def _not_found(message: str) -> ApiError:
    return ApiError(404, 404, message)


_AUTH_FAILED = "Authentication failed."

Handler = Callable[..., Any]
PageHook = Callable[[FakeData], None]


class _Query:
    """Query-string accessors with the fake's validation rules."""

    def __init__(self, raw: dict[str, list[str]]) -> None:
        self.raw = raw

    def get(self, name: str) -> str | None:
        values = self.raw.get(name)
        return values[0] if values else None

    def required(self, name: str) -> str:
        value = self.get(name)
        if value is None or value == "":
            msg = f"Missing required parameter: {name}."
            raise _bad(msg)
        return value

    def many(self, name: str) -> list[str] | None:
        """Repeated keys and comma-joined values, flattened; None when absent."""
        if name not in self.raw:
            return None
        return [v.strip() for raw in self.raw[name] for v in raw.split(",") if v.strip()]

    def ids(self, name: str, limit: int = MAX_IDS, *, required: bool = False) -> list[str] | None:
        values = self.many(name)
        if not values:
            if required:
                msg = f"Missing required parameter: {name}."
                raise _bad(msg)
            return None
        if len(values) > limit:
            msg = f"Invalid {name}: at most {limit} ids are allowed, got {len(values)}."
            raise _bad(msg)
        bad = [v for v in values if not v.isdigit()]
        if bad:
            msg = f"Invalid {name}: ids must be strings of digits, got {bad[0]!r}."
            raise _bad(msg)
        return values

    def enum(
        self, name: str, allowed: tuple[str, ...] | list[str], default: str | None = None
    ) -> str | None:
        value = self.get(name)
        if value is None:
            return default
        if value not in allowed:
            msg = f"Invalid {name}: {value}. Must be one of {', '.join(allowed)}."
            raise _bad(msg)
        return value

    def enums(self, name: str, allowed: tuple[str, ...] | list[str]) -> list[str] | None:
        values = self.many(name)
        if values is None:
            return None
        bad = [v for v in values if v not in allowed]
        if bad:
            msg = f"Invalid {name}: {', '.join(bad)}. Must be among {', '.join(allowed)}."
            raise _bad(msg)
        return values

    def boolean(self, name: str, *, default: bool) -> bool:
        value = self.get(name)
        if value is None:
            return default
        if value.lower() not in ("true", "false"):
            msg = f"Invalid {name}: {value}. Must be true or false."
            raise _bad(msg)
        return value.lower() == "true"

    def integer(self, name: str, low: int, high: int, default: int) -> int:
        value = self.get(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            msg = f"Invalid {name}: {value}. {name} must be an integer between {low} and {high}."
            raise _bad(msg)
        return number

    def day(self, name: str) -> date:
        value = self.required(name)
        try:
            return date.fromisoformat(value)
        except ValueError:
            msg = f"Invalid {name}: {value}. Expected a date formatted YYYY-MM-DD."
            raise _bad(msg) from None


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


class FakePinterestAPI:
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
            self._issued: dict[str, _IssuedToken] = {}
            self._token_counter = 0
            # Faults and switches
            self._faults: list[_Fault] = []
            self._repeat_bookmark: list[re.Pattern[str]] = []
            self._page_hooks: list[tuple[re.Pattern[str], int, PageHook]] = []
            self._body_breaks: list[list[Any]] = []
            self.processing_days = 2
            # HTTP status refusing the beta ad_group_ids filter of GET .../keywords (None:
            # accepted): 403 code 29 "not permitted", or 400 code 1.
            self.refuse_ad_group_ids: int | None = None
            # Front ends refuse request lines longer than this (HTTP 414); None: no limit.
            self.max_request_target: int | None = DEFAULT_MAX_REQUEST_TARGET
            # Async reports
            self.report_in_progress_polls = 0
            self.report_url_ttl = 300.0
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
        if path.endswith("/oauth/token") and self.oauth_delay_seconds:
            time.sleep(self.oauth_delay_seconds)  # a slow refresh, for racing jobs
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
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for key, value in extra.items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(data)

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

    # --------------------------------------------------------------- auth
    def _authenticate(self, headers: dict[str, str]) -> None:
        value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        scheme, _, token = value.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise ApiError(401, 2, _AUTH_FAILED)
        if token in self.static_tokens:
            return
        issued = self._issued.get(token)
        if issued is None or issued.revoked or time.time() >= issued.expires_at:
            raise ApiError(401, 2, _AUTH_FAILED)
        limit = self.access_token_max_requests
        if limit is not None and issued.requests >= limit:
            raise ApiError(401, 2, _AUTH_FAILED)
        issued.requests += 1

    def _oauth_token(self, headers: dict[str, str], body: str) -> dict[str, Any]:
        value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        scheme, _, cred = value.partition(" ")
        try:
            decoded = base64.b64decode(cred.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        client_id, _, client_secret = decoded.partition(":")
        if scheme.lower() != "basic" or (client_id, client_secret) != (
            self.client_id,
            self.client_secret,
        ):
            raise ApiError(401, 2, _AUTH_FAILED)
        form = parse_qs(body, keep_blank_values=True)
        grant_type = (form.get("grant_type") or [""])[0]
        if grant_type != "refresh_token":
            msg = "Unsupported grant_type."
            raise _bad(msg)
        refresh_token = (form.get("refresh_token") or [""])[0]
        if not refresh_token:
            msg = "Missing required parameter: refresh_token."
            raise _bad(msg)
        if self.refuse_refresh:
            msg = "Invalid refresh token."
            raise _bad(msg)
        if refresh_token not in self.refresh_tokens:
            raise ApiError(401, 2, "Invalid refresh token.")
        self._token_counter += 1
        n = self._token_counter
        access_token, new_refresh = f"at-{n}", f"rt-{n}"
        self._issued[access_token] = _IssuedToken(expires_at=time.time() + self.access_token_ttl)
        self.refresh_tokens.add(new_refresh)
        if self.invalidate_rotated_refresh_tokens:
            self.refresh_tokens.discard(refresh_token)
        return {
            "access_token": access_token,
            "token_type": "bearer",
            "expires_in": self.access_token_ttl,
            "scope": (form.get("scope") or [DEFAULT_SCOPE])[0],
            "response_type": "refresh_token",
            "refresh_token": new_refresh,
            "refresh_token_expires_in": self.refresh_token_ttl,
            "refresh_token_expires_at": int(time.time()) + self.refresh_token_ttl,
        }

    # --------------------------------------------------------- pagination
    def _bookmark(self, path: str, offset: int) -> str:
        raw = json.dumps({"o": offset, "p": path}, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def _offset(self, path: str, bookmark: str | None) -> int:
        if bookmark is None:
            return 0
        try:
            padded = bookmark + "=" * (-len(bookmark) % 4)
            decoded = json.loads(base64.urlsafe_b64decode(padded.encode()))
            offset: int = decoded["o"]
            valid = decoded["p"] == path and isinstance(offset, int) and offset >= 0
        except (ValueError, TypeError, KeyError, binascii.Error):
            valid = False
        if not valid:
            msg = "Invalid bookmark."
            raise _bad(msg)
        return offset

    def _page(self, q: _Query, path: str, items: list[dict[str, Any]]) -> dict[str, Any]:
        full = PREFIX + path
        size = q.integer("page_size", 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE)
        offset = self._offset(full, q.get("bookmark"))
        self._run_page_hooks(full, offset // size + 1)
        page = items[offset : offset + size]
        nxt = offset + size
        bookmark = self._bookmark(full, nxt) if nxt < len(items) else None
        if any(p.search(full) for p in self._repeat_bookmark):
            bookmark = q.get("bookmark") or self._bookmark(full, size)
        return {"items": [dict(i) for i in page], "bookmark": bookmark}

    def _run_page_hooks(self, full_path: str, page: int) -> None:
        for hook in list(self._page_hooks):
            pattern, wanted, action = hook
            if wanted == page and pattern.search(full_path):
                self._page_hooks.remove(hook)
                action(self.data)

    @staticmethod
    def _order(q: _Query, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        order = q.enum("order", ("ASCENDING", "DESCENDING"), "ASCENDING")
        return sorted(items, key=lambda o: int(o["id"]), reverse=order == "DESCENDING")

    # ------------------------------------------------------------- organic
    def _user_account(self, q: _Query) -> dict[str, Any]:
        q.get("ad_account_id")
        return dict(self.data.user)

    def _followers(self, q: _Query) -> dict[str, Any]:
        return self._page(q, "/user_account/followers", self.data.followers)

    def _following(self, q: _Query) -> dict[str, Any]:
        q.enum("feed_type", ("ALL", "RANKED", "CREATOR_ONLY", "RANKED_CREATOR_ONLY"))
        q.boolean("explicit_following", default=False)
        return self._page(q, "/user_account/following", self.data.following)

    def _boards(self, q: _Query) -> dict[str, Any]:
        privacy = q.enum(
            "privacy", ("ALL", "PUBLIC", "PROTECTED", "SECRET", "PUBLIC_AND_SECRET"), "ALL"
        )
        wanted = {
            "ALL": ("PUBLIC", "PROTECTED", "SECRET"),
            "PUBLIC_AND_SECRET": ("PUBLIC", "SECRET"),
        }.get(privacy or "ALL", (privacy,))
        return self._page(q, "/boards", [b for b in self.data.boards if b["privacy"] in wanted])

    def _get_board(self, board_id: str) -> dict[str, Any]:
        board = self.data.board(board_id)
        if board is None:
            msg = "Board not found."
            raise _not_found(msg)
        return board

    def _board(self, q: _Query, board_id: str) -> dict[str, Any]:  # noqa: ARG002
        return dict(self._get_board(board_id))

    def _sections(self, q: _Query, board_id: str) -> dict[str, Any]:
        self._get_board(board_id)
        return self._page(q, f"/boards/{board_id}/sections", self.data.board_sections[board_id])

    def _pin_items(self, q: _Query, pins: list[dict[str, Any]]) -> list[dict[str, Any]]:
        creative = q.enums("creative_types", _param_enum("query_creative_types"))
        with_metrics = q.boolean("pin_metrics", default=False)
        out = []
        for pin in pins:
            if creative and pin["creative_type"] not in creative:
                continue
            item = dict(pin)
            if with_metrics:
                item["pin_metrics"] = {
                    "90d": {"pin_click": 7, "impression": 2, "clickthrough": 3},
                    "lifetime_metrics": {
                        "pin_click": 7,
                        "impression": 2,
                        "clickthrough": 3,
                        "reaction": 10,
                        "comment": 2,
                    },
                }
            out.append(item)
        return out

    def _board_pins(self, q: _Query, board_id: str) -> dict[str, Any]:
        self._get_board(board_id)
        return self._page(
            q, f"/boards/{board_id}/pins", self._pin_items(q, self.data.pins_of_board(board_id))
        )

    def _section_pins(self, q: _Query, board_id: str, section_id: str) -> dict[str, Any]:
        self._get_board(board_id)
        if section_id not in {s["id"] for s in self.data.board_sections[board_id]}:
            msg = "Board or section not found."
            raise _not_found(msg)
        pins = self._pin_items(q, self.data.pins_of_section(section_id))
        return self._page(q, f"/boards/{board_id}/sections/{section_id}/pins", pins)

    def _pins(self, q: _Query) -> dict[str, Any]:
        q.enum("pin_filter", ("exclude_native", "exclude_repins", "has_been_promoted"))
        include_protected = q.boolean("include_protected_pins", default=False)
        protected = {b["id"] for b in self.data.boards if b["privacy"] == "PROTECTED"}
        pins = [p for p in self.data.pins if include_protected or p["board_id"] not in protected]
        if q.get("pin_filter") == "has_been_promoted":
            pins = [p for p in pins if p["has_been_promoted"]]
        return self._page(q, "/pins", self._pin_items(q, pins))

    def _pin(self, q: _Query, pin_id: str) -> dict[str, Any]:
        pin = self.data.pin(pin_id)
        if pin is None:
            raise ApiError(404, 50, "Pin not found.")
        return self._pin_items(_Query({"pin_metrics": [q.get("pin_metrics") or "false"]}), [pin])[0]

    # ---------------------------------------------------------- ad entities
    def _account(self, ad_account_id: str) -> dict[str, Any]:
        acct = self.data.ad_account(ad_account_id)
        if acct is None:
            msg = "Ad account not found."
            raise _not_found(msg)
        return acct

    def _ad_accounts(self, q: _Query) -> dict[str, Any]:
        shared = q.boolean("include_shared_accounts", default=True)
        accounts = [
            a for a in self.data.ad_accounts if shared or a["owner"]["id"] == self.data.user["id"]
        ]
        return self._page(q, "/ad_accounts", accounts)

    def _ad_account(self, q: _Query, ad_account_id: str) -> dict[str, Any]:  # noqa: ARG002
        return dict(self._account(ad_account_id))

    @staticmethod
    def _statuses(q: _Query) -> list[str]:
        return q.enums("entity_statuses", ENTITY_STATUSES) or ["ACTIVE", "PAUSED"]

    def _entity_list(
        self,
        q: _Query,
        path: str,
        items: list[dict[str, Any]],
        filters: dict[str, str],
    ) -> dict[str, Any]:
        statuses = self._statuses(q)
        selected = [o for o in items if o["status"] in statuses]
        for param, key in filters.items():
            ids = q.ids(param)
            if ids is not None:
                selected = [o for o in selected if o[key] in ids]
        return self._page(q, path, self._order(q, selected))

    def _campaigns(self, q: _Query, ad_account_id: str) -> dict[str, Any]:
        self._account(ad_account_id)
        return self._entity_list(
            q,
            f"/ad_accounts/{ad_account_id}/campaigns",
            self.data.campaigns[ad_account_id],
            {"campaign_ids": "id"},
        )

    def _ad_groups(self, q: _Query, ad_account_id: str) -> dict[str, Any]:
        self._account(ad_account_id)
        q.boolean("translate_interests_to_names", default=False)
        return self._entity_list(
            q,
            f"/ad_accounts/{ad_account_id}/ad_groups",
            self.data.ad_groups[ad_account_id],
            {"campaign_ids": "campaign_id", "ad_group_ids": "id"},
        )

    def _ads(self, q: _Query, ad_account_id: str) -> dict[str, Any]:
        self._account(ad_account_id)
        return self._entity_list(
            q,
            f"/ad_accounts/{ad_account_id}/ads",
            self.data.ads[ad_account_id],
            {"campaign_ids": "campaign_id", "ad_group_ids": "ad_group_id", "ad_ids": "id"},
        )

    def _single(
        self, ad_account_id: str, pool: dict[str, list[dict[str, Any]]], entity_id: str, what: str
    ) -> dict[str, Any]:
        self._account(ad_account_id)
        obj = next((o for o in pool[ad_account_id] if o["id"] == entity_id), None)
        if obj is None:
            msg = f"{what} not found."
            raise _not_found(msg)
        return dict(obj)

    def _campaign(self, q: _Query, ad_account_id: str, campaign_id: str) -> dict[str, Any]:  # noqa: ARG002
        return self._single(ad_account_id, self.data.campaigns, campaign_id, "Campaign")

    def _ad_group(self, q: _Query, ad_account_id: str, ad_group_id: str) -> dict[str, Any]:  # noqa: ARG002
        return self._single(ad_account_id, self.data.ad_groups, ad_group_id, "Ad group")

    def _ad(self, q: _Query, ad_account_id: str, ad_id: str) -> dict[str, Any]:  # noqa: ARG002
        return self._single(ad_account_id, self.data.ads, ad_id, "Ad")

    def _audiences(self, q: _Query, ad_account_id: str) -> dict[str, Any]:
        self._account(ad_account_id)
        ownership = q.enum("ownership_type", ("OWNED", "RECEIVED"), "OWNED")
        pool = self.data.audiences if ownership == "OWNED" else self.data.received_audiences
        items = pool[ad_account_id]
        return self._page(q, f"/ad_accounts/{ad_account_id}/audiences", self._order(q, items))

    def _customer_lists(self, q: _Query, ad_account_id: str) -> dict[str, Any]:
        self._account(ad_account_id)
        items = self._order(q, self.data.customer_lists[ad_account_id])
        return self._page(q, f"/ad_accounts/{ad_account_id}/customer_lists", items)

    def _conversion_tags(self, q: _Query, ad_account_id: str) -> dict[str, Any]:
        self._account(ad_account_id)
        filter_deleted = q.boolean("filter_deleted", default=False)
        tags = self.data.conversion_tags[ad_account_id]
        return {
            "items": [dict(t) for t in tags if not (filter_deleted and t["status"] == "ARCHIVED")]
        }

    def _keywords(self, q: _Query, ad_account_id: str) -> dict[str, Any]:
        self._account(ad_account_id)
        campaign_id = q.get("campaign_id")
        ad_group_id = q.get("ad_group_id")
        ad_group_ids = q.ids("ad_group_ids")
        if ad_group_ids is not None and self.refuse_ad_group_ids is not None:
            raise self._beta_refusal(self.refuse_ad_group_ids, "ad_group_ids")
        match_types = q.enums("match_types", MATCH_TYPES)
        if match_types is not None and len(match_types) > len(MATCH_TYPES):
            msg = "Invalid match_types: at most 5 values are allowed."
            raise _bad(msg)
        all_keywords = self.data.keywords[ad_account_id]
        if campaign_id is None and ad_group_id is None and ad_group_ids is None:
            items = self.data.account_keywords(ad_account_id)
        else:
            parents: set[str] = set(ad_group_ids or [])
            if ad_group_id is not None:
                parents.add(ad_group_id)
            if campaign_id is not None:
                parents.add(campaign_id)
                parents.update(
                    g["id"]
                    for g in self.data.ad_groups[ad_account_id]
                    if g["campaign_id"] == campaign_id
                )
            items = [k for k in all_keywords if k["parent_id"] in parents]
        if match_types:
            items = [k for k in items if k["match_type"] in match_types]
        return self._page(q, f"/ad_accounts/{ad_account_id}/keywords", items)

    @staticmethod
    def _beta_refusal(status: int, parameter: str) -> ApiError:
        """How a beta feature the app may not use is refused (the spec names no status)."""
        if status == HTTP_FORBIDDEN:
            return ApiError(status, 29, "You are not permitted to access that resource.")
        return ApiError(status, 1, f"Invalid parameter: {parameter} is not available.")

    # ------------------------------------------------------------ analytics
    def _date_range(
        self, q: _Query, granularity: str | None = None, *, hour_range_rule: bool = True
    ) -> tuple[date, date]:
        start = q.day("start_date")
        end = q.day("end_date")
        today = self.data.today()
        if end < start:
            msg = "Invalid end_date: end_date cannot be earlier than start_date."
            raise _bad(msg)
        if granularity == "HOUR":
            if start < today - timedelta(days=HOUR_MAX_DAYS_BACK):
                msg = (
                    f"Invalid start_date: with granularity HOUR, start_date cannot be more than "
                    f"{HOUR_MAX_DAYS_BACK} days back from today (UTC)."
                )
                raise _bad(msg)
            if hour_range_rule and (end - start).days > HOUR_MAX_RANGE_DAYS:
                msg = (
                    f"Invalid end_date: with granularity HOUR, end_date cannot be more than "
                    f"{HOUR_MAX_RANGE_DAYS} days past start_date."
                )
                raise _bad(msg)
        if start < today - timedelta(days=MAX_DAYS_BACK):
            msg = (
                f"Invalid start_date: start_date cannot be more than {MAX_DAYS_BACK} days back "
                "from today (UTC)."
            )
            raise _bad(msg)
        if (end - start).days > MAX_RANGE_DAYS:
            msg = (
                f"Invalid end_date: end_date cannot be more than {MAX_RANGE_DAYS} days past "
                "start_date."
            )
            raise _bad(msg)
        return start, end

    def _ads_analytics(
        self,
        q: _Query,
        ad_account_id: str,
        level: str,
        entity_ids: Callable[[], list[str] | None],
    ) -> list[dict[str, Any]]:
        self._account(ad_account_id)
        for name in ("start_date", "end_date", "columns", "granularity"):
            q.required(name)
        ids = entity_ids()
        granularity = q.enum("granularity", GRANULARITIES)
        columns = q.many("columns") or []
        unknown = [c for c in columns if c not in sync_columns()]
        if unknown:
            msg = f"Invalid columns: {', '.join(unknown)}."
            raise _bad(msg)
        windows = {}
        for name in ("click_window_days", "view_window_days", "engagement_window_days"):
            value = q.get(name)
            if value is not None and value not in {str(d) for d in WINDOW_DAYS}:
                msg = f"Invalid {name}: {value}. Must be one of {', '.join(map(str, WINDOW_DAYS))}."
                raise _bad(msg)
            if value is not None:
                windows[name] = int(value)
        report_time = q.enum("conversion_report_time", CONVERSION_REPORT_TIMES, "TIME_OF_AD_ACTION")
        zone = q.enum("reporting_timezone", REPORTING_TIMEZONES, REPORTING_TIMEZONES[0])
        start, end = self._date_range(q, granularity, hour_range_rule=level != "ad_account")
        attribution = Attribution(
            **windows,
            conversion_report_time=report_time or "TIME_OF_AD_ACTION",
            reporting_timezone=zone or REPORTING_TIMEZONES[0],
        )
        rows = self.data.ads_analytics_rows(
            ad_account_id,
            level,
            ids,
            start,
            end,
            columns=columns,
            granularity=granularity or "DAY",
            attribution=attribution,
        )
        self._zero(rows, LEVEL_ID_KEYS[level])
        if granularity == "HOUR" and self.hour_in_date:
            # The other plausible shape (the spec is silent): the hour inside DATE.
            for row in rows:
                row["DATE"] = f"{row['DATE']} {row.pop('HOUR'):02d}"
        return rows

    def _account_analytics(self, q: _Query, ad_account_id: str) -> list[dict[str, Any]]:
        return self._ads_analytics(q, ad_account_id, "ad_account", lambda: None)

    def _campaign_analytics(self, q: _Query, ad_account_id: str) -> list[dict[str, Any]]:
        return self._ads_analytics(
            q, ad_account_id, "campaign", lambda: q.ids("campaign_ids", required=True)
        )

    def _ad_group_analytics(self, q: _Query, ad_account_id: str) -> list[dict[str, Any]]:
        return self._ads_analytics(
            q, ad_account_id, "ad_group", lambda: q.ids("ad_group_ids", required=True)
        )

    def _ad_analytics(self, q: _Query, ad_account_id: str) -> list[dict[str, Any]]:
        def ids() -> list[str] | None:
            ad_ids = q.ids("ad_ids")
            if ad_ids is not None:
                return ad_ids
            campaign_ids = q.ids("campaign_ids")
            pin_ids = q.ids("pin_ids", MAX_PIN_IDS)
            if campaign_ids is None or pin_ids is None:
                msg = "Missing required parameter: ad_ids (or both campaign_ids and pin_ids)."
                raise _bad(msg)
            return [
                a["id"]
                for a in self.data.ads.get(ad_account_id, [])
                if a["campaign_id"] in campaign_ids and a["pin_id"] in pin_ids
            ]

        return self._ads_analytics(q, ad_account_id, "ad", ids)

    def _organic_filters(self, q: _Query) -> dict[str, str]:
        filters = {}
        for name, param in (
            ("from_claimed_content", "query_from_claimed_content"),
            ("pin_format", "query_pin_format"),
            ("app_types", "query_app_types"),
            ("content_type", "query_content_type"),
            ("source", "query_source"),
        ):
            value = q.enum(name, _param_enum(param))
            if value is not None:
                filters[name] = value
        return filters

    def _user_analytics(self, q: _Query) -> dict[str, Any]:
        filters = self._organic_filters(q)
        metrics = q.enums("metric_types", user_metric_types())
        split = q.enum("split_field", tuple(SPLIT_GROUPS), "NO_SPLIT") or "NO_SPLIT"
        start, end = self._date_range(q)
        return self.data.user_analytics(
            start,
            end,
            metrics,
            split,
            processing_days=self.processing_days,
            filters=filters,
        )

    def _top(self, q: _Query, *, video: bool) -> dict[str, Any]:
        sort_values = top_video_pins_sort_by() if video else top_pins_sort_by()
        q.required("sort_by")
        sort_by = q.enum("sort_by", sort_values) or ""
        self._organic_filters(q)
        metrics = q.enums("metric_types", video_metric_types() if video else user_metric_types())
        num = q.integer("num_of_pins", 1, 50, 10)
        q.enum("created_in_last_n_days", ("30",))
        start, end = self._date_range(q)
        return self.data.top_pins(
            start,
            end,
            sort_by,
            metrics,
            num,
            video=video,
            processing_days=self.processing_days,
        )

    def _top_pins(self, q: _Query) -> dict[str, Any]:
        return self._top(q, video=False)

    def _top_video_pins(self, q: _Query) -> dict[str, Any]:
        return self._top(q, video=True)

    def _pins_analytics(self, q: _Query) -> dict[str, Any]:
        pin_ids = q.ids("pin_ids", MAX_PIN_IDS, required=True) or []
        q.required("metric_types")
        metrics = q.enums("metric_types", pin_metric_types()) or []
        app_types = q.enum("app_types", _param_enum("query_app_types"), "ALL") or "ALL"
        start, end = self._date_range(q)
        return self.data.pin_analytics(
            pin_ids,
            start,
            end,
            metrics,
            processing_days=self.processing_days,
            app_types=app_types,
        )

    def _pin_analytics(self, q: _Query, pin_id: str) -> dict[str, Any]:
        """GET /pins/{pin_id}/analytics: the bulk answer's entry for one pin."""
        if self.data.pin(pin_id) is None:
            raise ApiError(404, 50, "Pin not found.")
        metrics = q.enums("metric_types", pin_metric_types()) or []
        if not metrics:
            msg = "Missing required parameter: metric_types."
            raise _bad(msg)
        app_types = q.enum("app_types", _param_enum("query_app_types"), "ALL") or "ALL"
        start, end = self._date_range(q)
        answer = self.data.pin_analytics(
            [pin_id],
            start,
            end,
            metrics,
            processing_days=self.processing_days,
            app_types=app_types,
        )
        return dict(answer[pin_id])

    # -------------------------------------------------------- async reports
    def _zero(self, rows: list[dict[str, Any]], id_key: str) -> None:
        """Zero the metrics of ``zero_entities`` and the ``zero_columns`` (both paths)."""
        for row in rows:
            self._zero_row(row, whole=row.get(id_key) in self.zero_entities)

    def _zero_row(self, row: dict[str, Any], *, whole: bool) -> None:
        if not whole and not self.zero_columns:
            return
        for col, value in row.items():
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            if numeric and col != "HOUR" and (whole or col in self.zero_columns):
                row[col] = 0 if isinstance(value, int) else 0.0

    def _report_request(self, body: str) -> dict[str, Any]:
        try:
            request = json.loads(body) if body else None
        except ValueError:
            request = None
        if not isinstance(request, dict):
            msg = "Invalid request body: parameters must be a JSON object."
            raise _bad(msg)
        for name in ("start_date", "end_date", "granularity", "level", "columns"):
            if request.get(name) in (None, "", []):
                msg = f"Missing required parameter: {name}."
                raise _bad(msg)
        return request

    def _report_dates(
        self, request: dict[str, Any], level: str, granularity: str
    ) -> tuple[date, date]:
        try:
            start = date.fromisoformat(str(request["start_date"]))
            end = date.fromisoformat(str(request["end_date"]))
        except ValueError:
            msg = "Invalid start_date or end_date: expected YYYY-MM-DD."
            raise _bad(msg) from None
        if end < start:
            msg = "Invalid end_date: end_date cannot be earlier than start_date."
            raise _bad(msg)
        back, dates_ = REPORT_MAX_DAYS_BACK, REPORT_MAX_DATES
        if granularity == "HOUR":
            back, dates_ = HOUR_MAX_DAYS_BACK, HOUR_REPORT_MAX_DATES
        elif level in PRODUCT_ITEM_RULE_LEVELS:
            back, dates_ = PRODUCT_ITEM_MAX_DAYS_BACK, PRODUCT_ITEM_MAX_DATES
        if start < self.data.today() - timedelta(days=back):
            msg = (
                f"Invalid start_date: for this report start_date cannot be more than {back} "
                "days back from today (UTC)."
            )
            raise _bad(msg)
        if (end - start).days + 1 > dates_:
            msg = f"Invalid end_date: this report can span at most {dates_} days."
            raise _bad(msg)
        return start, end

    @staticmethod
    def _report_columns(request: dict[str, Any], level: str) -> list[str]:
        columns = [str(c) for c in request["columns"]]
        unknown = [c for c in columns if c not in async_columns()]
        if unknown:
            msg = f"Invalid columns: {', '.join(unknown)}."
            raise _bad(msg)
        ad_columns = [
            c
            for c in columns
            if c.startswith(("AD_", "PIN_PROMOTION"))
            and not c.startswith(("AD_GROUP", "AD_ACCOUNT"))
        ]
        if level in PRODUCT_ITEM_RULE_LEVELS and ad_columns:
            msg = f"Invalid columns for level {level}: {', '.join(ad_columns)}."
            raise _bad(msg)
        return columns

    def _create_report(self, q: _Query, body: str, ad_account_id: str) -> dict[str, Any]:
        self._account(ad_account_id)
        if q.raw:
            msg = "Query parameters are not supported: send them as a JSON body."
            raise _bad(msg)
        request = self._report_request(body)
        level = str(request["level"])
        known = (
            *SYNC_LEVELS,
            *REPORT_ONLY_LEVELS,
            *TARGETING_REPORT_LEVELS,
            *REPORT_ONLY_TARGETING_LEVELS,
        )
        if level not in known:
            msg = f"Invalid level: {level}."
            raise _bad(msg)
        targeting_types = self._report_targeting_types(request, level)
        granularity = str(request["granularity"])
        if granularity not in GRANULARITIES:
            msg = f"Invalid granularity: {granularity}."
            raise _bad(msg)
        columns = self._report_columns(request, level)
        windows = {}
        for name in ("click_window_days", "view_window_days", "engagement_window_days"):
            value = request.get(name)
            if value is not None and value not in WINDOW_DAYS:
                msg = f"Invalid {name}: {value}."
                raise _bad(msg)
            if value is not None:
                windows[name] = int(value)
        report_time = str(request.get("conversion_report_time") or "TIME_OF_AD_ACTION")
        if report_time not in CONVERSION_REPORT_TIMES:
            msg = f"Invalid conversion_report_time: {report_time}."
            raise _bad(msg)
        zone = str(request.get("reporting_timezone") or REPORTING_TIMEZONES[0])
        if zone not in REPORTING_TIMEZONES:
            msg = f"Invalid reporting_timezone: {zone}."
            raise _bad(msg)
        if request.get("report_format", "JSON") != "JSON":
            msg = "The fake serves JSON reports only."
            raise _bad(msg)
        start, end = self._report_dates(request, level, granularity)
        token = f"report-{len(self._reports) + 1}"
        ending = self._report_endings.pop(0) if self._report_endings else "FINISHED"
        self._reports[token] = _Report(
            token,
            ad_account_id,
            level,
            start,
            end,
            granularity,
            columns,
            Attribution(**windows, conversion_report_time=report_time, reporting_timezone=zone),
            ending,
            self.report_in_progress_polls,
            targeting_types=targeting_types,
        )
        return {"report_status": "IN_PROGRESS", "token": token, "message": None}

    @staticmethod
    def _report_targeting_types(request: dict[str, Any], level: str) -> tuple[str, ...]:
        """targeting_types: required at *_TARGETING levels, refused at the others."""
        types = request.get("targeting_types")
        if level not in TARGETING_REPORT_LEVELS and level not in REPORT_ONLY_TARGETING_LEVELS:
            if types is not None:
                msg = f"Invalid targeting_types: level {level} does not end in _TARGETING."
                raise _bad(msg)
            return ()
        if types in (None, []):
            msg = "Missing required parameter: targeting_types."
            raise _bad(msg)
        allowed, max_items = report_targeting_parameter()
        if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
            msg = "Invalid targeting_types: expected a list of targeting types."
            raise _bad(msg)
        if len(types) > max_items:
            msg = f"Invalid targeting_types: at most {max_items} values are allowed."
            raise _bad(msg)
        unknown = [t for t in types if t not in allowed]
        if unknown:
            msg = f"Invalid targeting_types: {', '.join(unknown)}."
            raise _bad(msg)
        elsewhere = [t for t in types if TARGETING_TYPE_ONLY_AT.get(t, level) != level]
        if elsewhere:
            msg = f"Invalid targeting_types for level {level}: {', '.join(elsewhere)}."
            raise _bad(msg)
        return tuple(types)

    def _get_report(self, q: _Query, ad_account_id: str) -> dict[str, Any]:
        self._account(ad_account_id)
        report = self._reports.get(q.required("token"))
        if report is None or report.ad_account_id != ad_account_id:
            return {"report_status": "DOES_NOT_EXIST", "url": None, "size": None}
        if report.polls_left > 0:
            report.polls_left -= 1
            return {"report_status": "IN_PROGRESS", "url": None, "size": None}
        if report.ending != "FINISHED":
            return {"report_status": report.ending, "url": None, "size": None}
        report.url_expires_at = time.time() + self.report_url_ttl
        url = f"http://{self.host}:{self.port}{REPORT_FILES}/{report.token}"
        return {"report_status": "FINISHED", "url": url, "size": 1024.0}

    def _download_report(self, request: _Incoming) -> Any:
        if any(k.lower() == "authorization" for k in request.headers):
            msg = "Only one auth mechanism allowed: the link is pre-signed."
            raise _bad(msg)
        report = self._reports.get(request.path.removeprefix(REPORT_FILES + "/"))
        if report is None:
            msg = "The specified key does not exist."
            raise _not_found(msg)
        if self.expire_next_report_links > 0 or time.time() > report.url_expires_at:
            self.expire_next_report_links = max(0, self.expire_next_report_links - 1)
            raise ApiError(403, 403, "Request has expired.")
        return self.report_body(report)

    def report_body(self, report: _Report) -> dict[str, list[dict[str, Any]]]:
        """What the report's link serves (see the module docstring)."""
        if report.level in TARGETING_REPORT_LEVELS:
            keyed = self._targeting_report(report)
        elif report.level in REPORT_ONLY_TARGETING_LEVELS:
            keyed = self._report_only_targeting_report(report)
        elif report.level in REPORT_ONLY_LEVELS:
            keyed = self.data.report_only_rows(
                report.ad_account_id,
                report.level,
                report.start,
                report.end,
                columns=report.columns,
                granularity=report.granularity,
                attribution=report.attribution,
            )
            for eid, rows in keyed.items():
                for row in rows:
                    self._zero_row(row, whole=eid in self.zero_entities)
        else:
            level = SYNC_LEVELS[report.level]
            id_key = LEVEL_ID_KEYS[level]
            rows = self._level_rows(report, level)
            keyed = {}
            for row in rows:
                eid = row[id_key]
                if id_key not in report.columns:
                    del row[id_key]
                keyed.setdefault(eid, []).append(row)
        return {eid: kept for eid, rows in keyed.items() if (kept := _without_zeros(rows))}

    def _targeting_report(self, report: _Report) -> dict[str, list[dict[str, Any]]]:
        """The synchronous targeting split of the level's rows, as report rows."""
        from tests.fake_api.shopping import targeting_report_rows  # noqa: PLC0415 - imports us

        level = TARGETING_REPORT_LEVELS[report.level]
        rows = self._level_rows(report, level)
        return targeting_report_rows(rows, level, report.targeting_types, report.columns)

    def _report_only_targeting_report(self, report: _Report) -> dict[str, list[dict[str, Any]]]:
        """PRODUCT_GROUP/PRODUCT_ITEM_TARGETING: the plain report's rows, split by targeting."""
        from tests.fake_api.shopping import targeting_report_rows  # noqa: PLC0415 - imports us

        level = REPORT_ONLY_TARGETING_LEVELS[report.level]
        id_key = REPORT_ONLY_ID_KEYS[level]
        keyed = self.data.report_only_rows(
            report.ad_account_id,
            level,
            report.start,
            report.end,
            columns=report.columns,
            granularity=report.granularity,
            attribution=report.attribution,
        )
        rows = [{id_key: eid, **row} for eid, entity_rows in keyed.items() for row in entity_rows]
        self._zero(rows, id_key)
        return targeting_report_rows(
            rows, level, report.targeting_types, report.columns, id_key=id_key
        )

    def _level_rows(self, report: _Report, level: str) -> list[dict[str, Any]]:
        """The synchronous level's rows over the report's dates, with its zeroed entities."""
        rows = self.data.ads_analytics_rows(
            report.ad_account_id,
            level,
            None,
            report.start,
            report.end,
            columns=report.columns,
            granularity=report.granularity,
            attribution=report.attribution,
        )
        self._zero(rows, LEVEL_ID_KEYS[level])
        return rows


# Report row columns that are numbers but not metrics (LOCATION values are numbers).
_NOT_METRICS = frozenset({"HOUR", "TARGETING_VALUE"})


def _without_zeros(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """JSON reports leave zero metrics out, and rows whose metrics are all zero."""
    kept = []
    for row in rows:
        metrics = {
            k: v
            for k, v in row.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool) and k not in _NOT_METRICS
        }
        if metrics and not any(metrics.values()):
            continue
        kept.append({k: v for k, v in row.items() if k not in metrics or v})
    return kept


@cache
def report_targeting_parameter() -> tuple[frozenset[str], int]:
    """(enum, maxItems) of targeting_types in analytics/create_report's body.

    AdsAnalyticsCreateAsyncRequest takes it from TargetingTypeFilter: its own enum, at
    most 5 values.
    """
    prop = load_spec()["components"]["schemas"]["TargetingTypeFilter"]["properties"]
    schema = prop["targeting_types"]
    return frozenset(schema["items"]["enum"]), int(schema["maxItems"])


@cache
def async_columns() -> frozenset[str]:
    """ReportingColumnAsync: the columns async reports accept."""
    return frozenset(load_spec()["components"]["schemas"]["ReportingColumnAsync"]["enum"])


__all__ = ["LEVEL_ID_KEYS", "ApiError", "FakePinterestAPI", "LoggedRequest", "redact"]
