"""Date-windowed analytics: the shared date rules, and the one ads analytics stream type.

Every analytics stream keeps one bookmark per partition (per ad account, or one for the
user), re-reads `lookback_window_days` before it because Pinterest revises recent days,
never asks for dates older than the API serves, and packs ids into as few calls as the
spec allows: quota, not time, is what runs out.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from functools import cached_property, partial
from itertools import compress
from operator import not_
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, cast

from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.singerlib import Metadata
from singer_sdk.singerlib.catalog import REPLICATION_INCREMENTAL
from typing_extensions import override

from tap_pinterest import dates, lookback, report_columns, row_meaning, run_clock
from tap_pinterest.analytics_columns import (
    ANY_JSON_TYPE,
    ColumnTyping,
    column_schema,
    column_typing,
    is_conversion_column,
)
from tap_pinterest.client import PinterestStream, RowParser
from tap_pinterest.custom_reports import EVENT_KEY
from tap_pinterest.errors import InvalidStateError, PinterestAPIError
from tap_pinterest.report_planning import HOURLY_REPORT_LIMITS, AnalyticsSource, route
from tap_pinterest.spec import parameter_max_items
from tap_pinterest.streams.ads import AdAccountsStream
from tap_pinterest.streams.report_analytics import ReportSource, move_bookmark
from tap_pinterest.streams.targeting_analytics import (
    TARGETING_COLUMNS,
    TargetingRows,
    streamed_targeting_items,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

    from singer_sdk.helpers.types import Context
    from singer_sdk.singerlib import Catalog, MetadataMapping

    from tap_pinterest.streams.levels import AdsLevel
    from tap_pinterest.streams.organic_analytics import OrganicAnalyticsStream

DEFAULT_START_DAYS_AGO = 30
ACCOUNT_COLUMN = "AD_ACCOUNT_ID"
DATE_SCHEMA = {"type": ["string"], "format": "date"}
# The columns each ads analytics row carries its counting settings in, and the settings.
ATTRIBUTION_SETTINGS = {
    "GRANULARITY": "analytics_granularity",
    "CLICK_WINDOW_DAYS": "click_window_days",
    "ENGAGEMENT_WINDOW_DAYS": "engagement_window_days",
    "VIEW_WINDOW_DAYS": "view_window_days",
    "CONVERSION_REPORT_TIME": "conversion_report_time",
    "REPORTING_TIMEZONE": "reporting_timezone",
}


def plan_dates(
    stream: OrganicAnalyticsStream | AdsAnalyticsStream,
    context: Context | None,
    limits: dates.DateLimits | None,
) -> dates.SyncRange:
    """A partition's dates: from max(bookmark - lookback, start_date), capped at `limits`."""
    today = run_clock.partition_today(stream, context)
    start_date = _config_date(stream.config.get("start_date")) or today - timedelta(
        days=DEFAULT_START_DAYS_AGO
    )
    return dates.plan_range(
        bookmark=stream.stored_bookmark(context),
        start_date=start_date,
        end_date=_config_date(stream.config.get("end_date")),
        lookback_days=stream.lookback_days(),
        granularity=stream.granularity,
        today=today,
        limits=limits,
        reach_today=run_clock.partition_reach_today(stream, context),
    )


def warn_cap(
    stream: OrganicAnalyticsStream | AdsAnalyticsStream,
    sync_range: dates.SyncRange,
    max_days_back: int,
) -> None:
    """Name the dates the cap cut off (the stream warns once per run)."""
    stream.logger.warning(
        "%s: Pinterest serves analytics at most %d days back; %s to %s can no "
        "longer be fetched, starting at %s",
        stream.name,
        max_days_back,
        sync_range.requested_start,
        sync_range.start - timedelta(days=1),
        sync_range.start,
    )


def check_row_settings(
    stream: OrganicAnalyticsStream | AdsAnalyticsStream, context: Context | None
) -> None:
    """Refuse a state holding rows counted under other settings (row_meaning)."""
    settings = stream.row_settings()
    if settings:
        row_meaning.check_partition_settings(
            stream.name,
            context,
            stream.get_context_state(context),
            settings,
            start_over=stream.replication_method != REPLICATION_INCREMENTAL,
        )


