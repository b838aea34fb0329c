"""Custom reports (`custom_reports`, issue 18) and custom conversion events, over HTTP.

A custom report at a level gives the rows the built-in stream of that level gives
through reports for the same columns and settings (those are checked against the fake's
data builders in test_reports.py and its siblings), and the campaign report is checked
against the builders directly. Custom conversion events come as rows of their own
(tests/fake_api/custom_conversions.py), keyed by custom_event_name.
"""

from __future__ import annotations

import copy
import logging
from typing import TYPE_CHECKING, Any

import pytest
import requests
from singer_sdk.exceptions import ConfigValidationError

from tap_pinterest.custom_reports import ENTITY_ROW
from tap_pinterest.row_meaning import SettingsChangedError
from tap_pinterest.sdk_seam import SeamStream
from tap_pinterest.tap import TapPinterest
from tests.fake_api.custom_conversions import metric_value
from tests.fake_api.server import DEFAULT_STATIC_TOKEN
from tests.tap_runner import SyncResult, catalog_selecting, deselect_properties, run_sync
from tests.test_analytics import ACCOUNT_1, ACCOUNTS, config_for, days_ago, partitions
from tests.test_reports import ATTRIBUTION, expected_records
from tests.test_targeting_reports import bodies, run_failing, windows_of

if TYPE_CHECKING:
    from tests.fake_api import FakePinterestAPI

FAST = {"report_poll_seconds": 0.01}
METRICS = ["SPEND_IN_DOLLAR", "TOTAL_CLICKTHROUGH", "CTR"]
KEEP = {*METRICS, *ATTRIBUTION, "ad_account_id", "ADE_TOTAL_CONVERSIONS", "ADE_ROAS"}
# kind -> (definition past its name, built-in stream, the built-in's settings, key columns)
KINDS: dict[str, tuple[dict[str, Any], str, dict[str, Any], tuple[str, ...]]] = {
    "plain": (
        {"level": "CAMPAIGN", "columns": METRICS},
        "campaign_analytics",
        {},
        ("CAMPAIGN_ID", "DATE"),
    ),
    "targeting": (
        {
            "level": "AD_GROUP_TARGETING",
            "columns": METRICS,
            "targeting_types": ["GENDER", "COUNTRY"],
            "click_window_days": 7,
            "engagement_window_days": 7,
            "view_window_days": 7,
            "conversion_report_time": "TIME_OF_CONVERSION",
        },
        "ad_group_targeting_analytics",
        {
            "targeting_types": ["GENDER", "COUNTRY"],
            "click_window_days": 7,
            "engagement_window_days": 7,
            "view_window_days": 7,
            "conversion_report_time": "TIME_OF_CONVERSION",
        },
        ("AD_GROUP_ID", "DATE", "targeting_type", "targeting_value"),
    ),
    "keyword": (
        {"level": "KEYWORD", "columns": METRICS, "granularity": "WEEK"},
        "keyword_analytics",
        {"analytics_granularity": "WEEK"},
        ("KEYWORD_ID", "DATE"),
    ),
    "hourly": (
        {"level": "PIN_PROMOTION", "columns": METRICS, "granularity": "HOUR"},
        "ad_analytics",
        {"analytics_granularity": "HOUR"},
        ("AD_ID", "DATE", "HOUR"),
    ),
    "product_item": (
        {"level": "PRODUCT_ITEM", "columns": METRICS},
        "product_item_analytics",
        {},
        ("PRODUCT_ITEM_ID", "AD_GROUP_ID", "DATE"),
    ),
}
EVENTS = [
    {"custom_event_name": "signup_x", "custom_event_metrics_type": "ADE_TOTAL_CONVERSIONS"},
    {"custom_event_name": "signup_x", "custom_event_metrics_type": "ADE_ROAS"},
    {"custom_event_name": "lead_y", "custom_event_metrics_type": "ADE_TOTAL_CONVERSIONS"},
]


def custom_config(api: FakePinterestAPI, *reports: dict[str, Any], **extra: Any) -> dict[str, Any]:
    start = extra.pop("start", days_ago(3))
    end = extra.pop("end", days_ago(1))
    return config_for(api, start, end, custom_reports=list(reports), **FAST, **extra)


