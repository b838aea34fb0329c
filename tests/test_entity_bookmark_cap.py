"""Update-time bookmarks never pass the time the listing started (less a clock margin).

Lists come in id order, not update order: an entity edited after its page was read must
not fall behind a bookmark set by an entity edited later, on a later page.
"""

from __future__ import annotations

import copy
import time
from typing import TYPE_CHECKING, Any

import pytest

from tap_pinterest.streams.base import CLOCK_SKEW_MARGIN_SECONDS
from tests.tap_runner import run_sync

if TYPE_CHECKING:
    from tests.fake_api import FakeData, FakePinterestAPI

ACCOUNT = "549755885175"


def bookmark(state: dict[str, Any], stream: str) -> Any:
    (partition,) = state["bookmarks"][stream]["partitions"]
    assert partition["context"] == {"ad_account_id": ACCOUNT}
    return partition["replication_key_value"]


@pytest.mark.parametrize(
    ("stream", "kind", "key", "page_size"),
    [
        ("campaigns", "campaign", "updated_time", 5),  # 12 in the account: 3 pages
        ("ad_groups", "ad_group", "updated_time", 10),  # 24: 3 pages
        ("ads", "ad", "updated_time", 20),  # 48: 3 pages
        ("audiences", "audience", "updated_timestamp", 2),  # 6 owned: 3 pages
        ("customer_lists", "customer_list", "updated_time", 1),  # 3: 3 pages
    ],
)
def test_edit_to_an_already_read_entity_arrives_next_run(
    fake_api: FakePinterestAPI,
    static_config: dict[str, Any],
    *,
    stream: str,
    kind: str,
    key: str,
    page_size: int,
) -> None:
    config = {**static_config, "page_size": page_size, "ad_account_ids": [ACCOUNT]}
    pool = sorted(getattr(fake_api.data, f"{kind}s")[ACCOUNT], key=lambda o: int(o["id"]))
    first_read, last_read = pool[0]["id"], pool[-1]["id"]
    first = run_sync(config, streams={stream})
    received = fake_api.data.received_audiences[ACCOUNT] if stream == "audiences" else []
    assert bookmark(first.final_state, stream) == max(o[key] for o in pool + received)

    edited_at: dict[str, int] = {}

    def edit_while_page_2_is_served(data: FakeData) -> None:
        """A (page 1, already read) is edited, then B (page 3, not read yet)."""
        now = int(time.time())
        entity = data.find(kind, first_read)
        assert entity is not None
        entity["name"] = f"{entity['name']} (edited)"
        data.touch(kind, first_read, now)
        data.touch(kind, last_read, now + 1)
        edited_at.update({first_read: now, last_read: now + 1})

    fake_api.on_page(rf"/ad_accounts/{ACCOUNT}/{stream}$", 2, edit_while_page_2_is_served)
    started = int(time.time())
    second = run_sync(config, streams={stream}, state=copy.deepcopy(first.final_state))
    finished = int(time.time())
    assert edited_at, "the fake never served page 2"
    by_id = {r["id"]: r for r in second.stream(stream)}
    assert by_id[last_read][key] == edited_at[last_read]
    capped = bookmark(second.final_state, stream)
    assert started - CLOCK_SKEW_MARGIN_SECONDS <= capped <= finished - CLOCK_SKEW_MARGIN_SECONDS
    assert capped < edited_at[first_read]

    third = run_sync(config, streams={stream}, state=copy.deepcopy(second.final_state))
    records = {r["id"]: r for r in third.stream(stream)}
    assert set(records) == {first_read, last_read}
    assert records[first_read]["name"].endswith("(edited)")
    assert records[first_read][key] == edited_at[first_read]
    # Still capped: the edits keep coming back until the clock is past them plus the margin.
    assert bookmark(third.final_state, stream) <= int(time.time()) - CLOCK_SKEW_MARGIN_SECONDS
