"""Statuses Pinterest changes without an edit reach the output, and upgrades are clean.

A campaign's or ad group's `summary_status` follows its start and end times, and an ad's
`review_status` follows Pinterest's review; neither moves `updated_time`. The entity
streams read every page each run anyway, so they emit every row (FULL_TABLE). State and
catalogs written by earlier versions (INCREMENTAL on `updated_time`) must not bring the
old filter back.
"""

from __future__ import annotations

import copy
import logging
from typing import TYPE_CHECKING, Any

import pytest

from tests.tap_runner import catalog_selecting, run_sync

if TYPE_CHECKING:
    from tests.fake_api import FakePinterestAPI

ACCOUNTS = ("549755885175", "549755885176")


@pytest.mark.parametrize(
    ("stream", "kind", "field", "before", "after"),
    [
        ("campaigns", "campaign", "summary_status", "RUNNING", "COMPLETED"),
        ("ad_groups", "ad_group", "summary_status", "RUNNING", "COMPLETED"),
        ("ads", "ad", "review_status", "APPROVED", "REJECTED"),
    ],
)
def test_status_change_without_an_edit_arrives_next_run(
    fake_api: FakePinterestAPI,
    static_config: dict[str, Any],
    *,
    stream: str,
    kind: str,
    field: str,
    before: str,
    after: str,
) -> None:
    """The changed row comes with its new status and its unchanged updated_time."""
    pool: dict[str, list[dict[str, Any]]] = getattr(fake_api.data, f"{kind}s")
    target = next(o for o in pool[ACCOUNTS[0]] if o[field] == before)
    # The newest updated_time of the account: an incremental run would start there.
    assert target["updated_time"] < max(o["updated_time"] for o in pool[ACCOUNTS[0]])
    first = run_sync(static_config, streams={stream})
    first_rows = {r["id"]: r for r in first.stream(stream)}
    assert first_rows[target["id"]][field] == before

    fake_api.data.change_without_edit(kind, target["id"], **{field: after})
    second = run_sync(static_config, streams={stream}, state=copy.deepcopy(first.final_state))
    rows = {r["id"]: r for r in second.stream(stream)}
    assert len(rows) == len(first_rows) == sum(len(objs) for objs in pool.values())
    assert rows[target["id"]][field] == after
    assert rows[target["id"]]["updated_time"] == first_rows[target["id"]]["updated_time"]
    assert {i: r for i, r in rows.items() if i != target["id"]} == {
        i: r for i, r in first_rows.items() if i != target["id"]
    }


def former_state(fake_api: FakePinterestAPI) -> dict[str, Any]:
    """A state as versions before issue 16 left it: update-time bookmarks per ad account."""
    return {
        "bookmarks": {
            "campaigns": {
                "partitions": [
                    {
                        "context": {"ad_account_id": account},
                        "replication_key": "updated_time",
                        "replication_key_value": max(
                            c["updated_time"] for c in fake_api.data.campaigns[account]
                        ),
                    }
                    for account in ACCOUNTS
                ]
            }
        }
    }


def test_upgrade_drops_the_former_bookmarks(
    fake_api: FakePinterestAPI,
    static_config: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Every campaign, not only those at the old bookmark; the bookmarks leave the state."""
    with caplog.at_level(logging.INFO):
        result = run_sync(static_config, streams={"campaigns"}, state=former_state(fake_api))
    assert len(result.stream("campaigns")) == 24
    assert result.final_state["bookmarks"].get("campaigns", {}) == {}
    lines = [r.getMessage() for r in caplog.records if "bookmark(s) an earlier" in r.getMessage()]
    assert lines == [
        (
            "campaigns: emits every row each run (FULL_TABLE); removed the 2 updated_time "
            "bookmark(s) an earlier version kept in the state, which no longer filter anything"
        )
    ]


def former_catalog(config: dict[str, Any]) -> dict[str, Any]:
    """The campaigns entry as an earlier version discovered it: INCREMENTAL on updated_time."""
    catalog = catalog_selecting(config, {"campaigns"})
    for entry in catalog["streams"]:
        if entry["tap_stream_id"] != "campaigns":
            continue
        entry["replication_method"] = "INCREMENTAL"
        entry["replication_key"] = "updated_time"
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == []:
                metadata["metadata"]["forced-replication-method"] = "INCREMENTAL"
                metadata["metadata"]["replication-key"] = "updated_time"
                metadata["metadata"]["valid-replication-keys"] = ["updated_time"]
    return catalog


def test_an_incremental_catalog_is_overruled_with_one_warning(
    fake_api: FakePinterestAPI,
    static_config: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An old catalog cannot bring back the filter that hid status changes."""
    with caplog.at_level(logging.WARNING):
        result = run_sync(
            static_config, catalog=former_catalog(static_config), state=former_state(fake_api)
        )
    assert len(result.stream("campaigns")) == 24
    schemas = [m for m in result.messages if m["type"] == "SCHEMA" and m["stream"] == "campaigns"]
    assert schemas
    assert [m.get("bookmark_properties", []) for m in schemas] == [[]] * len(schemas)
    assert result.final_state["bookmarks"].get("campaigns", {}) == {}
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        (
            "campaigns: the catalog asks for INCREMENTAL replication on updated_time; this "
            "stream reads every page each run and emits every row (FULL_TABLE), so that is "
            "ignored: discover the catalog again"
        )
    ]


@pytest.mark.parametrize(
    "stream", ["campaigns", "ad_groups", "ads", "audiences", "customer_lists", "pins"]
)
def test_discovery_says_full_table(static_config: dict[str, Any], stream: str) -> None:
    """The catalog tells targets the truth: no replication key, FULL_TABLE."""
    catalog = catalog_selecting(static_config, {stream})
    (entry,) = [e for e in catalog["streams"] if e["tap_stream_id"] == stream]
    assert entry["replication_method"] == "FULL_TABLE"
    assert entry.get("replication_key") is None
    (root,) = [m["metadata"] for m in entry["metadata"] if m["breadcrumb"] == []]
    assert root.get("forced-replication-method", "FULL_TABLE") == "FULL_TABLE"
    assert root.get("valid-replication-keys") is None
    assert list(entry["key_properties"]) == ["id"]
