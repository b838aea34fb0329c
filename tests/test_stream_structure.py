"""The shape of the stream classes (issue 17): shallow, no diamonds, one name per class.

Checked over every registered stream, so a new stream or level cannot bring back what
the redesign removed: chains 6 to 7 classes deep, classes inheriting two of the tap's
classes, and same-named classes of which one is never registered. The count includes
the registered class, PinterestStream and the seam's SeamStream (the tap's own class:
everything from singer-sdk's Stream down).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import fields

import pytest
from singer_sdk import Stream

from tap_pinterest.client import PinterestStream
from tap_pinterest.sdk_seam import SeamStream
from tap_pinterest.streams import STREAM_TYPES
from tap_pinterest.streams.analytics import AdsAnalyticsStream
from tap_pinterest.streams.levels import PLAIN_LEVELS, AdsLevel, targeting_levels

MAX_TAP_CLASSES = 4


def tap_classes(stream_type: type) -> list[type]:
    """The tap's own classes in the MRO, from the stream type down to singer-sdk's Stream."""
    return [c for c in stream_type.__mro__ if c.__module__.startswith("tap_pinterest")]


def all_tap_classes() -> set[type]:
    return {c for stream_type in STREAM_TYPES for c in tap_classes(stream_type)}


def name_of(stream_type: type) -> str:
    """The stream name a type registers (a class attribute the SDK types per instance)."""
    return str(vars_of(stream_type)["name"])


def vars_of(stream_type: type) -> dict[str, object]:
    return {k: v for cls in reversed(stream_type.__mro__) for k, v in vars(cls).items()}


ANALYTICS_TYPES = [t for t in STREAM_TYPES if name_of(t).endswith("analytics")]


def test_four_organic_and_thirteen_ads_analytics_streams() -> None:
    assert len(ANALYTICS_TYPES) == 4 + 7 + 6


@pytest.mark.parametrize("stream_type", STREAM_TYPES, ids=name_of)
def test_at_most_four_tap_classes_from_sdk_stream(stream_type: type) -> None:
    assert issubclass(stream_type, Stream)
    classes = tap_classes(stream_type)
    assert classes[-2:] == [PinterestStream, SeamStream]
    assert len(classes) <= MAX_TAP_CLASSES, [c.__name__ for c in classes]


def test_no_tap_class_has_two_tap_bases() -> None:
    """No diamonds anywhere: each of the tap's classes extends at most one of them."""
    multiple = [c.__name__ for c in all_tap_classes() if len(tap_classes_among(c.__bases__)) > 1]
    assert multiple == []
    assert all(len(tap_classes_among(c.__bases__)) == 1 for c in all_tap_classes() - {SeamStream})


def tap_classes_among(bases: tuple[type, ...]) -> list[type]:
    return [b for b in bases if b.__module__.startswith("tap_pinterest")]


def test_no_two_tap_classes_share_a_name() -> None:
    by_name: dict[str, set[str]] = defaultdict(set)
    for cls in all_tap_classes():
        by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    assert {name: where for name, where in by_name.items() if len(where) > 1} == {}
    assert len({name_of(t) for t in STREAM_TYPES}) == len(STREAM_TYPES)


def test_every_ads_analytics_stream_is_one_level_declaration() -> None:
    """Thirteen levels, each one declaration bound to the one stream type, nothing more."""
    levels = [*PLAIN_LEVELS, *targeting_levels()]
    ads = [t for t in STREAM_TYPES if issubclass(t, AdsAnalyticsStream)]
    assert [t.level for t in ads] == levels
    assert all(t.__bases__ == (AdsAnalyticsStream,) for t in ads)
    own = {"level", "name", "path", "__doc__", "__module__", "__qualname__", "__parameters__"}
    own |= {"__abstractmethods__", "_abc_impl"}  # set by the ABC machinery
    assert all(set(vars(t)) - {"__dict__", "__weakref__"} <= own for t in ads)
    assert all((name_of(t), vars_of(t)["path"]) == (t.level.stream, t.level.path) for t in ads)
    assert sorted(level.report_level for level in levels) == sorted(
        [
            "ADVERTISER",
            "ADVERTISER_TARGETING",
            "CAMPAIGN",
            "CAMPAIGN_TARGETING",
            "AD_GROUP",
            "AD_GROUP_TARGETING",
            "PIN_PROMOTION",
            "PIN_PROMOTION_TARGETING",
            "KEYWORD",
            "PRODUCT_GROUP",
            "PRODUCT_GROUP_TARGETING",
            "PRODUCT_ITEM",
            "PRODUCT_ITEM_TARGETING",
        ]
    )
    assert "twin" in {f.name for f in fields(AdsLevel)}
