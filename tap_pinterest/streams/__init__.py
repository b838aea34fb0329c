"""Every stream the tap offers, in the order they sync."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tap_pinterest.custom_reports import custom_levels
from tap_pinterest.streams.ads import (
    AdAccountsStream,
    AdGroupsStream,
    AdsStream,
    AudiencesStream,
    CampaignsStream,
    ConversionTagsStream,
    CustomerListsStream,
    KeywordsStream,
)
from tap_pinterest.streams.analytics import level_stream_type
from tap_pinterest.streams.levels import PLAIN_LEVELS, targeting_levels
from tap_pinterest.streams.organic import (
    BoardPinsStream,
    BoardSectionPinsStream,
    BoardSectionsStream,
    BoardsStream,
    PinsStream,
)
from tap_pinterest.streams.organic_analytics import (
    PinAnalyticsStream,
    TopPinsAnalyticsStream,
    TopVideoPinsAnalyticsStream,
    UserAccountAnalyticsStream,
)
from tap_pinterest.streams.shopping import (
    CatalogsFeedsStream,
    CatalogsProductGroupsStream,
    CatalogsStream,
    ProductGroupPromotionsStream,
)
from tap_pinterest.streams.user import (
    UserAccountFollowersStream,
    UserAccountFollowingStream,
    UserAccountStream,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tap_pinterest.client import PinterestStream

# One stream type per ads analytics level (streams/levels.py), and per targeting twin.
ADS_ANALYTICS_TYPES = [level_stream_type(level) for level in PLAIN_LEVELS]
TARGETING_ANALYTICS_TYPES = [level_stream_type(level) for level in targeting_levels()]

STREAM_TYPES: list[type[PinterestStream]] = [
    UserAccountStream,
    UserAccountFollowersStream,
    UserAccountFollowingStream,
    UserAccountAnalyticsStream,
    TopPinsAnalyticsStream,
    TopVideoPinsAnalyticsStream,
    BoardsStream,
    BoardSectionsStream,
    BoardPinsStream,
    BoardSectionPinsStream,
    PinsStream,
    PinAnalyticsStream,
    AdAccountsStream,
    CampaignsStream,
    AdGroupsStream,
    AdsStream,
    *ADS_ANALYTICS_TYPES,
    AudiencesStream,
    CustomerListsStream,
    ConversionTagsStream,
    KeywordsStream,
    *TARGETING_ANALYTICS_TYPES,
    CatalogsStream,
    CatalogsFeedsStream,
    CatalogsProductGroupsStream,
    ProductGroupPromotionsStream,
]


def custom_report_types(config: Mapping[str, Any]) -> list[type[PinterestStream]]:
    """One stream type per configured custom report (custom_reports.py), after the others."""
    return [level_stream_type(level) for level in custom_levels(config)]
