"""What every part of the fake Pinterest API shares: limits, errors, query parsing.

The constants are the spec's (or the fake's own) limits; :class:`ApiError` is an
error answer; :class:`_Query` reads and validates a query string.  Kept apart from
:mod:`tests.fake_api.server` so the domain modules can import them without a cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from tests.fake_api.data import (
    Attribution,
    FakeData,
)

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
    # IN_PROGRESS before this `monotonic` time, whatever the polls (report_build_seconds).
    ready_at: float = 0.0
    targeting_types: tuple[str, ...] = ()
    # Custom conversion events asked for: (name, ADE_* metrics) (custom_conversions.py).
    custom_events: tuple[tuple[str, tuple[str, ...]], ...] = ()


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
