"""Custom conversion events in the fake's async reports (issue 18).

POST /ad_accounts/{ad_account_id}/reports (analytics/create_report) takes
`custom_conversion_event_metrics`: a list of {custom_event_name, custom_event_metrics_type}
objects, both required, the type one of the spec's ADE_* enum; and `attribution_types`
(ConversionReportAttributionType). The fake refuses anything else with 400, as the spec's
schema does.

The spec does not say how a report returns the events. The fake (like the tap, which
assumes the same: tap_pinterest/custom_reports.py) serves each event as rows of its own
next to each entity row: the entity row's key columns (DATE, HOUR, TARGETING_TYPE,
TARGETING_VALUE, AD_GROUP_ID), CUSTOM_EVENT_NAME, and the ADE_* metrics asked for that
event, with zeros left out like every JSON report metric.
"""

from __future__ import annotations

import zlib
from functools import cache
from typing import Any

from tests.fake_api.common import _bad
from tests.fake_api.data import load_spec

EVENT_NAME_COLUMN = "CUSTOM_EVENT_NAME"
# Columns an event row repeats from its entity row: what makes the row's key.
KEY_COLUMNS = ("DATE", "HOUR", "TARGETING_TYPE", "TARGETING_VALUE", "AD_GROUP_ID")
Event = tuple[str, tuple[str, ...]]


def _request_properties() -> dict[str, Any]:
    schemas = load_spec()["components"]["schemas"]
    return dict(schemas["AdsAnalyticsCreateAsyncRequest"]["allOf"][2]["properties"])


@cache
def event_metric_types() -> frozenset[str]:
    """custom_event_metrics_type's enum (the ADE_* metrics)."""
    items = _request_properties()["custom_conversion_event_metrics"]["items"]
    return frozenset(items["properties"]["custom_event_metrics_type"]["enum"])


@cache
def attribution_types() -> frozenset[str]:
    """ConversionReportAttributionType's enum."""
    return frozenset(
        load_spec()["components"]["schemas"]["ConversionReportAttributionType"]["enum"]
    )


def parse_events(request: dict[str, Any]) -> tuple[Event, ...]:
    """The request's events, in the order first named, each with its metrics; or 400."""
    check_attribution_types(request.get("attribution_types"))
    items = request.get("custom_conversion_event_metrics")
    if items is None:
        return ()
    if not isinstance(items, list):
        msg = "Invalid custom_conversion_event_metrics: expected a list."
        raise _bad(msg)
    events: dict[str, list[str]] = {}
    for item in items:
        name = item.get("custom_event_name") if isinstance(item, dict) else None
        metric = item.get("custom_event_metrics_type") if isinstance(item, dict) else None
        if not isinstance(name, str) or not name or metric is None:
            msg = (
                "Missing required parameter: custom_conversion_event_metrics items need "
                "custom_event_name and custom_event_metrics_type."
            )
            raise _bad(msg)
        if metric not in event_metric_types():
            msg = f"Invalid custom_event_metrics_type: {metric}."
            raise _bad(msg)
        events.setdefault(name, []).append(str(metric))
    return tuple((name, tuple(metrics)) for name, metrics in events.items())


def check_attribution_types(values: Any) -> None:
    """attribution_types: a list of ConversionReportAttributionType values, or absent."""
    if values is None:
        return
    if not isinstance(values, list) or any(v not in attribution_types() for v in values):
        msg = f"Invalid attribution_types: {values}."
        raise _bad(msg)


def metric_value(account: str, entity_id: str, row: dict[str, Any], event: str, metric: str) -> Any:
    """A stable value per account, entity, row key, event and metric (some are 0)."""
    key = "|".join([account, entity_id, *(str(row.get(c)) for c in KEY_COLUMNS), event, metric])
    n = zlib.crc32(key.encode()) % 41
    if "ROAS" in metric or "RATE" in metric or "AVERAGE" in metric:
        return round(n / 8, 3)
    return n


def event_rows(
    account: str, entity_id: str, row: dict[str, Any], events: tuple[Event, ...]
) -> list[dict[str, Any]]:
    """The event rows that go with one entity row (zeros still in: left out later)."""
    base = {c: row[c] for c in KEY_COLUMNS if c in row}
    return [
        {
            **base,
            EVENT_NAME_COLUMN: name,
            **{m: metric_value(account, entity_id, row, name, m) for m in metrics},
        }
        for name, metrics in events
    ]


def with_event_rows(
    keyed: dict[str, list[dict[str, Any]]], account: str, events: tuple[Event, ...]
) -> dict[str, list[dict[str, Any]]]:
    """Each entity row followed by its event rows (unchanged without events)."""
    if not events:
        return keyed
    return {
        eid: [out for row in rows for out in (row, *event_rows(account, eid, row, events))]
        for eid, rows in keyed.items()
    }
