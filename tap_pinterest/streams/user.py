"""The token user's account and its follower graph."""

from __future__ import annotations

from tap_pinterest.schemas import spec_schema
from tap_pinterest.streams.base import EntityStream


class UserAccountStream(EntityStream):
    """GET /user_account: one object, re-read every run (it has no timestamps)."""

    name = "user_account"
    path = "/user_account"
    records_jsonpath = "$"
    paginated = False
    accepts_organic_ad_account_id = True
    schema = spec_schema("Account")


class UserAccountFollowersStream(EntityStream):
    """GET /user_account/followers (rate-limited as ads_read, per the spec)."""

    name = "user_account_followers"
    path = "/user_account/followers"
    primary_keys = ("username",)
    schema = spec_schema("UserSummary")


class UserAccountFollowingStream(EntityStream):
    """GET /user_account/following: users the token user follows."""

    name = "user_account_following"
    path = "/user_account/following"
    primary_keys = ("username",)
    accepts_organic_ad_account_id = True
    schema = spec_schema("UserSummary")
