"""Analytics rows are typed and trimmed once per layout of columns and value types.

`AdsAnalyticsStream.shape` remembers, per row layout (the columns, in order) and per
tuple of value types, which columns to convert, and drops the layout's deselected
columns itself (issue 19: the tap's CPU per row). Rows whose layout or types change
from one row to the next must still come out exactly as the per-column conversion
made them.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from tests.fake_api.server import DEFAULT_STATIC_TOKEN
from tests.tap_runner import catalog_selecting, deselect_properties, run_sync

if TYPE_CHECKING:
    import pytest

    from tests.fake_api import FakePinterestAPI

ADS_ANALYTICS = r"/v5/ad_accounts/\d+/ads/analytics"
ACCOUNTS = ("549755885175", "549755885176")
ATTRIBUTION = [
    ("GRANULARITY", "DAY"),
    ("CLICK_WINDOW_DAYS", 30),
    ("ENGAGEMENT_WINDOW_DAYS", 30),
    ("VIEW_WINDOW_DAYS", 1),
    ("CONVERSION_REPORT_TIME", "TIME_OF_AD_ACTION"),
    ("REPORTING_TIMEZONE", "PINTEREST_TIME_ZONE"),
]
# NEW_METRIC is not in the schema; ADS_CREDIT_SPEND_IN_DOLLAR is (a report-only column,
# not selected by default), and TOTAL_CLICKTHROUGH is deselected by the test's catalog.
ROWS = [
    # The id as a number (as targeting items send it), a rate as text.
    (
        '{"AD_ID": 687195134316, "DATE": "2026-11-29", "CTR": "0.25", "NEW_METRIC": 1,'
        ' "ADS_CREDIT_SPEND_IN_DOLLAR": 2.5, "SPEND_IN_DOLLAR": 1.5, "TOTAL_CLICKTHROUGH": 7}'
    ),
    # The same columns, every value of its type (null in a deselected column).
    (
        '{"AD_ID": "687195134317", "DATE": "2026-11-29", "CTR": 0.5, "NEW_METRIC": 2,'
        ' "ADS_CREDIT_SPEND_IN_DOLLAR": null, "SPEND_IN_DOLLAR": 3, "TOTAL_CLICKTHROUGH": 8}'
    ),
    # The first row's columns and value types again.
    (
        '{"AD_ID": 687195134318, "DATE": "2026-11-30", "CTR": "0.75", "NEW_METRIC": 3,'
        ' "ADS_CREDIT_SPEND_IN_DOLLAR": 1.0, "SPEND_IN_DOLLAR": 5.5, "TOTAL_CLICKTHROUGH": 9}'
    ),
    # Other columns in another order.
    '{"DATE": "2026-11-30", "AD_ID": "687195134319", "SPEND_IN_DOLLAR": "4.25", "CTR": null}',
    # The first row's columns, with other wrong types.
    (
        '{"AD_ID": "687195134320", "DATE": "2026-11-30", "CTR": 1, "NEW_METRIC": "x",'
        ' "ADS_CREDIT_SPEND_IN_DOLLAR": "6", "SPEND_IN_DOLLAR": "7", "TOTAL_CLICKTHROUGH": "10"}'
    ),
]


def expected(account: str) -> list[list[tuple[str, Any]]]:
    """The records of ROWS for one ad account, in order, keys in order."""
    tail = [*ATTRIBUTION, ("ad_account_id", account)]
    heads: list[list[tuple[str, Any]]] = [
        [
            ("AD_ID", "687195134316"),
            ("DATE", "2026-11-29"),
            ("CTR", 0.25),
            ("SPEND_IN_DOLLAR", 1.5),
        ],
        [("AD_ID", "687195134317"), ("DATE", "2026-11-29"), ("CTR", 0.5), ("SPEND_IN_DOLLAR", 3)],
        [
            ("AD_ID", "687195134318"),
            ("DATE", "2026-11-30"),
            ("CTR", 0.75),
            ("SPEND_IN_DOLLAR", 5.5),
        ],
        [
            ("DATE", "2026-11-30"),
            ("AD_ID", "687195134319"),
            ("SPEND_IN_DOLLAR", 4.25),
            ("CTR", None),
        ],
        [("AD_ID", "687195134320"), ("DATE", "2026-11-30"), ("CTR", 1), ("SPEND_IN_DOLLAR", 7.0)],
    ]
    return [[*head, *tail] for head in heads]


def test_rows_of_changing_layouts_are_typed_and_trimmed_each(
    fake_api: FakePinterestAPI, caplog: pytest.LogCaptureFixture
) -> None:
    start = datetime.now(tz=timezone.utc).date() - timedelta(days=3)
    config = {
        "access_token": DEFAULT_STATIC_TOKEN,
        "api_url": fake_api.url,
        "start_date": start.isoformat(),
    }
    catalog = catalog_selecting(config, {"ad_accounts", "ad_analytics"})
    selected = {"CTR", "SPEND_IN_DOLLAR"}
    catalog = deselect_properties(catalog, "ad_analytics", selected)
    fake_api.inject_raw(ADS_ANALYTICS, ("[" + ",".join(ROWS) + "]").encode(), times=2)
    caplog.set_level(logging.WARNING)

    result = run_sync(config, catalog=catalog)

    records = [list(record.items()) for record in result.stream("ad_analytics")]
    assert records == expected(ACCOUNTS[0]) + expected(ACCOUNTS[1])
    # Numbers keep their JSON type, and text becomes the number it spells.
    spend_types = [type(dict(record)["SPEND_IN_DOLLAR"]) for record in records]
    assert spend_types == [float, int, float, float, float] * 2
    ctr_types = [type(dict(record)["CTR"]) for record in records]
    assert ctr_types == [float, float, float, type(None), int] * 2
    unknown = [r.getMessage() for r in caplog.records if "NEW_METRIC" in r.getMessage()]
    warning = (
        "Properties ('NEW_METRIC',) were present in the 'ad_analytics' stream but not found "
        "in catalog schema. Ignoring."
    )
    assert unknown == [warning]
    calls = fake_api.calls(ADS_ANALYTICS)
    assert [c.query["columns"] for c in calls] == [["SPEND_IN_DOLLAR,CTR"]] * 2
