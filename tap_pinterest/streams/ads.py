"""Ad accounts and the entities synced per ad account."""

from __future__ import annotations

from functools import partial
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qs, urlparse

from typing_extensions import override

from tap_pinterest import spec
from tap_pinterest.errors import PinterestAPIError
from tap_pinterest.schemas import STRING, spec_schema
from tap_pinterest.settings import MAX_PAGE_SIZE
from tap_pinterest.streams.base import EntityStream

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping

    import requests
    from singer_sdk.helpers.types import Context, Record

# The list default is ACTIVE,PAUSED, which silently drops archived and draft entities;
# ask for every status the spec allows (GET /ad_accounts/{id}/campaigns, entity_statuses).
ENTITY_STATUSES = list(
    spec.parameter_enum("/ad_accounts/{ad_account_id}/campaigns", "entity_statuses")
)


def wanted_account_ids(config: Mapping[str, Any]) -> set[str]:
    """The `ad_account_ids` setting as a set; empty: every account the token reads."""
    return {str(i) for i in config.get("ad_account_ids") or []}


class AdAccountsStream(EntityStream):
    """GET /ad_accounts, restricted to `ad_account_ids` when that is set.

    Full table on purpose: its children inherit the parent's filter, so an ad account
    left out as unchanged would silently skip its campaigns and analytics.
    """

    name = "ad_accounts"
    path = "/ad_accounts"
    extra_params: ClassVar[dict[str, Any]] = {"include_shared_accounts": "true"}
    schema = spec_schema("AdAccount")

    @override
    def partition_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        wanted = wanted_account_ids(self.config)
        seen: set[str] = set()
        for record in super().partition_records(context):
            if wanted and record["id"] not in wanted:
                continue
            seen.add(record["id"])
            yield record
        missing = sorted(wanted - seen)
        if missing:
            msg = (
                f"ad_account_ids has ids this token cannot read: {', '.join(missing)} "
                f"(check the ids and the user's Business Access role)"
            )
            raise PinterestAPIError(msg)

    @override
    def get_child_context(self, record: Record, context: Context | None) -> Context:
        self.run.run_clock.note_account(record)  # its time_zone (issue 16)
        return {"ad_account_id": record["id"]}


class CampaignsStream(EntityStream):
    """GET /ad_accounts/{ad_account_id}/campaigns, every entity status."""

    # A list under /ad_accounts/{ad_account_id}: no state entry per ad account.
    parent_stream_type = AdAccountsStream
    state_partitioning_keys = ()
    # Every entity status, every row each run: summary_status (and an ad's review_status)
    # changes without updated_time moving (EntityStream).
    shares_ids = True
    former_replication_key = "updated_time"
    extra_params: ClassVar[dict[str, Any]] = {"entity_statuses": ENTITY_STATUSES}

    name = "campaigns"
    path = "/ad_accounts/{ad_account_id}/campaigns"
    schema = spec_schema("CampaignResponse")


class AdGroupsStream(EntityStream):
    """GET /ad_accounts/{ad_account_id}/ad_groups, every entity status."""

    # A list under /ad_accounts/{ad_account_id}: no state entry per ad account.
    parent_stream_type = AdAccountsStream
    state_partitioning_keys = ()
    # Every entity status, every row each run: summary_status (and an ad's review_status)
    # changes without updated_time moving (EntityStream).
    shares_ids = True
    former_replication_key = "updated_time"
    extra_params: ClassVar[dict[str, Any]] = {"entity_statuses": ENTITY_STATUSES}

    name = "ad_groups"
    path = "/ad_accounts/{ad_account_id}/ad_groups"
    schema = spec_schema("AdGroupResponse")


class AdsStream(EntityStream):
    """GET /ad_accounts/{ad_account_id}/ads, every entity status."""

    # A list under /ad_accounts/{ad_account_id}: no state entry per ad account.
    parent_stream_type = AdAccountsStream
    state_partitioning_keys = ()
    # Every entity status, every row each run: summary_status (and an ad's review_status)
    # changes without updated_time moving (EntityStream).
    shares_ids = True
    former_replication_key = "updated_time"
    extra_params: ClassVar[dict[str, Any]] = {"entity_statuses": ENTITY_STATUSES}

    name = "ads"
    path = "/ad_accounts/{ad_account_id}/ads"
    schema = spec_schema("AdResponse")


# GET /ad_accounts/{id}/audiences: ownership_type defaults to OWNED.
OWNERSHIP_TYPES = spec.parameter_enum("/ad_accounts/{ad_account_id}/audiences", "ownership_type")


class AudiencesStream(EntityStream):
    """GET /ad_accounts/{ad_account_id}/audiences: every status; not in the sandbox."""

    # A list under /ad_accounts/{ad_account_id}: no state entry per ad account.
    parent_stream_type = AdAccountsStream
    state_partitioning_keys = ()

    name = "audiences"
    path = "/ad_accounts/{ad_account_id}/audiences"
    former_replication_key = "updated_timestamp"
    schema = spec_schema("Audience")

    @override
    def partition_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        """Owned and received (shared) audiences: the API lists only owned by default."""
        if context is None:
            return
        path = self.path.format(ad_account_id=context["ad_account_id"])
        for ownership in OWNERSHIP_TYPES:
            yield from self.iter_items(path, {"ownership_type": ownership}, context)