def sync(config: dict[str, Any], stream: str, state: Any = None) -> SyncResult:
    catalog = catalog_selecting(config, {stream})
    deselect_properties(catalog, stream, KEEP)
    return run_sync(config, catalog=catalog, state=state)


def keyed(records: list[dict[str, Any]], key: tuple[str, ...]) -> dict[tuple[Any, ...], Any]:
    out = {(r["ad_account_id"], *(r[k] for k in key)): r for r in records}
    assert len(out) == len(records), "duplicate primary keys"
    return out


def schema_message(result: SyncResult, stream: str) -> dict[str, Any]:
    schemas = [m for m in result.messages if m["type"] == "SCHEMA" and m["stream"] == stream]
    assert schemas
    return schemas[-1]


# Each level kind ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_custom_report_gives_the_rows_of_its_level(fake_api: FakePinterestAPI, kind: str) -> None:
    """Same records as the built-in stream of the level, under the report's own settings."""
    definition, builtin, settings, key = KINDS[kind]
    report = {"name": f"my_{kind}", **definition}
    stream = f"custom_report_my_{kind}"
    custom = sync(custom_config(fake_api, report), stream)

    records = custom.stream(stream)
    assert records
    assert schema_message(custom, stream)["key_properties"] == list(key)
    wanted = {**settings, "analytics_source": "reports"}
    same = sync(custom_config(fake_api, **wanted), builtin)
    assert keyed(records, key) == keyed(same.stream(builtin), key)
    bookmarks = partitions(custom.final_state, stream)
    assert set(bookmarks) == set(ACCOUNTS)
    assert bookmarks == partitions(same.final_state, builtin)
    assert (
        custom.final_state["bookmarks"][stream]["partitions"][0]["settings"]["level"]
        == (definition["level"])
    )


def test_a_campaign_report_gives_the_data_exactly(fake_api: FakePinterestAPI) -> None:
    """The builders' rows, one report per account, the body the definition asks for."""
    start, end = days_ago(3), days_ago(1)
    report = {"name": "spend", "level": "CAMPAIGN", "columns": METRICS}
    result = sync(custom_config(fake_api, report, start=start, end=end), "custom_report_spend")

    records = keyed(result.stream("custom_report_spend"), ("CAMPAIGN_ID", "DATE"))
    assert records == expected_records(fake_api, "campaign_analytics", start, end, METRICS)
    body = bodies(fake_api, ACCOUNT_1)
    assert body == [
        {
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "granularity": "DAY",
            "level": "CAMPAIGN",
            "columns": METRICS,
            "click_window_days": 30,
            "engagement_window_days": 30,
            "view_window_days": 1,
            "conversion_report_time": "TIME_OF_AD_ACTION",
            "reporting_timezone": "PINTEREST_TIME_ZONE",
            "report_format": "JSON",
        }
    ]
    assert fake_api.calls(r"/v5/ad_accounts/\d+/campaigns/analytics") == []


def test_custom_streams_exist_only_when_configured_and_are_shallow(
    fake_api: FakePinterestAPI,
) -> None:
    plain = TapPinterest(config=config_for(fake_api, days_ago(3)), parse_env_config=False)
    assert len(plain.streams) == 37
    assert not [name for name in plain.streams if name.startswith("custom_report_")]
    report = {"name": "spend", "level": "CAMPAIGN", "columns": METRICS}
    tap = TapPinterest(config=custom_config(fake_api, report), parse_env_config=False)
    assert "custom_report_spend" in tap.streams
    assert len(tap.streams) == 38
    mro = [
        c
        for c in type(tap.streams["custom_report_spend"]).__mro__
        if c.__module__.startswith("tap_pinterest")
    ]
    assert len(mro) <= 4
    assert mro[-1] is SeamStream


