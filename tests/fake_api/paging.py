"""Bookmark pagination of the fake Pinterest API's lists (contract in :mod:`.server`)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

from tests.fake_api.common import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    PREFIX,
    _bad,
    _Query,
)

if TYPE_CHECKING:
    import re

    from tests.fake_api.common import PageHook
    from tests.fake_api.data import FakeData


class PagingMixin:
    """Opaque bookmarks, page sizes, page hooks and ordering.

    Mixed into :class:`~tests.fake_api.server.FakePinterestAPI`, whose lock-guarded state
    it shares.
    """

    # Set by FakePinterestAPI.reset() (or its constructor).
    data: FakeData
    _page_hooks: list[tuple[re.Pattern[str], int, PageHook]]
    _repeat_bookmark: list[re.Pattern[str]]

    def _bookmark(self, path: str, offset: int) -> str:
        raw = json.dumps({"o": offset, "p": path}, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def _offset(self, path: str, bookmark: str | None) -> int:
        if bookmark is None:
            return 0
        try:
            padded = bookmark + "=" * (-len(bookmark) % 4)
            decoded = json.loads(base64.urlsafe_b64decode(padded.encode()))
            offset: int = decoded["o"]
            valid = decoded["p"] == path and isinstance(offset, int) and offset >= 0
        except (ValueError, TypeError, KeyError, binascii.Error):
            valid = False
        if not valid:
            msg = "Invalid bookmark."
            raise _bad(msg)
        return offset

    def _page(self, q: _Query, path: str, items: list[dict[str, Any]]) -> dict[str, Any]:
        full = PREFIX + path
        size = q.integer("page_size", 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE)
        offset = self._offset(full, q.get("bookmark"))
        self._run_page_hooks(full, offset // size + 1)
        page = items[offset : offset + size]
        nxt = offset + size
        bookmark = self._bookmark(full, nxt) if nxt < len(items) else None
        if any(p.search(full) for p in self._repeat_bookmark):
            bookmark = q.get("bookmark") or self._bookmark(full, size)
        return {"items": [dict(i) for i in page], "bookmark": bookmark}

    def _run_page_hooks(self, full_path: str, page: int) -> None:
        for hook in list(self._page_hooks):
            pattern, wanted, action = hook
            if wanted == page and pattern.search(full_path):
                self._page_hooks.remove(hook)
                action(self.data)

    @staticmethod
    def _order(q: _Query, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        order = q.enum("order", ("ASCENDING", "DESCENDING"), "ASCENDING")
        return sorted(items, key=lambda o: int(o["id"]), reverse=order == "DESCENDING")
