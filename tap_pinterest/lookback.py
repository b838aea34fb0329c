"""How many days before its bookmark an analytics partition re-reads each run.

By default (`conversion_report_time` TIME_OF_AD_ACTION) Pinterest books a conversion on
the day of the click, engagement or view that led to it, and it can arrive up to that
attribution window later: a day's conversion numbers keep changing for as long as the
widest window. So, unless `lookback_window_days` is set, ads analytics re-read the widest
window (never less than the base 7 days). Re-reading costs rows, not calls: one call
covers up to 91 days.

Under TIME_OF_CONVERSION a conversion is booked on the day it happens, so only late
reporting and corrections revise past days: the base 7 days. With HOUR granularity the
API returns no conversion columns, so the base applies too. Organic analytics keep their
own rule: days whose `data_status` is not final hold the bookmark back, and the base 7
days are re-read before it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tap_pinterest.settings import CONFIG_SCHEMA

if TYPE_CHECKING:
    from collections.abc import Mapping

# Re-read when nothing asks for more: the tap's long-standing default, for late-reported
# events and invalid-activity corrections that revise recent days.
BASE_LOOKBACK_DAYS = 7
WINDOW_SETTINGS = ("click_window_days", "engagement_window_days", "view_window_days")


def _setting(config: Mapping[str, Any], name: str) -> Any:  # noqa: ANN401
    value = config.get(name)
    return CONFIG_SCHEMA["properties"][name].get("default") if value is None else value


def attribution_window(config: Mapping[str, Any]) -> tuple[str, int] | None:
    """The widest attribution window setting and its days, when it can revise past days.

    None under TIME_OF_CONVERSION (conversions land on their own day) and with HOUR
    granularity (no conversion columns).
    """
    if _setting(config, "conversion_report_time") != "TIME_OF_AD_ACTION":
        return None
    if _setting(config, "analytics_granularity") == "HOUR":
        return None
    windows = [(name, int(_setting(config, name))) for name in WINDOW_SETTINGS]
    return max(windows, key=lambda window: window[1])


def ads_lookback_days(config: Mapping[str, Any]) -> int:
    """lookback_window_days if set, else the widest attribution window (at least 7)."""
    configured = config.get("lookback_window_days")
    if configured is not None:
        return int(configured)
    window = attribution_window(config)
    return max(BASE_LOOKBACK_DAYS, window[1] if window else 0)


def organic_lookback_days(config: Mapping[str, Any]) -> int:
    """lookback_window_days if set, else the base 7 days (data_status does the rest)."""
    configured = config.get("lookback_window_days")
    return BASE_LOOKBACK_DAYS if configured is None else int(configured)


def short_lookback_warning(config: Mapping[str, Any]) -> str | None:
    """One line when a configured lookback stops short of the widest attribution window."""
    configured = config.get("lookback_window_days")
    window = attribution_window(config)
    if configured is None or window is None or int(configured) >= window[1]:
        return None
    name, days = window
    return (
        f"lookback_window_days is {configured} but {name} is {days} under "
        f"TIME_OF_AD_ACTION: conversions booked more than {configured} days before the "
        "bookmark will not be updated; unset lookback_window_days to follow the widest "
        "attribution window"
    )