def test_a_failed_report_ends_only_its_ad_account(fake_api: FakePinterestAPI) -> None:
    """Failure isolation: one line for the account whose report failed, the other synced."""
    fake_api.fail_next_reports("FAILED")
    start, end = days_ago(3), days_ago(1)
    report = {"name": "spend", "level": "KEYWORD", "columns": METRICS}
    stream = "custom_report_spend"
    result, error = run_failing(custom_config(fake_api, report, start=start, end=end), {stream})
    assert [f.problem for f in error.failures] == [
        f"Pinterest report FAILED for ad account {ACCOUNT_1}, level KEYWORD, {start} to {end}"
    ]
    assert {r["ad_account_id"] for r in result.stream(stream)} == {ACCOUNTS[1]}
    assert partitions(result.final_state, stream) == {
        ACCOUNT_1: None,
        ACCOUNTS[1]: days_ago(1).isoformat(),
    }


def test_history_reaches_914_days_with_one_warning(
    fake_api: FakePinterestAPI, caplog: pytest.LogCaptureFixture
) -> None:
    report = {"name": "spend", "level": "ADVERTISER", "columns": ["SPEND_IN_DOLLAR"]}
    stream = "custom_report_spend"
    config = custom_config(fake_api, report, start=days_ago(1000), end=days_ago(700))
    with caplog.at_level(logging.WARNING):
        result = sync(config, stream)
    assert [r.getMessage() for r in caplog.records if "no longer" in r.getMessage()] == [
        (
            f"{stream}: Pinterest serves analytics at most 914 days back; {days_ago(1000)} to "
            f"{days_ago(914)} can no longer be fetched, starting at {days_ago(913)}"
        )
    ]
    assert windows_of(bodies(fake_api, ACCOUNT_1)) == [
        (days_ago(913).isoformat(), days_ago(728).isoformat()),
        (days_ago(727).isoformat(), days_ago(700).isoformat()),
    ]
    records = keyed(result.stream(stream), ("DATE",))
    assert len(records) == 2 * 214
    assert schema_message(result, stream)["key_properties"] == ["ad_account_id", "DATE"]


# Resuming and the meaning guards ---------------------------------------------------------


def test_a_custom_report_resumes_from_its_bookmark(fake_api: FakePinterestAPI) -> None:
    """The second run asks only from bookmark - lookback, per ad account."""
    report = {"name": "spend", "level": "CAMPAIGN", "columns": METRICS}
    stream = "custom_report_spend"
    first_config = custom_config(
        fake_api, report, start=days_ago(10), end=days_ago(5), lookback_window_days=2
    )
    first = sync(first_config, stream)
    assert partitions(first.final_state, stream) == dict.fromkeys(ACCOUNTS, days_ago(5).isoformat())
    fake_api.clear_log()

    second_config = {**first_config, "end_date": days_ago(1).isoformat()}
    second = sync(second_config, stream, state=copy.deepcopy(first.final_state))
    for account in ACCOUNTS:
        assert windows_of(bodies(fake_api, account)) == [
            (days_ago(7).isoformat(), days_ago(1).isoformat())
        ]
    assert {r["DATE"] for r in second.stream(stream)} == {
        days_ago(n).isoformat() for n in range(1, 8)
    }
    assert partitions(second.final_state, stream) == dict.fromkeys(
        ACCOUNTS, days_ago(1).isoformat()
    )


@pytest.mark.parametrize(
    ("changed", "said"),
    [
        (
            {"click_window_days": 7, "engagement_window_days": 7, "view_window_days": 1},
            "click_window_days was 30 and is now 7, engagement_window_days was 30 and is now 7",
        ),
        ({"granularity": "WEEK"}, "analytics_granularity was 'DAY' and is now 'WEEK'"),
        ({"level": "AD_GROUP"}, "level was 'CAMPAIGN' and is now 'AD_GROUP'"),
        (
            {"attribution_types": ["HOUSEHOLD"]},
            "attribution_types was [] and is now ['HOUSEHOLD']",
        ),
    ],
)
def test_a_changed_meaning_setting_is_refused_in_one_line(
    fake_api: FakePinterestAPI, changed: dict[str, Any], said: str
) -> None:
    report = {"name": "spend", "level": "CAMPAIGN", "columns": METRICS}
    stream = "custom_report_spend"
    first = sync(custom_config(fake_api, report), stream)
    fake_api.clear_log()
    with pytest.raises(SettingsChangedError) as excinfo:
        sync(custom_config(fake_api, {**report, **changed}), stream, state=first.final_state)
    assert str(excinfo.value) == (
        f"{stream} (ad_account_id {ACCOUNTS[0]}): settings changed since the state was "
        f"written ({said}); rows counted both ways would mix under the same keys. Put the "
        f"settings back, or reset {stream}'s state and its table (see 'Resetting a "
        "stream's state' in the README)"
    )
    assert fake_api.calls(r"/v5/ad_accounts/\d+/reports", method="POST") == []


