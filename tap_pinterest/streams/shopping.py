"""What was sold: catalogs, their feeds and product groups, and the promoted product groups.

Catalog lists act on the token's user, or on the owner of `organic_ad_account_id` (Business
Access, the spec's `ad_account_id` parameter), like the organic streams. A shopping account
can hold thousands of product groups, so every list is read with the largest page and
analytics ids go 250 to a call.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from typing_extensions import override

from tap_pinterest import spec
from tap_pinterest.schemas import STRING, spec_schema
from tap_pinterest.streams.ads import AdAccountsStream
from tap_pinterest.streams.base import EntityStream

if TYPE_CHECKING:
    from collections.abc import Iterable

    from singer_sdk.helpers.types import Context, Record

    from tap_pinterest.client import PinterestStream

PROMOTIONS_PATH = "/ad_accounts/{ad_account_id}/product_group_promotions"
# GET /ad_accounts/{id}/product_group_promotions: the default (ACTIVE, PAUSED) hides the rest.
PROMOTION_STATUSES = list(spec.parameter_enum(PROMOTIONS_PATH, "entity_statuses"))
# A feed's download password (CatalogsFeedCredentials) is a secret: it is never emitted.
FEED_CREDENTIALS_FIELD = "credentials"


class CatalogsStream(EntityStream):
    """GET /catalogs: the catalogs the user (or the ad account's owner) owns."""

    # A bookmark-paged catalogs list, read as the organic ad account's owner when set.
    accepts_organic_ad_account_id = True
    empty_without_catalog = True

    name = "catalogs"
    path = "/catalogs"
    schema = spec_schema("Catalog")


def _feed_schema() -> dict[str, Any]:
    schema = spec_schema("CatalogsFeed")
    schema["properties"].pop(FEED_CREDENTIALS_FIELD, None)
    return schema


class CatalogsFeedsStream(EntityStream):
    """GET /catalogs/feeds: every feed of every catalog, without its download credentials."""

    # A bookmark-paged catalogs list, read as the organic ad account's owner when set.
    accepts_organic_ad_account_id = True
    empty_without_catalog = True

    name = "catalogs_feeds"
    path = "/catalogs/feeds"
    schema = _feed_schema()

    @override
    def finish_record(self, row: Record, context: Context | None) -> Record | None:
        row.pop(FEED_CREDENTIALS_FIELD, None)
        return super().finish_record(row, context)


class CatalogsProductGroupsStream(EntityStream):
    """GET /catalogs/product_groups: every product group of every feed, one listing."""

    # A bookmark-paged catalogs list, read as the organic ad account's owner when set.
    accepts_organic_ad_account_id = True
    empty_without_catalog = True

    name = "catalogs_product_groups"
    path = "/catalogs/product_groups"
    schema = spec_schema("CatalogsVerticalProductGroup")


def iter_promotions(stream: PinterestStream, context: Context) -> Iterable[dict[str, Any]]:
    """Every product group promotion of the ad account, of every status.

    The operation refuses a call without `ad_group_id` or `product_group_promotion_ids`
    (spec: product_group_promotions/list), so it is read once per ad group, up to
    max_concurrent_requests ad groups at once (their items still come in ad group order).
    """
    path = PROMOTIONS_PATH.format(ad_account_id=context["ad_account_id"])
    yield from stream.chain_ahead(
        partial(
            stream.iter_items,
            path,
            {"ad_group_id": ad_group_id, "entity_statuses": PROMOTION_STATUSES},
            context,
        )
        for ad_group_id in stream.ids_of("ad_groups", context)
    )


class ProductGroupPromotionsStream(EntityStream):
    """GET /ad_accounts/{ad_account_id}/product_group_promotions, per ad group.

    Full table: a promotion has no update timestamp to filter on.
    """

    # A list under /ad_accounts/{ad_account_id}: no state entry per ad account.
    parent_stream_type = AdAccountsStream
    state_partitioning_keys = ()

    name = "product_group_promotions"
    path = PROMOTIONS_PATH
    schema = spec_schema("ProductGroupPromotion", ad_account_id=STRING)

    @override
    def partition_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        if context is None:
            return
        ids: list[str] = []
        for item in iter_promotions(self, context):
            ids.append(str(item["id"]))
            yield item
        # Kept only once complete: a partial listing would hide promotions from reuse.
        self.run.listings.record_ids(self.name, context, ids)
