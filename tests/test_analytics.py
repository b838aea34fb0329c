"""Ads analytics streams against the fake API: exact rows, batching, dates and state.

Every expectation is computed from the fake's own data builders (`ads_analytics_rows`)
and pinned by literal counts, so a broken fake cannot make these tests pass vacuously.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, cast

import pytest
from singer_sdk.exceptions import ConfigValidationError

from tap_pinterest.failures import StreamFailuresError
from tap_pinterest.tap import TapPinterest
from tests.fake_api import DEFAULT_ATTRIBUTION, Attribution, Scale, column_kind
from tests.fake_api.data import ENTITY_STATUSES, LEVEL_ID_KEYS, sync_columns
from tests.tap_runner import SyncResult, catalog_selecting, deselect_properties, run_sync

if TYPE_CHECKING:
    from tests.fake_api import FakePinterestAPI
    from tests.fake_clock import FakeClock

ACCOUNT_1 = "549755885175"
ACCOUNT_2 = "549755885176"
ACCOUNTS = (ACCOUNT_1, ACCOUNT_2)
ATTRIBUTION_FIELDS = (
    "GRANULARITY",
    "CLICK_WINDOW_DAYS",
    "ENGAGEMENT_WINDOW_DAYS",
    "VIEW_WINDOW_DAYS",
    "CONVERSION_REPORT_TIME",
)
# stream -> (fake level, record id column, FakeData attribute holding the level's entities)
LEVELS: dict[str, tuple[str, str, str | None]] = {
    "ad_account_analytics": ("ad_account", "ad_account_id", None),
    "campaign_analytics": ("campaign", "CAMPAIGN_ID", "campaigns"),
    "ad_group_analytics": ("ad_group", "AD_GROUP_ID", "ad_groups"),
    "ad_analytics": ("ad", "AD_ID", "ads"),
}
ANALYTICS_PATHS = {
    "ad_account_analytics": r"/v5/ad_accounts/\d+/analytics",
    "campaign_analytics": r"/v5/ad_accounts/\d+/campaigns/analytics",
    "ad_group_analytics": r"/v5/ad_accounts/\d+/ad_groups/analytics",
    "ad_analytics": r"/v5/ad_accounts/\d+/ads/analytics",
}
# Every column the tap may request: AD_ACCOUNT_ID is replaced by lowercase ad_account_id.
COLUMNS = [c for c in sync_columns() if c != "AD_ACCOUNT_ID"]
COMPARED = ("SPEND_IN_DOLLAR", "TOTAL_CLICKTHROUGH", "SPEND_IN_MICRO_DOLLAR", "CTR")
# Conversion metrics Pinterest does not report with granularity HOUR.
CONVERSION_COLUMNS = (
    "TOTAL_CONVERSIONS",
    "TOTAL_CHECKOUT",
    "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR",
    "CHECKOUT_ROAS",
    "TOTAL_CLICK_CHECKOUT",
    "TOTAL_VIEW_SIGNUP",
    "TOTAL_PAGE_VISIT",
    "TOTAL_LEAD",
    "TOTAL_WEB_CHECKOUT",
)

Key = tuple[str, str, str, "int | None"]


def utc_today() -> date:
    return datetime.now(tz=timezone.utc).date()


def days_ago(n: int) -> date:
    return utc_today() - timedelta(days=n)


def config_for(
    api: FakePinterestAPI, start: date, end: date | None = None, **extra: Any
) -> dict[str, Any]:
    config: dict[str, Any] = {
        "access_token": "demo-access-token",
        "api_url": api.url,
        "start_date": start.isoformat(),
        **extra,
    }
    if end is not None:
        config["end_date"] = end.isoformat()
    return config


def record_key(stream: str, record: dict[str, Any]) -> Key:
    """(ad account, entity id, DATE, HOUR): unique per row of any ads analytics stream."""
    id_column = LEVELS[stream][1]
    return (record["ad_account_id"], record[id_column], record["DATE"], record.get("HOUR"))


def expected_rows(
    api: FakePinterestAPI,
    stream: str,
    start: date,
    end: date,
    *,
    granularity: str = "DAY",
    attribution: Attribution = DEFAULT_ATTRIBUTION,
    columns: list[str] | None = None,
) -> dict[Key, dict[str, Any]]:
    """The fake's rows for every entity (every status) of every ad account, keyed."""
    level, _, attr = LEVELS[stream]
    rows: dict[Key, dict[str, Any]] = {}
    for account in (a["id"] for a in api.data.ad_accounts):
        ids = None if attr is None else [o["id"] for o in getattr(api.data, attr)[account]]
        for row in api.data.ads_analytics_rows(
            account,
            level,
            ids,
            start,
            end,
            columns=COLUMNS if columns is None else columns,
            granularity=granularity,
            attribution=attribution,
        ):
            key = (account, row[LEVEL_ID_KEYS[level]], row["DATE"], row.get("HOUR"))
            rows[key] = row
    return rows


