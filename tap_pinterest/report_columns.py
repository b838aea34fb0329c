"""Which reporting columns a report level serves, and which of them only reports serve.

POST /ad_accounts/{ad_account_id}/reports (analytics/create_report) takes any column of
`ReportingColumnAsync` (613), a superset of the 175 `columns` of the synchronous
GET .../analytics endpoints but for QUIZ_PIN_RESULT_OPEN. The spec limits the columns of
one level only: at PRODUCT_ITEM "any columns related to pin promotion and ad" are refused
(the tap takes PRODUCT_ITEM_TARGETING to share the rule). The 439 report-only columns
(conversion values, quantities, ROAS, ads-credit spend, device splits...) are offered at
every level but not selected by default: a table is as wide, and a run as cheap, as the
synchronous columns make it unless a user asks for more.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tap_pinterest import spec

if TYPE_CHECKING:
    from collections.abc import Iterable

SYNC_COLUMNS = spec.ads_analytics_columns()
ASYNC_COLUMNS = spec.async_report_columns()
SYNC_COLUMN_SET = frozenset(SYNC_COLUMNS)
ASYNC_COLUMN_SET = frozenset(ASYNC_COLUMNS)
REPORT_ONLY_COLUMNS = tuple(c for c in ASYNC_COLUMNS if c not in SYNC_COLUMN_SET)
"""The columns only async reports serve, in the spec's order."""
AD_COLUMNS = frozenset(
    c
    for c in ASYNC_COLUMNS
    if c.startswith(("AD_", "PIN_PROMOTION")) and not c.startswith(("AD_GROUP", "AD_ACCOUNT"))
)
"""The columns "related to pin promotion and ad" (refused at level PRODUCT_ITEM)."""
PRODUCT_ITEM_RULE_LEVELS = frozenset({"PRODUCT_ITEM", "PRODUCT_ITEM_TARGETING"})


def report_level_columns(report_level: str) -> tuple[str, ...]:
    """The columns a report at `report_level` (MetricsReportingLevel) accepts, spec order."""
    if report_level in PRODUCT_ITEM_RULE_LEVELS:
        return tuple(c for c in ASYNC_COLUMNS if c not in AD_COLUMNS)
    return ASYNC_COLUMNS


def selected_by_default(column: str) -> bool:
    """Synchronous columns are selected by default; report-only ones must be asked for."""
    return column in SYNC_COLUMN_SET


def report_only(columns: Iterable[str]) -> list[str]:
    """The columns among `columns` that no synchronous endpoint serves, in their order."""
    return [c for c in columns if c not in SYNC_COLUMN_SET]
