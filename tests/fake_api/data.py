"""Deterministic data behind the fake Pinterest API v5.

Everything here is a pure function of :class:`Scale` (and, for analytics, of the
request parameters, the UTC date and the revision counter), so tests can compute the
exact records the tap must emit.  No randomness: hashes come from :mod:`hashlib`.

Accessors on :class:`FakeData` (all plain dicts shaped like the spec's response
schemas; mutate them only through :meth:`FakeData.touch`):

- ``data.user`` -> ``Account`` object (``GET /user_account``).
- ``data.followers`` / ``data.following`` -> ``list[UserSummary]``.
- ``data.ad_accounts`` -> ``list[AdAccount]``; ids ``"549755885175"``, ``"549755885176"``...
  The last account (when there are 2 or more) is *shared* with the user (owner is
  another user, permissions ``ADMIN``/``ANALYST``): ``include_shared_accounts=false``
  hides it.
- ``data.campaigns[ad_account_id]``, ``data.ad_groups[ad_account_id]``,
  ``data.ads[ad_account_id]`` -> lists of ``CampaignResponse`` / ``AdGroupResponse`` /
  ``AdResponse`` of *every* status (the endpoints filter by ``entity_statuses``).
  Statuses cycle ``ACTIVE, PAUSED, ARCHIVED, DRAFT, DELETED_DRAFT`` per account.
- ``data.audiences[ad_account_id]`` (statuses cycle ``READY, INITIALIZING, TOO_SMALL``),
  ``data.received_audiences[ad_account_id]`` (one shared audience, ownership RECEIVED),
  ``data.customer_lists[ad_account_id]``, ``data.conversion_tags[ad_account_id]``
  (statuses alternate ``ACTIVE``/``ARCHIVED``; ``filter_deleted=true`` hides ARCHIVED).
- ``data.keywords[ad_account_id]`` -> all keywords of the account: 2 whose parent is
  the ad account (``parent_type="advertiser"``), then per campaign
  ``keywords_per_campaign`` (``parent_type="campaign"``, negative match types; 0 by
  default) followed by ``keywords_per_ad_group`` per ad group of the campaign
  (``parent_type="ad_group"``).  ``data.account_keywords(id)`` /
  ``data.ad_group_keywords(id)`` split them.
- ``data.boards`` -> ``list[Board]`` (privacy cycles ``PUBLIC``/``SECRET``),
  ``data.board_sections[board_id]`` -> ``list[BoardSection]`` (only ``id``, ``name``),
  ``data.pins`` -> every ``Pin`` (all owned by the user; every 4th is a VIDEO pin;
  pins whose index in their board is not a multiple of ``sections_per_board + 1``
  sit on a section), ``data.pins_of_board(id)``, ``data.pins_of_section(id)``.
- ``data.find(kind, id)`` for kinds ``ad_account, campaign, ad_group, ad, audience,
  customer_list, conversion_tag, keyword, board, section, pin``.

Analytics values: :func:`metric_value` (ads) and :func:`organic_value` (organic) are
pure functions of (entity/scope, date, column, revision[, hour, attribution]).  The
revision of a date is ``data.revision_of(day)`` (0 until :meth:`FakeData.revise`).
:meth:`FakeData.ads_analytics_rows`, :meth:`FakeData.user_analytics`,
:meth:`FakeData.pin_analytics` and :meth:`FakeData.top_pins` build exactly the bodies
the server returns, so tests can compare records with them.

Column types (:func:`column_kind`): ids, names, statuses, objective/budget types,
labels and tags are strings; ``IS_PREMIERE_CAMPAIGN`` and
``CAMPAIGN_BUDGET_OPTIMIZATION`` are booleans; rates, ratios, CTRs, ROAS, frequency,
bid multiplier, local-currency budget, ``*_IN_DOLLAR``, costs per action and watch
times are numbers (floats); everything else (counts, ``*_MICRO_DOLLAR``, spend caps,
``VIDEO_LENGTH``) is an integer.

Aggregated buckets (TOTAL/WEEK/MONTH): integer columns are the sum of the daily
values, number columns the mean of the daily values rounded to 6 decimals, string
and boolean columns are the same for every day.  Attribution parameters (click/view/
engagement windows, conversion_report_time) are hashed into every numeric value.
Dates after today (UTC) have no data.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

SPEC_PATH = Path(__file__).resolve().parents[2] / "tap_pinterest" / "schemas" / "openapi.json"

ENTITY_STATUSES = ("ACTIVE", "PAUSED", "ARCHIVED", "DRAFT", "DELETED_DRAFT")
DEFAULT_ENTITY_STATUSES = ("ACTIVE", "PAUSED")
GRANULARITIES = ("TOTAL", "DAY", "HOUR", "WEEK", "MONTH")
WINDOW_DAYS = (0, 1, 7, 14, 30, 60)
CONVERSION_REPORT_TIMES = ("TIME_OF_AD_ACTION", "TIME_OF_CONVERSION")
MATCH_TYPES = ("BROAD", "PHRASE", "EXACT", "EXACT_NEGATIVE", "PHRASE_NEGATIVE")
# Advertisers and campaigns can only have excluding keywords (spec, GET .../keywords).
NEGATIVE_MATCH_TYPES = ("EXACT_NEGATIVE", "PHRASE_NEGATIVE")
AUDIENCE_STATUSES = ("READY", "INITIALIZING", "TOO_SMALL")
AUDIENCE_TYPES = ("ACTALIKE", "ENGAGEMENT", "CUSTOMER_LIST", "VISITOR")
CUSTOMER_LIST_STATUSES = ("PROCESSING", "READY", "TOO_SMALL", "UPLOADING")
OBJECTIVE_TYPES = (
    "AWARENESS",
    "CONSIDERATION",
    "WEB_CONVERSION",
    "CATALOG_SALES",
    "VIDEO_COMPLETION",
)
SPLIT_GROUPS: dict[str, tuple[str, ...]] = {
    "NO_SPLIT": ("all",),
    "APP_TYPE": ("MOBILE", "TABLET", "WEB"),
    "OWNED_CONTENT": ("OTHER", "CLAIMED"),
    "SOURCE": ("YOUR_PINS", "OTHER_PINS"),
    "PIN_FORMAT": (
        "ORGANIC_IMAGE",
        "ORGANIC_PRODUCT",
        "ORGANIC_VIDEO",
        "ADS_STANDARD",
        "ADS_PRODUCT",
        "ADS_VIDEO",
        "ADS_IDEA",
    ),
}
LEVEL_ID_KEYS = {
    "ad_account": "AD_ACCOUNT_ID",
    "campaign": "CAMPAIGN_ID",
    "ad_group": "AD_GROUP_ID",
    "ad": "AD_ID",
}
# Delivery and conversion metrics that reporting models add up across levels. As in
# Pinterest, a campaign's, ad group's or account's value is the sum of its ads' values
# (per day, or hour). The other metrics stay independent per level: hashing every column
# of every ad again for each parent level would multiply the fake's cost by four, and
# nothing adds them across levels.
ROLLED_UP_COLUMNS = frozenset(
    {
        "SPEND_IN_MICRO_DOLLAR",
        "PAID_IMPRESSION",
        "IMPRESSION_1",
        "IMPRESSION_2",
        "TOTAL_IMPRESSION",
        "CLICKTHROUGH_1",
        "CLICKTHROUGH_2",
        "TOTAL_CLICKTHROUGH",
        "OUTBOUND_CLICK_1",
        "OUTBOUND_CLICK_2",
        "ENGAGEMENT_1",
        "ENGAGEMENT_2",
        "TOTAL_ENGAGEMENT",
        "REPIN_1",
        "REPIN_2",
        "TOTAL_CONVERSIONS",
        "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR",
    },
)
USER_ID = "2783136121146311751"
USERNAME = "fake_pinner"
BASE_TIME = 1_700_000_000  # 2023-11-14T22:13:20Z: creation times count up from here.
HOURS_PER_DAY = 24
# Ad accounts' time_zone (a field of live GET /ad_accounts answers the 5.23.0 spec lacks),
# in turn: 14 hours ahead of UTC, 11 behind, UTC. Far apart, so a test sees the day move.
ACCOUNT_TIME_ZONES = ("Pacific/Kiritimati", "Pacific/Pago_Pago", "Etc/UTC")

ColumnKind = Literal["string", "integer", "number", "boolean"]


@functools.cache
def load_spec() -> dict[str, Any]:
    """Return the bundled OpenAPI spec (read once; the fake never reads /work/shared)."""
    spec: dict[str, Any] = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    return spec


def _param_enum(name: str) -> tuple[str, ...]:
    spec = load_spec()
    schema = spec["components"]["parameters"][name]["schema"]
    if schema.get("type") == "array":
        schema = schema["items"]
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    if "oneOf" in schema:
        values: list[str] = []
        for option in schema["oneOf"]:
            values.extend(v for v in option["enum"] if v not in values)
        return tuple(values)
    return tuple(schema["enum"])


@functools.cache
def sync_columns() -> tuple[str, ...]:
    """The 175 ``columns`` of the sync ads analytics endpoints (``query_columns``)."""
    return _param_enum("query_columns")


@functools.cache
def user_metric_types() -> tuple[str, ...]:
    """``metric_types`` of ``/user_account/analytics`` and ``top_pins``."""
    return _param_enum("query_metric_types")


@functools.cache
def video_metric_types() -> tuple[str, ...]:
    """``metric_types`` of ``/user_account/analytics/top_video_pins``."""
    return _param_enum("query_video_pin_metric_types")


@functools.cache
def pin_metric_types() -> tuple[str, ...]:
    """``metric_types`` of ``/pins/analytics`` (standard and video pin values)."""
    return _param_enum("query_pin_analytics_metric_types")


@functools.cache
def top_pins_sort_by() -> tuple[str, ...]:
    """``sort_by`` values of ``top_pins``."""
    return _param_enum("query_sort_by")


@functools.cache
def top_video_pins_sort_by() -> tuple[str, ...]:
    """``sort_by`` values of ``top_video_pins``."""
    return _param_enum("query_video_pin_sort_by")


_STRING_COLUMNS = frozenset(
    {
        "CAMPAIGN_NAME",
        "AD_GROUP_NAME",
        "AD_NAME",
        "PROMO_NAME",
        "ORDER_LINE_NAME",
        "CAMPAIGN_BRAND_LABEL",
        "CAMPAIGN_OBJECTIVE_TYPE",
        "AD_GROUP_BUDGET_TYPE",
        "AD_GROUP_OPTIMIZATION",
        "PRODUCT_GROUP_AD_IMAGE_TAG",
        "PRODUCT_GROUP_AD_VIDEO_TAG",
    },
)
_BOOLEAN_COLUMNS = frozenset({"IS_PREMIERE_CAMPAIGN", "CAMPAIGN_BUDGET_OPTIMIZATION"})
# Async-report-only attributes (statuses, product item catalog fields) are strings.
_ASYNC_STRING_SUFFIXES = (
    "_STATUS",
    "_NAME",
    "_TYPE",
    "_URL",
    "_BRAND",
    "_DESCRIPTION",
    "_PRODUCT_CATEGORY",
    "_ITEM_CURRENCY",
)
_NUMBER_COLUMNS = frozenset(
    {
        "TOTAL_IMPRESSION_FREQUENCY",
        "AD_GROUP_BID_MULTIPLIER",
        "AD_GROUP_BUDGET_IN_LOCAL_CURRENCY",
        "TOTAL_VIDEO_AVG_WATCHTIME_IN_SECOND",
        "SHOWCASE_AVERAGE_SUBPAGE_CLOSEUP_PER_SESSION",
        "COST_PER_LEAD",
    },
)


@functools.cache  # about a million calls per full sync: a pure function of the name
def column_kind(name: str) -> ColumnKind:
    """Classify a sync analytics column: the JSON type the fake returns for it.

    This is the single source of truth for the fake's column types (the spec
    declares none); a tap may use the same rules to type its analytics schema.
    """
    if name in _STRING_COLUMNS or name.endswith(("_ID", "_ENTITY_STATUS")):
        return "string"
    if name.endswith(_ASYNC_STRING_SUFFIXES):
        return "string"
    if name in _BOOLEAN_COLUMNS:
        return "boolean"
    if "MICRO_DOLLAR" in name:
        return "integer"
    if (
        name in _NUMBER_COLUMNS
        or "RATE" in name
        or "CTR" in name
        or "ROAS" in name
        or name.endswith("_IN_DOLLAR")
        or "_IN_DOLLAR_" in name
        or "COST_PER_ACTION" in name
    ):
        return "number"
    return "integer"


def _digest(*parts: object) -> int:
    """Stable 64-bit hash of the parts (``hash()`` is salted per process)."""
    raw = "|".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.sha256(raw).digest()[:8], "big")


# With an origin set (days_hashed_from), a date is hashed as its distance from it: the
# golden run of every stream (tests/golden/every_stream.py) then gets the same values
# whatever day it runs on.
_HASH_ORIGIN: list[date] = []


@contextmanager
def days_hashed_from(origin: date) -> Iterator[None]:
    """Hash dates relative to `origin` (today) inside the block."""
    _HASH_ORIGIN.append(origin)
    try:
        yield
    finally:
        _HASH_ORIGIN.pop()


def hash_day(day: date | str | None) -> str | None:
    """The text a date (or 'YYYY-MM-DD HH') is hashed as."""
    if day is None:
        return None
    text = day if isinstance(day, str) else day.isoformat()
    if not _HASH_ORIGIN or len(text) < 10:
        return text
    return f"T{(date.fromisoformat(text[:10]) - _HASH_ORIGIN[-1]).days}{text[10:]}"


@dataclass(frozen=True)
class Attribution:
    """Conversion attribution settings of an ads analytics request (spec defaults)."""

    click_window_days: int = 30
    view_window_days: int = 1
    engagement_window_days: int = 30
    conversion_report_time: str = "TIME_OF_AD_ACTION"
    # PINTEREST_TIME_ZONE or AD_ACCOUNT_TIME_ZONE (spec ReportingTimeZone, beta).
    reporting_timezone: str = "PINTEREST_TIME_ZONE"

    def __post_init__(self) -> None:
        """Format the hash key once: every numeric cell of a request hashes it."""
        key = (
            f"{self.click_window_days}/{self.view_window_days}/"
            f"{self.engagement_window_days}/{self.conversion_report_time}"
        )
        if self.reporting_timezone != "PINTEREST_TIME_ZONE":
            key = f"{key}/account-zone"
        object.__setattr__(self, "_key", key)

    def key(self) -> str:
        """Hash key: every setting changes numeric values (the account's days others)."""
        key: str = self.__dict__["_key"]
        return key


DEFAULT_ATTRIBUTION = Attribution()


def metric_value(
    entity_id: str,
    day: date | str,
    column: str,
    revision: int = 0,
    *,
    hour: int | None = None,
    attribution: Attribution = DEFAULT_ATTRIBUTION,
) -> int | float | str | bool:
    """Value of one sync ads analytics cell for one entity and one day (or hour).

    Strings are ``"<column lower>-<entity_id>"`` and booleans depend on the entity
    and column only; rows use real ids/names/statuses instead where the entity
    hierarchy knows them (see :meth:`FakeData.ads_analytics_rows`).
    """
    kind = column_kind(column)
    if kind == "string":
        return f"{column.lower()}-{entity_id}"
    if kind == "boolean":
        return _digest(entity_id, column) % 2 == 0
    return _day_values(entity_id, hash_day(day), hour, revision, attribution.key(), [column])[0]


# How a numeric column's value comes from its hash h (metric_value's rules).
_MICRO, _COUNT, _RATE, _AMOUNT = range(4)


@functools.cache
def _numeric_rule(column: str) -> int:
    """_MICRO: h % 50e6; _COUNT: h % 1e4; _RATE: 6 decimals in [0, 1); _AMOUNT: 2 decimals."""
    if column_kind(column) == "integer":
        return _MICRO if "MICRO_DOLLAR" in column else _COUNT
    if "RATE" in column or "CTR" in column or column.endswith("FREQUENCY"):
        return _RATE
    return _AMOUNT


def _day_values(
    scope: str,
    day_text: str | None,
    hour: int | None,
    revision: int,
    attribution_key: str,
    columns: Sequence[str],
) -> tuple[int | float, ...]:
    """metric_value of numeric `columns` for one scope, day (as hashed) and hour.

    A pure function of its arguments, remembered (`_remembered_day_values`): the same
    cells come back for the rows a test computes to compare with, for every level
    summing an ad's delivery, and for the many syncs of one scale and dates in a run.
    """
    return _remembered_day_values(scope, day_text, hour, revision, attribution_key, tuple(columns))


# About 3 KB an entry (175 columns): at most ~100 MB per process.
@functools.lru_cache(maxsize=32_768)
def _remembered_day_values(
    scope: str,
    day_text: str | None,
    hour: int | None,
    revision: int,
    attribution_key: str,
    columns: tuple[str, ...],
) -> tuple[int | float, ...]:
    """_day_values computed: one sha256 per cell.

    The fake's hot loop (a cell per column, row and day): the hashed text's parts other
    than the column are formatted once per row; the values are exactly metric_value's
    (``_digest`` of the same text).
    """
    head = f"{scope}|{day_text}|{'' if hour is None else hour}|"
    tail = f"|{revision}|{attribution_key}"
    sha256, from_bytes, rule_of = hashlib.sha256, int.from_bytes, _numeric_rule
    out: list[int | float] = []
    for column in columns:
        h = from_bytes(sha256(f"{head}{column}{tail}".encode()).digest()[:8], "big")
        rule = rule_of(column)
        if rule == _COUNT:
            out.append(h % 10_000)
        elif rule == _MICRO:
            out.append(h % 50_000_000)
        elif rule == _RATE:
            out.append(round((h % 1_000_000) / 1_000_000, 6))
        else:
            out.append(round((h % 100_000) / 100, 2))
    return tuple(out)


def organic_value(scope: str, day: date | str, metric: str, revision: int = 0) -> int | float:
    """Value of one organic metric (user or pin analytics) for one scope and day.

    ``scope`` identifies the series, e.g. ``"user|all|ALL|ALL|BOTH|ALL|ALL"`` or
    ``"pin|<pin_id>|all|ALL"`` (see :meth:`FakeData.user_analytics`).
    """
    return _organic_day(scope, hash_day(day), revision, [metric])[0]


def _organic_day(
    scope: str, day_text: str | None, revision: int, metrics: Sequence[str]
) -> list[int | float]:
    """organic_value of `metrics` for one scope and day (as hashed): one sha256 each."""
    head = f"{scope}|{day_text}|"
    tail = f"|{revision}"
    sha256, from_bytes = hashlib.sha256, int.from_bytes
    out: list[int | float] = []
    for metric in metrics:
        h = from_bytes(sha256(f"{head}{metric}{tail}".encode()).digest()[:8], "big")
        if "RATE" in metric:
            out.append(round((h % 1_000_000) / 1_000_000, 6))
        elif metric == "VIDEO_AVG_WATCH_TIME":
            out.append(round((h % 1_000_000) / 100, 2))
        else:
            out.append(h % 5_000)
    return out


def _iso(ts: int) -> str:
    """Pinterest-style date-time string (UTC, no offset, like the spec's examples)."""
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _aggregate(values: list[Any], kind: ColumnKind) -> Any:
    if kind == "integer":
        return sum(values)
    if kind == "number":
        return round(sum(values) / len(values), 6)
    return values[0]


def fill_row(
    row: dict[str, Any],
    columns: Sequence[str],
    values: dict[str, Any],
    known: dict[str, Any],
    scope: str,
    day: date,
    *,
    skip: str | None = None,
) -> dict[str, Any]:
    """Add `columns` (but `skip`) to `row` in order: computed numeric `values` first,
    then attributes the hierarchy `known`s, else metric_value's string or boolean."""
    for col in columns:
        if col == skip:
            continue
        if col in values:
            row[col] = values[col]
        elif col in known:
            row[col] = known[col]
        else:
            row[col] = metric_value(scope, day, col)
    return row


def _aggregate_columns(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[Any]:
    """_aggregate per column of `rows` (one value per column each), by the column's kind."""
    if not rows:
        return [_aggregate([], column_kind(column)) for column in columns]
    return [
        _aggregate(list(values), column_kind(column))
        for column, values in zip(columns, zip(*rows, strict=True), strict=True)
    ]


def _organic_aggregate(metric: str, values: list[int | float]) -> int | float:
    if "RATE" in metric or metric == "VIDEO_AVG_WATCH_TIME":
        return round(sum(values) / len(values), 6) if values else 0
    return sum(values)


@dataclass
class Scale:
    """How many objects of each kind the fake holds (defaults keep tests fast)."""

    ad_accounts: int = 2
    campaigns_per_account: int = 12
    ad_groups_per_campaign: int = 2
    ads_per_ad_group: int = 2
    boards: int = 3
    sections_per_board: int = 2
    pins_per_board: int = 7
    followers: int = 30
    following: int = 12
    audiences_per_account: int = 6
    customer_lists_per_account: int = 3
    conversion_tags_per_account: int = 2
    keywords_per_ad_group: int = 2
    # Campaign-level keywords (negative match types only, per the spec); 0 by default so
    # the default data set and its counts stay as they were.
    keywords_per_campaign: int = 0


_CAMPAIGN_SUMMARY = {
    "ACTIVE": "RUNNING",
    "PAUSED": "PAUSED",
    "ARCHIVED": "ARCHIVED",
    "DRAFT": "DRAFT",
    "DELETED_DRAFT": "DELETED_DRAFT",
}
_AD_SUMMARY = {
    "ACTIVE": "APPROVED",
    "PAUSED": "PAUSED",
    "ARCHIVED": "ARCHIVED",
    "DRAFT": "DRAFT",
    "DELETED_DRAFT": "DELETED_DRAFT",
}
_TOUCH_FIELDS = {
    "ad_account": "updated_time",
    "campaign": "updated_time",
    "ad_group": "updated_time",
    "ad": "updated_time",
    "customer_list": "updated_time",
    "audience": "updated_timestamp",
}


def _images(seed: str) -> dict[str, Any]:
    sizes = {
        "150x150": (150, 150),
        "400x300": (400, 300),
        "600x": (600, 900),
        "1200x": (1200, 1800),
    }
    return {
        key: {"width": w, "height": h, "url": f"https://i.pinimg.com/{key}/fake/{seed}.jpg"}
        for key, (w, h) in sizes.items()
    }


class FakeData:
    """All objects of the fake account, built deterministically from a :class:`Scale`."""

    def __init__(self, scale: Scale | None = None, today: date | None = None) -> None:
        """Build the data set; ``today`` pins the UTC date (None = the real date)."""
        self.scale = scale or Scale()
        self.today_override = today
        # The fake's clock (UTC); None: the real one. today_override wins for the date.
        self.now_override: datetime | None = None
        self._revision_cutoffs: list[date] = []
        self._build()

    # ------------------------------------------------------------------ time
    def today(self) -> date:
        """Current UTC date as seen by the fake (``today_override`` if set)."""
        return self.today_override or self.now().date()

    def now(self) -> datetime:
        """Current UTC time as seen by the fake (``now_override`` if set)."""
        return self.now_override or datetime.now(tz=timezone.utc)

    def reporting_today(self, ad_account_id: str, attribution: Attribution) -> date:
        """The last day with analytics rows: in the account's time_zone if asked for.

        Under AD_ACCOUNT_TIME_ZONE an account's days are its own: the fake's UTC time
        seen in the account's zone (``today_override`` moves it by whole days).
        """
        if attribution.reporting_timezone != "AD_ACCOUNT_TIME_ZONE":
            return self.today()
        zone = ZoneInfo(self.account_time_zones.get(ad_account_id, "Etc/UTC"))
        local = self.now().astimezone(zone).date()
        return local + (self.today() - self.now().date())

    def revise(self, days: int = 3) -> None:
        """Restate the most recent ``days`` dates (up to today) of all analytics."""
        self._revision_cutoffs.append(self.today() - timedelta(days=days - 1))

    def revision_of(self, day: date) -> int:
        """Revision of a date's analytics values: number of revisions covering it."""
        return sum(1 for cutoff in self._revision_cutoffs if day >= cutoff)

    # ------------------------------------------------------------- building
    def _build(self) -> None:  # noqa: C901, PLR0912, PLR0915 - one linear recipe is easier to read
        s = self.scale
        self.followers = [
            {"type": "user", "username": f"follower_{i:04d}"} for i in range(s.followers)
        ]
        self.following = [
            {"type": "user", "username": f"following_{i:04d}"} for i in range(s.following)
        ]

        self.boards: list[dict[str, Any]] = []
        self.board_sections: dict[str, list[dict[str, Any]]] = {}
        self.pins: list[dict[str, Any]] = []
        section_n = 0
        for b in range(s.boards):
            board_id = str(1022106146600 + b)
            created = BASE_TIME + b * 86_400
            sections = []
            for _ in range(s.sections_per_board):
                sections.append(
                    {"id": str(5055000000000 + section_n), "name": f"Section {section_n + 1}"}
                )
                section_n += 1
            self.board_sections[board_id] = sections
            for j in range(s.pins_per_board):
                n = len(self.pins)
                section_slot = j % (s.sections_per_board + 1)
                section_id = sections[section_slot - 1]["id"] if section_slot else None
                pin_id = str(813744226195000000 + n)
                video = n % 4 == 3
                media: dict[str, Any]
                if video:
                    media = {
                        "media_type": "video",
                        "cover_image_url": f"https://i.pinimg.com/videos/thumbnails/{pin_id}.jpg",
                        "video_url": None,
                        "duration": 15_000.0,
                        "height": 1280,
                        "width": 720,
                        "images": _images(pin_id),
                    }
                else:
                    media = {"media_type": "image", "images": _images(pin_id)}
                self.pins.append(
                    {
                        "id": pin_id,
                        "created_at": _iso(created + 3_600 * (j + 1)),
                        "link": f"https://example.com/pins/{n}",
                        "title": f"Pin {n + 1}",
                        "description": f"Description of pin {n + 1}",
                        "dominant_color": "#6E7874",
                        "alt_text": None,
                        "creative_type": "VIDEO" if video else "REGULAR",
                        "board_id": board_id,
                        "board_section_id": section_id,
                        "board_owner": {"username": USERNAME},
                        "is_owner": True,
                        "media": media,
                        "parent_pin_id": None,
                        "is_standard": True,
                        "has_been_promoted": n % 3 == 0,
                        "pin_metrics": None,
                        # Sent by the live API, not in the 5.23.0 spec (live_fields.py).
                        "note": f"Private note {n + 1}" if n % 2 == 0 else None,
                        "is_product": n % 5 == 0,
                        "product_tags": [],
                    },
                )
            board_pins = [p for p in self.pins if p["board_id"] == board_id]
            self.boards.append(
                {
                    "id": board_id,
                    "created_at": _iso(created),
                    "board_pins_modified_at": _iso(created + 3_600 * (len(board_pins) + 1)),
                    "name": f"Board {b + 1}",
                    "description": f"Fake board number {b + 1}",
                    "collaborator_count": 0,
                    "pin_count": len(board_pins),
                    "follower_count": 10 + b,
                    "media": {
                        "image_cover_url": board_pins[0]["media"]["images"]["600x"]["url"]
                        if board_pins
                        else None,
                        "pin_thumbnail_urls": [
                            p["media"]["images"]["150x150"]["url"] for p in board_pins[:5]
                        ],
                    },
                    "owner": {"username": USERNAME},
                    "privacy": ("PUBLIC", "SECRET")[b % 2],
                    "is_ads_only": False,
                },
            )

        self.user: dict[str, Any] = {
            "account_type": "BUSINESS",
            "id": USER_ID,
            "profile_image": "https://i.pinimg.com/280x280_RS/fake/profile.jpg",
            "website_url": "https://example.com",
            "username": USERNAME,
            "about": "A fake business account for tap tests.",
            "business_name": "Fake Business",
            "board_count": len(self.boards),
            "pin_count": len(self.pins),
            "follower_count": len(self.followers),
            "following_count": len(self.following),
            "monthly_views": 12_345,
        }

        self.ad_accounts: list[dict[str, Any]] = []
        # Each ad account's time_zone, sent on GET /ad_accounts (live API, not in the spec).
        self.account_time_zones: dict[str, str] = {}
        self.campaigns: dict[str, list[dict[str, Any]]] = {}
        self.ad_groups: dict[str, list[dict[str, Any]]] = {}
        self.ads: dict[str, list[dict[str, Any]]] = {}
        self.audiences: dict[str, list[dict[str, Any]]] = {}
        self.received_audiences: dict[str, list[dict[str, Any]]] = {}
        self.customer_lists: dict[str, list[dict[str, Any]]] = {}
        self.conversion_tags: dict[str, list[dict[str, Any]]] = {}
        self.keywords: dict[str, list[dict[str, Any]]] = {}
        counters = dict.fromkeys(
            ("campaign", "ad_group", "ad", "audience", "customer_list", "tag", "keyword"),
            0,
        )

        def next_n(kind: str) -> int:
            counters[kind] += 1
            return counters[kind] - 1

        def keyword(parent_id: str, parent_type: str) -> dict[str, Any]:
            n = next_n("keyword")
            return {
                "id": str(383791336903426391 + n),
                "value": f"fake keyword {n + 1}",
                "match_type": MATCH_TYPES[n % len(MATCH_TYPES)],
                "bid": None,
                "archived": n % 2 == 1,
                "parent_id": parent_id,
                "parent_type": parent_type,
                "type": "keyword",
            }

        for a in range(s.ad_accounts):
            acct = str(549755885175 + a)
            self.account_time_zones[acct] = ACCOUNT_TIME_ZONES[a % len(ACCOUNT_TIME_ZONES)]
            shared = s.ad_accounts >= 2 and a == s.ad_accounts - 1
            created = BASE_TIME + a * 86_400
            self.ad_accounts.append(
                {
                    "id": acct,
                    "name": f"Fake Ad Account {a + 1}",
                    "owner": {"id": "1111111111111111111", "username": "partner_brand"}
                    if shared
                    else {"id": USER_ID, "username": USERNAME},
                    "country": ("US", "GB")[a % 2],
                    "currency": ("USD", "GBP")[a % 2],
                    "permissions": ["ADMIN", "ANALYST"] if shared else ["OWNER"],
                    "created_time": created,
                    "updated_time": created + 86_400,
                    # Sent by the live API, not in the 5.23.0 spec (live_fields.py).
                    "time_zone": self.account_time_zones[acct],
                },
            )
            camps: list[dict[str, Any]] = []
            groups: list[dict[str, Any]] = []
            ads: list[dict[str, Any]] = []
            kws = [keyword(acct, "advertiser") for _ in range(2)]
            for c in range(s.campaigns_per_account):
                cn = next_n("campaign")
                status = ENTITY_STATUSES[c % len(ENTITY_STATUSES)]
                ctime = BASE_TIME + 3_600 * (cn + 1)
                camp_id = str(626735565838 + cn)
                camps.append(
                    {
                        "id": camp_id,
                        "ad_account_id": acct,
                        "name": f"Campaign {cn + 1}",
                        "status": status,
                        "lifetime_spend_cap": None if c % 2 else 100_000_000,
                        "daily_spend_cap": 5_000_000 if c % 2 else None,
                        "order_line_id": None,
                        "tracking_urls": None,
                        "start_time": ctime + 86_400,
                        "end_time": None if c % 3 else ctime + 30 * 86_400,
                        "is_flexible_daily_budgets": c % 2 == 1,
                        "is_automated_campaign": False,
                        "objective_type": OBJECTIVE_TYPES[c % len(OBJECTIVE_TYPES)],
                        "created_time": ctime,
                        "updated_time": ctime + 86_400 * (1 + c % 7),
                        "type": "campaign",
                        "is_campaign_budget_optimization": False,
                        "is_performance_plus": False,
                        "summary_status": _CAMPAIGN_SUMMARY[status],
                        "bid_options": None,
                    },
                )
                for k in range(s.keywords_per_campaign):
                    negative = NEGATIVE_MATCH_TYPES[k % len(NEGATIVE_MATCH_TYPES)]
                    kws.append({**keyword(camp_id, "campaign"), "match_type": negative})
                for _ in range(s.ad_groups_per_campaign):
                    gn = next_n("ad_group")
                    g_status = ENTITY_STATUSES[len(groups) % len(ENTITY_STATUSES)]
                    gtime = BASE_TIME + 1_800 * (gn + 1)
                    group_id = str(2680060704746 + gn)
                    groups.append(
                        {
                            "id": group_id,
                            "ad_account_id": acct,
                            "campaign_id": camp_id,
                            "name": f"Ad group {gn + 1}",
                            "status": g_status,
                            "budget_in_micro_currency": 10_000_000 + gn,
                            "bid_in_micro_currency": None,
                            "optimization_goal_metadata": None,
                            "budget_type": "DAILY",
                            "start_time": gtime + 86_400,
                            "end_time": None,
                            "targeting_spec": {
                                "AGE_BUCKET": ["25-34", "35-44"],
                                "APPTYPE": ["web", "iphone"],
                                "GENDER": ["female", "male"],
                                "LOCALE": ["en-US"],
                                "LOCATION": ["US"],
                                "INTEREST": [],
                            },
                            "lifetime_frequency_cap": 0,
                            "tracking_urls": None,
                            "auto_targeting_enabled": True,
                            "placement_group": "ALL",
                            "pacing_delivery_type": "STANDARD",
                            "conversion_learning_mode_type": None,
                            "summary_status": _CAMPAIGN_SUMMARY[g_status],
                            "feed_profile_id": "0",
                            "billable_event": "IMPRESSION",
                            "type": "adgroup",
                            "created_time": gtime,
                            "updated_time": gtime + 86_400 * (1 + gn % 5),
                            "bid_strategy_type": "AUTOMATIC_BID",
                            "targeting_template_ids": None,
                            "is_creative_optimization": False,
                            "promotion_id": None,
                            "promotion_application_level": None,
                            "bid_multiplier": None,
                            "dca_assets": None,
                            # Sent by the live API, not in the 5.23.0 spec (live_fields.py).
                            "placement_traffic_type": "BROWSE" if gn % 2 else "SEARCH",
                        },
                    )
                    kws.extend(
                        keyword(group_id, "ad_group") for _ in range(s.keywords_per_ad_group)
                    )
                    for _ in range(s.ads_per_ad_group):
                        an = next_n("ad")
                        a_status = ENTITY_STATUSES[len(ads) % len(ENTITY_STATUSES)]
                        atime = BASE_TIME + 900 * (an + 1)
                        pin = self.pins[an % len(self.pins)] if self.pins else None
                        ads.append(
                            {
                                "id": str(687195134316 + an),
                                "ad_account_id": acct,
                                "campaign_id": camp_id,
                                "ad_group_id": group_id,
                                "pin_id": pin["id"] if pin else str(813744226195999999),
                                "name": f"Ad {an + 1}",
                                "status": a_status,
                                "summary_status": _AD_SUMMARY[a_status],
                                "review_status": "APPROVED",
                                "rejected_reasons": [],
                                "rejection_labels": [],
                                "creative_type": "VIDEO"
                                if pin and pin["creative_type"] == "VIDEO"
                                else "REGULAR",
                                "destination_url": f"https://example.com/ads/{an}",
                                "android_deep_link": None,
                                "ios_deep_link": None,
                                "carousel_android_deep_links": None,
                                "carousel_destination_urls": None,
                                "carousel_ios_deep_links": None,
                                "click_tracking_url": None,
                                "view_tracking_url": None,
                                "tracking_urls": None,
                                "collection_items_destination_url_template": None,
                                "is_pin_deleted": False,
                                "is_removable": False,
                                "lead_form_id": None,
                                "grid_click_type": "CLOSEUP",
                                "customizable_cta_type": None,
                                "quiz_pin_data": None,
                                "disclosure_type": None,
                                "disclosure_url": None,
                                "created_time": atime,
                                "updated_time": atime + 86_400 * (1 + an % 3),
                                "type": "pinpromotion",
                            },
                        )
            self.campaigns[acct] = camps
            self.ad_groups[acct] = groups
            self.ads[acct] = ads
            self.keywords[acct] = kws

            audiences = []
            for i in range(s.audiences_per_account):
                n = next_n("audience")
                status = AUDIENCE_STATUSES[i % len(AUDIENCE_STATUSES)]
                t = BASE_TIME + 7_200 * (n + 1)
                audiences.append(
                    {
                        "id": str(2542620000000 + n),
                        "ad_account_id": acct,
                        "name": f"Audience {n + 1}",
                        "audience_type": AUDIENCE_TYPES[i % len(AUDIENCE_TYPES)],
                        "description": f"Fake audience {n + 1}",
                        "rule": {"engager_type": 1, "retention_days": 180},
                        "size": None if status == "INITIALIZING" else 1_000 * (n + 1),
                        "status": status,
                        "type": "audience",
                        "created_by_company_name": "Fake Business",
                        "created_timestamp": t,
                        "updated_timestamp": t + 86_400,
                    },
                )
            self.audiences[acct] = audiences
            # One audience another business shared with this account (ownership RECEIVED).
            self.received_audiences[acct] = (
                [
                    {
                        **audiences[0],
                        "id": str(2542629000000 + len(self.received_audiences)),
                        "name": "Shared audience",
                        "description": "Shared by a partner business",
                        "status": "READY",
                        "size": 5_000,
                        "created_by_company_name": "Partner Business",
                    },
                ]
                if audiences
                else []
            )
            lists = []
            for i in range(s.customer_lists_per_account):
                n = next_n("customer_list")
                t = BASE_TIME + 5_400 * (n + 1)
                lists.append(
                    {
                        "id": str(643000000 + n),
                        "ad_account_id": acct,
                        "created_time": t,
                        "updated_time": t + 86_400,
                        "name": f"Customer list {n + 1}",
                        "num_batches": 1 + i,
                        "num_removed_user_records": 0,
                        "num_uploaded_user_records": 100 * (i + 1),
                        "status": CUSTOMER_LIST_STATUSES[i % len(CUSTOMER_LIST_STATUSES)],
                        "type": "customerlist",
                        "exceptions": {},
                    },
                )
            self.customer_lists[acct] = lists
            tags = []
            for i in range(s.conversion_tags_per_account):
                n = next_n("tag")
                tags.append(
                    {
                        "id": str(2617998078212 + n),
                        "ad_account_id": acct,
                        "name": f"Conversion tag {n + 1}",
                        "status": ("ACTIVE", "ARCHIVED")[i % 2],
                        "code_snippet": f"<script type=text/javascript>/* fake tag {n} */</script>",
                        "enhanced_match_status": "VALIDATION_COMPLETE",
                        "last_fired_time_ms": float((BASE_TIME + n * 60) * 1000),
                        "version": "3",
                        "configs": {
                            "aem_enabled": False,
                            "md_frequency": 1.0,
                            "aem_fnln_enabled": False,
                            "aem_ph_enabled": False,
                            "aem_ge_enabled": False,
                            "aem_db_enabled": False,
                            "aem_loc_enabled": False,
                            "aem_external_id_enabled": False,
                            "no_code_capi_domains": [],
                        },
                    },
                )
            self.conversion_tags[acct] = tags

    # -------------------------------------------------------------- lookups
    def ad_account(self, ad_account_id: str) -> dict[str, Any] | None:
        """The ad account with this id, or None."""
        return next((a for a in self.ad_accounts if a["id"] == ad_account_id), None)

    def board(self, board_id: str) -> dict[str, Any] | None:
        """The board with this id, or None."""
        return next((b for b in self.boards if b["id"] == board_id), None)

    def pin(self, pin_id: str) -> dict[str, Any] | None:
        """The pin with this id, or None."""
        return next((p for p in self.pins if p["id"] == pin_id), None)

    def pins_of_board(self, board_id: str) -> list[dict[str, Any]]:
        """Pins on a board (including those in its sections), in creation order."""
        return [p for p in self.pins if p["board_id"] == board_id]

    def pins_of_section(self, section_id: str) -> list[dict[str, Any]]:
        """Pins in a board section."""
        return [p for p in self.pins if p["board_section_id"] == section_id]

    def account_keywords(self, ad_account_id: str) -> list[dict[str, Any]]:
        """Keywords whose parent is the ad account itself (the unfiltered list result)."""
        return [k for k in self.keywords.get(ad_account_id, []) if k["parent_id"] == ad_account_id]

    def ad_group_keywords(self, ad_group_id: str) -> list[dict[str, Any]]:
        """Keywords of one ad group."""
        return [k for kws in self.keywords.values() for k in kws if k["parent_id"] == ad_group_id]

    def find(self, kind: str, entity_id: str) -> dict[str, Any] | None:
        """Look an object up by kind and id (None when absent)."""
        pools: dict[str, list[dict[str, Any]]] = {
            "ad_account": self.ad_accounts,
            "board": self.boards,
            "pin": self.pins,
            "section": [s for secs in self.board_sections.values() for s in secs],
        }
        per_account = {
            "campaign": self.campaigns,
            "ad_group": self.ad_groups,
            "ad": self.ads,
            "audience": self.audiences,
            "customer_list": self.customer_lists,
            "conversion_tag": self.conversion_tags,
            "keyword": self.keywords,
        }
        if kind in per_account:
            pool = [o for objs in per_account[kind].values() for o in objs]
        elif kind in pools:
            pool = pools[kind]
        else:
            msg = f"unknown kind {kind!r}"
            raise ValueError(msg)
        return next((o for o in pool if o["id"] == entity_id), None)

    def touch(self, kind: str, entity_id: str, updated_time: int) -> None:
        """Set an entity's update timestamp (to test incremental replication).

        Kinds: ad_account, campaign, ad_group, ad, customer_list (``updated_time``)
        and audience (``updated_timestamp``).
        """
        if kind not in _TOUCH_FIELDS:
            msg = f"touch() supports {sorted(_TOUCH_FIELDS)}, not {kind!r}"
            raise ValueError(msg)
        obj = self.find(kind, entity_id)
        if obj is None:
            msg = f"no {kind} with id {entity_id}"
            raise KeyError(msg)
        obj[_TOUCH_FIELDS[kind]] = updated_time

    def change_without_edit(self, kind: str, entity_id: str, **fields: Any) -> None:
        """Change fields Pinterest derives, leaving the update timestamp where it was.

        As the live API does: a campaign's or ad group's ``summary_status`` follows its
        start and end times (RUNNING -> COMPLETED when the end passes) and an ad's
        ``review_status`` follows Pinterest's review; neither moves ``updated_time``.
        """
        obj = self.find(kind, entity_id)
        if obj is None:
            msg = f"no {kind} with id {entity_id}"
            raise KeyError(msg)
        obj.update(fields)

    # --------------------------------------------------------- ads analytics
    def _entities(self, ad_account_id: str, level: str) -> dict[str, dict[str, Any]]:
        if level == "ad_account":
            acct = self.ad_account(ad_account_id)
            return {acct["id"]: acct} if acct else {}
        source = {"campaign": self.campaigns, "ad_group": self.ad_groups, "ad": self.ads}[level]
        return {o["id"]: o for o in source.get(ad_account_id, [])}

    def _context(self, ad_account_id: str, level: str, entity: dict[str, Any]) -> dict[str, Any]:
        """Real attribute values (ids, names, statuses) known for an analytics row."""
        ctx: dict[str, Any] = {"AD_ACCOUNT_ID": ad_account_id, "ADVERTISER_ID": ad_account_id}
        campaign = group = ad = None
        if level == "campaign":
            campaign = entity
        elif level == "ad_group":
            group = entity
        elif level == "ad":
            ad = entity
            group = self.find("ad_group", ad["ad_group_id"])
        if group is not None:
            campaign = self.find("campaign", group["campaign_id"])
            ctx.update(
                AD_GROUP_ID=group["id"],
                AD_GROUP_NAME=group["name"],
                AD_GROUP_ENTITY_STATUS=group["status"],
                AD_GROUP_BUDGET_TYPE=group["budget_type"],
            )
        if campaign is not None:
            ctx.update(
                CAMPAIGN_ID=campaign["id"],
                CAMPAIGN_NAME=campaign["name"],
                CAMPAIGN_ENTITY_STATUS=campaign["status"],
                CAMPAIGN_OBJECTIVE_TYPE=campaign["objective_type"],
                CAMPAIGN_BUDGET_OPTIMIZATION=campaign["is_campaign_budget_optimization"],
            )
        if ad is not None:
            ctx.update(
                AD_ID=ad["id"], PIN_PROMOTION_ID=ad["id"], AD_NAME=ad["name"], PIN_ID=ad["pin_id"]
            )
        return ctx

    @staticmethod
    def buckets(
        start: date,
        end: date,
        granularity: str,
        today: date,
    ) -> list[tuple[date | None, list[date]]]:
        """(bucket date, days in it) for DAY/WEEK/MONTH/TOTAL; HOUR uses DAY buckets.

        Days after ``today`` are dropped; WEEK buckets are keyed by their Monday and
        MONTH buckets by the 1st, even when the range starts later.
        """
        days = _days(start, min(end, today))
        if not days:
            return []
        if granularity == "TOTAL":
            return [(None, days)]
        keyed: dict[date, list[date]] = {}
        for d in days:
            if granularity == "WEEK":
                key = d - timedelta(days=d.weekday())
            elif granularity == "MONTH":
                key = d.replace(day=1)
            else:
                key = d
            keyed.setdefault(key, []).append(d)
        return list(keyed.items())

    def ads_analytics_rows(
        self,
        ad_account_id: str,
        level: str,
        entity_ids: list[str] | None,
        start: date,
        end: date,
        *,
        columns: list[str],
        granularity: str,
        attribution: Attribution = DEFAULT_ATTRIBUTION,
    ) -> list[dict[str, Any]]:
        """Rows of a sync ads analytics response (exactly what the server returns).

        ``level`` is ad_account, campaign, ad_group or ad; ids not belonging to the
        account are skipped; order: entity ids as requested, then bucket.  With HOUR,
        each day yields 24 rows carrying ``DATE`` and an integer ``HOUR`` (0..23).
        """
        id_key = LEVEL_ID_KEYS[level]
        entities = self._entities(ad_account_id, level)
        wanted = list(entities) if entity_ids is None else list(dict.fromkeys(entity_ids))
        buckets = self.buckets(
            start, end, granularity, self.reporting_today(ad_account_id, attribution)
        )
        ads_under = self.ads_under(ad_account_id, level)
        numeric = [c for c in columns if c != id_key and column_kind(c) in ("integer", "number")]
        # A rolled-up metric of a parent is its ads' sum; the others are the entity's own.
        rolled = [c for c in numeric if ads_under is not None and c in ROLLED_UP_COLUMNS]
        own = [c for c in numeric if c not in rolled]
        hours: list[int | None] = list(range(HOURS_PER_DAY)) if granularity == "HOUR" else [None]
        rows: list[dict[str, Any]] = []
        for eid in wanted:
            entity = entities.get(eid)
            if entity is None:
                continue
            ctx = self._context(ad_account_id, level, entity)
            scopes = ads_under.get(eid, []) if ads_under is not None else []
            for bucket, days in buckets:
                for hour in hours:
                    values = dict(
                        zip(own, self.bucket_values(eid, days, own, hour, attribution), strict=True)
                    )
                    if rolled:
                        per_scope = [
                            self.bucket_values(scope, days, rolled, hour, attribution)
                            for scope in scopes
                        ]
                        values.update(
                            zip(rolled, _aggregate_columns(rolled, per_scope), strict=True)
                        )
                    row: dict[str, Any] = {id_key: eid}
                    if bucket is not None:
                        row["DATE"] = bucket.isoformat()
                    if hour is not None:
                        row["HOUR"] = hour
                    rows.append(fill_row(row, columns, values, ctx, eid, days[0], skip=id_key))
        return rows

    def ads_under(self, ad_account_id: str, level: str) -> dict[str, list[str]] | None:
        """{parent id: its ads' ids} for a level above ``ad`` (None at the ad level)."""
        if level == "ad":
            return None
        parent_key = {"ad_account": None, "campaign": "campaign_id", "ad_group": "ad_group_id"}[
            level
        ]
        under: dict[str, list[str]] = {}
        for ad in self.ads.get(ad_account_id, []):
            parent = ad_account_id if parent_key is None else ad[parent_key]
            under.setdefault(parent, []).append(ad["id"])
        return under

    def bucket_value(
        self,
        eid: str,
        days: list[date],
        col: str,
        kind: ColumnKind,
        hour: int | None,
        attribution: Attribution,
    ) -> Any:
        """One numeric cell of a bucket: the days' (revised) values, aggregated by kind."""
        del kind  # column_kind(col): bucket_values knows it
        return self.bucket_values(eid, days, [col], hour, attribution)[0]

    def bucket_values(
        self,
        scope: str,
        days: list[date],
        columns: Sequence[str],
        hour: int | None,
        attribution: Attribution,
    ) -> list[Any]:
        """The numeric cells of a bucket, one per column (bucket_value of each, at once)."""
        key = attribution.key()
        per_day = [
            _day_values(scope, hash_day(d), hour, self.revision_of(d), key, columns) for d in days
        ]
        if len(per_day) == 1:
            # One day: _aggregate of one value is the value (sum; a mean rounded to 6
            # decimals of a value with at most 6), so the day's values are the bucket's.
            return list(per_day[0])
        return _aggregate_columns(columns, per_day)

    # ------------------------------------------------------ async report levels
    def report_only_entities(self, ad_account_id: str, level: str) -> list[str]:
        """Entity ids of the levels only async reports serve.

        KEYWORD: every keyword of the account; PRODUCT_GROUP: 3 product groups per
        account (ids ``"7000000000<a>0<i>"``); PRODUCT_ITEM: 4 catalog items per account.
        """
        index = next(i for i, a in enumerate(self.ad_accounts) if a["id"] == ad_account_id)
        if level == "KEYWORD":
            return [k["id"] for k in self.keywords.get(ad_account_id, [])]
        if level == "PRODUCT_GROUP":
            return [f"7000000000{index}0{i}" for i in range(3)]
        if level == "PRODUCT_ITEM":
            return [f"8100000000{index}0{i}" for i in range(4)]
        msg = f"not a report-only level: {level}"
        raise ValueError(msg)

    def report_only_rows(
        self,
        ad_account_id: str,
        level: str,
        start: date,
        end: date,
        *,
        columns: list[str],
        granularity: str,
        attribution: Attribution = DEFAULT_ATTRIBUTION,
    ) -> dict[str, list[dict[str, Any]]]:
        """Rows of a KEYWORD/PRODUCT_GROUP/PRODUCT_ITEM report, keyed by entity id.

        Values follow :func:`metric_value` like the sync levels' (aggregated the same way);
        rows carry ``DATE`` (and ``HOUR``) and the requested columns.
        """
        out: dict[str, list[dict[str, Any]]] = {}
        buckets = self.buckets(
            start, end, granularity, self.reporting_today(ad_account_id, attribution)
        )
        hours: list[int | None] = list(range(HOURS_PER_DAY)) if granularity == "HOUR" else [None]
        for eid in self.report_only_entities(ad_account_id, level):
            rows = out.setdefault(eid, [])
            for ad_group_id in self.promoting_ad_groups(ad_account_id, level, eid):
                # An item promoted in several ad groups: one row per ad group and date.
                scope = eid if ad_group_id is None else f"{eid}/{ad_group_id}"
                rows.extend(
                    self._report_only_row(
                        (ad_account_id, scope, ad_group_id),
                        bucket,
                        days,
                        hour,
                        columns,
                        attribution,
                    )
                    for bucket, days in buckets
                    for hour in hours
                )
        return out

    def _report_only_row(
        self,
        ids: tuple[str, str, str | None],
        bucket: date | None,
        days: list[date],
        hour: int | None,
        columns: list[str],
        attribution: Attribution,
    ) -> dict[str, Any]:
        """One report row: ids are the ad account, the value scope and the ad group."""
        ad_account_id, scope, ad_group_id = ids
        row: dict[str, Any] = {}
        if bucket is not None:
            row["DATE"] = bucket.isoformat()
        if hour is not None:
            row["HOUR"] = hour
        numeric = [c for c in columns if column_kind(c) in ("integer", "number")]
        values = dict(
            zip(numeric, self.bucket_values(scope, days, numeric, hour, attribution), strict=True)
        )
        known = {"AD_ACCOUNT_ID": ad_account_id, "ADVERTISER_ID": ad_account_id}
        if ad_group_id is not None:
            known["AD_GROUP_ID"] = ad_group_id
        return fill_row(row, columns, values, known, scope, days[0])

    def promoting_ad_groups(self, ad_account_id: str, level: str, eid: str) -> list[str | None]:
        """The ad groups a PRODUCT_ITEM report splits an item's rows by ([None] elsewhere).

        The live API reports an item once per ad group promoting it (the level takes ad
        group columns): the account's first item is promoted in its first two ad groups,
        each other item in one.
        """
        if level != "PRODUCT_ITEM":
            return [None]
        groups = [g["id"] for g in self.ad_groups.get(ad_account_id, [])]
        index = self.report_only_entities(ad_account_id, level).index(eid)
        if not groups:
            return [None]
        if index == 0:
            return groups[:2]
        return [groups[index % len(groups)]]

    # ------------------------------------------------------ organic analytics
    def data_status(self, day: date, processing_days: int = 2) -> str:
        """``PROCESSING`` for the last ``processing_days`` dates up to today, else ``READY``."""
        return "PROCESSING" if day > self.today() - timedelta(days=processing_days) else "READY"

    def _organic_series(
        self,
        scope: str,
        start: date,
        end: date,
        metrics: list[str],
        processing_days: int,
    ) -> dict[str, Any]:
        daily: list[dict[str, Any]] = []
        for d in _days(start, min(end, self.today())):
            rev = self.revision_of(d)
            daily.append(
                {
                    "date": d.isoformat(),
                    "data_status": self.data_status(d, processing_days),
                    "metrics": dict(
                        zip(metrics, _organic_day(scope, hash_day(d), rev, metrics), strict=True)
                    ),
                },
            )
        summary = {m: _organic_aggregate(m, [x["metrics"][m] for x in daily]) for m in metrics}
        return {"daily_metrics": daily, "summary_metrics": summary}

    def user_analytics(
        self,
        start: date,
        end: date,
        metric_types: list[str] | None = None,
        split_field: str = "NO_SPLIT",
        *,
        processing_days: int = 2,
        filters: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Body of ``GET /user_account/analytics``.

        ``filters`` holds from_claimed_content, pin_format, app_types, content_type and
        source (spec defaults when absent); they are part of the series scope, so
        different filters give different values.  Series scope:
        ``"user|<group>|<app_types>|<pin_format>|<from_claimed_content>|<content_type>|<source>"``.
        """
        f = {
            "app_types": "ALL",
            "pin_format": "ALL",
            "from_claimed_content": "BOTH",
            "content_type": "ALL",
            "source": "ALL",
            **(filters or {}),
        }
        metrics = list(metric_types or user_metric_types())
        fkey = "|".join(
            f[k]
            for k in ("app_types", "pin_format", "from_claimed_content", "content_type", "source")
        )
        return {
            group: self._organic_series(
                f"user|{group}|{fkey}", start, end, metrics, processing_days
            )
            for group in SPLIT_GROUPS[split_field]
        }

    def pin_analytics(
        self,
        pin_ids: list[str],
        start: date,
        end: date,
        metric_types: list[str],
        *,
        processing_days: int = 2,
        app_types: str = "ALL",
    ) -> dict[str, Any]:
        """Body of bulk ``GET /pins/analytics``: ``{pin_id: {"all": {...}}}``.

        Unknown pin ids are left out.  Series scope ``"pin|<pin_id>|all|<app_types>"``;
        ``lifetime_metrics`` holds TOTAL_COMMENTS and TOTAL_REACTIONS (stable ints).
        """
        body: dict[str, Any] = {}
        for pin_id in dict.fromkeys(pin_ids):
            if self.pin(pin_id) is None:
                continue
            series = self._organic_series(
                f"pin|{pin_id}|all|{app_types}",
                start,
                end,
                list(metric_types),
                processing_days,
            )
            series["lifetime_metrics"] = {
                "TOTAL_COMMENTS": _digest(pin_id, "TOTAL_COMMENTS") % 500,
                "TOTAL_REACTIONS": _digest(pin_id, "TOTAL_REACTIONS") % 500,
            }
            body[pin_id] = {"all": series}
        return body

    def top_pins(
        self,
        start: date,
        end: date,
        sort_by: str,
        metric_types: list[str] | None = None,
        num_of_pins: int = 10,
        *,
        video: bool = False,
        processing_days: int = 2,
    ) -> dict[str, Any]:
        """Body of ``top_pins`` (or ``top_video_pins`` with ``video=True``).

        Metrics of a pin are aggregated over the window from the series
        ``"top|<pin_id>"``; pins are ranked by ``sort_by`` descending, then by id.
        """
        default = video_metric_types() if video else user_metric_types()
        metrics = list(dict.fromkeys([*(metric_types or default), sort_by]))
        days = _days(start, min(end, self.today()))
        candidates = [p for p in self.pins if not video or p["creative_type"] == "VIDEO"]
        status = (
            "PROCESSING"
            if any(self.data_status(d, processing_days) == "PROCESSING" for d in days)
            else "READY"
        )
        ranked = []
        day_keys = [(hash_day(d), self.revision_of(d)) for d in days]
        for pin in candidates:
            scope = f"top|{pin['id']}"
            per_day = [_organic_day(scope, text, rev, metrics) for text, rev in day_keys]
            values = {
                m: _organic_aggregate(m, [day[i] for day in per_day]) for i, m in enumerate(metrics)
            }
            ranked.append(
                {
                    "pin_id": pin["id"],
                    "metrics": values,
                    "data_status": dict.fromkeys(metrics, status),
                },
            )
        ranked.sort(key=lambda r: (-r["metrics"][sort_by], r["pin_id"]))
        last_ready = self.today() - timedelta(days=processing_days)
        end_of_ready = datetime.combine(last_ready, datetime.max.time(), tzinfo=timezone.utc)
        return {
            "date_availability": {
                "is_realtime": False,
                "latest_available_timestamp": float(int(end_of_ready.timestamp()) * 1000 + 999),
            },
            "pins": ranked[:num_of_pins],
            "sort_by": sort_by,
        }

    def snapshot(self) -> dict[str, Any]:
        """Deep copy of every object (to compare data sets, e.g. determinism)."""
        return copy.deepcopy(
            {
                "user": self.user,
                "followers": self.followers,
                "following": self.following,
                "ad_accounts": self.ad_accounts,
                "campaigns": self.campaigns,
                "ad_groups": self.ad_groups,
                "ads": self.ads,
                "audiences": self.audiences,
                "customer_lists": self.customer_lists,
                "conversion_tags": self.conversion_tags,
                "keywords": self.keywords,
                "boards": self.boards,
                "board_sections": self.board_sections,
                "pins": self.pins,
            },
        )
