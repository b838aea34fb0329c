"""Read facts (enums, limits, response schemas) from the bundled Pinterest OpenAPI spec.

The spec is the source of truth for paths, parameters and limits; reading them from the
bundled copy keeps the tap and its schemas in step with one pinned API release.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

SPEC_RESOURCE = "openapi.json"


@cache
def load_spec() -> dict[str, Any]:
    """Parse the bundled spec once per process: it is 2 MB."""
    text = resources.files("tap_pinterest.schemas").joinpath(SPEC_RESOURCE).read_text("utf-8")
    spec: dict[str, Any] = json.loads(text)
    return spec


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if not ref:
        return node
    target: Any = load_spec()
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return _resolve(target)


def query_parameter(path: str, name: str) -> dict[str, Any]:
    """The schema of one query parameter of a GET operation."""
    operation = load_spec()["paths"][path]["get"]
    for parameter in operation["parameters"]:
        resolved = _resolve(parameter)
        if resolved["name"] == name:
            return _resolve(resolved["schema"])
    msg = f"The spec has no parameter {name!r} on GET {path}"
    raise KeyError(msg)


def parameter_enum(path: str, name: str) -> tuple[str, ...]:
    """The allowed values of a (possibly array-valued) query parameter."""
    schema = query_parameter(path, name)
    if schema.get("type") == "array":
        schema = _resolve(schema["items"])
    if "oneOf" in schema:
        values: list[str] = []
        for option in schema["oneOf"]:
            values.extend(v for v in _resolve(option)["enum"] if v not in values)
        return tuple(values)
    return tuple(schema["enum"])


def parameter_max_items(path: str, name: str) -> int:
    """The spec's cap on how many values an array parameter takes in one call."""
    return int(query_parameter(path, name)["maxItems"])


def parameter_maximum(path: str, name: str) -> int:
    """The spec's maximum for an integer parameter (e.g. page_size)."""
    return int(query_parameter(path, name)["maximum"])


ADS_ANALYTICS_PATH = "/ad_accounts/{ad_account_id}/campaigns/analytics"


def ads_analytics_columns() -> tuple[str, ...]:
    """The 175 reporting columns the synchronous ads analytics endpoints accept."""
    return parameter_enum(ADS_ANALYTICS_PATH, "columns")


def async_report_columns() -> tuple[str, ...]:
    """The 613 columns async reports accept (ReportingColumnAsync, a superset of the sync ones)."""
    return tuple(_resolve(load_spec()["components"]["schemas"]["ReportingColumnAsync"])["enum"])


REPORT_REQUEST_SCHEMA = "AdsAnalyticsCreateAsyncRequest"


def request_body_property(schema_name: str, name: str) -> dict[str, Any]:
    """One property of a request body schema, found through its allOf parts."""
    found = _body_property(_resolve(load_spec()["components"]["schemas"][schema_name]), name)
    if found is None:
        msg = f"The spec has no property {name!r} in {schema_name}"
        raise KeyError(msg)
    return found


def report_body_enum(name: str) -> tuple[Any, ...]:
    """The allowed values of one property of an async report's body (items for lists).

    POST /ad_accounts/{ad_account_id}/reports (analytics/create_report): the custom
    reports' fields are checked against these (custom_reports.py).
    """
    schema = request_body_property(REPORT_REQUEST_SCHEMA, name)
    while "enum" not in schema:
        schema = _resolve(schema["items"] if schema.get("type") == "array" else schema["allOf"][0])
    return tuple(schema["enum"])


def _body_property(schema: dict[str, Any], name: str) -> dict[str, Any] | None:
    prop = schema.get("properties", {}).get(name)
    if prop is not None:
        return _resolve(prop)
    for part in schema.get("allOf", []):
        found = _body_property(_resolve(part), name)
        if found is not None:
            return found
    return None


def report_targeting_types() -> tuple[tuple[str, ...], int]:
    """(enum, maxItems) of targeting_types in an async report's body.

    POST /ad_accounts/{ad_account_id}/reports (analytics/create_report), body
    AdsAnalyticsCreateAsyncRequest.targeting_types: its own enum, at most 5 values, and
    only with a level ending in _TARGETING.
    """
    schema = request_body_property(REPORT_REQUEST_SCHEMA, "targeting_types")
    items = _resolve(schema["items"])
    return tuple(items["enum"]), int(schema["maxItems"])


def granularities() -> tuple[str, ...]:
    """TOTAL, DAY, HOUR, WEEK, MONTH: the spec's enum spellings (its prose differs)."""
    return tuple(_resolve(load_spec()["components"]["schemas"]["Granularity"])["enum"])


@cache
def _get_routes() -> list[tuple[re.Pattern[str], dict[str, Any]]]:
    """GET operations by path pattern, fewest placeholders first so literal segments win."""
    routes: list[tuple[int, re.Pattern[str], dict[str, Any]]] = []
    for template, operations in load_spec()["paths"].items():
        operation = operations.get("get")
        if operation:
            pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
            routes.append((template.count("{"), re.compile(pattern), operation))
    routes.sort(key=lambda route: route[0])
    return [(pattern, operation) for _, pattern, operation in routes]


def _get_operation(path: str) -> dict[str, Any]:
    """The spec's GET operation serving a concrete path ({} when the spec has none)."""
    for pattern, operation in _get_routes():
        if pattern.fullmatch(path):
            return operation
    return {}


def ratelimit_category(path: str) -> str:
    """The quota a GET path draws on: the spec's x-ratelimit-category for it."""
    return str(_get_operation(path).get("x-ratelimit-category") or "other")


def oauth_scopes(path: str) -> tuple[str, ...]:
    """The OAuth scopes the spec requires for the GET operation at a concrete path."""
    for requirement in _get_operation(path).get("security") or []:
        scopes = requirement.get("pinterest_oauth2")
        if scopes:
            return tuple(str(scope) for scope in scopes)
    return ()
