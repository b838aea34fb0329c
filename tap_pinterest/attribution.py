"""The attribution window combinations Pinterest accepts, checked before any call.

The spec lets each of click_window_days, engagement_window_days and view_window_days be
0, 1, 7, 14, 30 or 60 (ConversionAttributionWindowDays) but says nothing of combinations;
the live API refuses some with HTTP 400 on every analytics call. Public documentation
lists the valid (click, engagement, view) combinations over 1, 7, 30 and 60 days (Matia's
Pinterest setup guide, https://docs.matia.io/docs/connectors/etl/pinterest/setup-guide):
click >= engagement >= view, plus (30, 60, 1). Combinations using 0 or 14 are documented
nowhere, so they are left to Pinterest (a refusal is then one fatal line:
refusal_forms.raise_if_fatal_refusal).
"""

from __future__ import annotations

from typing import Any

DOCUMENTED_DAYS = frozenset({1, 7, 30, 60})
VALID_COMBINATIONS = frozenset(
    {
        (click, engagement, view)
        for click in DOCUMENTED_DAYS
        for engagement in DOCUMENTED_DAYS
        for view in DOCUMENTED_DAYS
        if click >= engagement >= view
    }
    | {(30, 60, 1)}
)
DEFAULTS = {"click_window_days": 30, "engagement_window_days": 30, "view_window_days": 1}


def attribution_window_errors(config: dict[str, Any]) -> list[str]:
    """One line when the three windows are a documented combination Pinterest refuses."""
    values = tuple(config.get(name, default) for name, default in DEFAULTS.items())
    if not all(isinstance(v, int) and v in DOCUMENTED_DAYS for v in values):
        return []
    if values in VALID_COMBINATIONS:
        return []
    click, engagement, view = values
    message = (
        f"click_window_days={click}, engagement_window_days={engagement} and "
        f"view_window_days={view} are a combination Pinterest refuses: the windows must "
        "satisfy click >= engagement >= view (or be 30/60/1)."
    )
    return [message]
