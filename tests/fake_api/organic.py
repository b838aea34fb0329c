"""Organic endpoints of the fake Pinterest API.

User account, followers, boards, sections, pins, and the organic analytics (user
account analytics, top pins, pin analytics).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.fake_api.common import (
    MAX_PIN_IDS,
    ApiError,
    _bad,
    _not_found,
    _Query,
)
from tests.fake_api.data import (
    SPLIT_GROUPS,
    _param_enum,
    pin_metric_types,
    top_pins_sort_by,
    top_video_pins_sort_by,
    user_metric_types,
    video_metric_types,
)

if TYPE_CHECKING:
    from datetime import date

    from tests.fake_api.data import FakeData


class OrganicMixin:
    """Route handlers of the organic endpoints.

    Mixed into :class:`~tests.fake_api.server.FakePinterestAPI`, whose lock-guarded state
    it shares.
    """

    # Set by FakePinterestAPI.reset() (or its constructor).
    data: FakeData
    processing_days: int

    if TYPE_CHECKING:  # Defined by the other mixins of FakePinterestAPI.

        def _date_range(
            self, q: _Query, granularity: str | None = None, *, hour_range_rule: bool = True
        ) -> tuple[date, date]: ...

        def _page(self, q: _Query, path: str, items: list[dict[str, Any]]) -> dict[str, Any]: ...

    def _user_account(self, q: _Query) -> dict[str, Any]:
        q.get("ad_account_id")
        return dict(self.data.user)

    def _followers(self, q: _Query) -> dict[str, Any]:
        return self._page(q, "/user_account/followers", self.data.followers)

    def _following(self, q: _Query) -> dict[str, Any]:
        q.enum("feed_type", ("ALL", "RANKED", "CREATOR_ONLY", "RANKED_CREATOR_ONLY"))
        q.boolean("explicit_following", default=False)
        return self._page(q, "/user_account/following", self.data.following)

    def _boards(self, q: _Query) -> dict[str, Any]:
        privacy = q.enum(
            "privacy", ("ALL", "PUBLIC", "PROTECTED", "SECRET", "PUBLIC_AND_SECRET"), "ALL"
        )
        wanted = {
            "ALL": ("PUBLIC", "PROTECTED", "SECRET"),
            "PUBLIC_AND_SECRET": ("PUBLIC", "SECRET"),
        }.get(privacy or "ALL", (privacy,))
        return self._page(q, "/boards", [b for b in self.data.boards if b["privacy"] in wanted])

    def _get_board(self, board_id: str) -> dict[str, Any]:
        board = self.data.board(board_id)
        if board is None:
            msg = "Board not found."
            raise _not_found(msg)
        return board

    def _board(self, q: _Query, board_id: str) -> dict[str, Any]:  # noqa: ARG002
        return dict(self._get_board(board_id))

    def _sections(self, q: _Query, board_id: str) -> dict[str, Any]:
        self._get_board(board_id)
        return self._page(q, f"/boards/{board_id}/sections", self.data.board_sections[board_id])

    def _pin_items(self, q: _Query, pins: list[dict[str, Any]]) -> list[dict[str, Any]]:
        creative = q.enums("creative_types", _param_enum("query_creative_types"))
        with_metrics = q.boolean("pin_metrics", default=False)
        out = []
        for pin in pins:
            if creative and pin["creative_type"] not in creative:
                continue
            item = dict(pin)
            if with_metrics:
                item["pin_metrics"] = {
                    "90d": {"pin_click": 7, "impression": 2, "clickthrough": 3},
                    "lifetime_metrics": {
                        "pin_click": 7,
                        "impression": 2,
                        "clickthrough": 3,
                        "reaction": 10,
                        "comment": 2,
                    },
                }
            out.append(item)
        return out

    def _board_pins(self, q: _Query, board_id: str) -> dict[str, Any]:
        self._get_board(board_id)
        return self._page(
            q, f"/boards/{board_id}/pins", self._pin_items(q, self.data.pins_of_board(board_id))
        )

    def _section_pins(self, q: _Query, board_id: str, section_id: str) -> dict[str, Any]:
        self._get_board(board_id)
        if section_id not in {s["id"] for s in self.data.board_sections[board_id]}:
            msg = "Board or section not found."
            raise _not_found(msg)
        pins = self._pin_items(q, self.data.pins_of_section(section_id))
        return self._page(q, f"/boards/{board_id}/sections/{section_id}/pins", pins)

    def _pins(self, q: _Query) -> dict[str, Any]:
        q.enum("pin_filter", ("exclude_native", "exclude_repins", "has_been_promoted"))
        include_protected = q.boolean("include_protected_pins", default=False)
        protected = {b["id"] for b in self.data.boards if b["privacy"] == "PROTECTED"}
        pins = [p for p in self.data.pins if include_protected or p["board_id"] not in protected]
        if q.get("pin_filter") == "has_been_promoted":
            pins = [p for p in pins if p["has_been_promoted"]]
        return self._page(q, "/pins", self._pin_items(q, pins))

    def _pin(self, q: _Query, pin_id: str) -> dict[str, Any]:
        pin = self.data.pin(pin_id)
        if pin is None:
            raise ApiError(404, 50, "Pin not found.")
        return self._pin_items(_Query({"pin_metrics": [q.get("pin_metrics") or "false"]}), [pin])[0]

    def _organic_filters(self, q: _Query) -> dict[str, str]:
        filters = {}
        for name, param in (
            ("from_claimed_content", "query_from_claimed_content"),
            ("pin_format", "query_pin_format"),
            ("app_types", "query_app_types"),
            ("content_type", "query_content_type"),
            ("source", "query_source"),
        ):
            value = q.enum(name, _param_enum(param))
            if value is not None:
                filters[name] = value
        return filters

    def _user_analytics(self, q: _Query) -> dict[str, Any]:
        filters = self._organic_filters(q)
        metrics = q.enums("metric_types", user_metric_types())
        split = q.enum("split_field", tuple(SPLIT_GROUPS), "NO_SPLIT") or "NO_SPLIT"
        start, end = self._date_range(q)
        return self.data.user_analytics(
            start,
            end,
            metrics,
            split,
            processing_days=self.processing_days,
            filters=filters,
        )

    def _top(self, q: _Query, *, video: bool) -> dict[str, Any]:
        sort_values = top_video_pins_sort_by() if video else top_pins_sort_by()
        q.required("sort_by")
        sort_by = q.enum("sort_by", sort_values) or ""
        self._organic_filters(q)
        metrics = q.enums("metric_types", video_metric_types() if video else user_metric_types())
        num = q.integer("num_of_pins", 1, 50, 10)
        q.enum("created_in_last_n_days", ("30",))
        start, end = self._date_range(q)
        return self.data.top_pins(
            start,
            end,
            sort_by,
            metrics,
            num,
            video=video,
            processing_days=self.processing_days,
        )

    def _top_pins(self, q: _Query) -> dict[str, Any]:
        return self._top(q, video=False)

    def _top_video_pins(self, q: _Query) -> dict[str, Any]:
        return self._top(q, video=True)

    def _pins_analytics(self, q: _Query) -> dict[str, Any]:
        pin_ids = q.ids("pin_ids", MAX_PIN_IDS, required=True) or []
        q.required("metric_types")
        metrics = q.enums("metric_types", pin_metric_types()) or []
        app_types = q.enum("app_types", _param_enum("query_app_types"), "ALL") or "ALL"
        start, end = self._date_range(q)
        return self.data.pin_analytics(
            pin_ids,
            start,
            end,
            metrics,
            processing_days=self.processing_days,
            app_types=app_types,
        )

    def _pin_analytics(self, q: _Query, pin_id: str) -> dict[str, Any]:
        """GET /pins/{pin_id}/analytics: the bulk answer's entry for one pin."""
        if self.data.pin(pin_id) is None:
            raise ApiError(404, 50, "Pin not found.")
        metrics = q.enums("metric_types", pin_metric_types()) or []
        if not metrics:
            msg = "Missing required parameter: metric_types."
            raise _bad(msg)
        app_types = q.enum("app_types", _param_enum("query_app_types"), "ALL") or "ALL"
        start, end = self._date_range(q)
        answer = self.data.pin_analytics(
            [pin_id],
            start,
            end,
            metrics,
            processing_days=self.processing_days,
            app_types=app_types,
        )
        return dict(answer[pin_id])
