"""Organic analytics: the user account's daily metrics, pins' daily metrics, top pins.

Organic answers are maps keyed by split group holding `daily_metrics` rows, each with a
`data_status`; a day still PROCESSING or ESTIMATE is emitted but never bookmarked, so
the next run fetches it again (spec: DataStatus).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any, ClassVar

from singer_sdk.helpers.conform import TypeConformanceLevel
from typing_extensions import override

from tap_pinterest import dates, lookback, pin_cycle, run_clock, sdk_seam, spec
from tap_pinterest.analytics_columns import ANY_JSON_TYPE, NUMBER_TYPES
from tap_pinterest.client import PinterestStream
from tap_pinterest.errors import PinterestAPIError
from tap_pinterest.json_rows import exact_number
from tap_pinterest.schemas import STRING
from tap_pinterest.streams.analytics import (
    DATE_SCHEMA,
    always_emitted,
    bookmark_date,
    check_row_settings,
    plan_dates,
    warn_cap,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from singer_sdk.helpers.types import Context
    from singer_sdk.singerlib import MetadataMapping

NOT_FINAL_STATUSES = frozenset({"PROCESSING", "ESTIMATE"})
USER_METRICS = spec.parameter_enum("/user_account/analytics", "metric_types")
PIN_METRICS = spec.parameter_enum("/pins/analytics", "metric_types")
# GET /pins/analytics: pin_ids maxItems 100.
MAX_PINS_PER_CALL = spec.parameter_max_items("/pins/analytics", "pin_ids")
NUMBER = {"type": ["number", "null"]}
# How Pinterest refuses a beta endpoint to an app it has not enabled it for.
BULK_REFUSED_STATUSES = frozenset({403, 404, 405})


def daily_rows(group_map: Any, where: str) -> Iterable[tuple[str, dict[str, Any]]]:  # noqa: ANN401
    """Flatten {group: {daily_metrics: [{date, data_status, metrics}]}} into (group, row)."""
    if not isinstance(group_map, dict):
        msg = f"Pinterest answered {where} with {type(group_map).__name__}, not a map of groups"
        raise PinterestAPIError(msg)
    for group_key, group in group_map.items():
        for day in (group or {}).get("daily_metrics") or []:
            row = {"date": day["date"], "data_status": day.get("data_status")}
            row.update(day.get("metrics") or {})
            yield str(group_key), row


class OrganicAnalyticsStream(PinterestStream):
    """Organic analytics: date windows planned from one bookmark for the user.

    Each partition's windows run from max(bookmark - lookback, start_date), capped at the
    days Pinterest still serves (the shared date rules of streams/analytics.py). Days not
    yet final hold the bookmark back. The daily streams emit typed rows (`typed`): each
    metric is made a number once per row, without the SDK's per-field passes.
    """

    replication_key = "date"
    paginated = False
    accepts_organic_ad_account_id = True
    granularity = "DAY"
    metric_names: ClassVar[tuple[str, ...]] = ()
    # Columns that, like keys, give a row its meaning: never left out by a selection.
    meaning_columns: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """No warning given, no unfinished day or unknown metric seen yet in this run."""
        super().__init__(*args, **kwargs)
        self._warned_cap = False
        self._first_unfinished: date | None = None
        self._unknown_metrics: set[str] = set()

    # ------------------------------------------------------------- the shared date rules
    @override
    def get_replication_key_signpost(self, context: Context | None = None) -> Any:
        """Never bookmark past the run's today (its reporting zone), whatever a row claims."""
        return run_clock.partition_today(self, context).isoformat()

    def windows(self, context: Context | None) -> list[dates.DateWindow]:
        """This partition's windows: from max(bookmark - lookback, start_date), capped."""
        sync_range = self.plan(context)
        self.warn_cap(sync_range, dates.limits_for(self.granularity).max_days_back)
        if sync_range.empty:
            return []
        windows = dates.split_windows(sync_range, self.granularity)
        self.run.progress.windows_planned(self.name, len(windows))
        return windows

    def plan(self, context: Context | None) -> dates.SyncRange:
        """This partition's dates, capped at the synchronous endpoints' reach."""
        return plan_dates(self, context, None)

    def warn_cap(self, sync_range: dates.SyncRange, max_days_back: int) -> None:
        """Name the dates the cap cut off, once per run, not once per partition."""
        if sync_range.capped and not self._warned_cap:
            self._warned_cap = True
            warn_cap(self, sync_range, max_days_back)

    def lookback_days(self) -> int:
        """Days re-read before the bookmark (organic rule; ads analytics follow attribution)."""
        return lookback.organic_lookback_days(self.config)

    def row_settings(self) -> dict[str, Any]:
        """Settings (by name) that give this stream's rows their meaning; kept in state."""
        return {}

    @override
    def raw_bookmark(self, context: Context | None) -> Any:
        """The bookmark, once the state is known to hold rows counted the same way."""
        check_row_settings(self, context)
        return super().raw_bookmark(context)

    @property
    @override
    def metadata(self) -> MetadataMapping:
        """Keys and meaning columns are always emitted, even when deselected."""
        return always_emitted(super().metadata, (*self.primary_keys, *self.meaning_columns))

    def stored_bookmark(self, context: Context | None) -> date | None:
        """The partition's last bookmark; start_date is applied separately, after lookback."""
        return bookmark_date(self.name, context, self.raw_bookmark(context))

    def selected_metrics(self, candidates: Sequence[str]) -> list[str]:
        """Only the metric properties selected in the catalog are requested."""
        return [c for c in candidates if self.mask.get(("properties", c), True)]

    # ------------------------------------------------------------------ the daily rows
    def requested_metrics(self) -> list[str]:
        """Selected metric properties, in the spec's order."""
        return self.selected_metrics(self.metric_names)

    def note_status(self, row: dict[str, Any]) -> None:
        """Remember unfinished days: the bookmark must stay before them."""
        if row.get("data_status") in NOT_FINAL_STATUSES:
            day = date.fromisoformat(str(row["date"]))
            if self._first_unfinished is None or day < self._first_unfinished:
                self._first_unfinished = day

    def hold_bookmark_before_unfinished_days(self, context: Context | None) -> None:
        """Cap this partition's bookmark at the last day before the first unfinished one."""
        if self._first_unfinished is not None:
            last_final = self._first_unfinished - timedelta(days=1)
            sdk_seam.cap_bookmark(self, context, last_final.isoformat())
            self._first_unfinished = None

    def base_params(self, window: dates.DateWindow) -> dict[str, Any]:
        """Dates, metrics and the device filter every organic analytics call sends."""
        params: dict[str, Any] = {
            "start_date": window.start.isoformat(),
            "end_date": window.end.isoformat(),
            "metric_types": ",".join(self.requested_metrics()),
            "app_types": self.config.get("app_types", "ALL"),
        }
        return {**params, **self.organic_params()}

    @cached_property
    def kept_types(self) -> dict[str, frozenset[type]]:
        """Property -> the types its value keeps as is (metrics: numbers or null)."""
        return {
            name: NUMBER_TYPES if name in self.metric_names else ANY_JSON_TYPE
            for name in self.schema["properties"]
        }

    def typed(self, record: dict[str, Any]) -> dict[str, Any]:
        """The record with schema properties only and numeric metrics (issue 10)."""
        kept = self.kept_types
        for name, value in list(record.items()):
            types = kept.get(name)
            if types is None:
                del record[name]
                if name not in self._unknown_metrics:
                    self._unknown_metrics.add(name)
                    self.logger.warning(
                        "%s: Pinterest sent metric %s, which the schema does not know; ignoring it",
                        self.name,
                        name,
                    )
            elif type(value) not in types:
                record[name] = as_number(name, value)
        return record


