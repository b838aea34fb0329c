"""Date-windowed analytics: the shared machinery, and the four ads analytics levels.

Every analytics stream keeps one bookmark per partition (per ad account, or one for the
user), re-reads `lookback_window_days` before it because Pinterest revises recent days,
never asks for dates older than the API serves, and packs ids into as few calls as the
spec allows: quota, not time, is what runs out.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from singer_sdk.singerlib import Metadata
from singer_sdk.singerlib.catalog import REPLICATION_INCREMENTAL
from typing_extensions import override

from tap_pinterest import dates, lookback, row_meaning
from tap_pinterest.analytics_columns import (
    ADS_COLUMNS,
    ANY_JSON_TYPE,
    ColumnTyping,
    column_schema,
    column_typing,
    is_conversion_column,
)
from tap_pinterest.client import PinterestStream
from tap_pinterest.errors import InvalidStateError, PinterestAPIError
from tap_pinterest.spec import ADS_ANALYTICS_PATH, parameter_max_items
from tap_pinterest.streams.ads import AdAccountsStream
from tap_pinterest.streams.typed import TypedRecordsStream

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from singer_sdk.helpers.types import Context
    from singer_sdk.singerlib import Catalog, MetadataMapping

DEFAULT_START_DAYS_AGO = 30
# GET /ad_accounts/{id}/campaigns/analytics: campaign_ids maxItems 250 (likewise
# ad_group_ids and ad_ids on their operations).
MAX_IDS_PER_CALL = parameter_max_items(ADS_ANALYTICS_PATH, "campaign_ids")
ADS_COLUMN_SET = frozenset(ADS_COLUMNS)
ACCOUNT_COLUMN = "AD_ACCOUNT_ID"
DATE_SCHEMA = {"type": ["string"], "format": "date"}
# The columns each ads analytics row carries its counting settings in, and the settings.
ATTRIBUTION_SETTINGS = {
    "GRANULARITY": "analytics_granularity",
    "CLICK_WINDOW_DAYS": "click_window_days",
    "ENGAGEMENT_WINDOW_DAYS": "engagement_window_days",
    "VIEW_WINDOW_DAYS": "view_window_days",
    "CONVERSION_REPORT_TIME": "conversion_report_time",
}


class AnalyticsStream(PinterestStream):
    """Plans each partition's date windows from its bookmark; subclasses fetch them."""

    replication_key = "DATE"
    paginated = False
    granularity_setting: ClassVar[str | None] = None
    # Columns that, like keys, give a row its meaning: never left out by a selection.
    meaning_columns: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Warn about the 90-day cap once per run, not once per partition."""
        super().__init__(*args, **kwargs)
        self._warned_cap = False

    @property
    def granularity(self) -> str:
        """DAY unless the stream reads a granularity setting."""
        if self.granularity_setting:
            return str(self.config.get(self.granularity_setting, "DAY"))
        return "DAY"

    @override
    def get_replication_key_signpost(self, context: Context | None = None) -> Any:
        """Never bookmark past today (UTC), whatever a row claims."""
        return dates.utc_today().isoformat()

    def windows(self, context: Context | None) -> list[dates.DateWindow]:
        """This partition's windows: from max(bookmark - lookback, start_date), capped."""
        sync_range = self.plan(context)
        self.warn_cap(sync_range, dates.limits_for(self.granularity).max_days_back)
        if sync_range.empty:
            return []
        return dates.split_windows(sync_range, self.granularity)

    def plan(
        self, context: Context | None, limits: dates.DateLimits | None = None
    ) -> dates.SyncRange:
        """This partition's dates, capped at `limits` (default: the synchronous reach)."""
        today = dates.utc_today()
        start_date = _config_date(self.config.get("start_date")) or today - timedelta(
            days=DEFAULT_START_DAYS_AGO
        )
        return dates.plan_range(
            bookmark=self.stored_bookmark(context),
            start_date=start_date,
            end_date=_config_date(self.config.get("end_date")),
            lookback_days=self.lookback_days(),
            granularity=self.granularity,
            today=today,
            limits=limits,
        )

    def warn_cap(self, sync_range: dates.SyncRange, max_days_back: int) -> None:
        """Name the dates the cap cut off, once per run, not once per partition."""
        if sync_range.capped and not self._warned_cap:
            self._warned_cap = True
            self.logger.warning(
                "%s: Pinterest serves analytics at most %d days back; %s to %s can no "
                "longer be fetched, starting at %s",
                self.name,
                max_days_back,
                sync_range.requested_start,
                sync_range.start - timedelta(days=1),
                sync_range.start,
            )

    def lookback_days(self) -> int:
        """Days re-read before the bookmark (organic rule; ads analytics follow attribution)."""
        return lookback.organic_lookback_days(self.config)

    def row_settings(self) -> dict[str, Any]:
        """Settings (by name) that give this stream's rows their meaning; kept in state."""
        return {}

    @override
    def raw_bookmark(self, context: Context | None) -> Any:
        """The bookmark, once the state is known to hold rows counted the same way."""
        settings = self.row_settings()
        if settings:
            row_meaning.check_partition_settings(
                self.name,
                context,
                self.get_context_state(context),
                settings,
                start_over=self.replication_method != REPLICATION_INCREMENTAL,
            )
        return super().raw_bookmark(context)

    @property
    @override
    def metadata(self) -> MetadataMapping:
        """Keys and meaning columns are always emitted, even when deselected."""
        mapping = super().metadata
        for column in (*self.primary_keys, *self.meaning_columns):
            entry = mapping.get(("properties", column))
            if entry is not None:
                entry.inclusion = Metadata.InclusionType.AUTOMATIC
        return mapping

    def stored_bookmark(self, context: Context | None) -> date | None:
        """The partition's last bookmark; start_date is applied separately, after lookback."""
        value = self.raw_bookmark(context)
        if not value:
            return None
        try:
            return date.fromisoformat(str(value)[:10])
        except ValueError:
            msg = f"State for {self.name} {dict(context or {})} has bookmark {value!r}, not a date"
            raise InvalidStateError(msg) from None

    def selected_metrics(self, candidates: Sequence[str]) -> list[str]:
        """Only the metric properties selected in the catalog are requested."""
        return [c for c in candidates if self.mask.get(("properties", c), True)]


