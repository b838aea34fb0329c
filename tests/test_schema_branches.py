"""Every stream schema built from the spec keeps every branch of every oneOf/anyOf/allOf.

The SDK drops, from each record, the properties its schema does not list, at every depth
where the schema lists properties. A schema node that lists only the first branch's
properties (a retail product group's filter keys) therefore silently deletes what the
other branches carry (a hotel product group's HOTEL_ID). A node that lists no properties
passes its value through whole, so only nodes with properties must hold every branch's.
"""

from __future__ import annotations

from typing import Any

import pytest

from tap_pinterest.spec import load_spec
from tap_pinterest.streams import STREAM_TYPES

# Every stream whose schema comes from a spec component, and that component.
SPEC_STREAMS = {
    "user_account": "Account",
    "user_account_followers": "UserSummary",
    "user_account_following": "UserSummary",
    "boards": "Board",
    "board_sections": "BoardSection",
    "board_pins": "Pin",
    "board_section_pins": "Pin",
    "pins": "Pin",
    "ad_accounts": "AdAccount",
    "campaigns": "CampaignResponse",
    "ad_groups": "AdGroupResponse",
    "ads": "AdResponse",
    "audiences": "Audience",
    "customer_lists": "CustomerList",
    "conversion_tags": "ConversionTag",
    "keywords": "Keyword",
    "catalogs": "Catalog",
    "catalogs_feeds": "CatalogsFeed",
    "catalogs_product_groups": "CatalogsVerticalProductGroup",
    "product_group_promotions": "ProductGroupPromotion",
}
# The tap builds these schemas itself (typed analytics columns), not from a component.
TAP_BUILT_STREAMS = {
    "user_account_analytics",
    "top_pins_analytics",
    "top_video_pins_analytics",
    "pin_analytics",
    "ad_account_analytics",
    "campaign_analytics",
    "ad_group_analytics",
    "ad_analytics",
    "keyword_analytics",
    "product_group_analytics",
    "product_item_analytics",
    "ad_account_targeting_analytics",
    "campaign_targeting_analytics",
    "ad_group_targeting_analytics",
    "ad_targeting_analytics",
    "product_group_targeting_analytics",
    "product_item_targeting_analytics",
}
# Left out on purpose: a feed's download password is never emitted.
LEFT_OUT = {("catalogs_feeds", "credentials")}
MAX_DEPTH = 40


def class_attribute(cls: type, attribute: str) -> Any:
    """A stream class's own attribute (the SDK types name and schema per instance)."""
    return next(c.__dict__[attribute] for c in cls.__mro__ if attribute in c.__dict__)


STREAM_CLASSES = {class_attribute(cls, "name"): cls for cls in STREAM_TYPES}


def _resolve(node: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    ref = node.get("$ref")
    if not ref:
        return node, None
    target: Any = load_spec()
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return {**target, **{k: v for k, v in node.items() if k != "$ref"}}, ref


def _branches(
    node: dict[str, Any], refs: tuple[str, ...]
) -> list[tuple[dict[str, Any], tuple[str, ...]]]:
    """The node and every allOf/oneOf/anyOf branch under it, each with its $ref trail."""
    resolved, ref = _resolve(node)
    if ref is not None:
        if ref in refs:  # a recursive component: already walked on this path
            return []
        refs = (*refs, ref)
    out = [(resolved, refs)]
    for key in ("allOf", "oneOf", "anyOf"):
        for option in resolved.get(key, []):
            out.extend(_branches(option, refs))
    return out


def lost_properties(
    spec_node: dict[str, Any],
    schema: dict[str, Any],
    path: str,
    refs: tuple[str, ...] = (),
    depth: int = 0,
) -> list[str]:
    """Paths of properties some branch of the spec allows but the stream schema drops."""
    if depth > MAX_DEPTH:
        return []
    lost: list[str] = []
    branches = _branches(spec_node, refs)
    listed = schema.get("properties")
    items = schema.get("items")
    for branch, trail in branches:
        free_map = branch.get("additionalProperties") not in (None, False)
        if listed is not None and free_map and not branch.get("properties"):
            lost.append(f"{path}.*")  # a map's keys, cut to another branch's properties
        if listed is not None:
            for name, sub in (branch.get("properties") or {}).items():
                if name not in listed:
                    lost.append(f"{path}.{name}")
                else:
                    lost += lost_properties(sub, listed[name], f"{path}.{name}", trail, depth + 1)
        if items is not None and isinstance(branch.get("items"), dict):
            lost += lost_properties(branch["items"], items, f"{path}[]", trail, depth + 1)
    return sorted(set(lost))


def test_every_stream_is_checked() -> None:
    """A new stream must say where its schema comes from, so this walk cannot miss it."""
    assert len(STREAM_CLASSES) == len(STREAM_TYPES)
    assert set(SPEC_STREAMS) | TAP_BUILT_STREAMS == set(STREAM_CLASSES)
    assert not set(SPEC_STREAMS) & TAP_BUILT_STREAMS


@pytest.mark.parametrize("stream", sorted(SPEC_STREAMS))
def test_no_branch_of_the_spec_is_lost(stream: str) -> None:
    """Walk the component and the stream schema together, through every branch."""
    schema = class_attribute(STREAM_CLASSES[stream], "schema")
    component = {"$ref": f"#/components/schemas/{SPEC_STREAMS[stream]}"}
    lost = lost_properties(component, schema, stream)
    expected = sorted(f"{stream}.{name}" for s, name in LEFT_OUT if s == stream)
    assert lost == expected


def test_the_walk_finds_a_lost_branch() -> None:
    """The check itself can fail: a schema listing one branch's keys is reported."""
    spec_node = {
        "type": "object",
        "anyOf": [
            {"type": "object", "properties": {"A": {"type": "string"}}},
            {"type": "object", "properties": {"B": {"type": "string"}}},
        ],
    }
    one_branch = {"type": ["object"], "properties": {"A": {"type": ["string"]}}}
    assert lost_properties(spec_node, one_branch, "x") == ["x.B"]
    passthrough = {"type": ["object"]}
    assert lost_properties(spec_node, passthrough, "x") == []
    with_map = {"anyOf": [spec_node, {"type": "object", "additionalProperties": True}]}
    assert lost_properties(with_map, one_branch, "x") == ["x.*", "x.B"]
