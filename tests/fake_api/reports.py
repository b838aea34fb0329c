"""Async reports of the fake Pinterest API: create, poll, download and report rows."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from tests.fake_api.common import (
    HOUR_MAX_DAYS_BACK,
    HOUR_REPORT_MAX_DATES,
    PRODUCT_ITEM_MAX_DATES,
    PRODUCT_ITEM_MAX_DAYS_BACK,
    PRODUCT_ITEM_RULE_LEVELS,
    REPORT_FILES,
    REPORT_MAX_DATES,
    REPORT_MAX_DAYS_BACK,
    REPORT_ONLY_ID_KEYS,
    REPORT_ONLY_LEVELS,
    REPORT_ONLY_TARGETING_LEVELS,
    REPORTING_TIMEZONES,
    SYNC_LEVELS,
    TARGETING_REPORT_LEVELS,
    TARGETING_TYPE_ONLY_AT,
    ApiError,
    _bad,
    _not_found,
    _Query,
    _Report,
)
from tests.fake_api.custom_conversions import parse_events, with_event_rows
from tests.fake_api.data import (
    CONVERSION_REPORT_TIMES,
    GRANULARITIES,
    LEVEL_ID_KEYS,
    WINDOW_DAYS,
    Attribution,
    load_spec,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.fake_api.data import FakeData
    from tests.fake_api.server import _Incoming


class ReportsMixin:
    """Route handlers and row building of the async reports.

    Mixed into :class:`~tests.fake_api.server.FakePinterestAPI`, whose lock-guarded state
    it shares.
    """

    # Set by FakePinterestAPI.reset() (or its constructor).
    data: FakeData
    host: str
    port: int
    _reports: dict[str, _Report]
    _report_endings: list[str]
    report_in_progress_polls: int
    report_url_ttl: float
    report_build_seconds: float
    monotonic: Callable[[], float]
    expire_next_report_links: int
    zero_entities: set[str]
    zero_columns: set[str]

    if TYPE_CHECKING:  # Defined by the other mixins of FakePinterestAPI.

        def _account(self, ad_account_id: str) -> dict[str, Any]: ...

    def _zero(self, rows: list[dict[str, Any]], id_key: str) -> None:
        """Zero the metrics of ``zero_entities`` and the ``zero_columns`` (both paths)."""
        for row in rows:
            self._zero_row(row, whole=row.get(id_key) in self.zero_entities)

    def _zero_row(self, row: dict[str, Any], *, whole: bool) -> None:
        if not whole and not self.zero_columns:
            return
        for col, value in row.items():
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            if numeric and col != "HOUR" and (whole or col in self.zero_columns):
                row[col] = 0 if isinstance(value, int) else 0.0

    def _report_request(self, body: str) -> dict[str, Any]:
        try:
            request = json.loads(body) if body else None
        except ValueError:
            request = None
        if not isinstance(request, dict):
            msg = "Invalid request body: parameters must be a JSON object."
            raise _bad(msg)
        for name in ("start_date", "end_date", "granularity", "level", "columns"):
            if request.get(name) in (None, "", []):
                msg = f"Missing required parameter: {name}."
                raise _bad(msg)
        return request

    def _report_dates(
        self, request: dict[str, Any], level: str, granularity: str
    ) -> tuple[date, date]:
        try:
            start = date.fromisoformat(str(request["start_date"]))
            end = date.fromisoformat(str(request["end_date"]))
        except ValueError:
            msg = "Invalid start_date or end_date: expected YYYY-MM-DD."
            raise _bad(msg) from None
        if end < start:
            msg = "Invalid end_date: end_date cannot be earlier than start_date."
            raise _bad(msg)
        back, dates_ = REPORT_MAX_DAYS_BACK, REPORT_MAX_DATES
        if granularity == "HOUR":
            back, dates_ = HOUR_MAX_DAYS_BACK, HOUR_REPORT_MAX_DATES
        elif level in PRODUCT_ITEM_RULE_LEVELS:
            back, dates_ = PRODUCT_ITEM_MAX_DAYS_BACK, PRODUCT_ITEM_MAX_DATES
        if start < self.data.today() - timedelta(days=back):
            msg = (
                f"Invalid start_date: for this report start_date cannot be more than {back} "
                "days back from today (UTC)."
            )
            raise _bad(msg)
        if (end - start).days + 1 > dates_:
            msg = f"Invalid end_date: this report can span at most {dates_} days."
            raise _bad(msg)
        return start, end

    @staticmethod
    def _report_columns(request: dict[str, Any], level: str) -> list[str]:
        columns = [str(c) for c in request["columns"]]
        unknown = [c for c in columns if c not in async_columns()]
        if unknown:
            msg = f"Invalid columns: {', '.join(unknown)}."
            raise _bad(msg)
        ad_columns = [
            c
            for c in columns
            if c.startswith(("AD_", "PIN_PROMOTION"))
            and not c.startswith(("AD_GROUP", "AD_ACCOUNT"))
        ]
        if level in PRODUCT_ITEM_RULE_LEVELS and ad_columns:
            msg = f"Invalid columns for level {level}: {', '.join(ad_columns)}."
            raise _bad(msg)
        return columns

    def _create_report(self, q: _Query, body: str, ad_account_id: str) -> dict[str, Any]:
        self._account(ad_account_id)
        if q.raw:
            msg = "Query parameters are not supported: send them as a JSON body."
            raise _bad(msg)
        request = self._report_request(body)
        level = str(request["level"])
        known = (
            *SYNC_LEVELS,
            *REPORT_ONLY_LEVELS,
            *TARGETING_REPORT_LEVELS,
            *REPORT_ONLY_TARGETING_LEVELS,
        )
        if level not in known:
            msg = f"Invalid level: {level}."
            raise _bad(msg)
        targeting_types = self._report_targeting_types(request, level)
        granularity = str(request["granularity"])
        if granularity not in GRANULARITIES:
            msg = f"Invalid granularity: {granularity}."
            raise _bad(msg)
        columns = self._report_columns(request, level)
        windows = {}
        for name in ("click_window_days", "view_window_days", "engagement_window_days"):
            value = request.get(name)
            if value is not None and value not in WINDOW_DAYS:
                msg = f"Invalid {name}: {value}."
                raise _bad(msg)
            if value is not None:
                windows[name] = int(value)
        report_time = str(request.get("conversion_report_time") or "TIME_OF_AD_ACTION")
        if report_time not in CONVERSION_REPORT_TIMES:
            msg = f"Invalid conversion_report_time: {report_time}."
            raise _bad(msg)
        zone = str(request.get("reporting_timezone") or REPORTING_TIMEZONES[0])
        if zone not in REPORTING_TIMEZONES:
            msg = f"Invalid reporting_timezone: {zone}."
            raise _bad(msg)
        if request.get("report_format", "JSON") != "JSON":
            msg = "The fake serves JSON reports only."
            raise _bad(msg)
        start, end = self._report_dates(request, level, granularity)
        custom_events = parse_events(request)
        token = f"report-{len(self._reports) + 1}"
        ending = self._report_endings.pop(0) if self._report_endings else "FINISHED"
        self._reports[token] = _Report(
            token,
            ad_account_id,
            level,
            start,
            end,
            granularity,
            columns,
            Attribution(**windows, conversion_report_time=report_time, reporting_timezone=zone),
            ending,
            self.report_in_progress_polls,
            ready_at=self.monotonic() + self.report_build_seconds,
            targeting_types=targeting_types,
            custom_events=custom_events,
        )
        return {"report_status": "IN_PROGRESS", "token": token, "message": None}

    @staticmethod
    def _report_targeting_types(request: dict[str, Any], level: str) -> tuple[str, ...]:
        """targeting_types: required at *_TARGETING levels, refused at the others."""
        types = request.get("targeting_types")
        if level not in TARGETING_REPORT_LEVELS and level not in REPORT_ONLY_TARGETING_LEVELS:
            if types is not None:
                msg = f"Invalid targeting_types: level {level} does not end in _TARGETING."
                raise _bad(msg)
            return ()
        if types in (None, []):
            msg = "Missing required parameter: targeting_types."
            raise _bad(msg)
        allowed, max_items = report_targeting_parameter()
        if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
            msg = "Invalid targeting_types: expected a list of targeting types."
            raise _bad(msg)
        if len(types) > max_items:
            msg = f"Invalid targeting_types: at most {max_items} values are allowed."
            raise _bad(msg)
        unknown = [t for t in types if t not in allowed]
        if unknown:
            msg = f"Invalid targeting_types: {', '.join(unknown)}."
            raise _bad(msg)
        elsewhere = [t for t in types if TARGETING_TYPE_ONLY_AT.get(t, level) != level]
        if elsewhere:
            msg = f"Invalid targeting_types for level {level}: {', '.join(elsewhere)}."
            raise _bad(msg)
        return tuple(types)

    def _get_report(self, q: _Query, ad_account_id: str) -> dict[str, Any]:
        self._account(ad_account_id)
        report = self._reports.get(q.required("token"))
        if report is None or report.ad_account_id != ad_account_id:
            return {"report_status": "DOES_NOT_EXIST", "url": None, "size": None}
        if report.polls_left > 0 or self.monotonic() < report.ready_at:
            report.polls_left = max(report.polls_left - 1, 0)
            return {"report_status": "IN_PROGRESS", "url": None, "size": None}
        if report.ending != "FINISHED":
            return {"report_status": report.ending, "url": None, "size": None}
        report.url_expires_at = time.time() + self.report_url_ttl
        url = f"http://{self.host}:{self.port}{REPORT_FILES}/{report.token}"
        return {"report_status": "FINISHED", "url": url, "size": 1024.0}

    def _download_report(self, request: _Incoming) -> Any:
        if any(k.lower() == "authorization" for k in request.headers):
            msg = "Only one auth mechanism allowed: the link is pre-signed."
            raise _bad(msg)
        report = self._reports.get(request.path.removeprefix(REPORT_FILES + "/"))
        if report is None:
            msg = "The specified key does not exist."
            raise _not_found(msg)
        if self.expire_next_report_links > 0 or time.time() > report.url_expires_at:
            self.expire_next_report_links = max(0, self.expire_next_report_links - 1)
            raise ApiError(403, 403, "Request has expired.")
        return self.report_body(report)

    def report_body(self, report: _Report) -> dict[str, list[dict[str, Any]]]:
        """What the report's link serves (see the module docstring)."""
        if report.level in TARGETING_REPORT_LEVELS:
            keyed = self._targeting_report(report)
        elif report.level in REPORT_ONLY_TARGETING_LEVELS:
            keyed = self._report_only_targeting_report(report)
        elif report.level in REPORT_ONLY_LEVELS:
            keyed = self.data.report_only_rows(
                report.ad_account_id,
                report.level,
                report.start,
                report.end,
                columns=report.columns,
                granularity=report.granularity,
                attribution=report.attribution,
            )
            for eid, rows in keyed.items():
                for row in rows:
                    self._zero_row(row, whole=eid in self.zero_entities)
        else:
            level = SYNC_LEVELS[report.level]
            id_key = LEVEL_ID_KEYS[level]
            rows = self._level_rows(report, level)
            keyed = {}
            for row in rows:
                eid = row[id_key]
                if id_key not in report.columns:
                    del row[id_key]
                keyed.setdefault(eid, []).append(row)
        keyed = with_event_rows(keyed, report.ad_account_id, report.custom_events)
        return {eid: kept for eid, rows in keyed.items() if (kept := _without_zeros(rows))}

    def _targeting_report(self, report: _Report) -> dict[str, list[dict[str, Any]]]:
        """The synchronous targeting split of the level's rows, as report rows."""
        from tests.fake_api.shopping import targeting_report_rows  # noqa: PLC0415 - imports us

        level = TARGETING_REPORT_LEVELS[report.level]
        rows = self._level_rows(report, level)
        return targeting_report_rows(rows, level, report.targeting_types, report.columns)

    def _report_only_targeting_report(self, report: _Report) -> dict[str, list[dict[str, Any]]]:
        """PRODUCT_GROUP/PRODUCT_ITEM_TARGETING: the plain report's rows, split by targeting."""
        from tests.fake_api.shopping import targeting_report_rows  # noqa: PLC0415 - imports us

        level = REPORT_ONLY_TARGETING_LEVELS[report.level]
        id_key = REPORT_ONLY_ID_KEYS[level]
        keyed = self.data.report_only_rows(
            report.ad_account_id,
            level,
            report.start,
            report.end,
            columns=report.columns,
            granularity=report.granularity,
            attribution=report.attribution,
        )
        rows = [{id_key: eid, **row} for eid, entity_rows in keyed.items() for row in entity_rows]
        self._zero(rows, id_key)
        return targeting_report_rows(
            rows, level, report.targeting_types, report.columns, id_key=id_key
        )

    def _level_rows(self, report: _Report, level: str) -> list[dict[str, Any]]:
        """The synchronous level's rows over the report's dates, with its zeroed entities."""
        rows = self.data.ads_analytics_rows(
            report.ad_account_id,
            level,
            None,
            report.start,
            report.end,
            columns=report.columns,
            granularity=report.granularity,
            attribution=report.attribution,
        )
        self._zero(rows, LEVEL_ID_KEYS[level])
        return rows


# Report row columns that are numbers but not metrics (LOCATION values are numbers).


_NOT_METRICS = frozenset({"HOUR", "TARGETING_VALUE"})


def _without_zeros(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """JSON reports leave zero metrics out, and rows whose metrics are all zero."""
    kept = []
    for row in rows:
        metrics = {
            k: v
            for k, v in row.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool) and k not in _NOT_METRICS
        }
        if metrics and not any(metrics.values()):
            continue
        kept.append({k: v for k, v in row.items() if k not in metrics or v})
    return kept


@cache
def report_targeting_parameter() -> tuple[frozenset[str], int]:
    """(enum, maxItems) of targeting_types in analytics/create_report's body.

    AdsAnalyticsCreateAsyncRequest takes it from TargetingTypeFilter: its own enum, at
    most 5 values.
    """
    prop = load_spec()["components"]["schemas"]["TargetingTypeFilter"]["properties"]
    schema = prop["targeting_types"]
    return frozenset(schema["items"]["enum"]), int(schema["maxItems"])


@cache
def async_columns() -> frozenset[str]:
    """ReportingColumnAsync: the columns async reports accept."""
    return frozenset(load_spec()["components"]["schemas"]["ReportingColumnAsync"]["enum"])