def split_hour(value: Any) -> tuple[str, int]:  # noqa: ANN401
    """'2026-11-20 13' or '2026-11-20T13:00:00' -> ('2026-11-20', 13).

    The spec types DATE as a date and does not say how HOUR rows name their hour; without
    one, 24 rows would collapse onto one key downstream, so a row with none is an error.
    """
    text = str(value or "")
    hour_text = text[11:13]
    if len(text) > 10 and text[10] in " T" and hour_text.isdigit():  # noqa: PLR2004
        return text[:10], int(hour_text)
    msg = f"Pinterest sent an HOUR granularity row without an hour (DATE={text!r})"
    raise PinterestAPIError(msg)


def _as_is(value: Any) -> Any:  # noqa: ANN401
    return value


_contains = frozenset.__contains__


def _config_date(value: Any) -> date | None:  # noqa: ANN401
    if not value:
        return None
    return date.fromisoformat(str(value)[:10])


class AdsAnalyticsStream(TypedRecordsStream, AnalyticsStream):
    """GET /ad_accounts/{ad_account_id}[/<level>]/analytics, one partition per ad account."""

    parent_stream_type = AdAccountsStream
    granularity_setting = "analytics_granularity"
    meaning_columns = ("ad_account_id", *ATTRIBUTION_SETTINGS)
    # The id column of the level's rows and the parameter carrying its ids.
    id_column: ClassVar[str] = "ad_account_id"
    ids_param: ClassVar[str | None] = None
    # The entity stream listing the level's ids (reused if it ran this sync).
    entity_stream: ClassVar[str | None] = None
    # Ids of levels below this one: the API has no such id on this level's rows.
    lower_level_columns: ClassVar[frozenset[str]] = frozenset(
        {"CAMPAIGN_ID", "AD_GROUP_ID", "AD_ID", "PIN_ID", "PIN_PROMOTION_ID"}
    )
    # The reporting columns the level offers (report-only levels: the async enum).
    offered_columns: ClassVar[tuple[str, ...]] = ADS_COLUMNS

    @cached_property
    def offered_column_set(self) -> frozenset[str]:
        """The offered columns, for lookups per cell."""
        return frozenset(self.offered_columns)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """No unknown column seen yet."""
        super().__init__(*args, **kwargs)
        self._unknown_columns: set[str] = set()
        # The last row's columns, in order, and their kept types: rows of one answer
        # share them, so the types are looked up once per answer, not once per cell.
        self._row_columns: list[str] = []
        self._row_kept: list[frozenset[type]] = []

    @cached_property
    def hourly(self) -> bool:
        """Granularity HOUR (read once: the setting holds for the run)."""
        return self.granularity == "HOUR"

    @cached_property
    def key_columns(self) -> tuple[str, ...]:
        """The answer's columns every row must have: its id (but the account's) and DATE."""
        return tuple(key for key in (self.id_column, "DATE") if key != "ad_account_id")

    @property
    @override
    def primary_keys(self) -> tuple[str, ...]:
        keys = (self.id_column, "DATE")
        return (*keys, "HOUR") if self.granularity == "HOUR" else keys

    @primary_keys.setter
    def primary_keys(self, value: Sequence[str]) -> None:
        """The keys follow the granularity setting; the catalog cannot change them."""

    @cached_property
    @override
    def schema(self) -> dict[str, Any]:
        # ad_account_id, like every other stream's, stands for the AD_ACCOUNT_ID column:
        # case-folding warehouses cannot hold both names in one table.
        properties: dict[str, Any] = {
            "ad_account_id": {"type": ["string"]},
            self.id_column: {"type": ["string"]},
            "DATE": DATE_SCHEMA,
            "GRANULARITY": {"type": ["string"]},
            "CLICK_WINDOW_DAYS": {"type": ["integer"]},
            "ENGAGEMENT_WINDOW_DAYS": {"type": ["integer"]},
            "VIEW_WINDOW_DAYS": {"type": ["integer"]},
            "CONVERSION_REPORT_TIME": {"type": ["string"]},
        }
        if self.granularity == "HOUR":
            properties["HOUR"] = {"type": ["integer"]}
        for column in self.offered_columns:
            if column != ACCOUNT_COLUMN and column not in self.lower_level_columns:
                properties.setdefault(column, column_schema(column))
        return {"type": "object", "properties": properties}

    @override
    def row_settings(self) -> dict[str, Any]:
        return {ATTRIBUTION_SETTINGS[column]: value for column, value in self.attribution().items()}

    @override
    def apply_catalog(self, catalog: Catalog) -> None:
        """The catalog must key rows as the settings do (HOUR adds the HOUR key)."""
        super().apply_catalog(catalog)
        entry = catalog.get_stream(self.name)
        if entry is not None:
            why = f"analytics_granularity {self.granularity}"
            row_meaning.check_catalog_keys(self.name, entry, self.primary_keys, why)

    @override
    def lookback_days(self) -> int:
        """The widest attribution window unless set; warn once if set shorter than it."""
        warning = lookback.short_lookback_warning(self.config)
        if warning:
            self.run.warn_once("short_lookback", self.logger, warning)
        return lookback.ads_lookback_days(self.config)

    def attribution(self) -> dict[str, Any]:
        """The windows the numbers were counted under: part of every row's meaning."""
        return {
            "GRANULARITY": self.granularity,
            "CLICK_WINDOW_DAYS": int(self.config.get("click_window_days", 30)),
            "ENGAGEMENT_WINDOW_DAYS": int(self.config.get("engagement_window_days", 30)),
            "VIEW_WINDOW_DAYS": int(self.config.get("view_window_days", 1)),
            "CONVERSION_REPORT_TIME": str(
                self.config.get("conversion_report_time", "TIME_OF_AD_ACTION")
            ),
        }

    def requested_columns(self) -> list[str]:
        """Selected columns the level and granularity support, minus the identity ones."""
        skipped = {ACCOUNT_COLUMN, self.id_column, *self.lower_level_columns}
        columns = [c for c in self.selected_metrics(self.offered_columns) if c not in skipped]
        if self.granularity == "HOUR":
            columns = [c for c in columns if not is_conversion_column(c)]
        if not columns:
            msg = (
                f"{self.name}: no metric column is selected; select at least one "
                f"(e.g. {self.name}.SPEND_IN_DOLLAR) or deselect the stream"
            )
            raise PinterestAPIError(msg)
        return columns

    def entity_ids(self, context: Context) -> list[str] | None:
        """The level's ids in this ad account (None at the account level)."""
        return None if self.entity_stream is None else self.ids_of(self.entity_stream, context)

    @override
    def partition_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        if context is None:
            return
        self.requested_columns()  # a selection without metrics fails before any call
        yield from self.sync_records(context, self.windows(context))

    def sync_records(
        self, context: Context, windows: list[dates.DateWindow]
    ) -> Iterable[dict[str, Any]]:
        """Rows of the synchronous endpoint over these windows."""
        account = str(context["ad_account_id"])
        columns = self.requested_columns()
        if not windows:
            return
        ids = self.entity_ids(context)
        if ids == []:
            return
        attribution = self.attribution()
        params_base = self.request_params(columns, attribution)
        path = self.path.format(ad_account_id=account)
        for window in windows:
            params = {
                **params_base,
                "start_date": window.start.isoformat(),
                "end_date": window.end.isoformat(),
            }
            for row in self.fetch_level(path, params, ids, context):
                yield self.shape(row, account, attribution)

    def request_params(self, columns: list[str], attribution: dict[str, Any]) -> dict[str, Any]:
        """Columns, granularity and attribution: every analytics call of the stream sends them."""
        return {
            "columns": ",".join(columns),
            "granularity": self.granularity,
            "click_window_days": attribution["CLICK_WINDOW_DAYS"],
            "engagement_window_days": attribution["ENGAGEMENT_WINDOW_DAYS"],
            "view_window_days": attribution["VIEW_WINDOW_DAYS"],
            "conversion_report_time": attribution["CONVERSION_REPORT_TIME"],
        }

    def fetch_level(
        self,
        path: str,
        params: dict[str, Any],
        ids: list[str] | None,
        context: Context,
    ) -> Iterable[Any]:
        """The rows, streamed: one answer at the account level, else one per id batch."""
        if ids is None or not self.ids_param:
            yield from self.fetch_rows(path, params, context)
            return
        for batch in self.id_batches(path, params, self.ids_param, ids, MAX_IDS_PER_CALL):
            yield from self.fetch_ids(path, params, self.ids_param, batch, context, rows=True)

    @cached_property
    def typing(self) -> dict[str, ColumnTyping]:
        """Each schema property's typing, chosen once (issue 10: not per value).

        Columns the tap does not type (DATE, HOUR) keep whatever JSON type they have.
        """
        untyped: ColumnTyping = (ANY_JSON_TYPE, _as_is)
        offered = self.offered_column_set
        return {
            column: column_typing(column) if column in offered else untyped
            for column in self.schema["properties"]
        }

    @cached_property
    def kept_types(self) -> defaultdict[str, frozenset[type]]:
        """Column -> the types its value keeps as is; no type for unknown columns."""
        return defaultdict(frozenset, {column: kept for column, (kept, _) in self.typing.items()})

    def shape(self, row: Any, account: str, attribution: dict[str, Any]) -> dict[str, Any]:  # noqa: ANN401
        """The row, typed, with the ad account and the attribution settings.

        Only schema properties are kept (the SDK's per-field passes are off for this
        stream): a column Pinterest adds is dropped with one warning, as the SDK would.
        The common case, every value already of its column's type, is checked in one
        pass of C calls; only other rows are converted column by column.
        """
        if type(row) is not dict:
            msg = f"Pinterest sent a {self.name} row that is {type(row).__name__}, not an object"
            raise PinterestAPIError(msg)
        date_text = row.get("DATE")
        if not date_text or not all(map(row.get, self.key_columns)):
            missing = [key for key in self.key_columns if not row.get(key)]
            msg = f"Pinterest sent a {self.name} row without {', '.join(missing)}: its key"
            raise PinterestAPIError(msg)
        row.pop(ACCOUNT_COLUMN, None)
        columns = list(row)
        if columns != self._row_columns:
            self._row_columns = columns
            self._row_kept = list(map(self.kept_types.__getitem__, columns))
        if not all(map(_contains, self._row_kept, map(type, row.values()))):
            self.convert(row)
        row.update(attribution)
        row["ad_account_id"] = account
        if self.hourly and row.get("HOUR") is None:
            row["DATE"], row["HOUR"] = split_hour(date_text)
        return row

    def convert(self, row: dict[str, Any]) -> None:
        """Convert, in place, each value not of its column's type; drop unknown columns."""
        typing = self.typing
        for column, value in list(row.items()):
            typed = typing.get(column)
            if typed is None:
                self.unknown_column(column)
                del row[column]
            elif value is not None and type(value) not in typed[0]:
                row[column] = typed[1](value)

    def unknown_column(self, column: str) -> None:
        """Warn once per column the schema does not know, and drop it."""
        if column not in self._unknown_columns:
            self._unknown_columns.add(column)
            self.logger.warning(
                "Properties ('%s',) were present in the '%s' stream but not found in catalog "
                "schema. Ignoring.",
                column,
                self.name,
            )


