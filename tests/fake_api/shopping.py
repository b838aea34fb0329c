"""Shopping and targeting endpoints of the fake Pinterest API (data and handlers).

Contract (where the spec is silent, tests rely on it):

- Catalogs (``GET /catalogs``, ``/catalogs/feeds``, ``/catalogs/product_groups``) are
  bookmark-paged like every list and belong to a user: the token's user, or, with
  ``ad_account_id``, the owner of that ad account (Business Access).  An ad account the
  user cannot see -> 403 ``{"code": 29, ...}``.  The shared ad account's owner (the
  partner) has its own catalogs.  Feeds filter on ``catalog_id``; product groups on
  ``id`` (<= 1000 integers, else 400), ``feed_id`` and ``catalog_id``.  Every other feed
  carries download ``credentials`` (username and password).  A user without a catalog
  gets empty catalog and feed lists, and 409 ``{"code": 4182, "message": "Can't access
  this feature without an existing catalog."}`` from ``/catalogs/product_groups``.
- ``GET /ad_accounts/{id}/product_group_promotions`` needs ``ad_group_id`` or
  ``product_group_promotion_ids`` (<= 250), else 400; it filters on ``entity_statuses``
  (default ACTIVE, PAUSED).  Only ad groups of CATALOG_SALES campaigns have promotions
  (``ShoppingScale.promotions_per_ad_group`` each, statuses cycling over every status).
- ``GET /ad_accounts/{id}/product_groups/analytics``: ``product_group_ids`` required
  (<= 250), otherwise the ads analytics rules; rows ``PRODUCT_GROUP_ID`` + ``DATE``
  (+ ``HOUR``), values ``metric_value(<promotion id>, ...)``; unknown ids are skipped.
- Targeting analytics (``/ad_accounts/{id}[/campaigns|/ad_groups|/ads]/targeting_analytics``):
  the ads analytics rules, plus ``targeting_types`` required, from the operation's own
  enum, at most 15 (account) or 14 (other levels) values, else 400.  The answer is
  ``{"data": [{"targeting_type", "targeting_value", "metrics"}]}``: for every untargeted
  row (entity, bucket[, hour]) of the level, every requested type in the order asked and
  every value of :data:`TARGETING_VALUES` (two generic values for other types).  Integer
  columns and ``*_IN_DOLLAR*`` numbers are split over a type's values so that they sum
  to the untargeted row's value (dollars in millionths); other numbers (rates), strings
  and booleans are the row's own.  As in the spec's examples, the level's id inside
  ``metrics`` is a number, and LOCATION values are numbers.
- Targeting reports (``POST /ad_accounts/{id}/reports`` at a ``*_TARGETING`` level, see
  :mod:`tests.fake_api.server`) are built from the same split by
  :func:`targeting_report_rows`, so both paths give the same numbers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from tests.fake_api.data import (
    BASE_TIME,
    DEFAULT_ATTRIBUTION,
    ENTITY_STATUSES,
    LEVEL_ID_KEYS,
    USER_ID,
    Attribution,
    FakeData,
    _iso,
    _param_enum,
    column_kind,
    fill_row,
    hash_day,
    load_spec,
)
from tests.fake_api.server import MAX_IDS, ApiError, _bad, _Query

# catalogs_product_groups/list for a user without a catalog (the spec's 409 example
# CatalogsMerchantNotCreated; Airbyte's source-pinterest ignores this 409 there).
NO_CATALOG_CODE = 4182
NO_CATALOG_MESSAGE = "Can't access this feature without an existing catalog."

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import date

    from tests.fake_api.server import FakePinterestAPI

PARTNER_ID = "1111111111111111111"
MAX_PRODUCT_GROUP_FILTER_IDS = 1000
TARGETING_VALUES: dict[str, tuple[Any, ...]] = {
    "AGE_BUCKET": ("18-24", "25-34", "35-44", "45-49", "50-54", "55-64", "65+", "unknown"),
    "GENDER": ("female", "male", "unknown"),
    "COUNTRY": ("US", "GB", "CA", "DE"),
    "APPTYPE": ("iphone", "ipad", "web", "web_mobile", "android_mobile", "android_tablet"),
    "PLACEMENT": ("SEARCH", "BROWSE", "OTHER"),
    "LOCATION": (500, 501, 502),
    "REGION": ("US-CA", "US-NY"),
    "KEYWORD": ("christmas decor ideas", "gift ideas"),
}
TARGETING_PATHS = {
    "ad_account": "/ad_accounts/{ad_account_id}/targeting_analytics",
    "campaign": "/ad_accounts/{ad_account_id}/campaigns/targeting_analytics",
    "ad_group": "/ad_accounts/{ad_account_id}/ad_groups/targeting_analytics",
    "ad": "/ad_accounts/{ad_account_id}/ads/targeting_analytics",
}
TARGETING_IDS = {"campaign": "campaign_ids", "ad_group": "ad_group_ids", "ad": "ad_ids"}


def targeting_values(targeting_type: str) -> tuple[Any, ...]:
    """The values the fake splits one targeting type into."""
    generic = (f"{targeting_type.lower()}_1", f"{targeting_type.lower()}_2")
    return TARGETING_VALUES.get(targeting_type, generic)


def targeting_parameter(level: str) -> tuple[tuple[str, ...], int]:
    """(enum, maxItems) of targeting_types on one level's operation, from the spec."""
    spec = load_spec()
    for parameter in spec["paths"][TARGETING_PATHS[level]]["get"]["parameters"]:
        name = parameter.get("$ref", "").rsplit("/", 1)[-1]
        resolved = spec["components"]["parameters"].get(name, parameter)
        if resolved.get("name") == "targeting_types":
            schema = resolved["schema"]
            return _param_enum(name), int(schema["maxItems"])
    msg = f"no targeting_types on {level}"
    raise KeyError(msg)