def as_number(name: str, value: Any) -> Any:  # noqa: ANN401
    """A metric's number: numbers pass, numeric strings are parsed exactly."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    try:
        return exact_number(value) if isinstance(value, str) else float(value)
    except (TypeError, ValueError, ArithmeticError):
        msg = f"Pinterest sent a non-numeric value for metric {name}: {value!r}"
        raise PinterestAPIError(msg) from None


class UserAccountAnalyticsStream(OrganicAnalyticsStream):
    """GET /user_account/analytics: one row per date, metrics as typed columns."""

    emits_typed_records = True
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    name = "user_account_analytics"
    path = "/user_account/analytics"
    # split_value is the answer's group key: the split's value, or the single group's key.
    primary_keys = ("date", "split_value")
    meaning_columns = ("split_field",)
    metric_names = USER_METRICS
    schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "date": DATE_SCHEMA,
            "split_field": STRING,
            "split_value": {"type": ["string"]},
            "ad_account_id": STRING,
            "data_status": {"type": ["string", "null"]},
            **dict.fromkeys(USER_METRICS, NUMBER),
        },
    }

    @override
    def row_settings(self) -> dict[str, Any]:
        return {
            "user_account_analytics_split_field": str(
                self.config.get("user_account_analytics_split_field", "NO_SPLIT")
            ),
            "app_types": str(self.config.get("app_types", "ALL")),
        }

    @override
    def partition_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        split_field = str(self.config.get("user_account_analytics_split_field", "NO_SPLIT"))
        account = self.config.get("organic_ad_account_id")
        for window in self.windows(context):
            params = {**self.base_params(window), "split_field": split_field}
            body = self.fetch(self.path, params, context)
            for group, row in daily_rows(body, self.path):
                self.note_status(row)
                yield self.typed(
                    {
                        **row,
                        "split_field": split_field,
                        "split_value": group,
                        "ad_account_id": account,
                    }
                )
            self.run.progress.window_done(self.name)
        self.hold_bookmark_before_unfinished_days(context)


class PinAnalyticsStream(OrganicAnalyticsStream):
    """GET /pins/analytics: daily metrics of the user's pins, 100 pin ids per call."""

    emits_typed_records = True
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    name = "pin_analytics"
    path = "/pins/analytics"
    primary_keys = ("pin_id", "date")
    metric_names = PIN_METRICS
    # Set when this run found the beta bulk endpoint refused; never kept across runs.
    _bulk_refused = False
    schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "pin_id": STRING,
            "date": DATE_SCHEMA,
            "data_status": {"type": ["string", "null"]},
            **dict.fromkeys(PIN_METRICS, NUMBER),
        },
    }

    @override
    def requested_metrics(self) -> list[str]:
        configured = self.config.get("pin_metric_types") or PIN_METRICS
        return [m for m in super().requested_metrics() if m in configured]

    @override
    def row_settings(self) -> dict[str, Any]:
        return {"app_types": str(self.config.get("app_types", "ALL"))}

    def pin_ids(self, context: Context | None) -> list[str]:
        """The user's pins: from the pins stream if it ran this sync, else listed here."""
        return self.ids_of("pins", context)

    @override
    def partition_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        windows = self.windows(context)
        if not windows:
            return
        pin_ids = self.pin_ids(context)
        self._bulk_refused = False  # each run tries the cheap bulk endpoint again
        for index, window in enumerate(windows):
            params = self.base_params(window)
            for body in self.fetch_pins(params, pin_ids, context, first=index == 0):
                yield from self.pin_rows(body)
            self.run.progress.window_done(self.name)
            if self._bulk_refused:
                yield from self.per_pin_records(pin_ids, context)
                return
        # The bulk path read every pin: a per-pin cycle under way is no longer needed.
        self.get_context_state(context).pop(pin_cycle.CYCLE_KEY, None)
        self.hold_bookmark_before_unfinished_days(context)

    def pin_rows(self, body: Any) -> Iterable[dict[str, Any]]:  # noqa: ANN401
        """Typed rows of an answer keyed by pin id ({pin_id: groups})."""
        if not isinstance(body, dict):
            msg = f"Pinterest answered {self.path} with a non-object body"
            raise PinterestAPIError(msg)
        for pin_id, group_map in body.items():
            for _, row in daily_rows(group_map, self.path):
                self.note_status(row)
                yield self.typed({"pin_id": str(pin_id), **row})

    def fetch_pins(
        self,
        params: dict[str, Any],
        pin_ids: list[str],
        context: Context | None,
        *,
        first: bool,
    ) -> Iterable[dict[str, Any]]:
        """Bulk answers ({pin_id: groups}); stops at once if the beta bulk is refused.

        GET /pins/analytics is beta and not available to all apps (spec); only its first
        call of a run may be refused that way (then the generally available
        GET /pins/{pin_id}/analytics gives the same rows, one pin per call).
        """
        batches = iter(self.id_batches(self.path, params, "pin_ids", pin_ids, MAX_PINS_PER_CALL))
        batch = next(batches, None)
        if batch is None:
            return
        try:
            answers = list(self.fetch_ids(self.path, params, "pin_ids", batch, context))
        except PinterestAPIError as exc:
            if exc.status not in BULK_REFUSED_STATUSES or not first:
                raise
            self._bulk_refused = True
            self.logger.warning(
                "%s: Pinterest refused the beta bulk endpoint GET /pins/analytics "
                "(%s); reading each pin from GET /pins/{pin_id}/analytics instead "
                "(one call per pin)",
                self.name,
                exc,
            )
            return
        yield from answers
        # The other batches are independent: several in flight, answers in batch order.
        yield from self.chain_ahead(
            partial(self.fetch_ids, self.path, params, "pin_ids", batch, context)
            for batch in batches
        )

    def per_pin_records(
        self, pin_ids: list[str], context: Context | None
    ) -> Iterable[dict[str, Any]]:
        """This run's share of the per-pin cycle, within pin_analytics_call_budget calls.

        The bookmark stays until the cycle has read every pin (pin_cycle explains why).
        """
        state = self.get_context_state(context)
        cycle = pin_cycle.load_cycle(state, self.name) or pin_cycle.Cycle(
            None, self.plan(context).start, None, 0
        )
        today = run_clock.partition_today(self, context)
        end = self.plan(context).end
        earliest = dates.earliest_day(today, dates.DAILY_LIMITS)
        sync_range = dates.SyncRange(max(cycle.first_date, earliest), end, cycle.first_date)
        self.warn_cap(sync_range, dates.DAILY_LIMITS.max_days_back)
        windows = [] if sync_range.empty else dates.split_windows(sync_range, "DAY")
        ordered = pin_cycle.pin_order(pin_ids)
        budget = int(self.config.get("pin_analytics_call_budget", pin_cycle.DEFAULT_CALL_BUDGET))
        plan = pin_cycle.plan_run(ordered, cycle.next_pin, budget, len(windows))
        per_window = [self.base_params(window) for window in windows]
        calls = [
            (pin_id, partial(self.fetch_one, f"/pins/{pin_id}/analytics", params, context))
            for pin_id in plan.pins
            for params in per_window
        ]
        # One call per pin and window, independent: several in flight, rows in this order.
        answers = self.fetch_ahead(call for _, call in calls)
        try:
            for pin_id, _ in calls:
                for body in next(answers):
                    yield from self.pin_rows({pin_id: body})
        finally:
            answers.close()
        covered = end
        if self._first_unfinished is not None:
            covered = min(covered, self._first_unfinished - timedelta(days=1))
            self._first_unfinished = None
        cycle = pin_cycle.after_run(cycle, plan, covered)
        # The SDK would move the bookmark to the dates of the pins read so far; the cycle
        # moves it once every pin was read.
        sdk_seam.end_partition_keeping_bookmark(self, context)
        self.log_cycle(cycle, plan, len(ordered), len(windows))
        if plan.next_pin is not None:
            state[pin_cycle.CYCLE_KEY] = cycle.to_state()
            return
        state.pop(pin_cycle.CYCLE_KEY, None)
        sdk_seam.set_bookmark(self, context, (cycle.covered_to or covered).isoformat())

    def fetch_one(self, path: str, params: dict[str, Any], context: Context | None) -> list[Any]:
        """One call's answer, as a list of one body (a producer for fetch_ahead)."""
        return [self.fetch(path, params, context)]

    def log_cycle(
        self, cycle: pin_cycle.Cycle, plan: pin_cycle.RunPlan, total: int, windows: int
    ) -> None:
        """Say how far the per-pin cycle is: read, due, and where the next run goes on."""
        calls = len(plan.pins) * windows
        if plan.next_pin is None:
            self.logger.info(
                "%s: per-pin cycle complete: %d pins read in this cycle (%d this run, %d calls);"
                " the bookmark moves to %s",
                self.name,
                cycle.pins_read,
                len(plan.pins),
                calls,
                cycle.covered_to,
            )
            return
        self.logger.info(
            "%s: per-pin cycle: %d pins read in this cycle (%d this run, %d calls, "
            "pin_analytics_call_budget); %d of %d pins still due, from pin %s next run",
            self.name,
            cycle.pins_read,
            len(plan.pins),
            calls,
            plan.due_before - len(plan.pins),
            total,
            plan.next_pin,
        )


