"""Fields the live API sends that the bundled spec (release 5.23.0) does not list.

The SDK drops every record property its schema does not list, so a field missing from
the spec never reaches the warehouse. These are added to the spec component's schema;
should a later spec release list one, the spec's definition wins. Each entry names its
evidence: a newer Pinterest SDK generated from a later spec, or another connector's schema
written from recorded responses. Types are what the evidence shows; where it does not
show the items of an array, the array passes its items through untyped.
"""

from __future__ import annotations

from typing import Any

NULLABLE_STRING: dict[str, Any] = {"type": ["string", "null"]}
NULLABLE_BOOLEAN: dict[str, Any] = {"type": ["boolean", "null"]}
UNTYPED_ARRAY: dict[str, Any] = {"type": ["array", "null"]}

# Component name -> {field: JSON schema}.
LIVE_FIELDS: dict[str, dict[str, dict[str, Any]]] = {
    "AdAccount": {
        # The account's IANA time zone, e.g. "America/Los_Angeles": the official Ruby SDK
        # pinterest_sdk 2.1.0, PinterestSdkClient::AdAccount#time_zone (later spec).
        "time_zone": {**NULLABLE_STRING, "description": "The ad account's IANA time zone."},
    },
    "AdGroupResponse": {
        # Airbyte source-pinterest schemas/ad_groups.json (string).
        "placement_traffic_type": NULLABLE_STRING,
    },
    "Pin": {
        # The pin's private note: Pinterest's pinterest-python-generated-api-client
        # docs/Pin.md, the pinterest-api crate's response Pin (docs.rs, 0.2.0) and
        # Airbyte source-pinterest schemas/board_pins.json.
        "note": NULLABLE_STRING,
        # Airbyte source-pinterest schemas/board_pins.json (an array; items unshown).
        "product_tags": UNTYPED_ARRAY,
        # pinterest_sdk 2.1.0, PinterestSdkClient::Pin#is_product (later spec).
        "is_product": NULLABLE_BOOLEAN,
    },
}


def live_fields(component: str) -> dict[str, dict[str, Any]]:
    """Copies of the fields known to come with a component beyond the spec (may be empty)."""
    return {name: dict(schema) for name, schema in LIVE_FIELDS.get(component, {}).items()}
