"""Every stream the tap offers, in the order they sync."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tap_pinterest.streams.ads import (
    AdAccountsStream,
    AdGroupsStream,
    AdsStream,
    CampaignsStream,
)
from tap_pinterest.streams.organic import (
    BoardPinsStream,
    BoardSectionPinsStream,
    BoardSectionsStream,
    BoardsStream,
    PinsStream,
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
    BoardsStream,
    BoardSectionsStream,
    BoardPinsStream,
    BoardSectionPinsStream,
    PinsStream,
    AdAccountsStream,
    CampaignsStream,
    AdGroupsStream,
    AdsStream,
]