def dates_between(start: date, end: date) -> list[str]:
    return [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]


def partitions(state: dict[str, Any], stream: str) -> dict[str, Any]:
    """ad_account_id -> replication_key_value of a stream's partitions."""
    out: dict[str, Any] = {}
    for partition in state["bookmarks"][stream]["partitions"]:
        assert partition.get("replication_key", "DATE") == "DATE"
        out[partition["context"]["ad_account_id"]] = partition.get("replication_key_value")
    return out


def run_failing(
    config: dict[str, Any],
    streams: set[str],
    state: dict[str, Any] | None = None,
    clock: FakeClock | None = None,
) -> tuple[SyncResult, StreamFailuresError]:
    """Like run_sync, but a partition must fail; keep everything the sync wrote."""
    catalog = catalog_selecting(config, streams)
    tap = TapPinterest(config=config, state=state, catalog=catalog, parse_env_config=False)
    if clock is not None:
        tap.clock = clock
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), pytest.raises(StreamFailuresError) as excinfo:
        tap.sync_all()
    messages = [json.loads(line) for line in buffer.getvalue().splitlines() if line]
    return SyncResult(messages), excinfo.value


def check_states_never_pass_emitted_data(
    messages: list[dict[str, Any]], stream: str, old: dict[str, str]
) -> None:
    """Each STATE's bookmark is at most the old bookmark or the newest DATE emitted so far."""
    newest: dict[str, str] = dict(old)
    for message in messages:
        if message["type"] == "RECORD" and message["stream"] == stream:
            record = message["record"]
            account = record["ad_account_id"]
            newest[account] = max(newest.get(account, ""), record["DATE"])
        elif message["type"] == "STATE" and stream in message["value"].get("bookmarks", {}):
            for account, value in partitions(message["value"], stream).items():
                if value is not None:
                    assert value <= newest.get(account, ""), (account, value, newest)


# Exact rows ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stream", "expected_count"),
    [
        # 3 days x (1 account | 12 campaigns | 24 ad groups | 48 ads) x 2 ad accounts.
        ("ad_account_analytics", 6),
        ("campaign_analytics", 72),
        ("ad_group_analytics", 144),
        ("ad_analytics", 288),
    ],
)
def test_rows_match_fake_exactly(
    fake_api: FakePinterestAPI, stream: str, expected_count: int
) -> None:
    """Every (id, DATE) of every entity, archived ones included, with the API's values."""
    start, end = days_ago(3), days_ago(1)
    result = run_sync(config_for(fake_api, start, end), streams={stream})
    records = result.stream(stream)
    expected = expected_rows(fake_api, stream, start, end)

    assert len(records) == expected_count
    keys = [record_key(stream, r) for r in records]
    assert len(set(keys)) == len(keys), "duplicate primary keys"
    assert set(keys) == set(expected)
    assert {k[2] for k in keys} == set(dates_between(start, end))
    for record in records:
        row = expected[record_key(stream, record)]
        for column in COMPARED:
            assert record[column] == row[column], (column, record_key(stream, record))
        assert "AD_ACCOUNT_ID" not in record
        assert record["ad_account_id"] in ACCOUNTS
        assert record["GRANULARITY"] == "DAY"

    _, id_column, attr = LEVELS[stream]
    if attr is not None:
        # Archived, draft and deleted-draft entities have analytics too: none is left out.
        entities = {o["id"]: o for objs in getattr(fake_api.data, attr).values() for o in objs}
        statuses = {entities[r[id_column]]["status"] for r in records}
        assert statuses == set(ENTITY_STATUSES)
        assert "ARCHIVED" in statuses
        # Entities are listed with every status, and only once per ad account.
        lists = fake_api.calls(rf"/v5/ad_accounts/\d+/{attr}")
        assert len(lists) == 2
        assert all(set(c.query["entity_statuses"]) == set(ENTITY_STATUSES) for c in lists)
    # One analytics call per ad account: every level fits in one batch and one window.
    assert len(fake_api.calls(ANALYTICS_PATHS[stream])) == 2


