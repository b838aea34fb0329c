"""Ad entity endpoints of the fake Pinterest API.

Ad accounts, campaigns, ad groups, ads, audiences, customer lists, conversion tags
and keywords.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.fake_api.common import (
    HTTP_FORBIDDEN,
    ApiError,
    _bad,
    _not_found,
    _Query,
)
from tests.fake_api.data import (
    ENTITY_STATUSES,
    MATCH_TYPES,
)

if TYPE_CHECKING:
    from tests.fake_api.data import FakeData


class EntitiesMixin:
    """Route handlers of the ad entity endpoints.

    Mixed into :class:`~tests.fake_api.server.FakePinterestAPI`, whose lock-guarded state
    it shares.
    """

    # Set by FakePinterestAPI.reset() (or its constructor).
    data: FakeData
    refuse_ad_group_ids: int | None

    if TYPE_CHECKING:  # Defined by the other mixins of FakePinterestAPI.

        @staticmethod
        def _order(q: _Query, items: list[dict[str, Any]]) -> list[dict[str, Any]]: ...

        def _page(self, q: _Query, path: str, items: list[dict[str, Any]]) -> dict[str, Any]: ...

    def _account(self, ad_account_id: str) -> dict[str, Any]:
        acct = self.data.ad_account(ad_account_id)
        if acct is None:
            msg = "Ad account not found."
            raise _not_found(msg)
        return acct

    def _ad_accounts(self, q: _Query) -> dict[str, Any]:
        shared = q.boolean("include_shared_accounts", default=True)
        accounts = [
            a for a in self.data.ad_accounts if shared or a["owner"]["id"] == self.data.user["id"]
        ]
        return self._page(q, "/ad_accounts", accounts)

    def _ad_account(self, q: _Query, ad_account_id: str) -> dict[str, Any]:  # noqa: ARG002
        return dict(self._account(ad_account_id))

    @staticmethod
    def _statuses(q: _Query) -> list[str]:
        return q.enums("entity_statuses", ENTITY_STATUSES) or ["ACTIVE", "PAUSED"]

    def _entity_list(
        self,
        q: _Query,
        path: str,
        items: list[dict[str, Any]],
        filters: dict[str, str],
    ) -> dict[str, Any]:
        statuses = self._statuses(q)
        selected = [o for o in items if o["status"] in statuses]
        for param, key in filters.items():
            ids = q.ids(param)
            if ids is not None:
                selected = [o for o in selected if o[key] in ids]
        return self._page(q, path, self._order(q, selected))

    def _campaigns(self, q: _Query, ad_account_id: str) -> dict[str, Any]:
        self._account(ad_account_id)
        return self._entity_list(
            q,
            f"/ad_accounts/{ad_account_id}/campaigns",
            self.data.campaigns[ad_account_id],
            {"campaign_ids": "id"},
        )

    def _ad_groups(self, q: _Query, ad_account_id: str) -> dict[str, Any]:
        self._account(ad_account_id)
        q.boolean("translate_interests_to_names", default=False)
        return self._entity_list(
            q,
            f"/ad_accounts/{ad_account_id}/ad_groups",
            self.data.ad_groups[ad_account_id],
            {"campaign_ids": "campaign_id", "ad_group_ids": "id"},
        )

    def _ads(self, q: _Query, ad_account_id: str) -> dict[str, Any]:
        self._account(ad_account_id)
        return self._entity_list(
            q,
            f"/ad_accounts/{ad_account_id}/ads",
            self.data.ads[ad_account_id],
            {"campaign_ids": "campaign_id", "ad_group_ids": "ad_group_id", "ad_ids": "id"},
        )

    def _single(
        self, ad_account_id: str, pool: dict[str, list[dict[str, Any]]], entity_id: str, what: str
    ) -> dict[str, Any]:
        self._account(ad_account_id)
        obj = next((o for o in pool[ad_account_id] if o["id"] == entity_id), None)
        if obj is None:
            msg = f"{what} not found."
            raise _not_found(msg)
        return dict(obj)

    def _campaign(self, q: _Query, ad_account_id: str, campaign_id: str) -> dict[str, Any]:  # noqa: ARG002
        return self._single(ad_account_id, self.data.campaigns, campaign_id, "Campaign")

    def _ad_group(self, q: _Query, ad_account_id: str, ad_group_id: str) -> dict[str, Any]:  # noqa: ARG002
        return self._single(ad_account_id, self.data.ad_groups, ad_group_id, "Ad group")

    def _ad(self, q: _Query, ad_account_id: str, ad_id: str) -> dict[str, Any]:  # noqa: ARG002
        return self._single(ad_account_id, self.data.ads, ad_id, "Ad")

    def _audiences(self, q: _Query, ad_account_id: str) -> dict[str, Any]:
        self._account(ad_account_id)
        ownership = q.enum("ownership_type", ("OWNED", "RECEIVED"), "OWNED")
        pool = self.data.audiences if ownership == "OWNED" else self.data.received_audiences
        items = pool[ad_account_id]
        return self._page(q, f"/ad_accounts/{ad_account_id}/audiences", self._order(q, items))

    def _customer_lists(self, q: _Query, ad_account_id: str) -> dict[str, Any]:
        self._account(ad_account_id)
        items = self._order(q, self.data.customer_lists[ad_account_id])
        return self._page(q, f"/ad_accounts/{ad_account_id}/customer_lists", items)

    def _conversion_tags(self, q: _Query, ad_account_id: str) -> dict[str, Any]:
        self._account(ad_account_id)
        filter_deleted = q.boolean("filter_deleted", default=False)
        tags = self.data.conversion_tags[ad_account_id]
        return {
            "items": [dict(t) for t in tags if not (filter_deleted and t["status"] == "ARCHIVED")]
        }

    def _keywords(self, q: _Query, ad_account_id: str) -> dict[str, Any]:
        self._account(ad_account_id)
        campaign_id = q.get("campaign_id")
        ad_group_id = q.get("ad_group_id")
        ad_group_ids = q.ids("ad_group_ids")
        if ad_group_ids is not None and self.refuse_ad_group_ids is not None:
            raise self._beta_refusal(self.refuse_ad_group_ids, "ad_group_ids")
        match_types = q.enums("match_types", MATCH_TYPES)
        if match_types is not None and len(match_types) > len(MATCH_TYPES):
            msg = "Invalid match_types: at most 5 values are allowed."
            raise _bad(msg)
        all_keywords = self.data.keywords[ad_account_id]
        if campaign_id is None and ad_group_id is None and ad_group_ids is None:
            items = self.data.account_keywords(ad_account_id)
        else:
            parents: set[str] = set(ad_group_ids or [])
            if ad_group_id is not None:
                parents.add(ad_group_id)
            if campaign_id is not None:
                parents.add(campaign_id)
                parents.update(
                    g["id"]
                    for g in self.data.ad_groups[ad_account_id]
                    if g["campaign_id"] == campaign_id
                )
            items = [k for k in all_keywords if k["parent_id"] in parents]
        if match_types:
            items = [k for k in items if k["match_type"] in match_types]
        return self._page(q, f"/ad_accounts/{ad_account_id}/keywords", items)

    @staticmethod
    def _beta_refusal(status: int, parameter: str) -> ApiError:
        """How a beta feature the app may not use is refused (the spec names no status)."""
        if status == HTTP_FORBIDDEN:
            return ApiError(status, 29, "You are not permitted to access that resource.")
        return ApiError(status, 1, f"Invalid parameter: {parameter} is not available.")