def always_emitted(mapping: MetadataMapping, columns: Iterable[str]) -> MetadataMapping:
    """Mark keys and meaning columns automatic: emitted even when deselected."""
    for column in columns:
        entry = mapping.get(("properties", column))
        if entry is not None:
            entry.inclusion = Metadata.InclusionType.AUTOMATIC
    return mapping


def unselected_by_default(mapping: MetadataMapping, columns: Iterable[str]) -> MetadataMapping:
    """Mark `columns` `selected-by-default: false` where the catalog says nothing else.

    An explicit `selected` still wins; so does a catalog's own `selected-by-default`.
    """
    for column in columns:
        entry = mapping.get(("properties", column))
        if entry is not None and entry.selected_by_default is None:
            entry.selected_by_default = False
    return mapping


def bookmark_date(name: str, context: Context | None, value: Any) -> date | None:  # noqa: ANN401
    """A stored bookmark as a date (None without one); anything else is an invalid state."""
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        msg = f"State for {name} {dict(context or {})} has bookmark {value!r}, not a date"
        raise InvalidStateError(msg) from None


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
# Layouts of value types remembered per row layout (AdsAnalyticsStream.shape), at most.
MAX_TYPE_LAYOUTS = 64


def _config_date(value: Any) -> date | None:  # noqa: ANN401
    if not value:
        return None
    return date.fromisoformat(str(value)[:10])