def test_records_are_typed(fake_api: FakePinterestAPI) -> None:
    """Ids and names are strings, counts integers, amounts numbers: never numeric strings."""
    start = days_ago(2)
    result = run_sync(config_for(fake_api, start, start), streams={"ad_analytics"})
    records = result.stream("ad_analytics")
    assert len(records) == 96  # 48 ads x 2 ad accounts x 1 day
    for record in records:
        for column in ("AD_ID", "CAMPAIGN_ID", "AD_GROUP_ID", "PIN_ID", "ad_account_id"):
            assert isinstance(record[column], str), column
            assert record[column].isdigit(), column
        for column in ("CAMPAIGN_NAME", "AD_NAME", "CAMPAIGN_ENTITY_STATUS", "DATE"):
            assert isinstance(record[column], str), column
        for column in ("TOTAL_CLICKTHROUGH", "SPEND_IN_MICRO_DOLLAR", "TOTAL_IMPRESSION"):
            assert type(record[column]) is int, column
        for column in ("SPEND_IN_DOLLAR", "CTR", "CPM_IN_DOLLAR", "TOTAL_IMPRESSION_FREQUENCY"):
            assert type(record[column]) in {int, float}, column
        for column in ("CLICK_WINDOW_DAYS", "ENGAGEMENT_WINDOW_DAYS", "VIEW_WINDOW_DAYS"):
            assert type(record[column]) is int, column
        # Every numeric column the API sent as a number is still a number.
        for column, value in record.items():
            if column in COLUMNS and column_kind(column) in {"integer", "number"}:
                assert type(value) in {int, float}, (column, value)


def test_boolean_columns_stay_boolean(fake_api: FakePinterestAPI) -> None:
    """A JSON true/false from the API must not become Python's "True"/"False" strings."""
    start = days_ago(2)
    result = run_sync(config_for(fake_api, start, start), streams={"campaign_analytics"})
    records = result.stream("campaign_analytics")
    assert len(records) == 24
    for record in records:
        for column in ("IS_PREMIERE_CAMPAIGN", "CAMPAIGN_BUDGET_OPTIMIZATION"):
            assert isinstance(record[column], bool), (column, record[column])


# Batching -----------------------------------------------------------------------------


def test_campaign_ids_are_batched_250_per_call(fake_api: FakePinterestAPI) -> None:
    """600 campaigns: 3 list pages of 250 and 3 analytics calls of 250/250/100 ids."""
    fake_api.reset(Scale(ad_accounts=1, campaigns_per_account=600, ad_groups_per_campaign=0))
    start, end = days_ago(3), days_ago(1)
    config = config_for(fake_api, start, end)
    catalog = deselect_properties(
        catalog_selecting(config, {"campaign_analytics"}), "campaign_analytics", {"SPEND_IN_DOLLAR"}
    )
    result = run_sync(config, catalog=catalog)

    lists = fake_api.calls(r"/v5/ad_accounts/549755885175/campaigns")
    assert len(lists) == 3
    assert all(c.query["page_size"] == ["250"] for c in lists)
    calls = fake_api.calls(ANALYTICS_PATHS["campaign_analytics"])
    # In flight together (issue 19): the calls reach the fake in any order.
    assert sorted(len(c.query["campaign_ids"]) for c in calls) == [100, 250, 250]
    sent = [i for c in calls for i in c.query["campaign_ids"]]
    assert all("," not in i for i in sent), "ids go as repeated keys"
    assert len(sent) == len(set(sent)) == 600
    assert set(sent) == {c["id"] for c in fake_api.data.campaigns[ACCOUNT_1]}
    assert all(
        (c.query["start_date"], c.query["end_date"]) == ([start.isoformat()], [end.isoformat()])
        for c in calls
    )
    records = result.stream("campaign_analytics")
    assert len(records) == 1800
    expected = expected_rows(
        fake_api, "campaign_analytics", start, end, columns=["SPEND_IN_DOLLAR"]
    )
    assert {(r["CAMPAIGN_ID"], r["DATE"]): r["SPEND_IN_DOLLAR"] for r in records} == {
        (k[1], k[2]): row["SPEND_IN_DOLLAR"] for k, row in expected.items()
    }