def _digest(*parts: object) -> int:
    raw = "|".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.sha256(raw).digest()[:8], "big")


def _split_units(total: int, weights: list[int]) -> list[int]:
    """Split an integer into parts proportional to weights; the parts sum to it."""
    whole = sum(weights)
    parts = [total * w // whole for w in weights]
    parts[-1] += total - sum(parts)
    return parts


@cache
def is_split_column(column: str) -> bool:
    """Columns whose targeted values add up to the untargeted value."""
    kind = column_kind(column)
    return kind == "integer" or (kind == "number" and "_IN_DOLLAR" in column)


def split_row(row: dict[str, Any], id_key: str, targeting_type: str) -> list[dict[str, Any]]:
    """One untargeted row split into one item per value of a targeting type."""
    values = targeting_values(targeting_type)
    seed = (row[id_key], hash_day(row.get("DATE")), row.get("HOUR"), targeting_type)
    weights = [1 + _digest(*seed, value) % 9 for value in values]
    metrics = [dict(row) for _ in values]
    for column, value in row.items():
        if column in (id_key, "DATE", "HOUR") or not is_split_column(column) or value is None:
            continue
        if column_kind(column) == "integer":
            for target, part in zip(metrics, _split_units(int(value), weights), strict=True):
                target[column] = part
        else:
            micros = _split_units(round(value * 1_000_000), weights)
            for target, part in zip(metrics, micros, strict=True):
                target[column] = part / 1_000_000
    items = []
    for value, item_metrics in zip(values, metrics, strict=True):
        item_metrics[id_key] = int(row[id_key])
        items.append(
            {"targeting_type": targeting_type, "targeting_value": value, "metrics": item_metrics}
        )
    return items


def targeting_items(
    rows: list[dict[str, Any]], level: str, targeting_types: list[str]
) -> list[dict[str, Any]]:
    """Every item of a targeting answer, from the level's untargeted rows."""
    id_key = LEVEL_ID_KEYS[level]
    return [item for row in rows for t in targeting_types for item in split_row(row, id_key, t)]


def targeting_report_rows(
    rows: list[dict[str, Any]],
    level: str,
    targeting_types: Sequence[str],
    columns: list[str],
    *,
    id_key: str | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """A *_TARGETING report keyed by entity id: the synchronous items as report rows.

    Each row is the item's metrics plus TARGETING_TYPE, TARGETING_VALUE (as the synchronous
    item has it: LOCATION a number) and TARGETING_VALUE_NAME; the level's id only if
    requested, as in other reports. Zero metrics are left out by the caller. `id_key`:
    the rows' id column, if not the synchronous level's (report-only levels).
    """
    id_key = id_key or LEVEL_ID_KEYS[level]
    keyed: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        entity_id = row[id_key]
        for item in (i for t in targeting_types for i in split_row(row, id_key, t)):
            report_row = {k: v for k, v in item["metrics"].items() if k != id_key}
            if id_key in columns:
                report_row[id_key] = entity_id
            value = item["targeting_value"]
            report_row["TARGETING_TYPE"] = item["targeting_type"]
            report_row["TARGETING_VALUE"] = value
            report_row["TARGETING_VALUE_NAME"] = value if isinstance(value, str) else f"#{value}"
            keyed.setdefault(entity_id, []).append(report_row)
    return keyed


@dataclass
class ShoppingScale:
    """How many shopping objects the fake holds."""

    catalogs: int = 2
    partner_catalogs: int = 1
    feeds_per_catalog: int = 2
    product_groups_per_feed: int = 3
    promotions_per_ad_group: int = 3


class ShoppingData:
    """Catalogs, feeds, product groups and promotions, built from the ads data."""

    def __init__(self, data: FakeData, scale: ShoppingScale | None = None) -> None:
        """Build everything deterministically from the scale."""
        self.data = data
        self.scale = scale or ShoppingScale()
        self.catalogs: dict[str, list[dict[str, Any]]] = {}
        self.feeds: dict[str, list[dict[str, Any]]] = {}
        self.product_groups: dict[str, list[dict[str, Any]]] = {}
        self.promotions: dict[str, list[dict[str, Any]]] = {}
        self._build_catalogs(USER_ID, self.scale.catalogs)
        self._build_catalogs(PARTNER_ID, self.scale.partner_catalogs)
        self._build_promotions()

    def _build_catalogs(self, owner: str, count: int) -> None:
        s = self.scale
        catalogs = self.catalogs.setdefault(owner, [])
        feeds = self.feeds.setdefault(owner, [])
        groups = self.product_groups.setdefault(owner, [])
        for _ in range(count):
            n = sum(len(c) for c in self.catalogs.values())
            catalog_id = str(864344156814050986 + n)
            created = BASE_TIME + 86_400 * n
            catalogs.append(
                {
                    "id": catalog_id,
                    "name": f"Catalog {n + 1}",
                    "catalog_type": "RETAIL",
                    "created_at": _iso(created),
                    "updated_at": _iso(created + 3_600),
                }
            )
            for _ in range(s.feeds_per_catalog):
                f = sum(len(v) for v in self.feeds.values())
                feed_id = str(2680059592705 + f)
                feeds.append(
                    {
                        "id": feed_id,
                        "name": f"Feed {f + 1}",
                        "catalog_id": catalog_id,
                        "catalog_type": "RETAIL",
                        "created_at": _iso(created + 60 * (f + 1)),
                        "updated_at": _iso(created + 120 * (f + 1)),
                        "format": "TSV",
                        "location": f"https://example.com/feeds/{f}.tsv",
                        "status": "ACTIVE",
                        "default_availability": "IN_STOCK",
                        "default_country": "US",
                        "default_currency": "USD",
                        "default_locale": "en-US",
                        "preferred_processing_schedule": None,
                        "credentials": {"username": f"feed{f}", "password": f"feed-secret-{f}"}
                        if f % 2 == 0
                        else None,
                    }
                )
                for _ in range(s.product_groups_per_feed):
                    g = sum(len(v) for v in self.product_groups.values())
                    groups.append(
                        {
                            "id": str(443727193917 + g),
                            "catalog_id": catalog_id,
                            "feed_id": feed_id,
                            "catalog_type": "RETAIL",
                            "name": f"Product group {g + 1}",
                            "description": None,
                            "type": "MERCHANT_CREATED",
                            "status": "ACTIVE",
                            "country": "US",
                            "locale": "en-US",
                            "is_featured": False,
                            "filters": {
                                "any_of": [{"MIN_PRICE": {"values": g, "inclusion": True}}]
                            },
                            "created_at": (BASE_TIME + g) * 1000,
                            "updated_at": (BASE_TIME + 60 + g) * 1000,
                        }
                    )

    def _build_promotions(self) -> None:
        n = 0
        for account in self.data.ad_accounts:
            acct = account["id"]
            owner = account["owner"]["id"]
            groups = self.product_groups.get(owner) or self.product_groups[USER_ID]
            catalog_sales = {
                c["id"] for c in self.data.campaigns[acct] if c["objective_type"] == "CATALOG_SALES"
            }
            promotions: list[dict[str, Any]] = []
            for group in self.data.ad_groups[acct]:
                if group["campaign_id"] not in catalog_sales:
                    continue
                for _ in range(self.scale.promotions_per_ad_group):
                    product_group = groups[n % len(groups)] if groups else None
                    promotions.append(
                        {
                            "id": str(2680059592800 + n),
                            "ad_group_id": group["id"],
                            "catalog_product_group_id": product_group["id"]
                            if product_group
                            else None,
                            "catalog_product_group_name": product_group["name"]
                            if product_group
                            else None,
                            "status": ENTITY_STATUSES[n % len(ENTITY_STATUSES)],
                            "bid_in_micro_currency": 1_000_000 + n,
                            "included": n % 4 != 3,
                            "definition": f"*/product_type_0='type {n}'",
                            "relative_definition": f"product_type_0='type {n}'",
                            "parent_id": None,
                            "creative_type": "REGULAR",
                            "tracking_url": None,
                            "slideshow_collections_title": None,
                            "slideshow_collections_description": None,
                            "is_mdl": None,
                            "collections_hero_pin_id": None,
                            "collections_hero_destination_url": None,
                            "grid_click_type": None,
                        }
                    )
                    n += 1
            self.promotions[acct] = promotions

    def add_hotel_catalog(self, owner: str = USER_ID) -> dict[str, Any]:
        """A HOTEL catalog with one product group, whose filters only hotels have.

        CatalogsHotelProductGroup: no feed; filters are CatalogsHotelProductGroupFilters
        (HOTEL_ID, PRICE with an operator and currency, COUNTRY...), not the retail keys.
        Returns the product group as the API sends it.
        """
        n = sum(len(c) for c in self.catalogs.values())
        catalog_id = str(864344156814050986 + n)
        created = BASE_TIME + 86_400 * n
        self.catalogs.setdefault(owner, []).append(
            {
                "id": catalog_id,
                "name": f"Hotels {n + 1}",
                "catalog_type": "HOTEL",
                "created_at": _iso(created),
                "updated_at": _iso(created + 3_600),
            }
        )
        g = sum(len(v) for v in self.product_groups.values())
        group = {
            "id": str(443727193917 + g),
            "catalog_id": catalog_id,
            "catalog_type": "HOTEL",
            "name": "Seaside hotels",
            "description": "Hotels by the sea",
            "type": "MERCHANT_CREATED",
            "status": "ACTIVE",
            "filters": {
                "any_of": [
                    {"HOTEL_ID": {"values": ["hotel-7", "hotel-9"], "negated": False}},
                    {
                        "PRICE": {
                            "value": 120.5,
                            "operator": "LESS_THAN",
                            "currency": "EUR",
                            "negated": False,
                        }
                    },
                    {"COUNTRY": {"values": ["PT", "ES"], "negated": True}},
                ]
            },
            "created_at": (BASE_TIME + g) * 1000,
            "updated_at": (BASE_TIME + 60 + g) * 1000,
        }
        self.product_groups.setdefault(owner, []).append(group)
        return group

    def owner_of(self, ad_account_id: str | None) -> str:
        """The operation user: the token's, or the ad account's owner (Business Access)."""
        if ad_account_id is None:
            return USER_ID
        account = self.data.ad_account(ad_account_id)
        if account is None:
            raise ApiError(403, 29, "You are not permitted to access that resource.")
        return str(account["owner"]["id"])

    def product_group_rows(
        self,
        ad_account_id: str,
        ids: list[str],
        start: date,
        end: date,
        *,
        columns: list[str],
        granularity: str,
        attribution: Attribution = DEFAULT_ATTRIBUTION,
    ) -> list[dict[str, Any]]:
        """Rows of GET /ad_accounts/{id}/product_groups/analytics (what the server returns)."""
        by_id = {p["id"]: p for p in self.promotions.get(ad_account_id, [])}
        buckets = self.data.buckets(start, end, granularity, self.data.today())
        numeric = [c for c in columns if column_kind(c) in ("integer", "number")]
        rows: list[dict[str, Any]] = []
        for pid in dict.fromkeys(ids):
            promotion = by_id.get(pid)
            if promotion is None:
                continue
            group = self.data.find("ad_group", promotion["ad_group_id"]) or {}
            ctx = self.data._context(ad_account_id, "ad_group", group)
            for bucket, days in buckets:
                hours: list[int | None] = list(range(24)) if granularity == "HOUR" else [None]
                for hour in hours:
                    row: dict[str, Any] = {"PRODUCT_GROUP_ID": pid}
                    if bucket is not None:
                        row["DATE"] = bucket.isoformat()
                    if hour is not None:
                        row["HOUR"] = hour
                    values = dict(
                        zip(
                            numeric,
                            self.data.bucket_values(pid, days, numeric, hour, attribution),
                            strict=True,
                        )
                    )
                    rows.append(fill_row(row, columns, values, ctx, pid, days[0]))
        return rows


class ShoppingRoutes:
    """The handlers of this module, bound to one server (its data, paging and checks)."""

    def __init__(self, api: FakePinterestAPI) -> None:
        """Serve from this server's state."""
        self.api = api

    def table(self, acct: str) -> list[tuple[str, str, Callable[..., Any]]]:
        """(method, path regex, handler) entries for the server's route table."""
        return [
            ("GET", r"/catalogs", self.catalogs),
            ("GET", r"/catalogs/feeds", self.feeds),
            ("GET", r"/catalogs/product_groups", self.product_groups),
            ("GET", acct + r"/product_group_promotions", self.promotions),
            ("GET", acct + r"/product_groups/analytics", self.product_group_analytics),
            ("GET", acct + r"/targeting_analytics", self.account_targeting),
            ("GET", acct + r"/campaigns/targeting_analytics", self.campaign_targeting),
            ("GET", acct + r"/ad_groups/targeting_analytics", self.ad_group_targeting),
            ("GET", acct + r"/ads/targeting_analytics", self.ad_targeting),
        ]

    def catalogs(self, q: _Query) -> dict[str, Any]:
        owner = self.api.shopping.owner_of(q.get("ad_account_id"))
        return self.api._page(q, "/catalogs", self.api.shopping.catalogs.get(owner, []))

    def feeds(self, q: _Query) -> dict[str, Any]:
        owner = self.api.shopping.owner_of(q.get("ad_account_id"))
        items = self.api.shopping.feeds.get(owner, [])
        catalog_id = q.get("catalog_id")
        if catalog_id is not None:
            items = [f for f in items if f["catalog_id"] == catalog_id]
        return self.api._page(q, "/catalogs/feeds", items)

    def product_groups(self, q: _Query) -> dict[str, Any]:
        owner = self.api.shopping.owner_of(q.get("ad_account_id"))
        if not self.api.shopping.catalogs.get(owner):
            raise ApiError(409, NO_CATALOG_CODE, NO_CATALOG_MESSAGE)
        items = self.api.shopping.product_groups.get(owner, [])
        wanted = q.ids("id", MAX_PRODUCT_GROUP_FILTER_IDS)
        if wanted is not None:
            items = [g for g in items if g["id"] in wanted]
        for name in ("feed_id", "catalog_id"):
            value = q.get(name)
            if value is not None:
                items = [g for g in items if g[name] == value]
        return self.api._page(q, "/catalogs/product_groups", items)

    def promotions(self, q: _Query, ad_account_id: str) -> dict[str, Any]:
        self.api._account(ad_account_id)
        ids = q.ids("product_group_promotion_ids")
        ad_group_id = q.get("ad_group_id")
        items = self.api.shopping.promotions.get(ad_account_id, [])
        if ids is not None:
            items = [p for p in items if p["id"] in ids]
        elif ad_group_id is not None:
            items = [p for p in items if p["ad_group_id"] == ad_group_id]
        else:
            msg = "Missing required parameter: ad_group_id or product_group_promotion_ids."
            raise _bad(msg)
        statuses = self.api._statuses(q)
        items = [p for p in items if p["status"] in statuses]
        path = f"/ad_accounts/{ad_account_id}/product_group_promotions"
        return self.api._page(q, path, self.api._order(q, items))

    def product_group_analytics(self, q: _Query, ad_account_id: str) -> list[dict[str, Any]]:
        ids = q.ids("product_group_ids", required=True) or []
        # The ads analytics checks (columns, windows, dates) at the account level.
        self.api._ads_analytics(q, ad_account_id, "ad_account", lambda: None)
        granularity = q.get("granularity") or "DAY"
        windows: dict[str, Any] = {
            name: int(value)
            for name in ("click_window_days", "view_window_days", "engagement_window_days")
            if (value := q.get(name)) is not None
        }
        attribution = Attribution(
            **windows,
            conversion_report_time=q.get("conversion_report_time") or "TIME_OF_AD_ACTION",
        )
        start, end = self.api._date_range(q, granularity)
        return self.api.shopping.product_group_rows(
            ad_account_id,
            ids,
            start,
            end,
            columns=q.many("columns") or [],
            granularity=granularity,
            attribution=attribution,
        )

    def _targeting(self, q: _Query, ad_account_id: str, level: str) -> dict[str, Any]:
        allowed, max_items = targeting_parameter(level)
        q.required("targeting_types")
        types = q.enums("targeting_types", allowed) or []
        if len(types) > max_items:
            msg = f"Invalid targeting_types: at most {max_items} values are allowed."
            raise _bad(msg)
        param = TARGETING_IDS.get(level)

        def ids() -> list[str] | None:
            return None if param is None else q.ids(param, MAX_IDS, required=True)

        rows = self.api._ads_analytics(q, ad_account_id, level, ids)
        return {"data": targeting_items(rows, level, types)}

    def account_targeting(self, q: _Query, ad_account_id: str) -> dict[str, Any]:
        return self._targeting(q, ad_account_id, "ad_account")

    def campaign_targeting(self, q: _Query, ad_account_id: str) -> dict[str, Any]:
        return self._targeting(q, ad_account_id, "campaign")

    def ad_group_targeting(self, q: _Query, ad_account_id: str) -> dict[str, Any]:
        return self._targeting(q, ad_account_id, "ad_group")

    def ad_targeting(self, q: _Query, ad_account_id: str) -> dict[str, Any]:
        return self._targeting(q, ad_account_id, "ad")
