"""Pinterest's bookmark cursor: follow `bookmark` until it is null (spec, list operations)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from singer_sdk.pagination import BaseAPIPaginator
from typing_extensions import override

from tap_pinterest.errors import PinterestAPIError

if TYPE_CHECKING:
    import requests


class BookmarkGuard:
    """Remembers the bookmarks of one listing: a repeat would loop forever."""

    def __init__(self) -> None:
        """No bookmark followed yet."""
        self._seen: set[str] = set()

    def follow(self, bookmark: str, where: str) -> str:
        """Return the bookmark, or fail if this listing has followed it before."""
        if bookmark in self._seen:
            msg = (
                f"Pinterest returned a bookmark already followed ({where}, page "
                f"{len(self._seen) + 1}); stopping instead of looping"
            )
            raise PinterestAPIError(msg)
        self._seen.add(bookmark)
        return bookmark


class BookmarkPaginator(BaseAPIPaginator[str | None]):
    """Stops on a null bookmark and fails on any bookmark seen before in this listing."""

    def __init__(self) -> None:
        """Start with no bookmark: the first page."""
        super().__init__(None)
        self._guard = BookmarkGuard()

    @override
    def get_next(self, response: requests.Response) -> str | None:
        body = response.json()
        bookmark = body.get("bookmark") if isinstance(body, dict) else None
        if not bookmark:
            return None
        return self._guard.follow(str(bookmark), response.request.path_url.split("?")[0])

    @override
    def continue_if_empty(self, response: requests.Response) -> bool:
        """An empty page with a bookmark is still a page: keep following it."""
        return True