class AdsAnalyticsStream(PinterestStream):
    """One ads analytics level (`level`), one partition per ad account.

    Everything level-specific is the level's declaration (streams/levels.py). Each
    partition's dates are planned once, then each stretch goes to the source the plan
    chose for it: async reports (report_analytics.ReportSource) for dates beyond the
    synchronous endpoints' 90 days, or every date with `analytics_source: reports`, and
    the synchronous endpoint (SyncSource) for the rest. A targeting level's rows are
    split by targeting type and value (targeting_analytics.TargetingRows).
    """

    level: ClassVar[AdsLevel]
    # Rows are typed once per column here, not by the SDK's per-field passes (typed_records).
    emits_typed_records = True
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE
    parent_stream_type = AdAccountsStream
    replication_key = "DATE"
    paginated = False
    meaning_columns = ("ad_account_id", *ATTRIBUTION_SETTINGS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """No unknown column seen yet, no warning given yet."""
        # The row shape: plain, or split by targeting type and value.
        self.targeting = TargetingRows(self) if self.level.targeting else None
        super().__init__(*args, **kwargs)
        self._warned_cap = False
        self._said_report_columns = False
        self._unknown_columns: set[str] = set()
        # The last row's columns, in order, and their kept types: rows of one answer
        # share them, so the types are looked up once per answer, not once per cell.
        self._row_columns: list[str] = []
        self._row_kept: list[frozenset[type]] = []
        # For those columns: the types of a row's values -> the columns to convert. Rows
        # of one answer have few such layouts: a row is checked by one tuple lookup.
        self._row_fixes: dict[tuple[type, ...], list[str]] = {}
        self._last_types: tuple[type, ...] = ()
        self._last_fixes: list[str] = []
        # Those of the columns the catalog deselected (shape drops them, typed_records not).
        self._row_deselected: list[str] = []

    # ---------------------------------------------------------------- the level's facts
    @property
    @override
    def config(self) -> Mapping[str, Any]:
        """The tap's settings; a custom report's own (granularity, windows...) over them."""
        config = super().config
        custom = self.level.custom
        return config if custom is None else MappingProxyType(custom.settings_over(config))

    @property
    def id_column(self) -> str:
        """The id column of the level's rows (ad_account_id at the account level)."""
        return self.level.id_column

    @cached_property
    def offered_column_set(self) -> frozenset[str]:
        """The offered columns, for lookups per cell."""
        return frozenset(self.level.offered_columns)

    @property
    def granularity(self) -> str:
        """The analytics_granularity setting (DAY unless set)."""
        return str(self.config.get("analytics_granularity", "DAY"))

    @cached_property
    def hourly(self) -> bool:
        """Granularity HOUR (read once: the setting holds for the run)."""
        return self.granularity == "HOUR"

    @cached_property
    def key_columns(self) -> tuple[str, ...]:
        """The answer's columns every row must have: its id (but the account's) and DATE."""
        return tuple(key for key in self.level.record_keys if key != "ad_account_id")

    @property
    @override
    def primary_keys(self) -> tuple[str, ...]:
        keys = self.level.record_keys
        if self.granularity == "HOUR":
            keys = (*keys, "HOUR")
        if self.targeting is not None:
            keys = (*keys, *TARGETING_COLUMNS)
        custom = self.level.custom
        return keys if custom is None or not custom.events else (*keys, EVENT_KEY)

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
            **{column: {"type": ["string"]} for column in self.level.extra_key_columns},
            "DATE": DATE_SCHEMA,
            "GRANULARITY": {"type": ["string"]},
            "CLICK_WINDOW_DAYS": {"type": ["integer"]},
            "ENGAGEMENT_WINDOW_DAYS": {"type": ["integer"]},
            "VIEW_WINDOW_DAYS": {"type": ["integer"]},
            "CONVERSION_REPORT_TIME": {"type": ["string"]},
            "REPORTING_TIMEZONE": {"type": ["string"]},
        }
        if self.granularity == "HOUR":
            properties["HOUR"] = {"type": ["integer"]}
        lower = self.level.lower_level_columns
        for column in self.level.offered_columns:
            if column != ACCOUNT_COLUMN and column not in lower:
                properties.setdefault(column, column_schema(column))
        if self.targeting is not None:
            properties.update({column: {"type": ["string"]} for column in TARGETING_COLUMNS})
        if self.level.custom is not None and self.level.custom.events:
            properties[EVENT_KEY] = {"type": ["string"]}
        return {"type": "object", "properties": properties}

    # ------------------------------------------------------------- dates and bookmarks
    @override
    def get_replication_key_signpost(self, context: Context | None = None) -> Any:
        """Never bookmark past the run's today (its reporting zone), whatever a row claims."""
        return run_clock.partition_today(self, context).isoformat()

    def plan(
        self, context: Context | None, limits: dates.DateLimits | None = None
    ) -> dates.SyncRange:
        """This partition's dates, capped at `limits` (default: the synchronous reach)."""
        return plan_dates(self, context, limits)

    def warn_cap(self, sync_range: dates.SyncRange, max_days_back: int) -> None:
        """Name the dates the cap cut off, once per run, not once per partition."""
        if sync_range.capped and not self._warned_cap:
            self._warned_cap = True
            warn_cap(self, sync_range, max_days_back)

    def lookback_days(self) -> int:
        """The widest attribution window unless set; warn once if set shorter than it."""
        warning = lookback.short_lookback_warning(self.config)
        if warning:
            self.run.warn_once("short_lookback", self.logger, warning)
        return lookback.ads_lookback_days(self.config)

    def row_settings(self) -> dict[str, Any]:
        """The attribution settings (by name): part of every row's meaning; kept in state."""
        settings = {ATTRIBUTION_SETTINGS[col]: value for col, value in self.attribution().items()}
        custom = self.level.custom
        return settings if custom is None else {**settings, **custom.meaning()}

    @override
    def raw_bookmark(self, context: Context | None) -> Any:
        """The bookmark, once the state is known to hold rows counted the same way."""
        check_row_settings(self, context)
        return super().raw_bookmark(context)

    def stored_bookmark(self, context: Context | None) -> date | None:
        """The partition's last bookmark, unless (targeting) a type was added since."""
        bookmark = bookmark_date(self.name, context, self.raw_bookmark(context))
        if self.targeting is None:
            return bookmark
        return self.targeting.stored_bookmark(context, bookmark)

    def checkpoint(self, context: Context, last_day: date) -> None:
        """Bookmark `last_day`: every window up to it was delivered, in date order."""
        bookmark = self.stored_bookmark(context)
        if bookmark is not None and bookmark >= last_day:
            return
        if self.targeting is not None:
            self.targeting.note_types(context)
        move_bookmark(self, context, last_day)

    @property
    @override
    def metadata(self) -> MetadataMapping:
        """Keys and meaning columns are always emitted, even when deselected.

        Report-only columns are offered but not selected by default (issue 18): a default
        table is as wide as the synchronous columns make it.
        """
        mapping = always_emitted(super().metadata, (*self.primary_keys, *self.meaning_columns))
        return unselected_by_default(mapping, self.unselected_columns)

    @cached_property
    def unselected_columns(self) -> tuple[str, ...]:
        """The offered columns a catalog leaves out unless asked: the report-only ones.

        A custom report offers exactly the columns its definition names: all selected.
        """
        if self.level.custom is not None:
            return ()
        return tuple(report_columns.report_only(self.level.offered_columns))

    @override
    def apply_catalog(self, catalog: Catalog) -> None:
        """The catalog must key rows as the settings do (HOUR adds the HOUR key)."""
        super().apply_catalog(catalog)
        entry = catalog.get_stream(self.name)
        if entry is not None:
            why = f"analytics_granularity {self.granularity}"
            row_meaning.check_catalog_keys(self.name, entry, self.primary_keys, why)

    # ---------------------------------------------------------------- what is asked
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
            "REPORTING_TIMEZONE": run_clock.reporting_timezone(self.config),
        }

    def selected_metrics(self, candidates: Sequence[str]) -> list[str]:
        """Only the metric properties selected in the catalog are requested.

        A column the catalog does not list (discovered before it was offered) is taken
        as its default: selected if synchronous, not if report-only.
        """
        mask = self.mask
        unselected = set(self.unselected_columns)
        return [c for c in candidates if mask.get(("properties", c), c not in unselected)]

    def requested_columns(self) -> list[str]:
        """Selected columns the level and granularity support, minus the identity ones."""
        skipped = {ACCOUNT_COLUMN, self.id_column, *self.level.lower_level_columns}
        if self.level.custom is not None:  # ADE_* metrics go in custom_conversion_event_metrics
            skipped.update(self.level.custom.event_columns)
        offered = self.level.offered_columns
        columns = [c for c in self.selected_metrics(offered) if c not in skipped]
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
        entity_stream = self.level.entity_stream
        return None if entity_stream is None else self.ids_of(entity_stream, context)

    def analytics_source(self, columns: Sequence[str] = ()) -> AnalyticsSource:
        """Where dates come from: `auto` (reports beyond 90 days), `reports` or `sync`.

        Requested report-only columns send every date to reports, the only path serving
        them, so rows have one shape whichever date they are for (issue 18).
        """
        if self.level.reports_only:
            return "reports"
        # The settings schema allows only ANALYTICS_SOURCES.
        configured = cast("AnalyticsSource", self.config.get("analytics_source", "auto"))
        only_in_reports = report_columns.report_only(columns)
        if not only_in_reports:
            return configured
        named = ", ".join(only_in_reports)
        if configured == "sync":
            msg = (
                f"{self.name}: {named} come only from async reports, but analytics_source "
                "is sync; deselect them or set analytics_source to auto or reports"
            )
            raise PinterestAPIError(msg)
        if configured != "reports" and not self._said_report_columns:
            self._said_report_columns = True
            self.logger.info(
                "%s: every date comes from async reports, the only path serving the selected %s",
                self.name,
                named,
            )
        return "reports"

    @cached_property
    def sync_source(self) -> SyncSource:
        """The level's synchronous endpoint."""
        return SyncSource(self)

    @cached_property
    def report_source(self) -> ReportSource:
        """The level's async reports."""
        return ReportSource(self)

    # ------------------------------------------------------------------ the records
    @override
    def partition_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        if context is None:
            return
        for source, windows, columns in self.route(context):
            self.run.progress.windows_planned(self.name, len(windows))
            yield from source.records(context, windows, columns)
        if self.targeting is not None:
            # Only with a bookmark that covers them (here, or per report window in
            # checkpoint): a failed run must retry the new types.
            self.targeting.note_types(context)

    def route(
        self, context: Context
    ) -> Iterator[tuple[SyncSource | ReportSource, list[dates.DateWindow], list[str]]]:
        """The partition's plan: (source, its windows, the columns), oldest dates first.

        `sync`: the synchronous endpoint over its 90 days. Otherwise the dates reports
        reach split at the synchronous reach (report_planning.route): reports before it
        (`auto`) or for all of them (`reports`, levels only reports serve, and a
        selection with report-only columns).
        """
        columns = self.requested_columns()  # a selection without metrics fails first
        source = self.analytics_source(columns)
        if source == "sync":
            yield self.sync_source, self.sync_windows(context), columns
            return
        limits = HOURLY_REPORT_LIMITS if self.granularity == "HOUR" else self.level.report_reach
        reachable = self.plan(context, limits)
        self.warn_cap(reachable, limits.max_days_back)
        plan = route(
            reachable,
            source=source,
            sync_start=self.plan(context).start,
            granularity=self.granularity,
            report_span_days=limits.max_span_days,
        )
        yield self.report_source, plan.reports, columns
        if plan.sync is not None:
            yield self.sync_source, dates.split_windows(plan.sync, self.granularity), columns

    def sync_windows(self, context: Context | None) -> list[dates.DateWindow]:
        """This partition's windows within the synchronous reach (warned when capped)."""
        sync_range = self.plan(context)
        self.warn_cap(sync_range, dates.limits_for(self.granularity).max_days_back)
        if sync_range.empty:
            return []
        return dates.split_windows(sync_range, self.granularity)

    def request_params(self, columns: list[str], attribution: dict[str, Any]) -> dict[str, Any]:
        """Columns, granularity and attribution: every synchronous call of the stream sends them."""
        return {
            "columns": ",".join(columns),
            "granularity": self.granularity,
            "click_window_days": attribution["CLICK_WINDOW_DAYS"],
            "engagement_window_days": attribution["ENGAGEMENT_WINDOW_DAYS"],
            "view_window_days": attribution["VIEW_WINDOW_DAYS"],
            "conversion_report_time": attribution["CONVERSION_REPORT_TIME"],
            "reporting_timezone": attribution["REPORTING_TIMEZONE"],
        }

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

        Only selected schema properties are kept (the SDK's per-field passes are off for
        this stream): a column Pinterest adds is dropped with one warning, as the SDK
        would. What to convert and drop is looked up once per layout of columns and
        value types (rows of an answer share a few): only the values not of their
        column's type are converted, one by one.
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
            self.new_row_layout(columns)
        types = tuple(map(type, row.values()))
        if types == self._last_types:
            fixes = self._last_fixes
        else:
            fixes = self.columns_to_convert(types)
            self._last_types, self._last_fixes = types, fixes
        if fixes:
            self.convert(row, fixes)
        for column in self._row_deselected:
            del row[column]
        row.update(attribution)
        row["ad_account_id"] = account
        if self.hourly and row.get("HOUR") is None:
            row["DATE"], row["HOUR"] = split_hour(date_text)
        return row

    def new_row_layout(self, columns: list[str]) -> None:
        """Rows with these columns, in this order, come next: what `shape` looks up."""
        self._row_columns = columns
        self._row_kept = list(map(self.kept_types.__getitem__, columns))
        self._row_fixes = {}
        self._last_types, self._last_fixes = (), []
        deselected = self.deselected_properties
        self._row_deselected = [column for column in columns if column in deselected]

    def columns_to_convert(self, types: tuple[type, ...]) -> list[str]:
        """The row layout's columns whose value's type (in `types`) is not kept as is.

        A targeting item's id arrives as a number, for example. In the row's order.
        """
        fixes = self._row_fixes.get(types)
        if fixes is None:
            if len(self._row_fixes) >= MAX_TYPE_LAYOUTS:
                self._row_fixes.clear()
            kept = map(_contains, self._row_kept, types)
            fixes = self._row_fixes[types] = list(compress(self._row_columns, map(not_, kept)))
        return fixes

    @cached_property
    @override
    def deselected_in_records(self) -> frozenset[str]:
        """Only the names added after `shape` dropped the row's deselected columns.

        Those are keys and meaning columns, emitted even when deselected unless a
        catalog changes their inclusion.
        """
        added = {*self.primary_keys, *self.meaning_columns}
        return self.deselected_properties.intersection(added)

    def convert(self, row: dict[str, Any], columns: Iterable[str]) -> None:
        """Convert, in place, each value not of its column's type; drop unknown columns.

        `columns`: the row's columns to look at, in the row's order (those whose value's
        type `kept_types` does not list: the others are left as they are).
        """
        typing = self.typing
        for column in columns:
            typed = typing.get(column)
            if typed is None:
                self.unknown_column(column)
                del row[column]
            elif (value := row[column]) is not None and type(value) not in typed[0]:
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


