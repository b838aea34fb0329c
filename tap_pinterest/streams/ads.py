"""Ad accounts and the entities synced per ad account."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from typing_extensions import override

from tap_pinterest import spec
from tap_pinterest.errors import PinterestAPIError
from tap_pinterest.schemas import SpecStreamSchema
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
    schema = SpecStreamSchema("AdAccount")

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


class CampaignsStream(AdAccountChildStream):
    """GET /ad_accounts/{ad_account_id}/campaigns, every entity status."""

    name = "campaigns"
    path = "/ad_accounts/{ad_account_id}/campaigns"
    replication_key = "updated_time"
    extra_params: ClassVar[dict[str, Any]] = {"entity_statuses": ENTITY_STATUSES}
    schema = SpecStreamSchema("CampaignResponse")


class AdGroupsStream(AdAccountChildStream):
    """GET /ad_accounts/{ad_account_id}/ad_groups, every entity status."""

    name = "ad_groups"
    path = "/ad_accounts/{ad_account_id}/ad_groups"
    replication_key = "updated_time"
    extra_params: ClassVar[dict[str, Any]] = {"entity_statuses": ENTITY_STATUSES}
    schema = SpecStreamSchema("AdGroupResponse")


class AdsStream(AdAccountChildStream):
    """GET /ad_accounts/{ad_account_id}/ads, every entity status."""

    name = "ads"
    path = "/ad_accounts/{ad_account_id}/ads"
    replication_key = "updated_time"
    extra_params: ClassVar[dict[str, Any]] = {"entity_statuses": ENTITY_STATUSES}
    schema = SpecStreamSchema("AdResponse")


__all__ = ["AdAccountsStream", "AdGroupsStream", "AdsStream", "CampaignsStream"]
