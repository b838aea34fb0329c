"""The ads analytics levels, as data: one declaration per level (issue 17).

Each level of the spec's `MetricsReportingLevel` the tap syncs is one `AdsLevel`: its
stream, the report level, the id column and the parameter and entity stream listing
its ids, the id columns of the levels below it (its rows have none), whether a
synchronous endpoint serves it, how far back reports reach, and its `*_TARGETING` twin,
which shares all of that but splits each row by targeting type and value. The one ads
analytics stream type (streams/analytics.py) reads everything level-specific from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from tap_pinterest.analytics_columns import ADS_COLUMNS
from tap_pinterest.report_columns import AD_COLUMNS, ASYNC_COLUMNS, REPORT_ONLY_COLUMNS
from tap_pinterest.report_planning import DAILY_REPORT_LIMITS, PRODUCT_ITEM_REPORT_LIMITS

if TYPE_CHECKING:
    from tap_pinterest.custom_reports import CustomReport
    from tap_pinterest.dates import DateLimits

# POST /ad_accounts/{ad_account_id}/reports (analytics/create_report): where report-only
# levels come from; the columns its body accepts are report_columns.ASYNC_COLUMNS.
REPORTS_PATH = "/ad_accounts/{ad_account_id}/reports"
_PRODUCT_ITEM_COLUMNS = frozenset(c for c in ASYNC_COLUMNS if c.startswith("PRODUCT_ITEM_"))
_ID_COLUMNS = frozenset({"AD_ID", "PIN_ID", "PIN_PROMOTION_ID", "PRODUCT_GROUP_ID"})
# Report-only levels: no ad-level ids; PRODUCT_ITEM has no ad or pin promotion columns.
_BELOW_KEYWORD = _ID_COLUMNS | _PRODUCT_ITEM_COLUMNS
_BELOW_PRODUCT_ITEM = _ID_COLUMNS | AD_COLUMNS
# The synchronous levels' columns: theirs, then the report-only ones (issue 18), less
# the ids and attributes of the shopping levels below (product groups and items) and,
# above the ad level, an ad's feed item: asked at a higher level they would split its
# rows, whose key has no such column.
_SYNC_LEVEL_COLUMNS = (*ADS_COLUMNS, *REPORT_ONLY_COLUMNS)
_BELOW_ADS = frozenset({"PRODUCT_GROUP_ID", "PRODUCT_GROUP_STATUS"}) | _PRODUCT_ITEM_COLUMNS
_BELOW_AD_GROUP = _BELOW_ADS | {"STANDARD_AD_FEED_ITEM_ID"}


@dataclass(frozen=True)
class Twin:
    """A level's `*_TARGETING` twin: same ids and dates, rows split by targeting."""

    stream: str
    report_level: str
    # GET .../targeting_analytics of the level; None: reports only.
    sync_path: str | None = None


@dataclass(frozen=True)
class AdsLevel:
    """One ads analytics level: everything the stream type needs to know about it."""

    stream: str
    # MetricsReportingLevel (spec, analytics/create_report).
    report_level: str
    # The synchronous endpoint (GET .../analytics); None: only async reports serve it.
    sync_path: str | None
    # The id column of the level's rows, the parameter taking its ids, and the entity
    # stream listing them (reused if it ran this sync); the account level has neither.
    id_column: str = "ad_account_id"
    # Columns besides the id that the level's rows can repeat on, so part of the key
    # (PRODUCT_ITEM: an item promoted in several ad groups comes once per ad group).
    extra_key_columns: tuple[str, ...] = ()
    ids_param: str | None = None
    entity_stream: str | None = None
    # Ids of levels below this one: the API has no such id on this level's rows.
    lower_level_columns: frozenset[str] = frozenset()
    # How far back, and over how many days, one non-HOUR report reaches at this level.
    report_reach: DateLimits = DAILY_REPORT_LIMITS
    twin: Twin | None = None
    # Rows split by targeting type and value (a twin, or a level declared as one).
    targeting: bool = False
    description: str = field(default="", compare=False)
    # A custom report's definition (custom_reports.py): its columns, settings and events.
    custom: CustomReport | None = None

    @property
    def reports_only(self) -> bool:
        """No synchronous endpoint: every date comes from reports (analytics_source ignored)."""
        return self.sync_path is None

    @property
    def path(self) -> str:
        """The stream's path: its synchronous endpoint, or the reports endpoint."""
        return self.sync_path or REPORTS_PATH

    @property
    def offered_columns(self) -> tuple[str, ...]:
        """The reporting columns the level offers, less `lower_level_columns`' later.

        Report-only levels: the async enum. The others: the synchronous columns, then
        the report-only ones (issue 18), which only reports serve (selecting one sends
        every date of the stream to reports).
        """
        if self.custom is not None:
            return self.custom.offered_columns(self.extra_key_columns)
        return ASYNC_COLUMNS if self.reports_only else _SYNC_LEVEL_COLUMNS

    @property
    def record_keys(self) -> tuple[str, ...]:
        """The record's key before HOUR and the targeting columns: its id(s) and DATE."""
        return (self.id_column, *self.extra_key_columns, "DATE")

    def targeting_twin(self) -> AdsLevel | None:
        """The twin as a level of its own (None without one)."""
        if self.twin is None:
            return None
        return replace(
            self,
            stream=self.twin.stream,
            report_level=self.twin.report_level,
            sync_path=self.twin.sync_path,
            twin=None,
            targeting=True,
            description=f"{self.description}, by targeting type and value",
        )