class SyncSource:
    """A level's synchronous endpoint (GET .../analytics or .../targeting_analytics)."""

    def __init__(self, stream: AdsAnalyticsStream) -> None:
        """The stream whose level is fetched."""
        self.stream = stream

    @cached_property
    def max_ids_per_call(self) -> int:
        """The id parameter's maxItems on the level's operation (250 on each).

        GET /ad_accounts/{ad_account_id}/campaigns/analytics: campaign_ids maxItems 250
        (likewise ad_group_ids, ad_ids, and on the targeting_analytics operations).
        """
        level = self.stream.level
        if level.ids_param is None or level.sync_path is None:
            return 1
        return parameter_max_items(level.sync_path, level.ids_param)

    def records(
        self, context: Context, windows: list[dates.DateWindow], columns: list[str]
    ) -> Iterable[dict[str, Any]]:
        """Rows of the synchronous endpoint over these windows, oldest first.

        The calls (windows x targeting type batches x id batches) are independent: up to
        max_concurrent_requests of them are in flight together (stream.fetch_ahead), and
        their rows are handed on in exactly this order; a window counts as done once all
        of its rows were.
        """
        stream = self.stream
        account = str(context["ad_account_id"])
        if not windows:
            return
        ids = stream.entity_ids(context)
        if ids == []:
            return
        attribution = stream.attribution()
        params_base = stream.request_params(columns, attribution)
        path = stream.level.path.format(ad_account_id=account)
        targeting = stream.targeting
        plan = [
            self.window_calls(
                path,
                {
                    **params_base,
                    "start_date": window.start.isoformat(),
                    "end_date": window.end.isoformat(),
                },
                ids,
                context,
            )
            for window in windows
        ]
        answers = stream.fetch_ahead(call for calls in plan for call in calls)
        try:
            for calls in plan:
                for _ in calls:
                    if targeting is None:
                        for row in next(answers):
                            yield stream.shape(row, account, attribution)
                    else:
                        for item in next(answers):
                            yield targeting.shape_item(item, account, attribution)
                stream.run.progress.window_done(stream.name)
        finally:
            answers.close()

    def window_calls(
        self,
        path: str,
        params: dict[str, Any],
        ids: list[str] | None,
        context: Context,
    ) -> list[Callable[[], Iterable[Any]]]:
        """One window's calls, in order: per targeting type batch, per id batch."""
        targeting = self.stream.targeting
        if targeting is None:
            return self.level_calls(path, params, ids, context)
        calls: list[Callable[[], Iterable[Any]]] = []
        for type_batch in targeting.sync_type_batches():
            typed = {**params, "targeting_types": ",".join(type_batch)}
            calls += self.level_calls(path, typed, ids, context, streamed_targeting_items)
        return calls

    def level_calls(
        self,
        path: str,
        params: dict[str, Any],
        ids: list[str] | None,
        context: Context,
        items: RowParser | None = None,
    ) -> list[Callable[[], Iterable[Any]]]:
        """The calls for these params, each streaming its rows (or `items`).

        One per id batch; the account level (no ids) makes one.
        """
        stream = self.stream
        ids_param = stream.level.ids_param
        if ids is None or not ids_param:
            return [partial(stream.fetch_rows, path, params, context, items)]
        return [
            partial(
                stream.fetch_ids, path, params, ids_param, batch, context, rows=True, items=items
            )
            for batch in stream.id_batches(path, params, ids_param, ids, self.max_ids_per_call)
        ]


def level_stream_type(level: AdsLevel) -> type[AdsAnalyticsStream]:
    """The registered stream type of one level: AdsAnalyticsStream bound to it.

    One class per level only because the SDK registers stream types, not instances: it
    holds the level, its name and path, and nothing else.
    """
    class_name = "".join(part.title() for part in level.stream.split("_")) + "Stream"
    namespace = {
        "__doc__": f"{level.description}: level {level.report_level}.",
        "__module__": __name__,
        "__qualname__": class_name,
        "level": level,
        "name": level.stream,
        "path": level.path,
    }
    return type(class_name, (AdsAnalyticsStream,), namespace)
