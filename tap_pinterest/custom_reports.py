"""Custom reports (issue 18): the `custom_reports` setting, checked, and its levels.

Each definition names an async report (POST /ad_accounts/{ad_account_id}/reports,
analytics/create_report, body AdsAnalyticsCreateAsyncRequest): its level, columns,
granularity, attribution settings, attribution types, targeting types and the
advertiser-defined conversion events (`custom_conversion_event_metrics`, ADE_* metrics).
Each becomes one more ads analytics level (streams/levels.py), `custom_report_<name>`,
synced per ad account through reports by the one ads analytics stream type: windows,
914 days of history, deadlines, state, failure isolation, quota and the state guards
are the report-only levels' own. Every definition is checked against the spec's enums
and limits before any call, each mistake one line naming the report and the field.

Assumed, not specified: the spec does not say how a report returns custom conversion
events. The tap takes each event to come as rows of its own, next to the entity's row
for the same date (and targeting): the row's CUSTOM_EVENT_NAME names the event and its
ADE_* columns hold that event's metrics. Rows are keyed by `custom_event_name` ("(none)"
for the entity's own row), so two events never collapse onto one key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Any

from tap_pinterest import spec
from tap_pinterest.analytics_columns import column_json_type, is_conversion_column
from tap_pinterest.attribution import attribution_window_errors

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tap_pinterest.streams.levels import AdsLevel

SETTING = "custom_reports"
STREAM_PREFIX = "custom_report_"
# ReportingColumnAsync: the columns a report body takes.
ASYNC_COLUMNS = spec.async_report_columns()
EVENT_NAME_COLUMN = "CUSTOM_EVENT_NAME"
EVENT_KEY = "custom_event_name"
# The key value of the entity's own row. Not "": loaders that stage rows as CSV
# (target-duckdb) read an empty string back as NULL, which a key column refuses.
ENTITY_ROW = "(none)"
# Lower-case letters, digits and underscores: a table name in every warehouse. The
# stream name (prefix included) stays within PostgreSQL's 63-character identifiers.
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_STREAM_NAME = 63
# Enums longer than this (ReportingColumnAsync: 613) are not spelled out in an error.
MAX_LISTED = 20
# A definition's fields, and the tap setting each falls back to when left out.
FALLBACKS = {
    "granularity": "analytics_granularity",
    "click_window_days": "click_window_days",
    "engagement_window_days": "engagement_window_days",
    "view_window_days": "view_window_days",
    "conversion_report_time": "conversion_report_time",
    "targeting_types": "targeting_types",
}
EVENT_FIELDS = ("custom_event_name", "custom_event_metrics_type")
FIELDS = (
    "name",
    "level",
    "columns",
    *FALLBACKS,
    "attribution_types",
    "custom_conversion_event_metrics",
)


@cache
def report_enums() -> dict[str, tuple[Any, ...]]:
    """The spec's allowed values of each enum-valued field of a definition."""
    event_items = spec.request_body_property(
        spec.REPORT_REQUEST_SCHEMA, "custom_conversion_event_metrics"
    )
    event_type = event_items["items"]["properties"]["custom_event_metrics_type"]
    return {
        "level": spec.report_body_enum("level"),
        "granularity": spec.report_body_enum("granularity"),
        "click_window_days": spec.report_body_enum("click_window_days"),
        "engagement_window_days": spec.report_body_enum("engagement_window_days"),
        "view_window_days": spec.report_body_enum("view_window_days"),
        "conversion_report_time": spec.report_body_enum("conversion_report_time"),
        "attribution_types": spec.report_body_enum("attribution_types"),
        "targeting_types": spec.report_targeting_types()[0],
        "custom_event_metrics_type": tuple(event_type["enum"]),
    }


@cache
def _levels_by_report_level() -> dict[str, AdsLevel]:
    """Every MetricsReportingLevel the tap knows, as its built-in declaration."""
    # Imported here: the streams package imports this module (EVENT_KEY, custom_levels).
    from tap_pinterest.streams.levels import PLAIN_LEVELS, targeting_levels  # noqa: PLC0415

    return {level.report_level: level for level in (*PLAIN_LEVELS, *targeting_levels())}