_BELOW_ACCOUNT = frozenset({"CAMPAIGN_ID", "AD_GROUP_ID", "AD_ID", "PIN_ID", "PIN_PROMOTION_ID"})

AD_ACCOUNT = AdsLevel(
    "ad_account_analytics",
    "ADVERTISER",
    "/ad_accounts/{ad_account_id}/analytics",
    lower_level_columns=_BELOW_ACCOUNT | _BELOW_AD_GROUP,
    twin=Twin(
        "ad_account_targeting_analytics",
        "ADVERTISER_TARGETING",
        "/ad_accounts/{ad_account_id}/targeting_analytics",
    ),
    description="The whole ad account per date",
)
CAMPAIGN = AdsLevel(
    "campaign_analytics",
    "CAMPAIGN",
    "/ad_accounts/{ad_account_id}/campaigns/analytics",
    id_column="CAMPAIGN_ID",
    ids_param="campaign_ids",
    entity_stream="campaigns",
    lower_level_columns=(_BELOW_ACCOUNT - {"CAMPAIGN_ID"}) | _BELOW_AD_GROUP,
    twin=Twin(
        "campaign_targeting_analytics",
        "CAMPAIGN_TARGETING",
        "/ad_accounts/{ad_account_id}/campaigns/targeting_analytics",
    ),
    description="Campaigns per date",
)
AD_GROUP = AdsLevel(
    "ad_group_analytics",
    "AD_GROUP",
    "/ad_accounts/{ad_account_id}/ad_groups/analytics",
    id_column="AD_GROUP_ID",
    ids_param="ad_group_ids",
    entity_stream="ad_groups",
    lower_level_columns=frozenset({"AD_ID", "PIN_ID", "PIN_PROMOTION_ID"}) | _BELOW_AD_GROUP,
    twin=Twin(
        "ad_group_targeting_analytics",
        "AD_GROUP_TARGETING",
        "/ad_accounts/{ad_account_id}/ad_groups/targeting_analytics",
    ),
    description="Ad groups per date",
)
AD = AdsLevel(
    "ad_analytics",
    # PIN_PROMOTION: the older name for an ad.
    "PIN_PROMOTION",
    "/ad_accounts/{ad_account_id}/ads/analytics",
    id_column="AD_ID",
    ids_param="ad_ids",
    entity_stream="ads",
    lower_level_columns=_BELOW_ADS,
    twin=Twin(
        "ad_targeting_analytics",
        "PIN_PROMOTION_TARGETING",
        "/ad_accounts/{ad_account_id}/ads/targeting_analytics",
    ),
    description="Ads per date",
)
KEYWORD = AdsLevel(
    "keyword_analytics",
    "KEYWORD",
    None,
    id_column="KEYWORD_ID",
    lower_level_columns=_BELOW_KEYWORD,
    description="Keywords per date",
)
PRODUCT_GROUP = AdsLevel(
    "product_group_analytics",
    "PRODUCT_GROUP",
    None,
    id_column="PRODUCT_GROUP_ID",
    lower_level_columns=_BELOW_KEYWORD,
    twin=Twin("product_group_targeting_analytics", "PRODUCT_GROUP_TARGETING"),
    description="Product groups per date",
)
PRODUCT_ITEM = AdsLevel(
    "product_item_analytics",
    "PRODUCT_ITEM",
    None,
    id_column="PRODUCT_ITEM_ID",
    extra_key_columns=("AD_GROUP_ID",),  # one row per item, ad group and date
    # analytics/create_report: no ad or pin promotion columns at level PRODUCT_ITEM, and
    # 92 days back in 31-day reports (the twin is taken to share both: valid either way).
    lower_level_columns=_BELOW_PRODUCT_ITEM,
    report_reach=PRODUCT_ITEM_REPORT_LIMITS,
    twin=Twin("product_item_targeting_analytics", "PRODUCT_ITEM_TARGETING"),
    description="Catalog items per date",
)

# The plain levels, in the order their streams sync.
PLAIN_LEVELS = (AD_ACCOUNT, CAMPAIGN, AD_GROUP, AD, KEYWORD, PRODUCT_GROUP, PRODUCT_ITEM)


def targeting_levels() -> tuple[AdsLevel, ...]:
    """The *_TARGETING twins of the plain levels, in the same order."""
    return tuple(twin for level in PLAIN_LEVELS if (twin := level.targeting_twin()))