class AdAccountAnalyticsStream(AdsAnalyticsStream):
    """GET /ad_accounts/{ad_account_id}/analytics: the whole account per date."""

    name = "ad_account_analytics"
    path = "/ad_accounts/{ad_account_id}/analytics"


class CampaignAnalyticsStream(AdsAnalyticsStream):
    """GET /ad_accounts/{ad_account_id}/campaigns/analytics, 250 campaign ids per call."""

    name = "campaign_analytics"
    path = ADS_ANALYTICS_PATH
    id_column = "CAMPAIGN_ID"
    ids_param = "campaign_ids"
    lower_level_columns = frozenset({"AD_GROUP_ID", "AD_ID", "PIN_ID", "PIN_PROMOTION_ID"})
    entity_stream = "campaigns"


class AdGroupAnalyticsStream(AdsAnalyticsStream):
    """GET /ad_accounts/{ad_account_id}/ad_groups/analytics, 250 ad group ids per call."""

    name = "ad_group_analytics"
    path = "/ad_accounts/{ad_account_id}/ad_groups/analytics"
    id_column = "AD_GROUP_ID"
    ids_param = "ad_group_ids"
    lower_level_columns = frozenset({"AD_ID", "PIN_ID", "PIN_PROMOTION_ID"})
    entity_stream = "ad_groups"


class AdAnalyticsStream(AdsAnalyticsStream):
    """GET /ad_accounts/{ad_account_id}/ads/analytics, 250 ad ids per call."""

    name = "ad_analytics"
    path = "/ad_accounts/{ad_account_id}/ads/analytics"
    id_column = "AD_ID"
    ids_param = "ad_ids"
    lower_level_columns = frozenset()
    entity_stream = "ads"