def test_batches_repeat_per_window(fake_api: FakePinterestAPI) -> None:
    """HOUR over 5 days is 2 windows (3-day span cap): 2 x 3 analytics calls, no more."""
    fake_api.reset(Scale(ad_accounts=1, campaigns_per_account=600, ad_groups_per_campaign=0))
    start = days_ago(4)
    config = config_for(fake_api, start, analytics_granularity="HOUR")
    catalog = deselect_properties(
        catalog_selecting(config, {"campaign_analytics"}), "campaign_analytics", {"SPEND_IN_DOLLAR"}
    )
    result = run_sync(config, catalog=catalog)

    calls = fake_api.calls(ANALYTICS_PATHS["campaign_analytics"])
    assert len(calls) == 6
    # In flight together (issue 19): the calls reach the fake in any order.
    batches = sorted((c.query["start_date"][0], len(c.query["campaign_ids"])) for c in calls)
    first, second = days_ago(4).isoformat(), utc_today().isoformat()
    assert batches == [(day, size) for day in (first, second) for size in (100, 250, 250)]
    ends = {(c.query["start_date"][0], c.query["end_date"][0]) for c in calls}
    assert ends == {(first, days_ago(1).isoformat()), (second, second)}
    assert len(fake_api.calls(r"/v5/ad_accounts/549755885175/campaigns")) == 3
    records = result.stream("campaign_analytics")
    assert len(records) == 600 * 5 * 24
    assert len({(r["CAMPAIGN_ID"], r["DATE"], r["HOUR"]) for r in records}) == len(records)


# Column selection ---------------------------------------------------------------------


def test_only_selected_columns_are_requested(fake_api: FakePinterestAPI) -> None:
    """Deselected metrics are not asked for (smaller responses) nor emitted."""
    start, end = days_ago(2), days_ago(1)
    config = config_for(fake_api, start, end)
    catalog = deselect_properties(
        catalog_selecting(config, {"campaign_analytics"}),
        "campaign_analytics",
        {"SPEND_IN_DOLLAR", "TOTAL_CLICKTHROUGH"},
    )
    result = run_sync(config, catalog=catalog)

    calls = fake_api.calls(ANALYTICS_PATHS["campaign_analytics"])
    assert len(calls) == 2
    for call in calls:
        assert call.query["columns"] == ["SPEND_IN_DOLLAR,TOTAL_CLICKTHROUGH"]
    records = result.stream("campaign_analytics")
    assert len(records) == 48
    expected = expected_rows(fake_api, "campaign_analytics", start, end)
    by_campaign_date = {(k[1], k[2]): row for k, row in expected.items()}
    for record in records:
        metrics = {c for c in record if c in sync_columns()}
        assert metrics == {"CAMPAIGN_ID", "SPEND_IN_DOLLAR", "TOTAL_CLICKTHROUGH"}
        row = by_campaign_date[record["CAMPAIGN_ID"], record["DATE"]]
        assert record["SPEND_IN_DOLLAR"] == row["SPEND_IN_DOLLAR"]
        assert record["TOTAL_CLICKTHROUGH"] == row["TOTAL_CLICKTHROUGH"]


# The 90-day cap -----------------------------------------------------------------------


def test_start_date_is_capped_at_90_days_with_one_warning(
    fake_api: FakePinterestAPI, caplog: pytest.LogCaptureFixture
) -> None:
    """Without reports, older dates cannot be fetched: say so once per stream, start at -90."""
    fake_api.reset(Scale(campaigns_per_account=2, ad_groups_per_campaign=1, ads_per_ad_group=1))
    requested = days_ago(200)
    streams = {"ad_account_analytics", "campaign_analytics"}
    config = {**config_for(fake_api, requested), "analytics_source": "sync"}
    with caplog.at_level(logging.WARNING):
        result = run_sync(config, streams=streams)

    earliest = days_ago(89).isoformat()  # one day of margin inside the 90 (issue 16)
    calls = [c for s in streams for c in fake_api.calls(ANALYTICS_PATHS[s])]
    assert len(calls) == 4  # 2 streams x 2 ad accounts, one 90-day window each
    assert all(c.query["start_date"] == [earliest] for c in calls)
    assert all(c.query["end_date"] == [utc_today().isoformat()] for c in calls)
    all_lines = [r for r in caplog.records if "can no longer be fetched" in r.getMessage()]
    assert len(all_lines) == 2  # once per stream, not once per ad account
    for stream in streams:
        lines = [
            r.getMessage()
            for r in caplog.records
            if r.levelno == logging.WARNING
            and "can no longer be fetched" in r.getMessage()
            and r.getMessage().startswith(f"{stream}:")
        ]
        assert len(lines) == 1, lines
        assert requested.isoformat() in lines[0]
        assert days_ago(90).isoformat() in lines[0]
    account_rows = result.stream("ad_account_analytics")
    assert len(account_rows) == 180  # 90 days x 2 ad accounts
    assert min(r["DATE"] for r in account_rows) == earliest
    assert len(result.stream("campaign_analytics")) == 360


# State ------------------------------------------------------------------------------


