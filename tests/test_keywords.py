"""Keywords of the ad account, of its campaigns and of its ad groups, each once.

The spec lets keywords hang off ad accounts, campaigns (negative match types only) and ad
groups; ad groups' are asked with the beta `ad_group_ids` filter, and one ad group at a
time (`ad_group_id`) when Pinterest refuses it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import pytest

from tap_pinterest.errors import PinterestAPIError
from tests.fake_api import Scale
from tests.tap_runner import run_sync

if TYPE_CHECKING:
    from tests.fake_api import FakePinterestAPI

ACCOUNTS = ("549755885175", "549755885176")
KEYWORDS_PATH = r"/v5/ad_accounts/\d+/keywords"


def expected_keywords(api: FakePinterestAPI) -> dict[str, dict[str, Any]]:
    return {
        k["id"]: {**k, "ad_account_id": account}
        for account, kws in api.data.keywords.items()
        for k in kws
    }


def emitted(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out = {r["id"]: r for r in records}
    assert len(out) == len(records), "a keyword was emitted twice"
    return out


def test_campaign_level_keywords_are_listed_per_campaign(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    fake_api.reset(Scale(keywords_per_campaign=2))
    result = run_sync(static_config, streams={"keywords"})
    records = emitted(result.stream("keywords"))
    assert records == expected_keywords(fake_api)
    # Per account: 2 of the account, 12 campaigns x 2, 24 ad groups x 2.
    assert len(records) == 2 * (2 + 24 + 48)
    campaign_level = [r for r in records.values() if r["parent_type"] == "campaign"]
    assert len(campaign_level) == 48
    assert {r["match_type"] for r in campaign_level} == {"EXACT_NEGATIVE", "PHRASE_NEGATIVE"}
    for account in ACCOUNTS:
        calls = fake_api.calls(f"/v5/ad_accounts/{account}/keywords")
        campaign_ids = [c["id"] for c in fake_api.data.campaigns[account]]
        # The account's and the campaigns' calls are in flight together (issue 19): any
        # order among them; the ad groups' call comes after them all.
        assert sorted((c.query.get("campaign_id") or [""] for c in calls[:-1]), key=str) == [
            [""],
            *([i] for i in sorted(campaign_ids)),
        ]
        assert "ad_group_ids" in calls[-1].query


@pytest.mark.parametrize("status", [403, 400])
def test_refused_ad_group_ids_falls_back_to_one_ad_group_per_call(
    fake_api: FakePinterestAPI,
    static_config: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    status: int,
) -> None:
    fake_api.reset(Scale(keywords_per_campaign=1))
    fake_api.refuse_ad_group_ids = status
    with caplog.at_level(logging.WARNING):
        result = run_sync(static_config, streams={"ad_groups", "keywords"})
    records = emitted(result.stream("keywords"))
    assert records == expected_keywords(fake_api)
    assert len(records) == 2 * (2 + 12 + 48)

    calls = fake_api.calls(KEYWORDS_PATH)
    refused = [c for c in calls if "ad_group_ids" in c.query]
    # Refused once, in the first account; the second account goes straight to single ids.
    assert [(c.path, c.status) for c in refused] == [
        (f"/v5/ad_accounts/{ACCOUNTS[0]}/keywords", status)
    ]
    single = [c.query["ad_group_id"][0] for c in calls if "ad_group_id" in c.query]
    # In flight together (issue 19): the calls reach the fake in any order.
    assert sorted(single) == sorted(g["id"] for a in ACCOUNTS for g in fake_api.data.ad_groups[a])
    assert len(calls) == 2 * (1 + 12 + 24) + 1
    warnings = [r for r in caplog.records if "refused the beta ad_group_ids" in r.getMessage()]
    assert len(warnings) == 1
    assert f"HTTP {status}" in warnings[0].getMessage()


def test_other_errors_on_keywords_still_fail(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """Only a refusal of ad_group_ids falls back; any other 400 stops the sync."""
    fake_api.inject(r"/keywords$", 400, times=1)
    with pytest.raises(PinterestAPIError, match="HTTP 400"):
        run_sync({**static_config, "on_stream_error": "fail"}, streams={"keywords"})
    assert not [c for c in fake_api.calls(KEYWORDS_PATH) if "ad_group_id" in c.query]
