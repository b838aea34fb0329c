"""Followers: the smallest paged stream, used by the auth and error tests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.tap_runner import run_sync

if TYPE_CHECKING:
    from tap_pinterest.clock import Clock
    from tests.fake_api import FakePinterestAPI

FOLLOWERS = "user_account_followers"
FOLLOWERS_PATH = r"/v5/user_account/followers"
# Scale() default: 30 followers, so page_size 10 is 3 pages and page_size 5 is 6 pages.
FOLLOWER_COUNT = 30


def expected_usernames(api: FakePinterestAPI) -> list[str]:
    """The fake's followers, in the order the API lists them."""
    return [follower["username"] for follower in api.data.followers]


def sync_followers(config: dict[str, Any], clock: Clock | None = None) -> list[str]:
    """Sync only user_account_followers and return the usernames emitted."""
    result = run_sync(config, streams={FOLLOWERS}, clock=clock)
    return [record["username"] for record in result.stream(FOLLOWERS)]


def assert_all_followers(api: FakePinterestAPI, usernames: list[str]) -> None:
    """Every follower exactly once, nothing missing, nothing duplicated."""
    assert len(usernames) == FOLLOWER_COUNT
    assert len(set(usernames)) == FOLLOWER_COUNT
    assert usernames == expected_usernames(api)