def test_bookmarks_and_lookback(fake_api: FakePinterestAPI) -> None:
    """Bookmark = today per ad account; the next run re-reads exactly the 7 lookback days."""
    streams = {"ad_account_analytics", "campaign_analytics"}
    config = config_for(fake_api, days_ago(10), lookback_window_days=7)
    first = run_sync(config, streams=streams)
    today = utc_today().isoformat()
    for stream in streams:
        assert partitions(first.final_state, stream) == dict.fromkeys(ACCOUNTS, today)
    assert len(first.stream("campaign_analytics")) == 24 * 11

    fake_api.clear_log()
    second = run_sync(config, streams=streams, state=first.final_state)
    for stream in streams:
        calls = fake_api.calls(ANALYTICS_PATHS[stream])
        assert len(calls) == 2
        assert all(c.query["start_date"] == [days_ago(7).isoformat()] for c in calls)
        assert all(c.query["end_date"] == [today] for c in calls)
        dates = {r["DATE"] for r in second.stream(stream)}
        assert dates == set(dates_between(days_ago(7), utc_today()))
        assert partitions(second.final_state, stream) == dict.fromkeys(ACCOUNTS, today)
    assert len(second.stream("campaign_analytics")) == 24 * 8
    assert len(second.stream("ad_account_analytics")) == 2 * 8


def test_revised_days_are_re_emitted(fake_api: FakePinterestAPI) -> None:
    """Pinterest restates recent days: the lookback re-run carries the new values."""
    config = config_for(fake_api, days_ago(10), lookback_window_days=7)
    first = run_sync(config, streams={"campaign_analytics"})
    before = {record_key("campaign_analytics", r): r for r in first.stream("campaign_analytics")}

    fake_api.revise(days=3)
    second = run_sync(config, streams={"campaign_analytics"}, state=first.final_state)
    after = {record_key("campaign_analytics", r): r for r in second.stream("campaign_analytics")}
    expected = expected_rows(fake_api, "campaign_analytics", days_ago(7), utc_today())

    assert set(after) == set(expected)
    assert set(after) == {k for k in before if k[2] >= days_ago(7).isoformat()}
    revised_dates = set(dates_between(days_ago(2), utc_today()))
    revised = [k for k in after if k[2] in revised_dates]
    assert len(revised) == 72  # 24 campaigns x 3 days
    for key, record in after.items():
        for column in COMPARED:
            assert record[column] == expected[key][column], (key, column)
        if key[2] in revised_dates:
            assert record["SPEND_IN_DOLLAR"] != before[key]["SPEND_IN_DOLLAR"], key
            assert record["TOTAL_CLICKTHROUGH"] != before[key]["TOTAL_CLICKTHROUGH"], key
        else:
            assert record["SPEND_IN_DOLLAR"] == before[key]["SPEND_IN_DOLLAR"], key


@pytest.mark.parametrize(("lookback", "expected_start"), [(0, 5), (2, 7), (None, 20)])
def test_lookback_window_sets_second_start(
    fake_api: FakePinterestAPI, lookback: int | None, expected_start: int
) -> None:
    """Second run starts lookback_window_days before the bookmark (default: 30, the widest
    attribution window, here held at start_date)."""
    extra: dict[str, Any] = {} if lookback is None else {"lookback_window_days": lookback}
    first = run_sync(
        config_for(fake_api, days_ago(20), days_ago(5), **extra),
        streams={"ad_account_analytics"},
    )
    assert partitions(first.final_state, "ad_account_analytics") == dict.fromkeys(
        ACCOUNTS, days_ago(5).isoformat()
    )
    fake_api.clear_log()
    second = run_sync(
        config_for(fake_api, days_ago(20), **extra),
        streams={"ad_account_analytics"},
        state=first.final_state,
    )
    calls = fake_api.calls(ANALYTICS_PATHS["ad_account_analytics"])
    assert len(calls) == 2
    assert all(c.query["start_date"] == [days_ago(expected_start).isoformat()] for c in calls)
    assert len(second.stream("ad_account_analytics")) == 2 * (expected_start + 1)


# Interrupted runs -------------------------------------------------------------------