@dataclass(frozen=True)
class CustomReport:
    """One checked definition of `custom_reports`."""

    name: str
    level: str
    columns: tuple[str, ...]
    # Fields left out fall back to the tap's settings (FALLBACKS).
    settings: tuple[tuple[str, Any], ...]
    attribution_types: tuple[str, ...]
    # (custom_event_name, custom_event_metrics_type) pairs, in the order given.
    events: tuple[tuple[str, str], ...]

    @property
    def stream(self) -> str:
        """The stream the report becomes."""
        return f"{STREAM_PREFIX}{self.name}"

    @property
    def event_columns(self) -> tuple[str, ...]:
        """The ADE_* columns the events bring (each once), in the order first asked."""
        return tuple(dict.fromkeys(metric for _, metric in self.events))

    def offered_columns(self, key_columns: tuple[str, ...]) -> tuple[str, ...]:
        """The schema's metric columns: key columns the report must send, the chosen ones."""
        extra = tuple(c for c in key_columns if c not in self.columns)
        return (*extra, *self.columns, *self.event_columns)

    def settings_over(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """The tap's settings with the report's own over them (what its stream reads)."""
        return {**config, **{FALLBACKS[field]: value for field, value in self.settings}}

    def meaning(self) -> dict[str, Any]:
        """What rows mean besides the attribution settings: kept in state, guarded."""
        return {"level": self.level, "attribution_types": list(self.attribution_types)}

    def report_fields(self) -> dict[str, Any]:
        """The body fields only custom reports send (analytics/create_report)."""
        fields: dict[str, Any] = {}
        if self.attribution_types:
            fields["attribution_types"] = list(self.attribution_types)
        if self.events:
            fields["custom_conversion_event_metrics"] = [
                {"custom_event_name": name, "custom_event_metrics_type": metric}
                for name, metric in self.events
            ]
        return fields

    def event_metrics(self, event: str) -> list[str]:
        """The ADE_* columns asked for one event."""
        return [metric for name, metric in self.events if name == event]

    def split_event(self, row: dict[str, Any], numeric: list[str]) -> tuple[str | None, list[str]]:
        """(the row's custom_event_name, the columns a missing value of means 0).

        None without events. An event row (CUSTOM_EVENT_NAME, taken out of the row)
        holds only that event's ADE_* columns; the entity's own row (ENTITY_ROW) the others.
        """
        if not self.events:
            return None, numeric
        event = row.pop(EVENT_NAME_COLUMN, None)
        if event is None or event == "":
            return ENTITY_ROW, numeric
        return str(event), self.event_metrics(str(event))


def _as_level(report: CustomReport) -> AdsLevel:
    base = _levels_by_report_level()[report.level]
    return replace(
        base,
        stream=report.stream,
        sync_path=None,
        twin=None,
        custom=report,
        description=f"Custom report {report.name}: level {report.level}",
    )


def custom_levels(config: Mapping[str, Any]) -> tuple[AdsLevel, ...]:
    """The configured reports as levels (none unless the setting is set and valid)."""
    definitions = config.get(SETTING) or []
    if custom_report_errors(dict(config)):
        return ()
    return tuple(_as_level(_parse(definition)) for definition in definitions)


def _parse(definition: Mapping[str, Any]) -> CustomReport:
    events = tuple(
        (str(item["custom_event_name"]), str(item["custom_event_metrics_type"]))
        for item in definition.get("custom_conversion_event_metrics") or []
    )
    settings = tuple(
        (field, definition[field]) for field in FALLBACKS if definition.get(field) is not None
    )
    return CustomReport(
        name=str(definition["name"]),
        level=str(definition["level"]),
        columns=tuple(str(c) for c in definition["columns"]),
        settings=settings,
        attribution_types=tuple(str(t) for t in definition.get("attribution_types") or []),
        events=events,
    )


# ------------------------------------------------------------------------ the checks
def custom_report_errors(config: dict[str, Any]) -> list[str]:
    """One line per mistake in `custom_reports`, naming the report and the field."""
    definitions = config.get(SETTING)
    if definitions is None:
        return []
    if not isinstance(definitions, list):
        return []  # the settings' JSON schema says so, in one line
    errors: list[str] = []
    seen: set[str] = set()
    for index, definition in enumerate(definitions):
        label = f"{SETTING}[{index}]"
        if not isinstance(definition, dict):
            continue  # the settings' JSON schema says so, in one line
        name = definition.get("name")
        if isinstance(name, str) and name:
            label = f"{SETTING} report {name!r}"
        problem = _definition_error(definition, config, seen)
        if problem:
            errors.append(f"{label}: {problem}.")
    return errors


def _definition_error(  # noqa: PLR0911
    definition: dict[str, Any], config: dict[str, Any], seen: set[str]
) -> str | None:
    """The first mistake of one definition (None: valid)."""
    unknown = [key for key in definition if key not in FIELDS]
    if unknown:
        return f"unknown field {', '.join(map(str, unknown))} (fields: {', '.join(FIELDS)})"
    problem = _name_error(definition.get("name"), seen)
    if problem:
        return problem
    enums = report_enums()
    level = definition.get("level")
    if level not in enums["level"]:
        levels = ", ".join(enums["level"])
        return f"level must be one of {levels} (MetricsReportingLevel), got {level!r}"
    for field in ("granularity", *list(FALLBACKS)[1:5]):
        value = definition.get(field)
        if value is not None and (value not in enums[field] or isinstance(value, bool)):
            return f"{field} must be one of {', '.join(map(str, enums[field]))}, got {value!r}"
    granularity = str(definition.get("granularity") or config.get("analytics_granularity", "DAY"))
    if granularity == "TOTAL":
        return (
            "granularity TOTAL is not offered: its rows have no DATE to resume from; "
            "use DAY, WEEK or MONTH and sum downstream"
        )
    windows = {
        name: definition.get(name, config.get(name))
        for name in ("click_window_days", "engagement_window_days", "view_window_days")
    }
    window_errors = attribution_window_errors({k: v for k, v in windows.items() if v is not None})
    if window_errors:
        return window_errors[0].rstrip(".")
    return (
        _list_error(definition, "attribution_types", enums["attribution_types"])
        or _targeting_error(definition, str(level))
        or _columns_error(definition, str(level), granularity)
        or _events_error(definition, granularity)
    )


def _name_error(name: Any, seen: set[str]) -> str | None:  # noqa: ANN401
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        return (
            f"name must be lower-case letters, digits and underscores, starting with a "
            f"letter, got {name!r}"
        )
    if len(STREAM_PREFIX) + len(name) > MAX_STREAM_NAME:
        return f"name must be at most {MAX_STREAM_NAME - len(STREAM_PREFIX)} characters"
    if name in seen:
        return "name is used by another report; names must be unique"
    seen.add(name)
    return None


def _list_error(definition: dict[str, Any], field: str, allowed: tuple[Any, ...]) -> str | None:
    values = definition.get(field)
    if values is None:
        return None
    if not isinstance(values, list) or not values:
        return f"{field} must be a non-empty list (or be left out)"
    unknown = [str(v) for v in values if v not in allowed]
    if unknown:
        known = ", ".join(map(str, allowed)) if len(allowed) <= MAX_LISTED else "see the spec"
        return f"{field} has values the API does not know: {', '.join(unknown)} ({known})"
    duplicates = sorted({str(v) for v in values if values.count(v) > 1})
    if duplicates:
        return f"{field} lists {', '.join(duplicates)} more than once"
    return None


def _targeting_error(definition: dict[str, Any], level: str) -> str | None:
    """targeting_types: only at levels ending in _TARGETING (analytics/create_report)."""
    if definition.get("targeting_types") is not None and not level.endswith("_TARGETING"):
        return f"targeting_types is only for levels ending in _TARGETING, not {level}"
    return _list_error(definition, "targeting_types", report_enums()["targeting_types"])


def _columns_error(definition: dict[str, Any], level: str, granularity: str) -> str | None:
    """columns: ReportingColumnAsync values the level's rows can carry."""
    problem = _list_error(definition, "columns", ASYNC_COLUMNS)
    if problem or definition.get("columns") is None:
        return problem or "columns must list the report's columns (ReportingColumnAsync)"
    columns = [str(c) for c in definition["columns"]]
    base = _levels_by_report_level()[level]
    absent = [c for c in columns if c in base.lower_level_columns or c == "AD_ACCOUNT_ID"]
    if absent:
        return f"level {level} rows have no {', '.join(absent)} (the key carries the level's ids)"
    if granularity == "HOUR":
        conversions = [c for c in columns if is_conversion_column(c)]
        if conversions:
            return (
                f"granularity HOUR returns no conversion metrics (spec: Granularity): "
                f"{', '.join(conversions)}"
            )
    metrics = [c for c in columns if column_json_type(c) == "number"]
    if not metrics and not definition.get("custom_conversion_event_metrics"):
        return "columns must include at least one metric (or set custom_conversion_event_metrics)"
    return None


def _events_error(definition: dict[str, Any], granularity: str) -> str | None:
    """custom_conversion_event_metrics: {custom_event_name, custom_event_metrics_type} items."""
    field = "custom_conversion_event_metrics"
    items = definition.get(field)
    if items is None:
        return None
    if not isinstance(items, list) or not items:
        return f"{field} must be a non-empty list (or be left out)"
    if granularity == "HOUR":
        return f"granularity HOUR returns no conversion metrics (spec: Granularity): {field}"
    pairs: set[tuple[str, str]] = set()
    for index, item in enumerate(items):
        problem = _event_error(f"{field}[{index}]", item, pairs)
        if problem:
            return problem
    return None


def _event_error(where: str, item: Any, pairs: set[tuple[str, str]]) -> str | None:  # noqa: ANN401
    """One {custom_event_name, custom_event_metrics_type} item (both required by the spec)."""
    if not isinstance(item, dict) or set(item) - set(EVENT_FIELDS):
        return f"{where} must be an object with {' and '.join(EVENT_FIELDS)}"
    name, metric = (item.get(key) for key in EVENT_FIELDS)
    if not isinstance(name, str) or not name.strip():
        return f"{where}.custom_event_name must be the event's name (a non-empty string)"
    if name == ENTITY_ROW:
        return f"{where}.custom_event_name {ENTITY_ROW} is the key of the entity's own row"
    if metric not in report_enums()["custom_event_metrics_type"]:
        return f"{where}.custom_event_metrics_type must be an ADE_* metric, got {metric!r}"
    if (name, metric) in pairs:
        return f"{where} repeats {metric} of event {name!r}"
    pairs.add((name, str(metric)))
    return None
