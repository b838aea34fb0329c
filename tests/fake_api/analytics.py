"""Synchronous ads analytics of the fake Pinterest API (and its date-range rules).

Targeting analytics are in :mod:`tests.fake_api.shopping`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from tests.fake_api.common import (
    HOUR_MAX_DAYS_BACK,
    HOUR_MAX_RANGE_DAYS,
    MAX_DAYS_BACK,
    MAX_PIN_IDS,
    MAX_RANGE_DAYS,
    REPORTING_TIMEZONES,
    _bad,
    _Query,
)
from tests.fake_api.data import (
    CONVERSION_REPORT_TIMES,
    GRANULARITIES,
    LEVEL_ID_KEYS,
    WINDOW_DAYS,
    Attribution,
    sync_columns,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.fake_api.data import FakeData


class AnalyticsMixin:
    """Route handlers of the synchronous ads analytics.

    Mixed into :class:`~tests.fake_api.server.FakePinterestAPI`, whose lock-guarded state
    it shares.
    """

    # Set by FakePinterestAPI.reset() (or its constructor).
    data: FakeData
    hour_in_date: bool

    if TYPE_CHECKING:  # Defined by the other mixins of FakePinterestAPI.

        def _account(self, ad_account_id: str) -> dict[str, Any]: ...

        def _zero(self, rows: list[dict[str, Any]], id_key: str) -> None: ...

    def _date_range(
        self,
        q: _Query,
        granularity: str | None = None,
        *,
        hour_range_rule: bool = True,
    ) -> tuple[date, date]:
        start = q.day("start_date")
        end = q.day("end_date")
        today = self.data.today()
        if end < start:
            msg = "Invalid end_date: end_date cannot be earlier than start_date."
            raise _bad(msg)
        if granularity == "HOUR":
            if start < today - timedelta(days=HOUR_MAX_DAYS_BACK):
                msg = (
                    f"Invalid start_date: with granularity HOUR, start_date cannot be more than "
                    f"{HOUR_MAX_DAYS_BACK} days back from today (UTC)."
                )
                raise _bad(msg)
            if hour_range_rule and (end - start).days > HOUR_MAX_RANGE_DAYS:
                msg = (
                    f"Invalid end_date: with granularity HOUR, end_date cannot be more than "
                    f"{HOUR_MAX_RANGE_DAYS} days past start_date."
                )
                raise _bad(msg)
        if start < today - timedelta(days=MAX_DAYS_BACK):
            msg = (
                f"Invalid start_date: start_date cannot be more than {MAX_DAYS_BACK} days back "
                "from today (UTC)."
            )
            raise _bad(msg)
        if (end - start).days > MAX_RANGE_DAYS:
            msg = (
                f"Invalid end_date: end_date cannot be more than {MAX_RANGE_DAYS} days past "
                "start_date."
            )
            raise _bad(msg)
        return start, end

    def _ads_analytics(
        self,
        q: _Query,
        ad_account_id: str,
        level: str,
        entity_ids: Callable[[], list[str] | None],
    ) -> list[dict[str, Any]]:
        self._account(ad_account_id)
        for name in ("start_date", "end_date", "columns", "granularity"):
            q.required(name)
        ids = entity_ids()
        granularity = q.enum("granularity", GRANULARITIES)
        columns = q.many("columns") or []
        unknown = [c for c in columns if c not in sync_columns()]
        if unknown:
            msg = f"Invalid columns: {', '.join(unknown)}."
            raise _bad(msg)
        windows = {}
        for name in ("click_window_days", "view_window_days", "engagement_window_days"):
            value = q.get(name)
            if value is not None and value not in {str(d) for d in WINDOW_DAYS}:
                msg = f"Invalid {name}: {value}. Must be one of {', '.join(map(str, WINDOW_DAYS))}."
                raise _bad(msg)
            if value is not None:
                windows[name] = int(value)
        report_time = q.enum("conversion_report_time", CONVERSION_REPORT_TIMES, "TIME_OF_AD_ACTION")
        zone = q.enum("reporting_timezone", REPORTING_TIMEZONES, REPORTING_TIMEZONES[0])
        start, end = self._date_range(q, granularity, hour_range_rule=level != "ad_account")
        attribution = Attribution(
            **windows,
            conversion_report_time=report_time or "TIME_OF_AD_ACTION",
            reporting_timezone=zone or REPORTING_TIMEZONES[0],
        )
        rows = self.data.ads_analytics_rows(
            ad_account_id,
            level,
            ids,
            start,
            end,
            columns=columns,
            granularity=granularity or "DAY",
            attribution=attribution,
        )
        self._zero(rows, LEVEL_ID_KEYS[level])
        if granularity == "HOUR" and self.hour_in_date:
            # The other plausible shape (the spec is silent): the hour inside DATE.
            for row in rows:
                row["DATE"] = f"{row['DATE']} {row.pop('HOUR'):02d}"
        return rows

    def _account_analytics(self, q: _Query, ad_account_id: str) -> list[dict[str, Any]]:
        return self._ads_analytics(q, ad_account_id, "ad_account", lambda: None)

    def _campaign_analytics(self, q: _Query, ad_account_id: str) -> list[dict[str, Any]]:
        return self._ads_analytics(
            q, ad_account_id, "campaign", lambda: q.ids("campaign_ids", required=True)
        )

    def _ad_group_analytics(self, q: _Query, ad_account_id: str) -> list[dict[str, Any]]:
        return self._ads_analytics(
            q, ad_account_id, "ad_group", lambda: q.ids("ad_group_ids", required=True)
        )

    def _ad_analytics(self, q: _Query, ad_account_id: str) -> list[dict[str, Any]]:
        def ids() -> list[str] | None:
            ad_ids = q.ids("ad_ids")
            if ad_ids is not None:
                return ad_ids
            campaign_ids = q.ids("campaign_ids")
            pin_ids = q.ids("pin_ids", MAX_PIN_IDS)
            if campaign_ids is None or pin_ids is None:
                msg = "Missing required parameter: ad_ids (or both campaign_ids and pin_ids)."
                raise _bad(msg)
            return [
                a["id"]
                for a in self.data.ads.get(ad_account_id, [])
                if a["campaign_id"] in campaign_ids and a["pin_id"] in pin_ids
            ]

        return self._ads_analytics(q, ad_account_id, "ad", ids)