def test_the_tap_settings_do_not_change_a_report_that_sets_its_own(
    fake_api: FakePinterestAPI,
) -> None:
    """A report's own granularity and windows hold whatever the tap-wide settings say."""
    report = {
        "name": "spend",
        "level": "CAMPAIGN",
        "columns": METRICS,
        "granularity": "DAY",
        "click_window_days": 30,
    }
    stream = "custom_report_spend"
    first = sync(custom_config(fake_api, report), stream)
    other = custom_config(fake_api, report, analytics_granularity="WEEK", click_window_days=60)
    again = sync(other, stream, state=first.final_state)
    assert {r["GRANULARITY"] for r in again.stream(stream)} == {"DAY"}
    assert {r["CLICK_WINDOW_DAYS"] for r in again.stream(stream)} == {30}


# Custom conversion events ----------------------------------------------------------------


def test_custom_conversion_events_arrive_as_their_own_rows(fake_api: FakePinterestAPI) -> None:
    """Each event is a row keyed by custom_event_name: events never collapse."""
    start, end = days_ago(2), days_ago(1)
    report = {
        "name": "events",
        "level": "CAMPAIGN",
        "columns": METRICS,
        "attribution_types": ["INDIVIDUAL"],
        "custom_conversion_event_metrics": EVENTS,
    }
    stream = "custom_report_events"
    result = sync(custom_config(fake_api, report, start=start, end=end), stream)

    assert schema_message(result, stream)["key_properties"] == [
        "CAMPAIGN_ID",
        "DATE",
        "custom_event_name",
    ]
    properties = schema_message(result, stream)["schema"]["properties"]
    assert properties["ADE_TOTAL_CONVERSIONS"] == {"type": ["number", "null"]}
    assert properties["ADE_ROAS"] == {"type": ["number", "null"]}
    assert properties["custom_event_name"] == {"type": ["string"]}
    # No key value is empty: loaders staging rows as CSV (target-duckdb) read "" as NULL.
    assert all(r["custom_event_name"] for r in result.stream(stream))
    records = keyed(result.stream(stream), ("CAMPAIGN_ID", "DATE", "custom_event_name"))

    base = expected_records(fake_api, "campaign_analytics", start, end, METRICS)
    wanted: dict[tuple[Any, ...], dict[str, Any]] = {}
    for (account, campaign, day), record in base.items():
        wanted[account, campaign, day, ENTITY_ROW] = {**record, "custom_event_name": ENTITY_ROW}
        row = {"DATE": day}
        for event, metrics in (
            ("signup_x", ["ADE_TOTAL_CONVERSIONS", "ADE_ROAS"]),
            ("lead_y", ["ADE_TOTAL_CONVERSIONS"]),
        ):
            values = {m: metric_value(account, campaign, row, event, m) for m in metrics}
            if not any(values.values()):
                continue  # JSON reports leave out rows whose metrics are all zero
            wanted[account, campaign, day, event] = {
                "ad_account_id": account,
                "CAMPAIGN_ID": campaign,
                "DATE": day,
                "custom_event_name": event,
                **ATTRIBUTION,
                **values,
            }
    assert records == wanted
    assert any(r["custom_event_name"] == "lead_y" for r in records.values())
    body = bodies(fake_api, ACCOUNT_1)[0]
    assert body["columns"] == METRICS
    assert body["attribution_types"] == ["INDIVIDUAL"]
    assert body["custom_conversion_event_metrics"] == EVENTS


