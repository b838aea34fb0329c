"""Every stream the tap offers, in the order they sync."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
from tap_pinterest.streams.report_analytics import (
    AdAccountAnalyticsStream,
    AdAnalyticsStream,
    AdGroupAnalyticsStream,
    CampaignAnalyticsStream,
    KeywordAnalyticsStream,
    ProductGroupAnalyticsStream,
    ProductItemAnalyticsStream,
)
from tap_pinterest.streams.shopping import (
    CatalogsFeedsStream,
    CatalogsProductGroupsStream,
    CatalogsStream,
    ProductGroupPromotionsStream,
)
from tap_pinterest.streams.targeting_analytics import (
    AdAccountTargetingAnalyticsStream,
    AdGroupTargetingAnalyticsStream,
    AdTargetingAnalyticsStream,
    CampaignTargetingAnalyticsStream,
)
from tap_pinterest.streams.user import (
    UserAccountFollowersStream,
    UserAccountFollowingStream,
    UserAccountStream,
)

if TYPE_CHECKING:
    from tap_pinterest.client import PinterestStream

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
    AdAccountAnalyticsStream,
    CampaignAnalyticsStream,
    AdGroupAnalyticsStream,
    AdAnalyticsStream,
    KeywordAnalyticsStream,
    ProductGroupAnalyticsStream,
    ProductItemAnalyticsStream,
    AudiencesStream,
    CustomerListsStream,
    ConversionTagsStream,
    KeywordsStream,
    AdAccountTargetingAnalyticsStream,
    CampaignTargetingAnalyticsStream,
    AdGroupTargetingAnalyticsStream,
    AdTargetingAnalyticsStream,
    CatalogsStream,
    CatalogsFeedsStream,
    CatalogsProductGroupsStream,
    ProductGroupPromotionsStream,
]
