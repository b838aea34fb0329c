"""Entity streams: exact records, exact requests, every row every run (FULL_TABLE).

Small page sizes force several pages, so a paging bug (a lost page, a repeated page, a
missing status filter) shows up as a wrong record set or a wrong request count.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pytest

from tap_pinterest.errors import PinterestAPIError
from tests.fake_api.data import ENTITY_STATUSES, MATCH_TYPES
from tests.tap_runner import run_sync

if TYPE_CHECKING:
    from tests.fake_api import FakePinterestAPI, LoggedRequest

ACCT_1 = "549755885175"
ACCT_2 = "549755885176"
ACCOUNTS = [ACCT_1, ACCT_2]
ACCT_PATH = r"/v5/ad_accounts/\d+"


def flat(request: LoggedRequest, name: str) -> list[str]:
    """A query parameter's values, whether sent repeated or comma-joined."""
    return [v for raw in request.query.get(name, []) for v in raw.split(",") if v]


def paged(config: dict[str, Any], page_size: int) -> dict[str, Any]:
    """The config with a small page size, to force several pages."""
    return {**config, "page_size": page_size}


def by_id(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Records keyed by id, failing on duplicates (a repeated page would duplicate)."""
    out = {r["id"]: r for r in records}
    assert len(out) == len(records), "duplicate ids emitted"
    return out


# ----------------------------------------------------------------------------- user
def test_user_account_is_one_exact_record(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """GET /user_account is a single object, not a list: one record, no paging params."""
    result = run_sync(paged(static_config, 5), streams={"user_account"})
    assert result.stream("user_account") == [fake_api.data.user]
    assert result.stream("user_account")[0]["username"] == "fake_pinner"
    calls = fake_api.calls(r"/v5/user_account")
    assert len(calls) == 1
    assert "page_size" not in calls[0].query
    assert len(fake_api.log) == 1


@pytest.mark.parametrize(
    ("stream", "path", "attr", "count", "pages"),
    [
        ("user_account_followers", "followers", "followers", 30, 6),
        ("user_account_following", "following", "following", 12, 3),
    ],
)
def test_follower_graph_pages_with_page_size(
    fake_api: FakePinterestAPI,
    static_config: dict[str, Any],
    *,
    stream: str,
    path: str,
    attr: str,
    count: int,
    pages: int,
) -> None:
    """Followers and following are keyed by username and walked page by page."""
    result = run_sync(paged(static_config, 5), streams={stream})
    records = result.stream(stream)
    assert records == getattr(fake_api.data, attr)
    assert len(records) == count
    assert len({r["username"] for r in records}) == count
    calls = fake_api.calls(rf"/v5/user_account/{path}")
    assert len(calls) == pages
    assert all(c.query["page_size"] == ["5"] for c in calls)
    assert "bookmark" not in calls[0].query
    assert all("bookmark" in c.query for c in calls[1:])
    assert len({c.query["bookmark"][0] for c in calls[1:]}) == pages - 1


# -------------------------------------------------------------------------- organic
def test_boards_every_board_over_pages(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """All boards (public and secret) come back, two per page."""
    result = run_sync(paged(static_config, 2), streams={"boards"})
    assert result.stream("boards") == fake_api.data.boards
    assert [b["privacy"] for b in result.stream("boards")] == ["PUBLIC", "SECRET", "PUBLIC"]
    assert len(fake_api.calls(r"/v5/boards")) == 2  # 3 boards, 2 per page


def test_board_sections_carry_board_id(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """Section items are only id and name; board_id comes from the parent board."""
    result = run_sync(paged(static_config, 1), streams={"board_sections"})
    expected = [
        {**section, "board_id": board_id}
        for board_id, sections in fake_api.data.board_sections.items()
        for section in sections
    ]
    assert result.stream("board_sections") == expected
    assert len(expected) == 6
    assert result.stream("boards") == []  # the parent runs but is not selected
    calls = fake_api.calls(r"/v5/boards/\d+/sections")
    assert len(calls) == 6  # 3 boards x 2 sections, 1 per page
    assert {c.path for c in calls} == {
        f"/v5/boards/{b['id']}/sections" for b in fake_api.data.boards
    }


def test_board_pins_every_pin_of_every_board(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """Board pins include pins in sections; 7 pins per board at 5 per page is 2 pages."""
    result = run_sync(paged(static_config, 5), streams={"board_pins"})
    expected = [p for b in fake_api.data.boards for p in fake_api.data.pins_of_board(b["id"])]
    assert result.stream("board_pins") == expected
    assert len(expected) == 21
    assert len(fake_api.calls(r"/v5/boards/\d+/pins")) == 6


def test_board_section_pins_carry_board_and_section(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """Each section's pins, tagged with the section they were listed under."""
    result = run_sync(paged(static_config, 1), streams={"board_section_pins"})
    expected = [
        {**pin, "section_id": section["id"]}
        for board_id, sections in fake_api.data.board_sections.items()
        for section in sections
        for pin in fake_api.data.pins_of_section(section["id"])
    ]
    records = result.stream("board_section_pins")
    assert records == expected
    assert len(records) == 12
    assert all(r["board_section_id"] == r["section_id"] for r in records)
    calls = fake_api.calls(r"/v5/boards/\d+/sections/\d+/pins")
    assert len(calls) == 12  # 2 pins per section, 1 per page
    assert result.stream("board_sections") == []


def test_pins_every_owned_pin(fake_api: FakePinterestAPI, static_config: dict[str, Any]) -> None:
    """GET /pins: all 21 pins of the user, 5 per page."""
    result = run_sync(paged(static_config, 5), streams={"pins"})
    assert result.stream("pins") == fake_api.data.pins
    assert len(result.stream("pins")) == 21
    assert {p["creative_type"] for p in result.stream("pins")} == {"REGULAR", "VIDEO"}
    assert len(fake_api.calls(r"/v5/pins")) == 5


# ---------------------------------------------------------------------- ad accounts
def test_ad_accounts_all_including_shared(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """Both accounts, including the one shared with the user by another business."""
    result = run_sync(paged(static_config, 1), streams={"ad_accounts"})
    assert result.stream("ad_accounts") == fake_api.data.ad_accounts
    assert [a["id"] for a in result.stream("ad_accounts")] == ACCOUNTS
    calls = fake_api.calls(r"/v5/ad_accounts")
    assert len(calls) == 2
    assert all(c.query["include_shared_accounts"] == ["true"] for c in calls)


def test_ad_account_ids_restricts_children(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """Only the configured account's children are requested, and only its records kept."""
    config = {**paged(static_config, 5), "ad_account_ids": [ACCT_2]}
    result = run_sync(config, streams={"ad_accounts", "campaigns", "audiences"})
    assert [a["id"] for a in result.stream("ad_accounts")] == [ACCT_2]
    assert {c["ad_account_id"] for c in result.stream("campaigns")} == {ACCT_2}
    assert len(result.stream("campaigns")) == 12
    child_paths = {c.path for c in fake_api.log if c.path.startswith("/v5/ad_accounts/")}
    assert child_paths == {
        f"/v5/ad_accounts/{ACCT_2}/campaigns",
        f"/v5/ad_accounts/{ACCT_2}/audiences",
    }
    assert len(fake_api.calls(rf"/v5/ad_accounts/{ACCT_2}/campaigns")) == 3


def test_ad_account_ids_unknown_id_fails_clearly(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """A typo in ad_account_ids must not silently sync nothing."""
    static_config["on_stream_error"] = "fail"  # this test checks the stop-at-once line
    config = {**static_config, "ad_account_ids": [ACCT_1, "999"]}
    with pytest.raises(
        PinterestAPIError, match="ad_account_ids has ids this token cannot read: 999"
    ):
        run_sync(config, streams={"ad_accounts"})
    assert fake_api.calls(r"/v5/ad_accounts")


# ------------------------------------------------------------ campaigns, groups, ads
@pytest.mark.parametrize(
    ("stream", "attr", "per_account", "pages"),
    [
        ("campaigns", "campaigns", 12, 6),  # 12 per account at 5 per page: 3 pages each
        ("ad_groups", "ad_groups", 24, 10),  # 24 per account: 5 pages each
        ("ads", "ads", 48, 20),  # 48 per account: 10 pages each
    ],
)
def test_ads_entities_every_status_every_account(
    fake_api: FakePinterestAPI,
    static_config: dict[str, Any],
    *,
    stream: str,
    attr: str,
    per_account: int,
    pages: int,
) -> None:
    """The API defaults to ACTIVE,PAUSED; the tap must ask for all five statuses."""
    result = run_sync(paged(static_config, 5), streams={stream})
    records = by_id(result.stream(stream))
    pool: dict[str, list[dict[str, Any]]] = getattr(fake_api.data, attr)
    expected = {o["id"]: o for objs in pool.values() for o in objs}
    assert records == expected
    assert len(records) == 2 * per_account
    assert {r["status"] for r in records.values()} == set(ENTITY_STATUSES)
    assert {"ARCHIVED", "DRAFT", "DELETED_DRAFT"} <= {r["status"] for r in records.values()}
    for account, objs in pool.items():
        assert all(records[o["id"]]["ad_account_id"] == account for o in objs)
    calls = fake_api.calls(rf"{ACCT_PATH}/{stream}")
    assert len(calls) == pages
    for call in calls:
        assert sorted(flat(call, "entity_statuses")) == sorted(ENTITY_STATUSES)
        assert call.query["page_size"] == ["5"]
    assert {c.path for c in calls} == {f"/v5/ad_accounts/{a}/{stream}" for a in ACCOUNTS}


def test_audiences_every_status(fake_api: FakePinterestAPI, static_config: dict[str, Any]) -> None:
    """Audiences still initializing or too small, and those shared with us, are synced too."""
    result = run_sync(paged(static_config, 5), streams={"audiences"})
    records = by_id(result.stream("audiences"))
    expected = {
        o["id"]: o
        for pool in (fake_api.data.audiences, fake_api.data.received_audiences)
        for objs in pool.values()
        for o in objs
    }
    assert records == expected
    assert len(records) == 14  # 6 owned + 1 received per account
    assert {r["status"] for r in records.values()} == {"READY", "INITIALIZING", "TOO_SMALL"}
    assert {r["created_by_company_name"] for r in records.values()} == {
        "Fake Business",
        "Partner Business",
    }
    calls = fake_api.calls(rf"{ACCT_PATH}/audiences")
    # Per account: owned in 2 pages of 5, received in 1 page.
    assert [c.query["ownership_type"] for c in calls] == [["OWNED"]] * 2 + [["RECEIVED"]] + [
        ["OWNED"]
    ] * 2 + [["RECEIVED"]]


def test_customer_lists(fake_api: FakePinterestAPI, static_config: dict[str, Any]) -> None:
    """Customer lists of every account, 2 per page."""
    result = run_sync(paged(static_config, 2), streams={"customer_lists"})
    records = by_id(result.stream("customer_lists"))
    expected = {o["id"]: o for objs in fake_api.data.customer_lists.values() for o in objs}
    assert records == expected
    assert len(records) == 6
    assert len(fake_api.calls(rf"{ACCT_PATH}/customer_lists")) == 4  # 3 per account


def test_conversion_tags_single_unpaged_call(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """The spec gives conversion_tags no bookmark: one call per account, no page_size."""
    result = run_sync(paged(static_config, 1), streams={"conversion_tags"})
    records = by_id(result.stream("conversion_tags"))
    expected = {o["id"]: o for objs in fake_api.data.conversion_tags.values() for o in objs}
    assert records == expected
    assert len(records) == 4
    assert {r["status"] for r in records.values()} == {"ACTIVE", "ARCHIVED"}
    calls = fake_api.calls(rf"{ACCT_PATH}/conversion_tags")
    assert len(calls) == 2
    for call in calls:
        assert "page_size" not in call.query
        assert "bookmark" not in call.query
        assert call.query.get("filter_deleted", ["false"]) == ["false"]


def test_keywords_account_and_ad_group_level(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """Unfiltered, the API returns only account-level keywords; ad groups' need ids."""
    result = run_sync(static_config, streams={"keywords"})  # page_size 250: one page each
    records = by_id(result.stream("keywords"))
    expected = {
        k["id"]: {**k, "ad_account_id": account}
        for account, kws in fake_api.data.keywords.items()
        for k in kws
    }
    assert records == expected
    assert len(records) == 100  # per account: 2 account-level + 24 ad groups x 2
    assert {r["parent_type"] for r in records.values()} == {"advertiser", "ad_group"}
    calls = fake_api.calls(rf"{ACCT_PATH}/keywords")
    # Per account: one unfiltered call, one per campaign, one batch of 24 ad groups.
    assert len(calls) == 2 * (1 + 12 + 1)
    for call in calls:
        assert sorted(flat(call, "match_types")) == sorted(MATCH_TYPES)
    for account in ACCOUNTS:
        mine = [c for c in calls if c.path == f"/v5/ad_accounts/{account}/keywords"]
        campaign_ids = [c["id"] for c in fake_api.data.campaigns[account]]
        # The unfiltered and the campaigns' calls are in flight together (issue 19).
        filters = sorted((c.query.get("campaign_id") or [""] for c in mine[:13]), key=str)
        assert filters == [[""], *([i] for i in sorted(campaign_ids))]
        assert [("ad_group_ids" in c.query) for c in mine] == [False] * 13 + [True]
        group_ids = [g["id"] for g in fake_api.data.ad_groups[account]]
        assert flat(mine[13], "ad_group_ids") == group_ids
    # Keywords alone must list every campaign and ad group (all statuses).
    for level in ("campaigns", "ad_groups"):
        listing = fake_api.calls(rf"{ACCT_PATH}/{level}")
        assert len(listing) == 2
        assert all(sorted(flat(c, "entity_statuses")) == sorted(ENTITY_STATUSES) for c in listing)


def test_keywords_reuse_ad_groups_listed_in_the_same_run(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """With ad_groups selected too, keywords reuse its ids instead of listing again."""
    result = run_sync(paged(static_config, 5), streams={"ad_groups", "keywords"})
    assert len(result.stream("keywords")) == 100
    assert len(result.stream("ad_groups")) == 48
    assert len(fake_api.calls(rf"{ACCT_PATH}/ad_groups")) == 10  # only the stream's pages


# ------------------------------------------------------------------------ full table
@pytest.mark.parametrize(
    ("stream", "kind", "count", "calls"),
    [
        ("campaigns", "campaign", 24, 6),  # 12 per account at 5 per page
        ("ad_groups", "ad_group", 48, 10),
        ("ads", "ad", 96, 20),
        ("audiences", "audience", 14, 6),  # owned in 2 pages + received in 1, per account
        ("customer_lists", "customer_list", 6, 2),
    ],
)
def test_every_row_every_run(
    fake_api: FakePinterestAPI,
    static_config: dict[str, Any],
    *,
    stream: str,
    kind: str,
    count: int,
    calls: int,
) -> None:
    """Every page is read each run anyway: every row is emitted, and no bookmark kept."""
    config = paged(static_config, 5)
    first = run_sync(config, streams={stream})
    assert len(by_id(first.stream(stream))) == count
    assert first.final_state["bookmarks"].get(stream, {}) == {}
    schema = next(m for m in first.messages if m["type"] == "SCHEMA" and m["stream"] == stream)
    assert schema["key_properties"] == ["id"]
    assert schema.get("bookmark_properties", []) == []

    # An entity edited since (its update time moves) and the rest: all come again.
    pool: dict[str, list[dict[str, Any]]] = getattr(fake_api.data, f"{kind}s")
    target = pool[ACCT_2][0]
    key = "updated_timestamp" if stream == "audiences" else "updated_time"
    now = int(datetime.now(tz=timezone.utc).timestamp())
    fake_api.data.touch(kind, target["id"], now)
    fake_api.clear_log()
    second = run_sync(config, streams={stream}, state=copy.deepcopy(first.final_state))
    records = by_id(second.stream(stream))
    assert len(records) == count
    assert records[target["id"]][key] == now
    assert set(records) == {r["id"] for r in first.stream(stream)}
    assert len(fake_api.calls(rf"{ACCT_PATH}/{stream}")) == calls
    assert second.final_state["bookmarks"].get(stream, {}) == {}


def test_start_date_does_not_filter_entities(static_config: dict[str, Any]) -> None:
    """start_date bounds analytics; a 2023 campaign is still current today."""
    yesterday = datetime.now(tz=timezone.utc).date() - timedelta(days=1)
    config = {**static_config, "start_date": yesterday.isoformat()}
    result = run_sync(config, streams={"campaigns"})
    assert len(result.stream("campaigns")) == 24
    again = run_sync(config, streams={"campaigns"}, state=copy.deepcopy(result.final_state))
    assert again.stream("campaigns") == result.stream("campaigns")
