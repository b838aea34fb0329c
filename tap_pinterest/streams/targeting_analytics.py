"""Targeting breakdowns of the ads analytics: who (age, gender, country...) the money reached.

GET /ad_accounts/{ad_account_id}[/campaigns|/ad_groups|/ads]/targeting_analytics answers
`{"data": [{"targeting_type", "targeting_value", "metrics": {...}}]}`; each item becomes one
row with the metrics as typed top-level columns, exactly like the plain ads analytics, plus
the targeting type and value that split them. Dates, state, id batching and the attribution
settings are the ads analytics' own (AdsAnalyticsStream).
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from typing_extensions import override

from tap_pinterest import dates, spec
from tap_pinterest.errors import PinterestAPIError
from tap_pinterest.settings import DEFAULT_TARGETING_TYPES
from tap_pinterest.streams.analytics import AdsAnalyticsStream

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import date

    from singer_sdk.helpers.types import Context

ACCOUNT_TARGETING_PATH = "/ad_accounts/{ad_account_id}/targeting_analytics"
TARGETING_COLUMNS = ("targeting_type", "targeting_value")
# Kept in each partition's state: a type added later has no rows before the bookmark.
TYPES_STATE_KEY = "targeting_types"


class TargetingAnalyticsStream(AdsAnalyticsStream):
    """One row per entity, date, targeting type and targeting value."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Warn about added targeting types once per run, not once per partition."""
        super().__init__(*args, **kwargs)
        self._warned_types = False

    @property
    @override
    def primary_keys(self) -> tuple[str, ...]:
        keys: tuple[str, ...] = (self.id_column, "DATE")
        if self.granularity == "HOUR":
            keys = (*keys, "HOUR")
        return (*keys, *TARGETING_COLUMNS)

    @primary_keys.setter
    def primary_keys(self, value: Sequence[str]) -> None:
        """The keys follow the granularity setting; the catalog cannot change them."""

    @cached_property
    @override
    def schema(self) -> dict[str, Any]:
        base = super().schema
        properties = {column: {"type": ["string"]} for column in TARGETING_COLUMNS}
        return {**base, "properties": {**base["properties"], **properties}}

    @cached_property
    def max_types_per_call(self) -> int:
        """targeting_types maxItems of this level's operation (15 account, 14 the others)."""
        return spec.parameter_max_items(str(self.path), "targeting_types")

    @cached_property
    def max_ids_per_call(self) -> int:
        """The id parameter's maxItems on this level's operation (250 on each)."""
        if self.ids_param is None:
            return 1
        return spec.parameter_max_items(str(self.path), self.ids_param)

    def targeting_types(self) -> list[str]:
        """The `targeting_types` setting, duplicates dropped, in the order given."""
        configured = self.config.get("targeting_types") or DEFAULT_TARGETING_TYPES
        return list(dict.fromkeys(str(value) for value in configured))

    @override
    def stored_bookmark(self, context: Context | None) -> date | None:
        """The bookmark, unless targeting_types gained a type since it was written.

        The new type's rows before the bookmark were never fetched, so the partition starts
        again from start_date (a state from before types were recorded is taken as is).
        """
        bookmark = super().stored_bookmark(context)
        stored = self.get_context_state(context).get(TYPES_STATE_KEY)
        if bookmark is None or stored is None:
            return bookmark
        added = [t for t in self.targeting_types() if t not in stored]
        if not added:
            return bookmark
        if not self._warned_types:
            self._warned_types = True
            self.logger.warning(
                "%s: targeting_types gained %s since the last run; fetching again from "
                "start_date so their earlier days are not missing",
                self.name,
                ", ".join(added),
            )
        return None

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        if context is None:
            return
        yield from self._targeted_records(context)
        # Only once the partition is complete: a failed run must retry the new types.
        self.get_context_state(context)[TYPES_STATE_KEY] = self.targeting_types()

    def _targeted_records(self, context: Context) -> Iterable[dict[str, Any]]:
        account = str(context["ad_account_id"])
        columns = self.requested_columns()
        windows = self.windows(context)
        if not windows:
            return
        ids = self.entity_ids(context)
        if ids == []:
            return
        type_batches = dates.batched(self.targeting_types(), self.max_types_per_call)
        attribution = self.attribution()
        params_base = self.request_params(columns, attribution)
        path = self.path.format(ad_account_id=account)
        for window in windows:
            for type_batch in type_batches:
                params = {
                    **params_base,
                    "start_date": window.start.isoformat(),
                    "end_date": window.end.isoformat(),
                    "targeting_types": ",".join(type_batch),
                }
                for body in self.fetch_targeted(path, params, ids, context):
                    for item in targeting_items(body, path):
                        yield self.shape_targeting(item, account, attribution)

    def fetch_targeted(
        self, path: str, params: dict[str, Any], ids: list[str] | None, context: Context
    ) -> Iterable[Any]:
        """One answer at the account level; else one per batch of ids that fits a URL."""
        if ids is None or not self.ids_param:
            yield self.fetch(path, params, context)
            return
        for batch in self.id_batches(path, params, self.ids_param, ids, self.max_ids_per_call):
            yield from self.fetch_ids(path, params, self.ids_param, batch, context)

    def shape_targeting(
        self, item: dict[str, Any], account: str, attribution: dict[str, Any]
    ) -> dict[str, Any]:
        """The item's metrics shaped like an ads analytics row, plus its targeting."""
        targeting_type = item.get("targeting_type")
        targeting_value = item.get("targeting_value")
        metrics = item.get("metrics")
        if not targeting_type or targeting_value is None or not isinstance(metrics, dict):
            msg = (
                f"Pinterest sent a {self.name} item without targeting_type, "
                "targeting_value or metrics: its key"
            )
            raise PinterestAPIError(msg)
        record = self.shape(metrics, account, attribution)
        # The spec's examples send some values as numbers (LOCATION 500): the key is text.
        record["targeting_type"] = str(targeting_type)
        record["targeting_value"] = str(targeting_value)
        return record


