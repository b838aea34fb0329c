"""The tap's settings: their JSON schema and the checks JSON schema cannot express.

Every check returns one line naming the setting, because a scheduled job's log is often
read by someone who did not write its config.
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

from singer_sdk import typing as th

from tap_pinterest import spec
from tap_pinterest.attribution import attribution_window_errors
from tap_pinterest.report_planning import ANALYTICS_SOURCES
from tap_pinterest.run_clock import REPORTING_TIMEZONES
from tap_pinterest.url_budget import DEFAULT_MAX_URL_BYTES

if TYPE_CHECKING:
    from collections.abc import Mapping

DEFAULT_API_URL = "https://api.pinterest.com/v5"
# GET /ad_accounts and every other list operation: page_size maximum 250 (spec).
MAX_PAGE_SIZE = spec.parameter_maximum("/ad_accounts", "page_size")
# Calls in flight together (issue 19): a few overlap the round trips well inside
# Pinterest's per-category limits; the cap is requests' connection pool per host (10).
DEFAULT_MAX_CONCURRENT_REQUESTS = 4
MAX_CONCURRENT_REQUESTS = 10
# Async reports created and not yet read (issue 19). Pinterest publishes no limit on
# reports in flight (analytics/create_report states none; its rate-limit page counts only
# calls: ads_analytics 300 a minute per user and app). 10 keeps one ad account's
# report-backed streams (6 in the demo's selection) and the next account's first ones
# building while the run syncs, so the next account's reports are ready when reached;
# it is the default of Airbyte's Amazon Ads connector for report jobs in flight (its
# Pinterest connector builds one at a time: its framework's default, not a stated limit).
# At most 50: their creates stay a sixth of the ads_analytics minute, leaving the rest
# to polls and the synchronous analytics, and a report waits less than its hour of life.
DEFAULT_MAX_REPORTS_IN_FLIGHT = 10
MAX_REPORTS_IN_FLIGHT = 50
# A report's least wait between polls, and how long after its creation it is given up on.
DEFAULT_REPORT_POLL_SECONDS = 2
DEFAULT_REPORT_DEADLINE_SECONDS = 3600
ATTRIBUTION_WINDOW_DAYS = (0, 1, 7, 14, 30, 60)
CONVERSION_REPORT_TIMES = ("TIME_OF_AD_ACTION", "TIME_OF_CONVERSION")
# TOTAL has no DATE column, so it cannot drive an incremental, date-keyed bookmark.
INCREMENTAL_GRANULARITIES = tuple(g for g in spec.granularities() if g != "TOTAL")
PIN_METRIC_TYPES = spec.parameter_enum("/pins/analytics", "metric_types")
APP_TYPES = spec.parameter_enum("/user_account/analytics", "app_types")
USER_SPLIT_FIELDS = spec.parameter_enum("/user_account/analytics", "split_field")
OAUTH_AUTH = ("client_id", "client_secret", "refresh_token")
ON_STREAM_ERROR = ("continue", "fail")
# Below this even a list call with a handful of ids would not fit in one URL.
MIN_URL_BYTES = 2000
# AdsAnalyticsTargetingType: the targeting_types every targeting analytics level accepts.
TARGETING_TYPES = spec.parameter_enum(
    "/ad_accounts/{ad_account_id}/targeting_analytics", "targeting_types"
)
DEFAULT_TARGETING_TYPES = ["AGE_BUCKET", "GENDER", "COUNTRY", "APPTYPE", "PLACEMENT"]

CONFIG_SCHEMA: dict[str, Any] = th.PropertiesList(
    th.Property(
        "access_token",
        th.StringType,
        secret=True,
        title="Access token",
        description="A static Pinterest access token. Use this or the three OAuth settings.",
    ),
    th.Property(
        "client_id",
        th.StringType,
        secret=True,
        title="Client ID",
        description="Pinterest app id, for the refreshing OAuth flow.",
    ),
    th.Property(
        "client_secret",
        th.StringType,
        secret=True,
        title="Client secret",
        description="Pinterest app secret, for the refreshing OAuth flow.",
    ),
    th.Property(
        "refresh_token",
        th.StringType,
        secret=True,
        title="Refresh token",
        description="OAuth refresh token. Pinterest rotates it on every refresh.",
    ),
    th.Property(
        "token_store_path",
        th.StringType,
        title="Token store path",
        description=(
            "File where the tap keeps the newest rotated refresh token and access token "
            "between runs (mode 0600). Without it a rotated refresh token is lost at exit."
        ),
    ),
    th.Property(
        "continuous_refresh",
        th.BooleanType,
        default=False,
        title="Continuous refresh",
        description="Send continuous_refresh=true on refresh (apps created before 2025-09-25).",
    ),
    th.Property(
        "api_url",
        th.StringType,
        default=DEFAULT_API_URL,
        title="API URL",
        description="Base URL of the Pinterest API (the sandbox URL works too).",
    ),
    th.Property(
        "start_date",
        th.DateType,
        title="Start date",
        description=(
            "First date of analytics to fetch (default 30 days ago). Ads analytics reach "
            "914 days back through async reports, other analytics 90; an older date is "
            "capped with a warning."
        ),
    ),
    th.Property(
        "end_date",
        th.DateType,
        title="End date",
        description="Last date of analytics to fetch (default today, UTC).",
    ),
    th.Property(
        "ad_account_ids",
        th.ArrayType(th.StringType),
        title="Ad account IDs",
        description="Sync only these ad accounts (also a way to shard a sync over jobs).",
    ),
    th.Property(
        "page_size",
        th.IntegerType,
        default=MAX_PAGE_SIZE,
        title="Page size",
        description=f"Items per page of list endpoints (1 to {MAX_PAGE_SIZE}).",
    ),
    th.Property(
        "request_timeout",
        th.IntegerType,
        default=300,
        title="Request timeout",
        description="Seconds to wait for one HTTP response.",
    ),
    th.Property(
        "lookback_window_days",
        th.IntegerType,
        title="Lookback window days",
        description=(
            "Days before the bookmark re-fetched each run, since Pinterest revises them. "
            "Default: for ads analytics under TIME_OF_AD_ACTION the widest of "
            "click_window_days, engagement_window_days and view_window_days (at least 7), "
            "otherwise 7."
        ),
    ),
    th.Property(
        "analytics_granularity",
        th.StringType,
        default="DAY",
        allowed_values=list(INCREMENTAL_GRANULARITIES),
        title="Analytics granularity",
        description="Granularity of ads analytics rows.",
    ),
    th.Property(
        "click_window_days",
        th.IntegerType,
        default=30,
        allowed_values=list(ATTRIBUTION_WINDOW_DAYS),
        title="Click window days",
        description="Attribution window for conversions after a click.",
    ),
    th.Property(
        "engagement_window_days",
        th.IntegerType,
        default=30,
        allowed_values=list(ATTRIBUTION_WINDOW_DAYS),
        title="Engagement window days",
        description="Attribution window for conversions after an engagement.",
    ),
    th.Property(
        "view_window_days",
        th.IntegerType,
        default=1,
        allowed_values=list(ATTRIBUTION_WINDOW_DAYS),
        title="View window days",
        description="Attribution window for conversions after a view.",
    ),
    th.Property(
        "conversion_report_time",
        th.StringType,
        default="TIME_OF_AD_ACTION",
        allowed_values=list(CONVERSION_REPORT_TIMES),
        title="Conversion report time",
        description="Book conversions on the date of the ad action or of the conversion.",
    ),
    th.Property(
        "reporting_timezone",
        th.StringType,
        default="PINTEREST_TIME_ZONE",
        allowed_values=list(REPORTING_TIMEZONES),
        title="Reporting time zone",
        description=(
            "The zone ads analytics days are counted in (beta in the spec): "
            "PINTEREST_TIME_ZONE (UTC), or AD_ACCOUNT_TIME_ZONE (each ad account's "
            "time_zone, as Ads Manager shows). Sent on every ads analytics call and report "
            "and carried in each row as REPORTING_TIMEZONE."
        ),
    ),
    th.Property(
        "analytics_source",
        th.StringType,
        default="auto",
        allowed_values=list(ANALYTICS_SOURCES),
        title="Analytics source",
        description=(
            "Where ads and targeting analytics come from: auto (async reports only for dates "
            "older than the synchronous endpoints' 90 days), reports (every date, one report "
            "per account, level and window; targeting: per 5 types), or sync (never reports; "
            "older dates are capped)."
        ),
    ),
    th.Property(
        "report_poll_seconds",
        th.NumberType,
        default=DEFAULT_REPORT_POLL_SECONDS,
        title="Report poll seconds",
        description=(
            "Least wait before an async report's first poll (from its creation) and "
            "between polls; waits grow to a quarter of the report's age, up to 60 s."
        ),
    ),
    th.Property(
        "max_reports_in_flight",
        th.IntegerType,
        default=DEFAULT_MAX_REPORTS_IN_FLIGHT,
        title="Max reports in flight",
        description=(
            f"Async reports created and not yet read (1 to {MAX_REPORTS_IN_FLIGHT}): the "
            "run creates every report it will need when it starts, this many at a time, and "
            "one more as each is read, so Pinterest builds them while the other streams "
            "sync. Pinterest publishes no limit; lower it if report creations are refused."
        ),
    ),
    th.Property(
        "report_deadline_seconds",
        th.IntegerType,
        default=DEFAULT_REPORT_DEADLINE_SECONDS,
        title="Report deadline seconds",
        description="Give up on an async report not finished this long after its creation.",
    ),
    th.Property(
        "organic_ad_account_id",
        th.StringType,
        title="Organic ad account ID",
        description=(
            "Read organic endpoints as the owner of this ad account (Business Access), "
            "sent as ad_account_id where the spec allows it."
        ),
    ),
    th.Property(
        "pin_metric_types",
        th.ArrayType(th.StringType),
        title="Pin metric types",
        description="Metrics requested by pin_analytics (default: all the spec allows).",
    ),
    th.Property(
        "pin_analytics_call_budget",
        th.IntegerType,
        default=200,
        title="Pin analytics call budget",
        description=(
            "Calls a run may spend on GET /pins/{pin_id}/analytics when the bulk "
            "GET /pins/analytics is refused (one call per pin and window); the pins left "
            "are due next run, in turn (state keeps the cursor)."
        ),
    ),
    th.Property(
        "app_types",
        th.StringType,
        default="ALL",
        allowed_values=list(APP_TYPES),
        title="App types",
        description="Device filter for organic analytics.",
    ),
    th.Property(
        "user_account_analytics_split_field",
        th.StringType,
        default="NO_SPLIT",
        allowed_values=list(USER_SPLIT_FIELDS),
        title="User account analytics split field",
        description="Split user_account_analytics rows by this dimension (one row per value).",
    ),
    th.Property(
        "on_stream_error",
        th.StringType,
        default="continue",
        allowed_values=list(ON_STREAM_ERROR),
        title="On stream error",
        description=(
            "continue: a stream partition that Pinterest refuses ends alone, the others "
            "are synced and the run fails at the end with one line per failure; fail: "
            "stop at the first error."
        ),
    ),
    th.Property(
        "max_url_length",
        th.IntegerType,
        default=DEFAULT_MAX_URL_BYTES,
        title="Max URL length",
        description=(
            "Longest request URL in bytes; analytics send fewer ids per call to stay "
            "under it (front ends refuse long URLs with HTTP 414)."
        ),
    ),
    th.Property(
        "targeting_types",
        th.ArrayType(th.StringType),
        default=DEFAULT_TARGETING_TYPES,
        title="Targeting types",
        description=(
            "Breakdowns of the *_targeting_analytics streams (AdsAnalyticsTargetingType "
            "values); one call takes them all (up to 14), an async report 5 (more types make "
            "more reports); each adds rows."
        ),
    ),
    th.Property(
        "custom_reports",
        # Items are checked by custom_reports.py: one line per mistake, naming the report.
        th.ArrayType(th.ObjectType(additional_properties=True)),
        title="Custom reports",
        description=(
            "Async reports you define, each a stream custom_report_<name>: objects with "
            "name, level (MetricsReportingLevel), columns (ReportingColumnAsync), and "
            "optionally granularity, click_window_days, engagement_window_days, "
            "view_window_days, conversion_report_time (each defaulting to the setting of "
            "that name), attribution_types, targeting_types (levels ending in _TARGETING) "
            "and custom_conversion_event_metrics (custom_event_name, "
            "custom_event_metrics_type). See 'Custom reports' in the README."
        ),
    ),
    th.Property(
        "max_concurrent_requests",
        th.IntegerType,
        default=DEFAULT_MAX_CONCURRENT_REQUESTS,
        title="Max concurrent requests",
        description=(
            f"Independent calls in flight together (1 to {MAX_CONCURRENT_REQUESTS}): ads "
            "analytics date windows and id batches of one ad account, keywords per campaign "
            "and ad group, product group promotions per ad group, pin analytics batches and "
            "per-pin calls. Each "
            "rate-limit category's remaining budget bounds them too. Records, their order "
            "and the state are the same whatever the value; 1 makes one call at a time."
        ),
    ),
    th.Property(
        "max_rate_limit_wait_seconds",
        th.NumberType,
        default=300,
        title="Max rate limit wait seconds",
        description=(
            "Longest wait for a rate limit (429, or a 400 asking to retry later). A longer "
            "one (a spent daily quota) is not waited: the streams of that rate-limit "
            "category stop for the run with their bookmarks unmoved, the others go on, "
            "and the run ends with exit 3 naming the category and its reset time."
        ),
    ),
    th.Property(
        "user_agent",
        th.StringType,
        title="User agent",
        description="User-Agent header sent with every request.",
    ),
).to_dict()


SECRET_SETTINGS = tuple(
    name for name, schema in CONFIG_SCHEMA["properties"].items() if schema.get("writeOnly")
)


def redact_secrets(message: str, config: Mapping[str, Any]) -> str:
    """Drop any secret's value from a message (JSON-schema errors quote bad values)."""
    for name in SECRET_SETTINGS:
        value = config.get(name)
        if value is None or value == "":
            continue
        for form in {str(value), repr(value), json.dumps(value)}:
            message = message.replace(form, f"<{name} redacted>")
    return message