class CustomerListsStream(EntityStream):
    """GET /ad_accounts/{ad_account_id}/customer_lists; not in the sandbox."""

    # A list under /ad_accounts/{ad_account_id}: no state entry per ad account.
    parent_stream_type = AdAccountsStream
    state_partitioning_keys = ()

    name = "customer_lists"
    path = "/ad_accounts/{ad_account_id}/customer_lists"
    former_replication_key = "updated_time"
    schema = spec_schema("CustomerList")


class ConversionTagsStream(EntityStream):
    """GET /ad_accounts/{ad_account_id}/conversion_tags: one unpaged list (spec)."""

    # A list under /ad_accounts/{ad_account_id}: no state entry per ad account.
    parent_stream_type = AdAccountsStream
    state_partitioning_keys = ()

    name = "conversion_tags"
    path = "/ad_accounts/{ad_account_id}/conversion_tags"
    paginated = False
    schema = spec_schema("ConversionTag")


# GET /ad_accounts/{id}/keywords: match_types takes up to five values, ad_group_ids 250.
MATCH_TYPES = list(spec.parameter_enum("/ad_accounts/{ad_account_id}/keywords", "match_types"))
MAX_AD_GROUPS_PER_KEYWORDS_CALL = spec.parameter_max_items(
    "/ad_accounts/{ad_account_id}/keywords", "ad_group_ids"
)
# How an app without the beta ad_group_ids filter may be answered (the spec names no status).
REFUSAL_STATUSES = frozenset({HTTPStatus.BAD_REQUEST, HTTPStatus.FORBIDDEN})


class AdGroupIdsRefusedError(PinterestAPIError):
    """Pinterest refused the beta `ad_group_ids` filter ("not available to all users")."""


class KeywordsStream(EntityStream):
    """GET /ad_accounts/{ad_account_id}/keywords: the account's, campaigns' and ad groups'.

    Without a filter the API returns only keywords whose parent is the ad account; those
    of campaigns (negative ones) need `campaign_id`, one campaign per call, and those of
    ad groups (made in Ads Manager) `ad_group_ids`, 250 a call, a beta filter: when it is
    refused, the generally available `ad_group_id` is asked one ad group at a time. A
    keyword listed twice (the spec does not say whether a campaign's answer includes its
    ad groups') is emitted once.
    """

    # A list under /ad_accounts/{ad_account_id}: no state entry per ad account.
    parent_stream_type = AdAccountsStream
    state_partitioning_keys = ()

    name = "keywords"
    path = "/ad_accounts/{ad_account_id}/keywords"
    schema = spec_schema("Keyword", ad_account_id=STRING)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Ask with ad_group_ids until Pinterest refuses it once in this run."""
        super().__init__(*args, **kwargs)
        self._ad_group_ids_refused = False

    @override
    def partition_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        if context is None:
            return
        path = self.path.format(ad_account_id=context["ad_account_id"])
        params: dict[str, Any] = {"match_types": MATCH_TYPES}
        seen: set[str] = set()
        for keyword in self._every_keyword(path, params, context):
            if str(keyword["id"]) not in seen:
                seen.add(str(keyword["id"]))
                yield keyword

    def _every_keyword(
        self, path: str, params: dict[str, Any], context: Context
    ) -> Iterable[dict[str, Any]]:
        """Every list in order; independent lists are read together (chain_ahead)."""
        lists = partial(self.iter_items, path)

        def account_and_campaigns() -> Iterator[Callable[[], Iterable[dict[str, Any]]]]:
            yield partial(lists, params, context)
            # Listed once the account's call is under way (at once with one call at a time).
            for campaign_id in self.ids_of("campaigns", context):
                yield partial(lists, {**params, "campaign_id": campaign_id}, context)

        yield from self.chain_ahead(account_and_campaigns())
        ad_group_ids = self.ids_of("ad_groups", context)
        if not self._ad_group_ids_refused:
            try:
                paged = {**params, "page_size": self.config.get("page_size", MAX_PAGE_SIZE)}
                batches = self.id_batches(
                    path, paged, "ad_group_ids", ad_group_ids, MAX_AD_GROUPS_PER_KEYWORDS_CALL
                )
                yield from self.chain_ahead(
                    partial(lists, {**params, "ad_group_ids": batch}, context) for batch in batches
                )
            except AdGroupIdsRefusedError as exc:
                self._ad_group_ids_refused = True
                self.logger.warning(
                    "keywords: Pinterest refused the beta ad_group_ids filter (%s); asking "
                    "one ad group per call (ad_group_id) for the rest of the run",
                    exc,
                )
            else:
                return
        yield from self.chain_ahead(
            partial(lists, {**params, "ad_group_id": ad_group_id}, context)
            for ad_group_id in ad_group_ids
        )

    @override
    def validate_response(self, response: requests.Response) -> None:
        try:
            super().validate_response(response)
        except PinterestAPIError as exc:
            query = parse_qs(urlparse(response.url).query)
            if response.status_code in REFUSAL_STATUSES and "ad_group_ids" in query:
                raise AdGroupIdsRefusedError(str(exc), status=response.status_code) from None
            raise


__all__ = ["AdAccountsStream", "AdGroupsStream", "AdsStream", "CampaignsStream"]
