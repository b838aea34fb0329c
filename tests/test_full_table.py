"""A stream the catalog forces to FULL_TABLE reads everything, whatever the state says.

Targets that honour ACTIVATE_VERSION delete the rows a full table sync did not send, so
a "full" sync filtered by an earlier bookmark would delete most of the table.
"""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pytest

from tests.tap_runner import catalog_selecting, run_sync

if TYPE_CHECKING:
    from tests.fake_api import FakePinterestAPI

ACCOUNTS = ("549755885175", "549755885176")
STREAMS = {"campaigns", "campaign_analytics"}


def days_ago(n: int) -> date:
    return datetime.now(tz=timezone.utc).date() - timedelta(days=n)


def forcing_full_table(config: dict[str, Any], how: str) -> dict[str, Any]:
    """The catalog selecting STREAMS, each forced to FULL_TABLE one of the two Singer ways."""
    catalog = catalog_selecting(config, STREAMS)
    for entry in catalog["streams"]:
        if entry["tap_stream_id"] not in STREAMS:
            continue
        if how == "entry":
            entry["replication_method"] = "FULL_TABLE"
            continue
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == []:
                metadata["metadata"]["forced-replication-method"] = "FULL_TABLE"
    return catalog


@pytest.mark.parametrize("how", ["metadata", "entry"])
def test_forced_full_table_ignores_stored_bookmarks(fake_api: FakePinterestAPI, how: str) -> None:
    """Every campaign and every date from start_date, although the state has bookmarks."""
    config = {
        "access_token": "demo-access-token",
        "api_url": fake_api.url,
        "start_date": days_ago(10).isoformat(),
    }
    first = run_sync(config, streams=STREAMS)
    assert len(first.stream("campaigns")) == 24
    assert len(first.stream("campaign_analytics")) == 24 * 11
    state = copy.deepcopy(first.final_state)

    fake_api.clear_log()
    second = run_sync(config, catalog=forcing_full_table(config, how), state=state)
    assert len(second.stream("campaigns")) == 24
    assert {c["id"] for c in second.stream("campaigns")} == {
        c["id"] for objs in fake_api.data.campaigns.values() for c in objs
    }
    assert len(second.stream("campaign_analytics")) == 24 * 11
    dates = {r["DATE"] for r in second.stream("campaign_analytics")}
    assert dates == {days_ago(n).isoformat() for n in range(11)}
    calls = fake_api.calls(r"/v5/ad_accounts/\d+/campaigns/analytics")
    assert len(calls) == 2
    assert all(c.query["start_date"] == [days_ago(10).isoformat()] for c in calls)
    # The SDK keeps no bookmark for a FULL_TABLE stream: the stored ones stay as they were.
    stream = "campaign_analytics"
    before = {
        p["context"]["ad_account_id"]: p.get("replication_key_value")
        for p in first.final_state["bookmarks"][stream]["partitions"]
    }
    after = {
        p["context"]["ad_account_id"]: p.get("replication_key_value")
        for p in second.final_state["bookmarks"][stream]["partitions"]
    }
    assert after == before
    assert set(after) == set(ACCOUNTS)
    # Campaigns are FULL_TABLE anyway (issue 16): never a bookmark to keep.
    assert first.final_state["bookmarks"].get("campaigns", {}) == {}
    assert second.final_state["bookmarks"].get("campaigns", {}) == {}


def test_run_without_state_reads_from_start_date(fake_api: FakePinterestAPI) -> None:
    """A --full-refresh style run (no state) reads every entity and every date."""
    config = {
        "access_token": "demo-access-token",
        "api_url": fake_api.url,
        "start_date": days_ago(4).isoformat(),
    }
    run_sync(config, streams=STREAMS)
    fake_api.clear_log()
    again = run_sync(config, streams=STREAMS, state=None)
    assert len(again.stream("campaigns")) == 24
    assert len(again.stream("campaign_analytics")) == 24 * 5
    calls = fake_api.calls(r"/v5/ad_accounts/\d+/campaigns/analytics")
    assert all(c.query["start_date"] == [days_ago(4).isoformat()] for c in calls)
