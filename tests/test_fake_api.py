"""Self-test of the fake Pinterest API: the tap's tests are only as good as the fake."""

from __future__ import annotations

import base64
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import jsonschema  # type: ignore[import-untyped]
import pytest
import requests

from tests.fake_api import FakeData, Scale, column_kind, redact
from tests.fake_api.data import (
    ENTITY_STATUSES,
    LEVEL_ID_KEYS,
    ROLLED_UP_COLUMNS,
    Attribution,
    load_spec,
    sync_columns,
)

if TYPE_CHECKING:
    from tests.fake_api import FakePinterestAPI

AUTH = {"Authorization": "Bearer demo-access-token"}
ACCT = "549755885175"


def get(api: FakePinterestAPI, path: str, params: Any = None, **kw: Any) -> requests.Response:
    headers = kw.pop("headers", AUTH)
    return requests.get(api.url + path, params=params, headers=headers, timeout=10, **kw)


def walk(
    api: FakePinterestAPI, path: str, params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    params = dict(params or {})
    for _ in range(100):
        resp = get(api, path, params)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert set(body) == {"items", "bookmark"}
        items.extend(body["items"])
        if body["bookmark"] is None:
            return items
        params["bookmark"] = body["bookmark"]
    pytest.fail("pagination did not end")


def today() -> date:
    return datetime.now(tz=timezone.utc).date()


def analytics_params(start: date, end: date, **extra: Any) -> dict[str, Any]:
    return {
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "columns": "SPEND_IN_MICRO_DOLLAR,CTR,CAMPAIGN_NAME",
        "granularity": "DAY",
        **extra,
    }


# ---------------------------------------------------------------- pagination
def test_pagination_walks_all_items_exactly_once(fake_api: FakePinterestAPI) -> None:
    statuses = ",".join(ENTITY_STATUSES)
    camps = walk(
        fake_api, f"/ad_accounts/{ACCT}/campaigns", {"page_size": 5, "entity_statuses": statuses}
    )
    assert [c["id"] for c in camps] == [c["id"] for c in fake_api.data.campaigns[ACCT]]
    followers = walk(fake_api, "/user_account/followers")
    assert followers == fake_api.data.followers
    assert len(fake_api.calls(r"/v5/user_account/followers")) == 2  # 30 items, 25 per page
    pins = walk(fake_api, "/pins", {"page_size": 4})
    assert [p["id"] for p in pins] == [p["id"] for p in fake_api.data.pins]


@pytest.mark.parametrize("size", ["251", "0", "abc"])
def test_page_size_out_of_range_is_400(fake_api: FakePinterestAPI, size: str) -> None:
    resp = get(fake_api, "/boards", {"page_size": size})
    assert resp.status_code == 400
    body = resp.json()
    assert body["code"] == 1
    assert "page_size" in body["message"]


def test_invalid_bookmark_is_400(fake_api: FakePinterestAPI) -> None:
    assert get(fake_api, "/boards", {"bookmark": "nonsense"}).status_code == 400
    first = get(fake_api, "/user_account/followers").json()
    assert (
        get(fake_api, "/user_account/following", {"bookmark": first["bookmark"]}).status_code == 400
    )


def test_repeat_bookmark_switch(fake_api: FakePinterestAPI) -> None:
    fake_api.repeat_bookmark_on(r"/boards$")
    one = get(fake_api, "/boards").json()
    two = get(fake_api, "/boards", {"bookmark": one["bookmark"]}).json()
    assert one["bookmark"] is not None
    assert two["bookmark"] == one["bookmark"]


def test_conversion_tags_are_not_paginated(fake_api: FakePinterestAPI) -> None:
    body = get(fake_api, f"/ad_accounts/{ACCT}/conversion_tags").json()
    assert body == {"items": fake_api.data.conversion_tags[ACCT]}
    filtered = get(
        fake_api, f"/ad_accounts/{ACCT}/conversion_tags", {"filter_deleted": "true"}
    ).json()
    assert all(t["status"] != "ARCHIVED" for t in filtered["items"])


# ------------------------------------------------------------------ entities
def test_entity_statuses_default_hides_archived(fake_api: FakePinterestAPI) -> None:
    for kind in ("campaigns", "ad_groups", "ads"):
        default = walk(fake_api, f"/ad_accounts/{ACCT}/{kind}", {"page_size": 250})
        assert {o["status"] for o in default} == {"ACTIVE", "PAUSED"}
        repeated = walk(
            fake_api, f"/ad_accounts/{ACCT}/{kind}", {"entity_statuses": list(ENTITY_STATUSES)}
        )
        joined = walk(
            fake_api, f"/ad_accounts/{ACCT}/{kind}", {"entity_statuses": ",".join(ENTITY_STATUSES)}
        )
        assert repeated == joined
        assert {o["status"] for o in repeated} == set(ENTITY_STATUSES)
        assert len(repeated) == len(getattr(fake_api.data, kind)[ACCT])
    bad = get(fake_api, f"/ad_accounts/{ACCT}/campaigns", {"entity_statuses": "BOGUS"})
    assert bad.status_code == 400
    assert bad.json()["code"] == 1


def test_id_filters_and_order(fake_api: FakePinterestAPI) -> None:
    camp = fake_api.data.campaigns[ACCT][0]["id"]
    ads = walk(
        fake_api,
        f"/ad_accounts/{ACCT}/ads",
        {"campaign_ids": camp, "entity_statuses": ENTITY_STATUSES},
    )
    assert ads
    assert {a["campaign_id"] for a in ads} == {camp}
    desc = walk(fake_api, f"/ad_accounts/{ACCT}/campaigns", {"order": "DESCENDING"})
    assert [c["id"] for c in desc] == sorted((c["id"] for c in desc), reverse=True)
    too_many = get(fake_api, f"/ad_accounts/{ACCT}/ads", {"ad_ids": [str(i) for i in range(251)]})
    assert too_many.status_code == 400


def test_unknown_ad_account_and_board_are_404(fake_api: FakePinterestAPI) -> None:
    for path in ("/ad_accounts/1/campaigns", "/ad_accounts/1", "/boards/1/pins"):
        resp = get(fake_api, path)
        assert resp.status_code == 404
        assert set(resp.json()) == {"code", "message"}


def test_shared_ad_accounts_and_keywords(fake_api: FakePinterestAPI) -> None:
    assert len(walk(fake_api, "/ad_accounts")) == 2
    assert len(walk(fake_api, "/ad_accounts", {"include_shared_accounts": "false"})) == 1
    kws = walk(fake_api, f"/ad_accounts/{ACCT}/keywords")
    assert kws == fake_api.data.account_keywords(ACCT)
    assert len(kws) == 2
    group_ids = [g["id"] for g in fake_api.data.ad_groups[ACCT][:3]]
    by_group = walk(fake_api, f"/ad_accounts/{ACCT}/keywords", {"ad_group_ids": group_ids})
    assert {k["parent_id"] for k in by_group} == set(group_ids)
    assert {k["archived"] for k in by_group} == {True, False}


def test_board_sections_and_pins(fake_api: FakePinterestAPI) -> None:
    board = fake_api.data.boards[0]["id"]
    sections = walk(fake_api, f"/boards/{board}/sections")
    assert sections == fake_api.data.board_sections[board]
    in_sections = [
        p for s in sections for p in walk(fake_api, f"/boards/{board}/sections/{s['id']}/pins")
    ]
    assert in_sections
    on_board = walk(fake_api, f"/boards/{board}/pins")
    assert {p["id"] for p in in_sections} < {p["id"] for p in on_board}


def test_data_is_deterministic_and_touchable() -> None:
    assert FakeData().snapshot() == FakeData().snapshot()
    small = FakeData(Scale(ad_accounts=1, campaigns_per_account=5))
    assert [c["status"] for c in small.campaigns[ACCT]] == list(ENTITY_STATUSES)
    camp = small.campaigns[ACCT][0]["id"]
    small.touch("campaign", camp, 1_800_000_000)
    assert small.find("campaign", camp)["updated_time"] == 1_800_000_000  # type: ignore[index]


def _openapi_to_jsonschema(node: Any) -> Any:
    """Turn OpenAPI 3.0 ``nullable`` into JSON Schema (other keywords carry over)."""
    if isinstance(node, list):
        return [_openapi_to_jsonschema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {
        k: _openapi_to_jsonschema(v) for k, v in node.items() if k not in ("nullable", "example")
    }
    if node.get("nullable"):
        return {"anyOf": [{"type": "null"}, out]}
    return out


@pytest.fixture(scope="module")
def spec_components() -> dict[str, Any]:
    components: dict[str, Any] = _openapi_to_jsonschema(load_spec()["components"])
    return components


@pytest.mark.parametrize(
    ("schema", "objects"),
    [
        ("Account", lambda d: [d.user]),
        ("UserSummary", lambda d: d.followers + d.following),
        ("AdAccount", lambda d: d.ad_accounts),
        ("CampaignResponse", lambda d: [o for v in d.campaigns.values() for o in v]),
        ("AdGroupResponse", lambda d: [o for v in d.ad_groups.values() for o in v]),
        ("AdResponse", lambda d: [o for v in d.ads.values() for o in v]),
        ("Board", lambda d: d.boards),
        ("BoardSection", lambda d: [o for v in d.board_sections.values() for o in v]),
        ("Pin", lambda d: d.pins),
        ("Audience", lambda d: [o for v in d.audiences.values() for o in v]),
        ("CustomerList", lambda d: [o for v in d.customer_lists.values() for o in v]),
        ("ConversionTag", lambda d: [o for v in d.conversion_tags.values() for o in v]),
        ("Keyword", lambda d: [o for v in d.keywords.values() for o in v]),
    ],
)
def test_entities_validate_against_spec(
    spec_components: dict[str, Any],
    schema: str,
    objects: Any,
) -> None:
    validator = jsonschema.Draft202012Validator(
        {"$ref": f"#/components/schemas/{schema}", "components": spec_components},
    )
    items = objects(FakeData())
    assert items
    for item in items:
        errors = list(validator.iter_errors(item))
        assert not errors, f"{schema} {item.get('id')}: {errors[0].message}"


# ----------------------------------------------------------------- analytics
def test_ads_analytics_date_rules(fake_api: FakePinterestAPI) -> None:
    t = today()
    path = f"/ad_accounts/{ACCT}/analytics"
    assert get(fake_api, path, analytics_params(t - timedelta(days=90), t)).status_code == 200
    cases = [
        analytics_params(t - timedelta(days=91), t - timedelta(days=80)),
        analytics_params(t - timedelta(days=5), t - timedelta(days=6)),
        analytics_params(t - timedelta(days=9), t, granularity="HOUR"),
        analytics_params(t - timedelta(days=3), t, granularity="WEEKLY"),
        {k: v for k, v in analytics_params(t, t).items() if k != "columns"},
    ]
    for params in cases:
        resp = get(fake_api, path, params)
        assert resp.status_code == 400, params
        assert resp.json()["code"] == 1
    camp = fake_api.data.campaigns[ACCT][0]["id"]
    hour_range = analytics_params(t - timedelta(days=4), t, granularity="HOUR", campaign_ids=camp)
    assert get(fake_api, f"/ad_accounts/{ACCT}/campaigns/analytics", hour_range).status_code == 400


def test_ads_analytics_id_and_column_validation(fake_api: FakePinterestAPI) -> None:
    t = today()
    path = f"/ad_accounts/{ACCT}/campaigns/analytics"
    too_many = analytics_params(t, t, campaign_ids=[str(10**11 + i) for i in range(251)])
    resp = get(fake_api, path, too_many)
    assert resp.status_code == 400
    assert "campaign_ids" in resp.json()["message"]
    assert get(fake_api, path, analytics_params(t, t)).status_code == 400  # ids required
    camp = fake_api.data.campaigns[ACCT][0]["id"]
    resp = get(fake_api, path, analytics_params(t, t, campaign_ids=camp, columns="SPEND,CTR"))
    assert resp.status_code == 400
    assert "SPEND" in resp.json()["message"]
    assert len(sync_columns()) == 175
    assert column_kind("CAMPAIGN_NAME") == "string"
    assert column_kind("CTR") == "number"
    assert column_kind("SPEND_IN_MICRO_DOLLAR") == "integer"


@pytest.mark.parametrize("granularity", ["DAY", "WEEK", "MONTH", "TOTAL", "HOUR"])
def test_ads_analytics_rows_match_data(fake_api: FakePinterestAPI, granularity: str) -> None:
    t = today()
    start = t - timedelta(days=2 if granularity == "HOUR" else 20)
    camps = [c["id"] for c in fake_api.data.campaigns[ACCT]]  # every status, archived too
    cols = "SPEND_IN_MICRO_DOLLAR,CTR,CAMPAIGN_NAME,CAMPAIGN_ENTITY_STATUS,IS_PREMIERE_CAMPAIGN"
    params = analytics_params(
        start, t, granularity=granularity, campaign_ids=",".join(camps), columns=cols
    )
    rows = get(fake_api, f"/ad_accounts/{ACCT}/campaigns/analytics", params).json()
    expected = fake_api.data.ads_analytics_rows(
        ACCT, "campaign", camps, start, t, columns=cols.split(","), granularity=granularity
    )
    assert rows == expected
    assert {r["CAMPAIGN_ID"] for r in rows} == set(camps)
    assert {r["CAMPAIGN_ENTITY_STATUS"] for r in rows} == set(ENTITY_STATUSES)
    per_entity = {
        "DAY": 21,
        "TOTAL": 1,
        "HOUR": 72,
        "WEEK": len({(start + timedelta(days=i)).isocalendar()[:2] for i in range(21)}),
        "MONTH": len({(start + timedelta(days=i)).month for i in range(21)}),
    }[granularity]
    assert len(rows) == per_entity * len(camps)
    if granularity == "TOTAL":
        assert "DATE" not in rows[0]
    if granularity == "HOUR":
        assert {r["HOUR"] for r in rows} == set(range(24))


@pytest.mark.parametrize("granularity", ["DAY", "HOUR", "WEEK"])
@pytest.mark.parametrize(
    ("level", "path", "ids_param", "parent_key"),
    [
        ("ad_account", "analytics", None, None),
        ("campaign", "campaigns/analytics", "campaign_ids", "campaign_id"),
        ("ad_group", "ad_groups/analytics", "ad_group_ids", "ad_group_id"),
    ],
)
def test_parent_delivery_metrics_are_the_sum_of_their_ads(
    fake_api: FakePinterestAPI,
    level: str,
    path: str,
    ids_param: str | None,
    parent_key: str | None,
    granularity: str,
) -> None:
    t = today()
    start = t - timedelta(days=2 if granularity == "HOUR" else 9)
    fake_api.revise(3)
    ads = fake_api.data.ads[ACCT]
    cols = ",".join(sorted(ROLLED_UP_COLUMNS))
    ad_rows = get(
        fake_api,
        f"/ad_accounts/{ACCT}/ads/analytics",
        analytics_params(
            start, t, granularity=granularity, ad_ids=",".join(a["id"] for a in ads), columns=cols
        ),
    ).json()
    parent_of = {a["id"]: ACCT if parent_key is None else a[parent_key] for a in ads}
    summed: dict[tuple[str, str, int | None, str], int] = {}
    for row in ad_rows:
        for col in ROLLED_UP_COLUMNS:
            key = (parent_of[row["AD_ID"]], row["DATE"], row.get("HOUR"), col)
            summed[key] = summed.get(key, 0) + row[col]
    parents = sorted({parent_of[a["id"]] for a in ads})
    extra = {} if ids_param is None else {ids_param: ",".join(parents)}
    parent_rows = get(
        fake_api,
        f"/ad_accounts/{ACCT}/{path}",
        analytics_params(start, t, granularity=granularity, columns=f"{cols},CTR", **extra),
    ).json()
    id_key = LEVEL_ID_KEYS[level]
    served = {
        (row[id_key], row["DATE"], row.get("HOUR"), col): row[col]
        for row in parent_rows
        for col in ROLLED_UP_COLUMNS
    }
    assert served == summed
    assert len(served) == len(ad_rows) // len(ads) * len(parents) * len(ROLLED_UP_COLUMNS)
    # Metrics outside the roll-up (CTR) stay the parent's own.
    assert all(0 <= row["CTR"] <= 1 for row in parent_rows)


def test_attribution_and_revisions_shift_values(fake_api: FakePinterestAPI) -> None:
    t = today()
    start = t - timedelta(days=9)
    ad = fake_api.data.ads[ACCT][2]["id"]  # ARCHIVED
    path = f"/ad_accounts/{ACCT}/ads/analytics"
    base = get(fake_api, path, analytics_params(start, t, ad_ids=ad)).json()
    assert len(base) == 10
    windowed = get(
        fake_api, path, analytics_params(start, t, ad_ids=ad, click_window_days=7)
    ).json()
    assert base != windowed
    expected = fake_api.data.ads_analytics_rows(
        ACCT,
        "ad",
        [ad],
        start,
        t,
        columns=["SPEND_IN_MICRO_DOLLAR", "CTR", "CAMPAIGN_NAME"],
        granularity="DAY",
        attribution=Attribution(click_window_days=7),
    )
    assert windowed == expected
    assert (
        get(fake_api, path, analytics_params(start, t, ad_ids=ad, view_window_days=3)).status_code
        == 400
    )
    fake_api.revise(3)
    revised = get(fake_api, path, analytics_params(start, t, ad_ids=ad)).json()
    assert revised[:7] == base[:7]
    assert all(r != b for r, b in zip(revised[7:], base[7:], strict=True))


def test_organic_analytics(fake_api: FakePinterestAPI) -> None:
    t = today()
    params = {"start_date": (t - timedelta(days=5)).isoformat(), "end_date": t.isoformat()}
    body = get(fake_api, "/user_account/analytics", params).json()
    assert list(body) == ["all"]
    daily = body["all"]["daily_metrics"]
    assert [d["data_status"] for d in daily] == ["READY"] * 4 + ["PROCESSING"] * 2
    assert set(daily[0]["metrics"]) == set(body["all"]["summary_metrics"])
    split = get(fake_api, "/user_account/analytics", {**params, "split_field": "APP_TYPE"}).json()
    assert sorted(split) == ["MOBILE", "TABLET", "WEB"]
    old = {
        **params,
        "start_date": (t - timedelta(days=91)).isoformat(),
        "end_date": (t - timedelta(days=85)).isoformat(),
    }
    assert get(fake_api, "/user_account/analytics", old).status_code == 400
    pins = [p["id"] for p in fake_api.data.pins[:3]]
    bulk = get(
        fake_api, "/pins/analytics", {**params, "pin_ids": pins, "metric_types": "IMPRESSION,SAVE"}
    ).json()
    assert sorted(bulk) == sorted(pins)
    assert set(bulk[pins[0]]["all"]) == {"daily_metrics", "summary_metrics", "lifetime_metrics"}
    too_many = {**params, "pin_ids": [str(i) for i in range(101)], "metric_types": "IMPRESSION"}
    assert get(fake_api, "/pins/analytics", too_many).status_code == 400
    top = get(
        fake_api,
        "/user_account/analytics/top_pins",
        {**params, "sort_by": "SAVE", "num_of_pins": 5},
    ).json()
    assert len(top["pins"]) == 5
    saves = [p["metrics"]["SAVE"] for p in top["pins"]]
    assert saves == sorted(saves, reverse=True)
    video = get(
        fake_api, "/user_account/analytics/top_video_pins", {**params, "sort_by": "VIDEO_START"}
    ).json()
    video_ids = {p["id"] for p in fake_api.data.pins if p["creative_type"] == "VIDEO"}
    assert {p["pin_id"] for p in video["pins"]} <= video_ids
    assert (
        get(
            fake_api,
            "/user_account/analytics/top_pins",
            {**params, "sort_by": "SAVE", "num_of_pins": 51},
        ).status_code
        == 400
    )


# ---------------------------------------------------------------------- auth
def _basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def test_auth_required(fake_api: FakePinterestAPI) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        resp = get(fake_api, "/user_account", headers=headers)
        assert resp.status_code == 401
        assert resp.json() == {"code": 2, "message": "Authentication failed."}
    assert get(fake_api, "/user_account").json() == fake_api.data.user


def test_token_refresh_and_expiry(fake_api: FakePinterestAPI) -> None:
    token_url = fake_api.url + "/oauth/token"
    good_basic = _basic("fake-client-id", "fake-client-secret")
    form = {
        "grant_type": "refresh_token",
        "refresh_token": "fake-refresh-token",
        "continuous_refresh": "true",
    }
    resp = requests.post(
        token_url, data=form, headers=_basic("fake-client-id", "fake-client-secret"), timeout=10
    )
    assert resp.status_code == 200
    body = resp.json()
    assert body["response_type"] == "refresh_token"
    assert body["expires_in"] == 3600
    assert {"refresh_token", "refresh_token_expires_in", "refresh_token_expires_at"} <= set(body)
    logged = fake_api.calls(r"/v5/oauth/token", "POST")[-1]
    assert logged.form["continuous_refresh"] == ["true"]
    assert logged.form["refresh_token"] == [redact("fake-refresh-token")]
    assert logged.header("authorization").startswith("Basic redacted:")  # type: ignore[union-attr]

    fake_api.access_token_max_requests = 2
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    assert [get(fake_api, "/user_account", headers=bearer).status_code for _ in range(3)] == [
        200,
        200,
        401,
    ]

    fresh = requests.post(token_url, data=form, headers=good_basic, timeout=10).json()
    fresh_bearer = {"Authorization": f"Bearer {fresh['access_token']}"}
    fake_api.access_token_max_requests = None
    assert get(fake_api, "/user_account", headers=fresh_bearer).status_code == 200
    fake_api.expire_access_tokens()
    assert get(fake_api, "/user_account", headers=fresh_bearer).status_code == 401
    assert fake_api.issued_token_count == 2

    bad_client = requests.post(
        token_url, data=form, headers=_basic("fake-client-id", "nope"), timeout=10
    )
    assert bad_client.status_code == 401
    unknown = {**form, "refresh_token": "unknown"}
    good = _basic("fake-client-id", "fake-client-secret")
    assert requests.post(token_url, data=unknown, headers=good, timeout=10).status_code == 401
    fake_api.invalidate_rotated_refresh_tokens = True
    rotated = requests.post(
        token_url, data={**form, "refresh_token": body["refresh_token"]}, headers=good, timeout=10
    )
    assert rotated.status_code == 200
    reuse = requests.post(
        token_url, data={**form, "refresh_token": body["refresh_token"]}, headers=good, timeout=10
    )
    assert reuse.status_code == 401
    fake_api.refuse_refresh = True
    refused = requests.post(token_url, data=form, headers=good, timeout=10)
    assert refused.status_code == 400
    assert refused.json()["code"] == 1


# -------------------------------------------------------------------- faults
def test_inject_429_is_honoured_once(fake_api: FakePinterestAPI) -> None:
    fake_api.inject(r"/ad_accounts$", 429)
    first = get(fake_api, "/ad_accounts")
    assert first.status_code == 429
    assert first.headers["Retry-After"] == "1"
    assert first.json()["code"] == 8
    assert get(fake_api, "/ad_accounts").status_code == 200
    fake_api.inject(r"/boards", 503, times=2)
    assert [get(fake_api, "/boards").status_code for _ in range(3)] == [503, 503, 200]


def test_drop_connection(fake_api: FakePinterestAPI) -> None:
    fake_api.drop_connection(r"/user_account$")
    with pytest.raises(requests.ConnectionError):
        get(fake_api, "/user_account")
    assert get(fake_api, "/user_account").status_code == 200
    assert [r.status for r in fake_api.calls(r"/v5/user_account")] == [0, 200]


def test_rate_limit_window(fake_api: FakePinterestAPI) -> None:
    assert "X-RateLimit-Limit" not in get(fake_api, "/user_account").headers
    fake_api.rate_limit_per_window = 2
    first = get(fake_api, "/user_account")
    assert first.headers["X-RateLimit-Limit"] == "2"
    assert first.headers["X-RateLimit-Remaining"] == "1"
    assert get(fake_api, "/user_account").status_code == 200
    limited = get(fake_api, "/user_account")
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.json()["code"] == 8
    fake_api.rate_limit_window_seconds = 0.2
    fake_api._windows[""][0] -= 1  # the window has elapsed
    assert get(fake_api, "/user_account").status_code == 200


def test_latency_overlaps_calls_in_flight_together(fake_api: FakePinterestAPI) -> None:
    """Issue 19: each answer waits `latency_seconds` outside the lock, so calls overlap."""
    import threading  # noqa: PLC0415

    fake_api.latency_seconds = 0.3
    statuses: list[int] = []
    threads = [
        threading.Thread(target=lambda: statuses.append(get(fake_api, "/ad_accounts").status_code))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200, 200, 200]
    assert fake_api.max_in_flight == 3
    fake_api.reset()
    assert (fake_api.latency_seconds, fake_api.max_in_flight) == (0.0, 0)


def test_report_stays_in_progress_for_its_build_time(fake_api: FakePinterestAPI) -> None:
    """Issue 19: `report_build_seconds` on the fake's clock, whatever the polls."""
    now = [1000.0]
    fake_api.monotonic = lambda: now[0]
    fake_api.report_build_seconds = 30.0
    body = {
        "start_date": (today() - timedelta(days=3)).isoformat(),
        "end_date": (today() - timedelta(days=2)).isoformat(),
        "granularity": "DAY",
        "level": "CAMPAIGN",
        "columns": ["SPEND_IN_DOLLAR"],
    }
    path = f"/ad_accounts/{ACCT}/reports"
    created = requests.post(fake_api.url + path, json=body, headers=AUTH, timeout=10)
    token = created.json()["token"]
    now[0] = 1029.0
    assert get(fake_api, path, {"token": token}).json()["report_status"] == "IN_PROGRESS"
    now[0] = 1030.0
    assert get(fake_api, path, {"token": token}).json()["report_status"] == "FINISHED"