def test_failure_on_second_account_keeps_its_bookmark(fake_api: FakePinterestAPI) -> None:
    """A fatal error in account 2 leaves its bookmark; the re-run fills the whole gap."""
    stream = "campaign_analytics"
    first = run_sync(config_for(fake_api, days_ago(10), days_ago(5)), streams={stream})
    old = partitions(first.final_state, stream)
    assert old == dict.fromkeys(ACCOUNTS, days_ago(5).isoformat())

    config = config_for(fake_api, days_ago(10), lookback_window_days=0)
    fake_api.inject(rf"/ad_accounts/{ACCOUNT_2}/campaigns/analytics$", 400)
    failed, error = run_failing(config, {stream}, state=first.final_state)
    assert [f.problem.split(" for ")[0] for f in error.failures] == [
        "HTTP 400, code 400: Injected fault: HTTP 400."
    ]
    check_states_never_pass_emitted_data(failed.messages, stream, old)
    assert failed.states, "the finished ad account's progress must be written"
    last = partitions(failed.final_state, stream)
    assert last == {ACCOUNT_1: utc_today().isoformat(), ACCOUNT_2: days_ago(5).isoformat()}
    assert {r["ad_account_id"] for r in failed.stream(stream)} == {ACCOUNT_1}

    fake_api.clear_log()
    rerun = run_sync(config, streams={stream}, state=failed.final_state)
    starts = {
        c.path.split("/")[3]: c.query["start_date"][0]
        for c in fake_api.calls(ANALYTICS_PATHS[stream])
    }
    assert starts == {ACCOUNT_1: utc_today().isoformat(), ACCOUNT_2: days_ago(5).isoformat()}
    union = {record_key(stream, r) for r in failed.stream(stream) + rerun.stream(stream)}
    expected = expected_rows(fake_api, stream, days_ago(5), utc_today())
    assert set(expected) <= union
    assert len(expected) == 2 * 12 * 6
    assert partitions(rerun.final_state, stream) == dict.fromkeys(ACCOUNTS, utc_today().isoformat())


def test_failure_on_later_id_batch_keeps_partition_bookmark(fake_api: FakePinterestAPI) -> None:
    """Batch 1 emitted rows up to today; batch 2 failed: the bookmark must not move."""
    fake_api.reset(Scale(ad_accounts=1, campaigns_per_account=300, ad_groups_per_campaign=0))
    stream = "campaign_analytics"
    first = run_sync(config_for(fake_api, days_ago(10), days_ago(5)), streams={stream})
    old = partitions(first.final_state, stream)
    assert old == {ACCOUNT_1: days_ago(5).isoformat()}

    config = config_for(fake_api, days_ago(10), lookback_window_days=0)
    # Two batches of the spec's 250-id cap: lift the URL budget, which would split more.
    config["max_url_length"] = 20_000
    # One call at a time: the faults below answer the batches in the order they are sent.
    config["max_concurrent_requests"] = 1
    fake_api.max_request_target = None
    start, today = days_ago(5), utc_today()
    ids = [c["id"] for c in fake_api.data.campaigns[ACCOUNT_1]]
    batch_1 = fake_api.data.ads_analytics_rows(
        ACCOUNT_1, "campaign", ids[:250], start, today, columns=COLUMNS, granularity="DAY"
    )
    # The fake answers the first analytics call with its real rows, the second with 400.
    path = rf"/ad_accounts/{ACCOUNT_1}/campaigns/analytics$"
    fake_api.inject(path, 200, body=cast("dict[str, Any]", batch_1))
    fake_api.inject(path, 400)
    fake_api.clear_log()
    failed, error = run_failing(config, {stream}, state=first.final_state)
    assert [f.problem.split(" for ")[0] for f in error.failures] == [
        "HTTP 400, code 400: Injected fault: HTTP 400."
    ]
    calls = fake_api.calls(ANALYTICS_PATHS[stream])
    assert [len(c.query["campaign_ids"]) for c in calls] == [250, 50]
    emitted = failed.stream(stream)
    assert len(emitted) == 250 * 6
    assert max(r["DATE"] for r in emitted) == today.isoformat()
    check_states_never_pass_emitted_data(failed.messages, stream, old)
    for state in failed.states:
        if stream in state.get("bookmarks", {}):
            assert partitions(state, stream)[ACCOUNT_1] == old[ACCOUNT_1]

    fake_api.clear_log()
    last_state = failed.final_state or first.final_state
    rerun = run_sync(config, streams={stream}, state=last_state)
    calls = fake_api.calls(ANALYTICS_PATHS[stream])
    assert [c.query["start_date"] for c in calls] == [[start.isoformat()]] * 2
    union = {record_key(stream, r) for r in emitted + rerun.stream(stream)}
    expected = expected_rows(fake_api, stream, start, today)
    assert len(expected) == 300 * 6
    assert set(expected) <= union


# Settings ---------------------------------------------------------------------------


