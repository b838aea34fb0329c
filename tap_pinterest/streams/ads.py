"""Ad accounts and the entities synced per ad account."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from typing_extensions import override

from tap_pinterest import spec
from tap_pinterest.errors import PinterestAPIError
from tap_pinterest.schemas import STRING, spec_schema
from tap_pinterest.settings import MAX_PAGE_SIZE
from tap_pinterest.streams.base import EntityStream

if TYPE_CHECKING:
    from collections.abc import Iterable

    from singer_sdk.helpers.types import Context, Record

# The list default is ACTIVE,PAUSED, which silently drops archived and draft entities;
# ask for every status the spec allows (GET /ad_accounts/{id}/campaigns, entity_statuses).
ENTITY_STATUSES = list(
    spec.parameter_enum("/ad_accounts/{ad_account_id}/campaigns", "entity_statuses")
)


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
    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        wanted = {str(i) for i in self.config.get("ad_account_ids") or []}
        seen: set[str] = set()
        for record in super().get_records(context):
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
        return {"ad_account_id": record["id"]}


class AdAccountChildStream(EntityStream):
    """A list under /ad_accounts/{ad_account_id}; state is kept per ad account."""

    parent_stream_type = AdAccountsStream


class StatusedEntityStream(AdAccountChildStream):
    """Campaigns, ad groups, ads: every entity status, incremental on updated_time."""

    shares_ids = True
    replication_key = "updated_time"
    extra_params: ClassVar[dict[str, Any]] = {"entity_statuses": ENTITY_STATUSES}


class CampaignsStream(StatusedEntityStream):
    """GET /ad_accounts/{ad_account_id}/campaigns, every entity status."""

    name = "campaigns"
    path = "/ad_accounts/{ad_account_id}/campaigns"
    schema = spec_schema("CampaignResponse")


class AdGroupsStream(StatusedEntityStream):
    """GET /ad_accounts/{ad_account_id}/ad_groups, every entity status."""

    name = "ad_groups"
    path = "/ad_accounts/{ad_account_id}/ad_groups"
    schema = spec_schema("AdGroupResponse")


class AdsStream(StatusedEntityStream):
    """GET /ad_accounts/{ad_account_id}/ads, every entity status."""

    name = "ads"
    path = "/ad_accounts/{ad_account_id}/ads"
    schema = spec_schema("AdResponse")


# GET /ad_accounts/{id}/audiences: ownership_type defaults to OWNED.
OWNERSHIP_TYPES = spec.parameter_enum("/ad_accounts/{ad_account_id}/audiences", "ownership_type")


class AudiencesStream(AdAccountChildStream):
    """GET /ad_accounts/{ad_account_id}/audiences: every status; not in the sandbox."""

    name = "audiences"
    path = "/ad_accounts/{ad_account_id}/audiences"
    replication_key = "updated_timestamp"
    schema = spec_schema("Audience")

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        """Owned and received (shared) audiences: the API lists only owned by default."""
        if context is None:
            return
        path = self.path.format(ad_account_id=context["ad_account_id"])
        for ownership in OWNERSHIP_TYPES:
            yield from self.iter_items(path, {"ownership_type": ownership}, context)


class CustomerListsStream(AdAccountChildStream):
    """GET /ad_accounts/{ad_account_id}/customer_lists; not in the sandbox."""

    name = "customer_lists"
    path = "/ad_accounts/{ad_account_id}/customer_lists"
    replication_key = "updated_time"
    schema = spec_schema("CustomerList")


class ConversionTagsStream(AdAccountChildStream):
    """GET /ad_accounts/{ad_account_id}/conversion_tags: one unpaged list (spec)."""

    state_partitioning_keys = ()  # full table: no state entry per ad account
    name = "conversion_tags"
    path = "/ad_accounts/{ad_account_id}/conversion_tags"
    paginated = False
    schema = spec_schema("ConversionTag")


# GET /ad_accounts/{id}/keywords: match_types takes up to five values, ad_group_ids 250.
MATCH_TYPES = list(spec.parameter_enum("/ad_accounts/{ad_account_id}/keywords", "match_types"))
MAX_AD_GROUPS_PER_KEYWORDS_CALL = spec.parameter_max_items(
    "/ad_accounts/{ad_account_id}/keywords", "ad_group_ids"
)


class KeywordsStream(AdAccountChildStream):
    """GET /ad_accounts/{ad_account_id}/keywords, the account's and its ad groups'.

    Without a filter the API returns only keywords whose parent is the ad account; those
    made in Ads Manager hang off ad groups, so they are asked for in batches of ad groups.
    """

    state_partitioning_keys = ()  # full table: no state entry per ad account
    name = "keywords"
    path = "/ad_accounts/{ad_account_id}/keywords"
    schema = spec_schema("Keyword", ad_account_id=STRING)

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        if context is None:
            return
        account = str(context["ad_account_id"])
        path = self.path.format(ad_account_id=account)
        params: dict[str, Any] = {"match_types": MATCH_TYPES}
        yield from self.iter_items(path, params, context)
        ad_group_ids = self.ids_of("ad_groups", context)
        paged = {**params, "page_size": self.config.get("page_size", MAX_PAGE_SIZE)}
        batches = self.id_batches(
            path, paged, "ad_group_ids", ad_group_ids, MAX_AD_GROUPS_PER_KEYWORDS_CALL
        )
        for batch in batches:
            yield from self.iter_items(path, {**params, "ad_group_ids": batch}, context)


__all__ = ["AdAccountsStream", "AdGroupsStream", "AdsStream", "CampaignsStream"]