def _is_set(config: dict[str, Any], key: str) -> bool:
    value = config.get(key)
    return value is not None and value != ""


def auth_errors(config: dict[str, Any]) -> list[str]:
    """Exactly one complete way to authenticate, so a typo cannot fall back silently."""
    static = _is_set(config, "access_token")
    oauth = [key for key in OAUTH_AUTH if _is_set(config, key)]
    if static and oauth:
        return ["Set either access_token or client_id/client_secret/refresh_token, not both."]
    if static:
        return []
    if not oauth:
        return ["No credentials: set access_token, or client_id, client_secret and refresh_token."]
    missing = [key for key in OAUTH_AUTH if key not in oauth]
    if missing:
        return [f"OAuth settings incomplete: missing {', '.join(missing)}."]
    return []


def _parse_date(config: dict[str, Any], key: str, errors: list[str]) -> date | None:
    value = config.get(key)
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        errors.append(f"{key} must be a date (YYYY-MM-DD), got {value!r}.")
        return None


def semantic_errors(config: dict[str, Any]) -> list[str]:
    """Checks across settings, and ranges the schema's types alone do not bound."""
    errors = auth_errors(config)
    page_size = config.get("page_size", MAX_PAGE_SIZE)
    if isinstance(page_size, int) and not 1 <= page_size <= MAX_PAGE_SIZE:
        errors.append(f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {page_size}.")
    lookback = config.get("lookback_window_days")
    if isinstance(lookback, int) and lookback < 0:
        errors.append(f"lookback_window_days must be 0 or more, got {lookback}.")
    timeout = config.get("request_timeout", 300)
    if isinstance(timeout, int) and timeout <= 0:
        errors.append(f"request_timeout must be a positive number of seconds, got {timeout}.")
    max_url = config.get("max_url_length", DEFAULT_MAX_URL_BYTES)
    if isinstance(max_url, int) and max_url < MIN_URL_BYTES:
        errors.append(f"max_url_length must be at least {MIN_URL_BYTES} bytes, got {max_url}.")
    errors += budget_errors(config)
    for name in ("report_poll_seconds", "report_deadline_seconds", "max_rate_limit_wait_seconds"):
        value = config.get(name)
        if isinstance(value, (int, float)) and value <= 0:
            errors.append(f"{name} must be a positive number of seconds, got {value}.")
    errors += report_timing_errors(config)
    start = _parse_date(config, "start_date", errors)
    end = _parse_date(config, "end_date", errors)
    if start and end and end < start:
        errors.append(f"end_date {end} is before start_date {start}.")
    unknown = [m for m in config.get("pin_metric_types") or [] if m not in PIN_METRIC_TYPES]
    if unknown:
        errors.append(
            f"pin_metric_types has values the API does not know: {', '.join(unknown)} "
            f"(allowed: {', '.join(PIN_METRIC_TYPES)})."
        )
    errors += targeting_type_errors(config)
    errors += attribution_window_errors(config)
    api_url = str(config.get("api_url") or DEFAULT_API_URL)
    if not api_url.startswith(("http://", "https://")):
        errors.append(f"api_url must start with http:// or https://, got {api_url!r}.")
    return errors


def report_timing_errors(config: dict[str, Any]) -> list[str]:
    """A report's first poll comes report_poll_seconds after its creation: before the deadline."""
    poll = config.get("report_poll_seconds", DEFAULT_REPORT_POLL_SECONDS)
    deadline = config.get("report_deadline_seconds", DEFAULT_REPORT_DEADLINE_SECONDS)
    numbers = (int, float)
    if isinstance(poll, numbers) and isinstance(deadline, numbers) and 0 < deadline <= poll:
        message = (
            f"report_poll_seconds ({poll}) must be less than report_deadline_seconds "
            f"({deadline}): no report could be polled before its deadline."
        )
        return [message]
    return []


def budget_errors(config: dict[str, Any]) -> list[str]:
    """pin_analytics_call_budget must let a run read at least one pin; calls in flight 1-10."""
    errors = []
    budget = config.get("pin_analytics_call_budget")
    if isinstance(budget, int) and budget < 1:
        errors.append(f"pin_analytics_call_budget must be 1 or more calls, got {budget}.")
    concurrent = config.get("max_concurrent_requests", DEFAULT_MAX_CONCURRENT_REQUESTS)
    if isinstance(concurrent, int) and not 1 <= concurrent <= MAX_CONCURRENT_REQUESTS:
        errors.append(
            f"max_concurrent_requests must be between 1 and {MAX_CONCURRENT_REQUESTS}, "
            f"got {concurrent}."
        )
    reports = config.get("max_reports_in_flight", DEFAULT_MAX_REPORTS_IN_FLIGHT)
    if isinstance(reports, int) and not 1 <= reports <= MAX_REPORTS_IN_FLIGHT:
        errors.append(
            f"max_reports_in_flight must be between 1 and {MAX_REPORTS_IN_FLIGHT}, got {reports}."
        )
    return errors


def targeting_type_errors(config: dict[str, Any]) -> list[str]:
    """targeting_types must be non-empty and use only AdsAnalyticsTargetingType values."""
    values = config.get("targeting_types")
    if values is None:
        return []
    if not values:
        return ["targeting_types must list at least one value (or be left unset)."]
    unknown = [str(v) for v in values if v not in TARGETING_TYPES]
    if unknown:
        known = ", ".join(TARGETING_TYPES)
        msg = f"targeting_types has values the API does not know: {', '.join(unknown)}"
        return [f"{msg} (allowed: {known})."]
    return []
