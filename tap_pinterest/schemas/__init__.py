"""Stream schemas derived from the bundled Pinterest OpenAPI spec.

Entity schemas come straight from the spec's response components, so a new API release
is one file copy away. Fields the tap adds (parent ids) and the spec's oneOf unions, which
many targets cannot map to a column, are patched here and nowhere else.
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING, Any

from singer_sdk.schema.source import OpenAPISchema, StreamSchema
from typing_extensions import override

if TYPE_CHECKING:
    from singer_sdk.streams import Stream

SPEC_SOURCE: OpenAPISchema[str] = OpenAPISchema(resources.files(__name__) / "openapi.json")
_UNION_KEYS = ("oneOf", "anyOf")


def _flatten_unions(node: Any) -> Any:  # noqa: ANN401
    """Replace oneOf/anyOf by the plain JSON type their options share."""
    if isinstance(node, list):
        return [_flatten_unions(item) for item in node]
    if not isinstance(node, dict):
        return node
    for key in _UNION_KEYS:
        if key in node:
            types: set[str] = set()
            for option in node[key]:
                option_type = option.get("type", "object")
                types.update([option_type] if isinstance(option_type, str) else option_type)
            types.add("null")
            flat = {k: v for k, v in node.items() if k not in (*_UNION_KEYS, "discriminator")}
            flat["type"] = sorted(types)
            if "object" in types:
                flat.setdefault("properties", {})
            return _flatten_unions(flat)
    return {key: _flatten_unions(value) for key, value in node.items() if key != "discriminator"}


class SpecStreamSchema(StreamSchema[str]):
    """A spec component as a stream schema, plus the fields the tap adds to each record."""

    def __init__(self, component: str, *, extra_properties: dict[str, Any] | None = None) -> None:
        """Name the spec component (e.g. CampaignResponse) and any added fields."""
        super().__init__(SPEC_SOURCE, key=component)
        self.extra_properties = extra_properties or {}

    @override
    def get_stream_schema(self, stream: Stream, stream_class: type[Stream]) -> dict[str, Any]:
        schema = _flatten_unions(super().get_stream_schema(stream, stream_class))
        schema["type"] = "object"
        schema.setdefault("properties", {}).update(self.extra_properties)
        return dict(schema)


STRING = {"type": "string"}