def test_custom_events_at_a_targeting_level_keep_their_targeting(
    fake_api: FakePinterestAPI,
) -> None:
    report = {
        "name": "events",
        "level": "CAMPAIGN_TARGETING",
        "columns": ["SPEND_IN_DOLLAR"],
        "targeting_types": ["GENDER"],
        "custom_conversion_event_metrics": EVENTS[:1],
    }
    stream = "custom_report_events"
    result = sync(custom_config(fake_api, report, start=days_ago(1)), stream)
    key = ("CAMPAIGN_ID", "DATE", "targeting_type", "targeting_value", "custom_event_name")
    assert schema_message(result, stream)["key_properties"] == list(key)
    records = keyed(result.stream(stream), key)
    events = [r for r in records.values() if r["custom_event_name"] == "signup_x"]
    plain = [r for r in records.values() if r["custom_event_name"] == ENTITY_ROW]
    assert events
    assert plain
    assert {r["targeting_type"] for r in events} == {"GENDER"}
    assert all("SPEND_IN_DOLLAR" not in r for r in events)
    assert all("ADE_TOTAL_CONVERSIONS" not in r for r in plain)


def test_custom_events_of_product_items_keep_the_ad_group(fake_api: FakePinterestAPI) -> None:
    """An item promoted in two ad groups has one event row per ad group: no collapse."""
    report = {
        "name": "items",
        "level": "PRODUCT_ITEM",
        "columns": ["SPEND_IN_DOLLAR"],
        "custom_conversion_event_metrics": EVENTS,
    }
    stream = "custom_report_items"
    result = sync(custom_config(fake_api, report, start=days_ago(1)), stream)
    key = ("PRODUCT_ITEM_ID", "AD_GROUP_ID", "DATE", "custom_event_name")
    assert schema_message(result, stream)["key_properties"] == list(key)
    records = keyed(result.stream(stream), key)
    groups: dict[tuple[str, str], set[str]] = {}
    for account, item, group, _, event in records:
        if event == "lead_y":
            groups.setdefault((account, item), set()).add(group)
    assert max(len(g) for g in groups.values()) == 2


# Checked at config time ------------------------------------------------------------------

GOOD = {"name": "spend", "level": "CAMPAIGN", "columns": ["SPEND_IN_DOLLAR"]}


