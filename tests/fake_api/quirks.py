"""Behaviours of the live Pinterest API that the spec does not document (issue 16).

Each function teaches the fake one behaviour through its fault injection (``inject``),
so tests switch it on explicitly; the README section "Behaviours of the live API that
the spec does not document" says where each is known from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.fake_api.server import PREFIX, _category_routes

if TYPE_CHECKING:
    from tests.fake_api.server import FakePinterestAPI

# Analytics endpoints answer a burst over their limit with HTTP 400 and this message.
# The tap reads only the message; code 1 is the spec's generic invalid-request code.
THROTTLE_CODE = 1
# A Trial app's daily quota: 429, code 8, reset about 19 hours ahead.
DAILY_QUOTA_RESET_SECONDS = 67_000
DAILY_QUOTA_MESSAGE = "You have exceeded your rate limit. Try again later."
WINDOWS_MESSAGE = (
    "Invalid attribution windows: click_window_days, engagement_window_days and "
    "view_window_days are not a supported combination."
)
PIN_LISTING_LIMIT = 100_000
PIN_LISTING_MESSAGE = "Cannot paginate beyond 100,000 pins."
# Every synchronous ads analytics operation and the report endpoints (GET and POST).
ANALYTICS_PATHS = r"^/v5/ad_accounts/\d+(/\w+)?/(analytics|targeting_analytics|reports)$"
MANY = 1_000_000


def throttle_with_400(
    api: FakePinterestAPI, path_regex: str, *, seconds: int = 0, times: int = 1, after: int = 0
) -> None:
    """The next ``times`` matching calls answer 400 "Retry after <seconds> seconds"."""
    body = {"code": THROTTLE_CODE, "message": f"Retry after {seconds} seconds"}
    api.inject(path_regex, 400, times=times, body=body, after=after)


def category_paths(category: str) -> str:
    """A regex of the full paths (``/v5/...``) of every GET operation of a category."""
    patterns = [p.pattern for p, c in _category_routes() if c == category]
    return f"^{PREFIX}(?:{'|'.join(patterns)})$"


def spend_daily_quota(
    api: FakePinterestAPI,
    category: str,
    *,
    reset_seconds: int = DAILY_QUOTA_RESET_SECONDS,
    after: int = 0,
) -> None:
    """After ``after`` calls, every call of the category answers the daily-quota 429."""
    headers = {
        "Retry-After": str(reset_seconds),
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": str(reset_seconds),
    }
    body = {"code": 8, "message": DAILY_QUOTA_MESSAGE}
    api.inject(category_paths(category), 429, times=MANY, headers=headers, body=body, after=after)


def refuse_attribution_windows(api: FakePinterestAPI) -> None:
    """Every ads analytics call and report answers 400 about the attribution windows."""
    api.inject(ANALYTICS_PATHS, 400, times=MANY, body={"code": 1, "message": WINDOWS_MESSAGE})


def cut_pin_listing(api: FakePinterestAPI, *, after_pages: int) -> None:
    """GET /pins answers 400 "Cannot paginate beyond 100,000 pins." after N pages."""
    body = {"code": 1, "message": PIN_LISTING_MESSAGE}
    api.inject(r"^/v5/pins$", 400, times=MANY, body=body, after=after_pages)


def remove_catalogs(api: FakePinterestAPI) -> None:
    """The token's user has no catalog (the fake then answers product groups 409)."""
    with api._lock:
        for table in (api.shopping.catalogs, api.shopping.feeds, api.shopping.product_groups):
            for owner in table:
                table[owner] = []
