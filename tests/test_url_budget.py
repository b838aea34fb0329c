"""Request URLs fit a front end's limit, in the fewest calls, and a 414 never drops an id."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from tap_pinterest.url_budget import id_cost, pack_ids, split_in_two
from tests.fake_api.data import Scale
from tests.tap_runner import run_sync

if TYPE_CHECKING:
    from tests.fake_api import FakePinterestAPI

ADS_PATH = r"/v5/ad_accounts/\d+/ads/analytics"
SCALE = Scale(
    ad_accounts=1, campaigns_per_account=3, ad_groups_per_campaign=10, ads_per_ad_group=10
)


# Two days of rows, not the fixture's eleven: the URL budget and the 414 split depend on the
# ids and columns of a call, not on how many dates it covers (one window either way).
DAYS = 2


def two_days(config: dict[str, Any]) -> dict[str, Any]:
    """`config` starting DAYS - 1 days before the fixture's end (today)."""
    end = date.fromisoformat(config["start_date"]) + timedelta(days=10)
    return {**config, "start_date": (end - timedelta(days=DAYS - 1)).isoformat()}


def rows(result: Any) -> list[str]:
    return sorted(json.dumps(r, sort_keys=True) for r in result.stream("ad_analytics"))


def test_pack_ids_fills_each_call_to_the_budget() -> None:
    ids = [str(10**17 + i) for i in range(10)]
    cost = id_cost("ad_ids", ids[0])
    assert cost == len("&ad_ids=") + 18
    batches = pack_ids(
        ids, param="ad_ids", base_url_bytes=100, max_ids=4, max_url_bytes=100 + 3 * cost
    )
    assert [len(b) for b in batches] == [3, 3, 3, 1]
    assert [i for b in batches for i in b] == ids
    assert [
        len(b)
        for b in pack_ids(ids, param="ad_ids", base_url_bytes=0, max_ids=4, max_url_bytes=10**6)
    ] == [4, 4, 2]
    assert split_in_two(ids[:5]) == (ids[:3], ids[3:5])


def test_all_columns_and_300_ads_fit_8000_bytes_in_the_fewest_calls(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    fake_api.reset(SCALE)
    result = run_sync(two_days(static_config), streams={"ads", "ad_analytics"})
    calls = fake_api.calls(ADS_PATH)
    ads = [a["id"] for a in fake_api.data.ads[fake_api.data.ad_accounts[0]["id"]]]
    assert len(ads) == 300
    sent = [i for c in calls for i in c.query["ad_ids"]]
    assert sorted(sent) == sorted(ads)  # every id once, none dropped
    full_urls = [len(f"{fake_api.url.removesuffix('/v5')}{c.path}?{c.query_string}") for c in calls]
    assert max(full_urls) <= 8000
    # The fewest calls: as many ids per call as fit beside the columns.
    first = calls[0]
    base = len(fake_api.url.removesuffix("/v5")) + len(first.path) + 1
    base += len(first.query_string) - sum(id_cost("ad_ids", i) for i in first.query["ad_ids"]) + 1
    per_call = min(250, (8000 - base) // id_cost("ad_ids", ads[0]))
    assert per_call < 250  # the budget, not the spec's cap, sets the batch here
    assert len(calls) == math.ceil(300 / per_call)
    assert [c.status for c in calls] == [200] * len(calls)
    assert len(result.stream("ad_analytics")) == 300 * DAYS


def test_a_414_splits_the_batch_and_loses_no_row(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    fake_api.reset(SCALE)
    fake_api.max_request_target = None
    # One call at a time: the halving's calls come in the order asserted below.
    roomy = {**two_days(static_config), "max_url_length": 50_000, "max_concurrent_requests": 1}
    expected = rows(run_sync(roomy, streams={"ads", "ad_analytics"}))
    fake_api.clear_log()
    fake_api.max_request_target = 6000  # a stricter front end than the tap's budget
    result = run_sync(roomy, streams={"ads", "ad_analytics"})
    assert rows(result) == expected
    statuses = [(c.status, len(c.query["ad_ids"])) for c in fake_api.calls(ADS_PATH)]
    assert statuses[:4] == [(414, 250), (414, 125), (200, 63), (200, 62)]
    assert all(
        len(c.path) + len(c.query_string) + 1 <= 6000
        for c in fake_api.calls(ADS_PATH)
        if c.status == 200
    )
    sent = sorted(i for c in fake_api.calls(ADS_PATH) if c.status == 200 for i in c.query["ad_ids"])
    assert sent == sorted(a["id"] for a in next(iter(fake_api.data.ads.values())))