def targeting_items(body: Any, path: str) -> list[dict[str, Any]]:  # noqa: ANN401
    """The `data` list of a MetricsResponse; anything else is an error."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        msg = f"Pinterest answered {path} without a data list ({type(body).__name__} body)"
        raise PinterestAPIError(msg)
    return data


class AdAccountTargetingAnalyticsStream(TargetingAnalyticsStream):
    """GET /ad_accounts/{ad_account_id}/targeting_analytics (no id list)."""

    name = "ad_account_targeting_analytics"
    path = ACCOUNT_TARGETING_PATH


class CampaignTargetingAnalyticsStream(TargetingAnalyticsStream):
    """GET /ad_accounts/{ad_account_id}/campaigns/targeting_analytics, 250 campaigns a call."""

    name = "campaign_targeting_analytics"
    path = "/ad_accounts/{ad_account_id}/campaigns/targeting_analytics"
    id_column = "CAMPAIGN_ID"
    ids_param = "campaign_ids"
    lower_level_columns = frozenset({"AD_GROUP_ID", "AD_ID", "PIN_ID", "PIN_PROMOTION_ID"})
    entity_stream = "campaigns"


class AdGroupTargetingAnalyticsStream(TargetingAnalyticsStream):
    """GET /ad_accounts/{ad_account_id}/ad_groups/targeting_analytics, 250 ad groups a call."""

    name = "ad_group_targeting_analytics"
    path = "/ad_accounts/{ad_account_id}/ad_groups/targeting_analytics"
    id_column = "AD_GROUP_ID"
    ids_param = "ad_group_ids"
    lower_level_columns = frozenset({"AD_ID", "PIN_ID", "PIN_PROMOTION_ID"})
    entity_stream = "ad_groups"


class AdTargetingAnalyticsStream(TargetingAnalyticsStream):
    """GET /ad_accounts/{ad_account_id}/ads/targeting_analytics, 250 ads a call."""

    name = "ad_targeting_analytics"
    path = "/ad_accounts/{ad_account_id}/ads/targeting_analytics"
    id_column = "AD_ID"
    ids_param = "ad_ids"
    lower_level_columns = frozenset()
    entity_stream = "ads"