def test_attribution_settings_are_sent_and_echoed(fake_api: FakePinterestAPI) -> None:
    """Conversion numbers depend on the windows: send them and keep them on every row."""
    start, end = days_ago(2), days_ago(1)
    config = config_for(
        fake_api,
        start,
        end,
        click_window_days=7,
        engagement_window_days=14,
        view_window_days=7,
        conversion_report_time="TIME_OF_CONVERSION",
    )
    result = run_sync(config, streams={"campaign_analytics"})
    calls = fake_api.calls(ANALYTICS_PATHS["campaign_analytics"])
    assert len(calls) == 2
    for call in calls:
        assert call.query["click_window_days"] == ["7"]
        assert call.query["engagement_window_days"] == ["14"]
        assert call.query["view_window_days"] == ["7"]
        assert call.query["conversion_report_time"] == ["TIME_OF_CONVERSION"]
    attribution = Attribution(
        click_window_days=7,
        view_window_days=7,
        engagement_window_days=14,
        conversion_report_time="TIME_OF_CONVERSION",
    )
    expected = expected_rows(fake_api, "campaign_analytics", start, end, attribution=attribution)
    defaults = expected_rows(fake_api, "campaign_analytics", start, end)
    records = result.stream("campaign_analytics")
    assert len(records) == 48
    changed = 0
    for record in records:
        assert {f: record[f] for f in ATTRIBUTION_FIELDS} == {
            "GRANULARITY": "DAY",
            "CLICK_WINDOW_DAYS": 7,
            "ENGAGEMENT_WINDOW_DAYS": 14,
            "VIEW_WINDOW_DAYS": 7,
            "CONVERSION_REPORT_TIME": "TIME_OF_CONVERSION",
        }
        key = record_key("campaign_analytics", record)
        for column in COMPARED:
            assert record[column] == expected[key][column], (key, column)
        changed += record["SPEND_IN_DOLLAR"] != defaults[key]["SPEND_IN_DOLLAR"]
    assert changed == len(records)


def test_default_attribution_is_echoed(fake_api: FakePinterestAPI) -> None:
    """Without settings the spec's defaults are sent and recorded."""
    start = days_ago(1)
    result = run_sync(config_for(fake_api, start, start), streams={"ad_account_analytics"})
    records = result.stream("ad_account_analytics")
    assert len(records) == 2
    for record in records:
        assert {f: record[f] for f in ATTRIBUTION_FIELDS} == {
            "GRANULARITY": "DAY",
            "CLICK_WINDOW_DAYS": 30,
            "ENGAGEMENT_WINDOW_DAYS": 30,
            "VIEW_WINDOW_DAYS": 1,
            "CONVERSION_REPORT_TIME": "TIME_OF_AD_ACTION",
        }


@pytest.mark.parametrize(
    ("setting", "value"),
    [("analytics_granularity", "TOTAL"), ("lookback_window_days", -1), ("click_window_days", 3)],
)
def test_bad_settings_fail_clearly(fake_api: FakePinterestAPI, setting: str, value: Any) -> None:
    """A bad setting stops the tap before any request, naming the setting."""
    config = config_for(fake_api, days_ago(5), **{setting: value})
    with pytest.raises(ConfigValidationError) as excinfo:
        run_sync(config, streams={"campaign_analytics"})
    assert setting in str(excinfo.value)
    assert str(value) in str(excinfo.value)
    assert fake_api.log == []


# Granularities ----------------------------------------------------------------------


