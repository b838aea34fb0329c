"""Refusals of the live API that mean more than their status: the forms the tap knows.

Each recogniser names the exact answer it matches (README, "Behaviours of the live API
that the spec does not document"); anything else keeps its ordinary meaning.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from tap_pinterest.errors import FatalTapError, PinterestAPIError, api_error_summary
from tap_pinterest.throttle import error_message

if TYPE_CHECKING:
    from collections.abc import Mapping

    import requests

WINDOW_SETTINGS = ("click_window_days", "engagement_window_days", "view_window_days")
# A 400 about the attribution windows: its message names one of the window parameters or
# "attribution window(s)". Every analytics call of the run would be refused the same way.
WINDOWS_MESSAGE = re.compile(
    r"\b(?:click|engagement|view)_window_days\b|\battribution[ _]windows?\b", re.IGNORECASE
)
# GET /catalogs/product_groups (catalogs_product_groups/list) answers 409, code 4182, "Can't
# access this feature without an existing catalog." when the user has no catalog (spec
# example CatalogsMerchantNotCreated). The catalog lists treat any 409 this way.
NO_CATALOG_STATUS = HTTPStatus.CONFLICT
# A listing stopped by Pinterest: a 400 whose message says paging went beyond a count of
# pins or items ("... beyond 100,000 pins", "more than 100000 items", "exceeds the limit
# of 100,000 pins").
LISTING_LIMIT_MESSAGE = re.compile(
    r"\b(?:beyond|more than|exceeds?|over|limit of|maximum of)\s+(\d{1,3}(?:,\d{3})+|\d+)\s+"
    r"(?:pins|items)\b",
    re.IGNORECASE,
)


class AttributionWindowsError(FatalTapError):
    """Pinterest refused the attribution windows: every analytics call would fail."""


def raise_if_fatal_refusal(response: requests.Response, config: Mapping[str, Any]) -> None:
    """A 400 about the attribution windows ends the run in one line naming the settings."""
    if response.status_code != HTTPStatus.BAD_REQUEST:
        return
    if not WINDOWS_MESSAGE.search(error_message(response)):
        return
    values = ", ".join(f"{name}={config.get(name)}" for name in WINDOW_SETTINGS)
    msg = (
        f"Pinterest refused the attribution windows ({values}): {api_error_summary(response)}; "
        "to fix: set click_window_days, engagement_window_days and view_window_days to a "
        "combination Pinterest accepts (README, attribution windows)"
    )
    raise AttributionWindowsError(msg)


def is_no_catalog(exc: PinterestAPIError) -> bool:
    """True for the 409 a catalog list answers when the user has no catalog."""
    return exc.status == NO_CATALOG_STATUS


def listing_limit(exc: PinterestAPIError) -> int | None:
    """The limit a 400 names when Pinterest stops a listing after that many items."""
    if exc.status != HTTPStatus.BAD_REQUEST:
        return None
    match = LISTING_LIMIT_MESSAGE.search(str(exc))
    return int(match.group(1).replace(",", "")) if match else None
