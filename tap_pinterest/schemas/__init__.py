"""Stream schemas derived from the bundled Pinterest OpenAPI spec.

Entity schemas come straight from the spec's response components, so a new API release
is one file copy away. OpenAPI constructs JSON-schema targets do not read ($ref, allOf
with sibling properties, oneOf unions, `nullable`) are resolved here into plain JSON
schema: unions become one object holding every option's properties (at every depth,
array items included, so no branch's fields are dropped), and every field but
the primary key is nullable, since Pinterest omits or nulls fields freely.
"""

from __future__ import annotations

from typing import Any

from tap_pinterest.schemas.live_fields import live_fields
from tap_pinterest.spec import load_spec

_KEPT_KEYWORDS = ("type", "properties", "items", "format", "description")
STRING = {"type": ["string", "null"]}
UNTYPED = {"type": ["object", "array", "null"]}


def _component(ref: str) -> dict[str, Any]:
    node: Any = load_spec()
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return dict(node)


def _types_of(node: dict[str, Any]) -> set[str]:
    declared = node.get("type")
    if declared is None:
        return {"object"} if "properties" in node else set()
    return {declared} if isinstance(declared, str) else set(declared)


def _merge(into: dict[str, Any], other: dict[str, Any]) -> None:
    into_types, other_types = _types_of(into), _types_of(other)
    if into_types or other_types:
        into["type"] = sorted(into_types | other_types)
    for key in ("format", "description"):
        if key in other and key not in into:
            into[key] = other[key]
    if "items" in other:
        # Each branch's array items are merged too: keeping the first branch's alone
        # would drop the other branches' keys (a hotel product group's HOTEL_ID filter).
        if "items" in into:
            _merge(into["items"], other["items"])
        else:
            into["items"] = other["items"]
    if "properties" in other:
        properties = into.setdefault("properties", {})
        for name, schema in other["properties"].items():
            if name in properties:
                _merge(properties[name], schema)
            else:
                properties[name] = schema


def to_json_schema(node: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    """Resolve one OpenAPI schema node into plain, nullable JSON schema."""
    if depth > 12:  # noqa: PLR2004 - the spec's deepest real nesting is well below this
        return {"type": ["object", "null"]}
    if "$ref" in node:
        merged = {**_component(node["$ref"]), **{k: v for k, v in node.items() if k != "$ref"}}
        return to_json_schema(merged, depth + 1)
    result: dict[str, Any] = {}
    own = {k: v for k, v in node.items() if k in _KEPT_KEYWORDS}
    if "properties" in own:
        own["properties"] = {
            name: to_json_schema(schema, depth + 1) for name, schema in own["properties"].items()
        }
    if "items" in own:
        own["items"] = to_json_schema(own["items"], depth + 1)
    _merge(result, own)
    for key in ("allOf", "oneOf", "anyOf"):
        for option in node.get(key, []):
            _merge(result, to_json_schema(option, depth + 1))
    if "additionalProperties" in node and "properties" not in result:
        result["type"] = ["object"]
    types = _types_of(result)
    if not types:
        # Untyped in the spec (e.g. AdGroupResponse.dca_assets); many targets need a type.
        return dict(UNTYPED)
    result["type"] = sorted(types | {"null"})
    return result


def spec_schema(component: str, **extra_properties: dict[str, Any]) -> dict[str, Any]:
    """A stream schema from a spec component, plus fields the tap adds (parent ids).

    Fields the live API is known to send beyond the spec (live_fields.py) are added too,
    so they reach the warehouse instead of being dropped; the spec's own definition wins.
    """
    schema = to_json_schema({"$ref": f"#/components/schemas/{component}"})
    schema["type"] = "object"
    properties = schema.setdefault("properties", {})
    for name, field in live_fields(component).items():
        properties.setdefault(name, field)
    properties.update(extra_properties)
    return schema