def top_pins_stream_type(name: str, path: str) -> type[OrganicAnalyticsStream]:
    """A registered ranking stream: top pins, or top video pins, over the run's dates.

    Both endpoints answer the same ranking shape; one class per endpoint only because the
    SDK registers stream types, not instances (as levels.py does for ads analytics).
    """

    class TopPinsAnalyticsStream(OrganicAnalyticsStream):
        """A ranking over the run's date range (GET `path`).

        One snapshot per run, date range and sort order, keyed so that a re-run of the same
        range upserts instead of appending. Full table: there are no per-day rows.
        """

        replication_key = None  # type: ignore[assignment]
        primary_keys = ("start_date", "end_date", "sort_by", "pin_id")
        # The spec caps num_of_pins at 50.
        num_of_pins = 50

        @property
        @override
        def metric_names(self) -> tuple[str, ...]:  # type: ignore[override]
            """The metric_types this endpoint accepts."""
            return spec.parameter_enum(self.path, "metric_types")

        @property
        @override
        def schema(self) -> dict[str, Any]:
            return {
                "type": "object",
                "properties": {
                    "start_date": DATE_SCHEMA,
                    "end_date": DATE_SCHEMA,
                    "sort_by": STRING,
                    "pin_id": STRING,
                    "rank": {"type": ["integer"]},
                    "data_status": {"type": ["object", "null"], "additionalProperties": True},
                    **dict.fromkeys(self.metric_names, NUMBER),
                },
            }

        @override
        def partition_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
            windows = self.windows(context)
            if not windows:
                return
            window = dates.DateWindow(windows[0].start, windows[-1].end)
            for sort_by in spec.parameter_enum(self.path, "sort_by"):
                params: dict[str, Any] = {
                    "start_date": window.start.isoformat(),
                    "end_date": window.end.isoformat(),
                    "sort_by": sort_by,
                    "num_of_pins": self.num_of_pins,
                    "metric_types": ",".join(self.selected_metrics(self.metric_names)),
                    "app_types": self.config.get("app_types", "ALL"),
                    **self.organic_params(),
                }
                body = self.fetch(self.path, params, context)
                pins = body.get("pins") if isinstance(body, dict) else None
                if not isinstance(pins, list):
                    msg = f"Pinterest answered {self.path} without a pins list"
                    raise PinterestAPIError(msg)
                for rank, pin in enumerate(pins, start=1):
                    yield {
                        "start_date": window.start.isoformat(),
                        "end_date": window.end.isoformat(),
                        "sort_by": sort_by,
                        "pin_id": str(pin["pin_id"]),
                        "rank": rank,
                        "data_status": pin.get("data_status"),
                        **(pin.get("metrics") or {}),
                    }

    class_name = "".join(part.title() for part in name.split("_")) + "Stream"
    TopPinsAnalyticsStream.__name__ = TopPinsAnalyticsStream.__qualname__ = class_name
    TopPinsAnalyticsStream.__doc__ = f"GET {path}: a ranking over the run's date range."
    TopPinsAnalyticsStream.name = name
    TopPinsAnalyticsStream.path = path
    return TopPinsAnalyticsStream


TopPinsAnalyticsStream = top_pins_stream_type(
    "top_pins_analytics", "/user_account/analytics/top_pins"
)
TopVideoPinsAnalyticsStream = top_pins_stream_type(
    "top_video_pins_analytics", "/user_account/analytics/top_video_pins"
)