@pytest.mark.parametrize(
    ("reports", "error"),
    [
        ({"custom_reports": "spend"}, None),
        ([{**GOOD, "name": "Spend-1"}], "report 'Spend-1': name must be lower-case letters"),
        ([{**GOOD, "name": "x" * 50}], "name must be at most 49 characters"),
        ([GOOD, GOOD], "report 'spend': name is used by another report"),
        ([{**GOOD, "colums": ["CTR"]}], "report 'spend': unknown field colums"),
        ([{**GOOD, "level": "CAMPAIGNS"}], "level must be one of ADVERTISER,"),
        ([{**GOOD, "columns": ["SPEND"]}], "columns has values the API does not know: SPEND"),
        ([{**GOOD, "columns": []}], "columns must be a non-empty list"),
        ([{k: v for k, v in GOOD.items() if k != "columns"}], "columns must list the report's"),
        ([{**GOOD, "columns": ["CAMPAIGN_NAME"]}], "columns must include at least one metric"),
        ([{**GOOD, "columns": ["AD_ID", "CTR"]}], "level CAMPAIGN rows have no AD_ID"),
        (
            [{**GOOD, "level": "PRODUCT_ITEM", "columns": ["AD_NAME", "CTR"]}],
            "rows have no AD_NAME",
        ),
        ([{**GOOD, "granularity": "YEAR"}], "granularity must be one of TOTAL, DAY, HOUR"),
        ([{**GOOD, "granularity": "TOTAL"}], "granularity TOTAL is not offered"),
        (
            [{**GOOD, "granularity": "HOUR", "columns": ["CTR", "TOTAL_CONVERSIONS"]}],
            "granularity HOUR returns no conversion metrics (spec: Granularity): TOTAL_CONVERSIONS",
        ),
        ([{**GOOD, "click_window_days": 3}], "click_window_days must be one of 0, 1, 7, 14, 30"),
        (
            [{**GOOD, "click_window_days": 1, "view_window_days": 7}],
            "click_window_days=1, engagement_window_days=30 and view_window_days=7 are a",
        ),
        ([{**GOOD, "conversion_report_time": "NOW"}], "conversion_report_time must be one of"),
        ([{**GOOD, "attribution_types": ["SOLO"]}], "attribution_types has values the API"),
        ([{**GOOD, "targeting_types": ["GENDER"]}], "targeting_types is only for levels ending"),
        (
            [{**GOOD, "level": "CAMPAIGN_TARGETING", "targeting_types": ["HAIR"]}],
            "targeting_types has values the API does not know: HAIR",
        ),
        (
            [{**GOOD, "custom_conversion_event_metrics": [{"custom_event_name": "x"}]}],
            (
                "custom_conversion_event_metrics[0].custom_event_metrics_type must be an ADE_* "
                "metric, got None"
            ),
        ),
        (
            [{**GOOD, "custom_conversion_event_metrics": [{**EVENTS[0], "custom_event_name": ""}]}],
            "custom_conversion_event_metrics[0].custom_event_name must be the event's name",
        ),
        (
            [
                {
                    **GOOD,
                    "custom_conversion_event_metrics": [
                        {**EVENTS[0], "custom_event_name": "(none)"}
                    ],
                }
            ],
            (
                "custom_conversion_event_metrics[0].custom_event_name (none) is the key of the "
                "entity's own row"
            ),
        ),
        (
            [{**GOOD, "custom_conversion_event_metrics": [EVENTS[0], EVENTS[0]]}],
            "custom_conversion_event_metrics[1] repeats ADE_TOTAL_CONVERSIONS of event 'signup_x'",
        ),
        ([42], "is not of type 'object' in config['custom_reports'][0]"),
    ],
)
def test_each_mistake_is_one_line_naming_the_report_and_field(
    reports: Any,
    error: str | None,
) -> None:
    config: dict[str, Any] = {"access_token": "cfg-test-token", "api_url": "http://127.0.0.1:9/v5"}
    config.update(reports if isinstance(reports, dict) else {"custom_reports": reports})
    with pytest.raises(ConfigValidationError) as info:
        TapPinterest(config=config, parse_env_config=False)
    errors = info.value.errors
    assert len(errors) == 1, errors
    assert "\n" not in errors[0]
    assert "custom_reports" in errors[0]
    if error is not None:
        assert error in errors[0], errors[0]


# The fake's contract ---------------------------------------------------------------------


def _post(api: FakePinterestAPI, **extra: Any) -> requests.Response:
    body = {
        "start_date": days_ago(3).isoformat(),
        "end_date": days_ago(1).isoformat(),
        "granularity": "DAY",
        "level": "CAMPAIGN",
        "columns": ["SPEND_IN_DOLLAR"],
        **extra,
    }
    return requests.post(
        f"{api.url}/ad_accounts/{ACCOUNT_1}/reports",
        json=body,
        headers={"Authorization": f"Bearer {DEFAULT_STATIC_TOKEN}"},
        timeout=10,
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"custom_conversion_event_metrics": EVENTS, "attribution_types": ["HOUSEHOLD"]}, None),
        (
            {"custom_conversion_event_metrics": [{"custom_event_name": "x"}]},
            (
                "Missing required parameter: custom_conversion_event_metrics items need "
                "custom_event_name and custom_event_metrics_type."
            ),
        ),
        (
            {
                "custom_conversion_event_metrics": [
                    {"custom_event_name": "x", "custom_event_metrics_type": "TOTAL_CONVERSIONS"}
                ]
            },
            "Invalid custom_event_metrics_type: TOTAL_CONVERSIONS.",
        ),
        (
            {"custom_conversion_event_metrics": "x"},
            "Invalid custom_conversion_event_metrics: expected a list.",
        ),
        ({"attribution_types": ["SOLO"]}, "Invalid attribution_types: ['SOLO']."),
    ],
)
def test_fake_checks_custom_event_bodies(
    fake_api: FakePinterestAPI, extra: dict[str, Any], message: str | None
) -> None:
    response = _post(fake_api, **extra)
    if message is None:
        assert response.status_code == 200, response.text
    else:
        assert response.status_code == 400
        assert response.json() == {"code": 1, "message": message}