def test_hour_granularity_windows_keys_and_columns(fake_api: FakePinterestAPI) -> None:
    """HOUR: at most 8 days back (7 asked), 3-day spans, HOUR in the key, no conversions."""
    fake_api.reset(Scale(campaigns_per_account=2, ad_groups_per_campaign=1, ads_per_ad_group=1))
    streams = {"ad_account_analytics", "campaign_analytics"}
    result = run_sync(
        config_for(fake_api, days_ago(20), analytics_granularity="HOUR"), streams=streams
    )
    earliest = days_ago(7)
    windows = [
        (days_ago(7).isoformat(), days_ago(4).isoformat()),
        (days_ago(3).isoformat(), utc_today().isoformat()),
    ]
    for stream in streams:
        calls = fake_api.calls(ANALYTICS_PATHS[stream])
        assert len(calls) == 4  # 2 windows x 2 ad accounts
        assert sorted({(c.query["start_date"][0], c.query["end_date"][0]) for c in calls}) == (
            windows
        )
        for call in calls:
            start = date.fromisoformat(call.query["start_date"][0])
            end = date.fromisoformat(call.query["end_date"][0])
            assert start >= earliest
            assert (end - start).days <= 3
            assert call.query["granularity"] == ["HOUR"]
            columns = call.query["columns"][0].split(",")
            assert "SPEND_IN_DOLLAR" in columns
            assert "TOTAL_IMPRESSION" in columns
            assert not set(CONVERSION_COLUMNS) & set(columns)
        schema = next(m for m in result.messages if m["type"] == "SCHEMA" and m["stream"] == stream)
        assert schema["key_properties"][-2:] == ["DATE", "HOUR"]
        assert schema["key_properties"][0] == LEVELS[stream][1]

    records = result.stream("ad_account_analytics")
    assert len(records) == 2 * 8 * 24
    expected = expected_rows(
        fake_api, "ad_account_analytics", earliest, utc_today(), granularity="HOUR"
    )
    keys = [record_key("ad_account_analytics", r) for r in records]
    assert len(set(keys)) == len(keys)
    assert set(keys) == set(expected)
    for record in records:
        assert record["GRANULARITY"] == "HOUR"
        row = expected[record_key("ad_account_analytics", record)]
        assert record["SPEND_IN_DOLLAR"] == row["SPEND_IN_DOLLAR"]
        assert record["TOTAL_CLICKTHROUGH"] == row["TOTAL_CLICKTHROUGH"]
    assert len(result.stream("campaign_analytics")) == 4 * 8 * 24


def _not_monday(n: int) -> date:
    day = days_ago(n)
    return day if day.weekday() != 0 else day - timedelta(days=1)


def _not_first(n: int) -> date:
    day = days_ago(n)
    return day if day.day != 1 else day - timedelta(days=1)


@pytest.mark.parametrize("granularity", ["WEEK", "MONTH"])
def test_week_and_month_start_on_bucket_boundary(
    fake_api: FakePinterestAPI, granularity: str
) -> None:
    """A window starting mid-bucket would emit a partial bucket under the full bucket's key."""
    if granularity == "WEEK":
        requested = _not_monday(20)
        aligned = requested - timedelta(days=requested.weekday())
    else:
        requested = _not_first(40)
        aligned = requested.replace(day=1)
    assert aligned < requested
    result = run_sync(
        config_for(fake_api, requested, analytics_granularity=granularity),
        streams={"ad_account_analytics"},
    )
    calls = fake_api.calls(ANALYTICS_PATHS["ad_account_analytics"])
    assert len(calls) == 2
    assert all(c.query["start_date"] == [aligned.isoformat()] for c in calls)
    assert all(c.query["granularity"] == [granularity] for c in calls)
    records = result.stream("ad_account_analytics")
    expected = expected_rows(
        fake_api, "ad_account_analytics", aligned, utc_today(), granularity=granularity
    )
    assert {record_key("ad_account_analytics", r) for r in records} == set(expected)
    assert len(records) == len(expected)
    for record in records:
        row = expected[record_key("ad_account_analytics", record)]
        # Whole buckets: the sum over every day of the bucket, not a partial one.
        assert record["TOTAL_CLICKTHROUGH"] == row["TOTAL_CLICKTHROUGH"]
        bucket = date.fromisoformat(record["DATE"])
        assert bucket.weekday() == 0 if granularity == "WEEK" else bucket.day == 1


@pytest.mark.parametrize("granularity", ["WEEK", "MONTH"])
def test_capped_start_is_the_first_whole_bucket(
    fake_api: FakePinterestAPI, granularity: str
) -> None:
    """Under the 90-day cap, start at the first whole bucket: never earlier, never partial."""
    earliest = days_ago(89)
    if granularity == "WEEK":
        first_whole = earliest + timedelta(days=(7 - earliest.weekday()) % 7)
    else:
        first_whole = (
            earliest if earliest.day == 1 else (earliest.replace(day=28) + timedelta(days=4))
        ).replace(day=1)
    result = run_sync(
        config_for(
            fake_api, days_ago(100), analytics_granularity=granularity, analytics_source="sync"
        ),
        streams={"ad_account_analytics"},
    )
    calls = fake_api.calls(ANALYTICS_PATHS["ad_account_analytics"])
    assert len(calls) == 2
    assert all(c.query["start_date"] == [first_whole.isoformat()] for c in calls)
    assert all(c.status == 200 for c in calls)
    records = result.stream("ad_account_analytics")
    expected = expected_rows(
        fake_api, "ad_account_analytics", first_whole, utc_today(), granularity=granularity
    )
    assert {record_key("ad_account_analytics", r) for r in records} == set(expected)
    assert min(r["DATE"] for r in records) == first_whole.isoformat()
