"""JSON types for the ads analytics columns, which the spec lists but does not type.

The spec's rows are `additionalProperties: true`; the names tell the type: ids, names,
labels, statuses and enum-like attributes are strings, flags booleans, the rest
numbers (micro-dollar amounts, counts, rates).
"""

from __future__ import annotations

from typing import Any

from tap_pinterest import spec
from tap_pinterest.errors import PinterestAPIError

_STRING_SUFFIXES = ("_ID", "_NAME", "_LABEL", "_STATUS", "_TYPE", "_TAG")
_STRING_COLUMNS = frozenset({"AD_GROUP_OPTIMIZATION"})
# Catalog attributes of PRODUCT_ITEM reports (async columns only).
_PRODUCT_ITEM_STRINGS = frozenset(
    {
        "PRODUCT_ITEM_IMAGE_URL",
        "PRODUCT_ITEM_PRODUCT_URL",
        "PRODUCT_ITEM_PIN_URL",
        "PRODUCT_ITEM_BRAND",
        "PRODUCT_ITEM_DESCRIPTION",
        "PRODUCT_ITEM_PRODUCT_CATEGORY",
        "PRODUCT_ITEM_CURRENCY",
    }
)
# Flags of the campaign (CampaignResponse.is_campaign_budget_optimization is a boolean).
_BOOLEAN_COLUMNS = frozenset({"CAMPAIGN_BUDGET_OPTIMIZATION"})
# Conversion metrics are not returned with granularity HOUR (spec: granularity).
_CONVERSION_MARKERS = (
    "CONVERSION",
    "CHECKOUT",
    "SIGNUP",
    "LEAD",
    "ROAS",
    "PAGE_VISIT",
    "ADD_TO_CART",
    "CUSTOM",
    "WISHLIST",
    "SUBSCRIBE",
    "INAPP",
)


def column_json_type(column: str) -> str:
    """'string', 'boolean' or 'number' for one reporting column."""
    if column.endswith(_STRING_SUFFIXES) or column in _STRING_COLUMNS | _PRODUCT_ITEM_STRINGS:
        return "string"
    if column.startswith("IS_") or column in _BOOLEAN_COLUMNS:
        return "boolean"
    return "number"


def column_schema(column: str) -> dict[str, Any]:
    """A nullable property: the spec warns a column with no value may be missing."""
    return {"type": [column_json_type(column), "null"]}


def is_conversion_column(column: str) -> bool:
    """True for conversion metrics, which HOUR granularity does not return."""
    return any(marker in column for marker in _CONVERSION_MARKERS)


def coerce(column: str, value: Any) -> Any:  # noqa: ANN401
    """Make a value match its declared type (ids arrive as numbers in some examples)."""
    if value is None:
        return None
    kind = column_json_type(column)
    if kind == "string":
        return str(value)
    if kind == "boolean":
        return value if isinstance(value, bool) else str(value).lower() in {"true", "1"}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        msg = f"Pinterest sent a non-numeric value for analytics column {column}: {value!r}"
        raise PinterestAPIError(msg) from None


ADS_COLUMNS = spec.ads_analytics_columns()
