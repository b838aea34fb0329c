"""Quota: the calls each stream spends against its lower bound (in-process fake API).

scripts/benchmark.py measures CPU and memory per analytics row; this one counts calls.

Runs a full sync of ad_accounts, campaigns, ad_groups, ads and the four ads analytics
streams, then an incremental sync from the final state, and prints per run:

- HTTP calls per endpoint, and the analytics calls against their lower bound
  sum over ad accounts and levels of ceil(N / 250) x ceil(D / 91), where N is the
  level's entity count in the account (1 for the account level) and D the days fetched
  (one request spans at most 91 dates: end - start <= 90 days);
- records per stream (and the expected analytics row count N x D);
- wall time, records per second and peak memory (max RSS of this process, which also
  hosts the fake server and its data).

Usage: uv run python scripts/benchmark_calls.py --ad-accounts 10 --campaigns 300 \
    --ad-groups 3000 --ads 20000 --days 60

A third part syncs the four analytics streams once per path, `analytics_source: sync`
and `analytics_source: reports`, over --path-days days (default 7), and prints the calls
each path spends: list pages and one analytics call per 250 ids and 91 dates, against
one report (create, polls, download) per account, level and 186 dates.

Totals are spread evenly over the hierarchy (Scale takes per-parent numbers), so the
actual counts are rounded; they are printed. Only the metric columns named by
--columns are selected (default three; "all" requests every column), because
responses with all 175 columns make the fake, not the tap, the bottleneck.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import re
import resource
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tap_pinterest.tap import TapPinterest  # noqa: E402
from tests.fake_api import FakePinterestAPI, Scale  # noqa: E402
from tests.fake_api.server import DEFAULT_STATIC_TOKEN  # noqa: E402
from tests.fake_api.shopping import ShoppingData, ShoppingScale, targeting_values  # noqa: E402
from tests.tap_runner import catalog_selecting, deselect_properties  # noqa: E402

IDS_PER_CALL = 250
DATES_PER_CALL = 91
MAX_DAYS_BACK = 90
ENTITY_STREAMS = ("ad_accounts", "campaigns", "ad_groups", "ads")
ANALYTICS_STREAMS = (
    "ad_account_analytics",
    "campaign_analytics",
    "ad_group_analytics",
    "ad_analytics",
)
# analytics stream -> (FakeData attribute of its entities or None for the account, path part)
LEVELS: dict[str, tuple[str | None, str]] = {
    "ad_account_analytics": (None, "analytics"),
    "campaign_analytics": ("campaigns", "campaigns/analytics"),
    "ad_group_analytics": ("ad_groups", "ad_groups/analytics"),
    "ad_analytics": ("ads", "ads/analytics"),
}
RECORD_PREFIX = '{"type":"RECORD","stream":"'
DEFAULT_COLUMNS = "SPEND_IN_DOLLAR,TOTAL_CLICKTHROUGH,TOTAL_IMPRESSION"


class MessageSink(io.TextIOBase):
    """Stands in for stdout: counts RECORDs per stream, keeps only the last STATE."""

    def __init__(self) -> None:
        """Nothing counted yet."""
        super().__init__()
        self.records: Counter[str] = Counter()
        self.state: dict[str, Any] = {}
        self._partial = ""

    def writable(self) -> bool:
        """A write-only text stream."""
        return True

    def write(self, text: str) -> int:
        """Split into lines and count them without keeping them."""
        data = self._partial + text
        lines = data.split("\n")
        self._partial = lines.pop()
        for line in lines:
            self._line(line)
        return len(text)

    def _line(self, line: str) -> None:
        if line.startswith(RECORD_PREFIX):
            start = len(RECORD_PREFIX)
            self.records[line[start : line.index('"', start)]] += 1
            return
        if not line.strip():
            return
        message = json.loads(line)
        if message.get("type") == "RECORD":
            self.records[message["stream"]] += 1
        elif message.get("type") == "STATE":
            self.state = message["value"]


@dataclass
class RunResult:
    """One sync's measurements."""

    label: str
    days: int
    seconds: float
    records: Counter[str]
    calls: Counter[str]
    state: dict[str, Any]
    peak_rss_mb: float
    analytics_calls: dict[str, int] = field(default_factory=dict)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options: totals of each entity and the days to fetch."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--ad-accounts", type=int, default=10, help="ad accounts (default 10)")
    parser.add_argument("--campaigns", type=int, default=300, help="campaigns in total")
    parser.add_argument("--ad-groups", type=int, default=3000, help="ad groups in total")
    parser.add_argument("--ads", type=int, default=20000, help="ads in total")
    parser.add_argument("--days", type=int, default=60, help="days of analytics (start_date)")
    parser.add_argument(
        "--columns",
        default=DEFAULT_COLUMNS,
        help=f'metric columns to select, comma-separated, or "all" (default {DEFAULT_COLUMNS})',
    )
    parser.add_argument("--lookback", type=int, default=7, help="lookback_window_days (default 7)")
    parser.add_argument(
        "--product-groups",
        type=int,
        default=5000,
        help="product groups of the shopping account (default 5000; 0 skips that section)",
    )
    parser.add_argument(
        "--path-days", type=int, default=7, help="days of the sync vs reports comparison"
    )
    return parser.parse_args(argv)


def build_scale(args: argparse.Namespace) -> Scale:
    """Spread the totals evenly: Scale counts children per parent."""
    accounts = max(1, args.ad_accounts)
    campaigns = max(1, round(args.campaigns / accounts))
    groups = max(1, round(args.ad_groups / (campaigns * accounts)))
    ads = max(1, round(args.ads / (groups * campaigns * accounts)))
    return Scale(
        ad_accounts=accounts,
        campaigns_per_account=campaigns,
        ad_groups_per_campaign=groups,
        ads_per_ad_group=ads,
        boards=1,
        sections_per_board=0,
        pins_per_board=4,
        followers=0,
        following=0,
        audiences_per_account=0,
        customer_lists_per_account=0,
        conversion_tags_per_account=0,
        keywords_per_ad_group=0,
    )


def endpoint(path: str) -> str:
    """A logged path with its ids replaced, to group calls per endpoint."""
    return re.sub(r"/\d+", "/{id}", path.removeprefix("/v5"))


def run_once(  # noqa: PLR0913
    api: FakePinterestAPI,
    *,
    label: str,
    config: dict[str, Any],
    catalog: dict[str, Any],
    state: dict[str, Any] | None,
    days: int,
) -> RunResult:
    """One in-process sync, with stdout counted instead of stored."""
    api.clear_log()
    sink = MessageSink()
    tap = TapPinterest(config=config, catalog=catalog, state=state, parse_env_config=False)
    began = time.perf_counter()
    with contextlib.redirect_stdout(sink):
        tap.sync_all()
    seconds = time.perf_counter() - began
    log = api.log
    calls = Counter(endpoint(r.path) for r in log)
    failed = [r for r in log if r.status != 200]  # noqa: PLR2004
    if failed:
        msg = f"{label}: {len(failed)} requests failed, e.g. {failed[0].path} {failed[0].status}"
        raise RuntimeError(msg)
    analytics_calls = {
        stream: calls[f"/ad_accounts/{{id}}/{part}"] for stream, (_, part) in LEVELS.items()
    }
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return RunResult(
        label,
        days,
        seconds,
        sink.records,
        calls,
        sink.state,
        peak_kb / 1024,
        analytics_calls,
    )


def entity_counts(api: FakePinterestAPI, stream: str) -> list[int]:
    """Entities of the stream's level per ad account (1 per account at account level)."""
    attr, _ = LEVELS[stream]
    accounts = [a["id"] for a in api.data.ad_accounts]
    if attr is None:
        return [1 for _ in accounts]
    pool: dict[str, list[Any]] = getattr(api.data, attr)
    return [len(pool[a]) for a in accounts]


def lower_bound(counts: list[int], days: int) -> int:
    """Sum over accounts of ceil(N / 250) x ceil(D / 91)."""
    windows = math.ceil(days / DATES_PER_CALL) if days > 0 else 0
    return sum(math.ceil(n / IDS_PER_CALL) * windows for n in counts if n)


def print_run(api: FakePinterestAPI, result: RunResult) -> None:
    """The run's table: calls per endpoint, analytics against the bound, records, speed."""
    total_records = sum(result.records.values())
    print(f"\n== {result.label}: {result.days} days of analytics ==")
    print(f"{'endpoint':<40} {'calls':>7}")
    for name, count in sorted(result.calls.items()):
        print(f"{name:<40} {count:>7}")
    print(f"{'total HTTP calls':<40} {sum(result.calls.values()):>7}")
    print()
    header = f"{'analytics stream':<22} {'calls':>7} {'bound':>7} {'records':>10} {'expected':>10}"
    print(header)
    all_calls = all_bound = 0
    for stream in ANALYTICS_STREAMS:
        counts = entity_counts(api, stream)
        bound = lower_bound(counts, result.days)
        calls = result.analytics_calls[stream]
        all_calls += calls
        all_bound += bound
        expected = sum(counts) * result.days
        print(f"{stream:<22} {calls:>7} {bound:>7} {result.records[stream]:>10} {expected:>10}")
    print(f"{'all analytics':<22} {all_calls:>7} {all_bound:>7}")
    print()
    print(f"{'entity stream':<22} {'records':>10}")
    for stream in ENTITY_STREAMS:
        print(f"{stream:<22} {result.records[stream]:>10}")
    rate = total_records / result.seconds if result.seconds else 0.0
    print()
    print(f"records: {total_records}  wall: {result.seconds:.1f} s  records/s: {rate:,.0f}")
    print(f"peak RSS so far (tap + in-process fake): {result.peak_rss_mb:,.0f} MB")


def path_calls(api: FakePinterestAPI) -> dict[str, int]:
    """The last run's calls by kind: entity list pages, sync analytics, report steps."""
    kinds: Counter[str] = Counter()
    for request in api.log:
        path = endpoint(request.path)
        if path.startswith("/report-files/"):
            kinds["report downloads"] += 1
        elif path.endswith("/reports"):
            kinds["report creates" if request.method == "POST" else "report polls"] += 1
        elif path.endswith("/analytics"):
            kinds["sync analytics"] += 1
        elif path != "/ad_accounts":
            kinds["entity list pages"] += 1
    return dict(kinds)


def compare_paths(
    api: FakePinterestAPI, config: dict[str, Any], catalog: dict[str, Any], days: int
) -> None:
    """Sync the analytics streams through each path and print the calls each spent."""
    today = datetime.now(tz=timezone.utc).date()
    start = today - timedelta(days=days - 1)
    kinds = (
        "entity list pages",
        "sync analytics",
        "report creates",
        "report polls",
        "report downloads",
    )
    print(f"\n== analytics paths: {days} days of the four ads analytics streams ==")
    print(f"{'path':<9} " + " ".join(f"{k:>17}" for k in kinds) + f" {'total':>7} {'records':>9}")
    for source in ("sync", "reports"):
        path_config = {**config, "start_date": start.isoformat(), "analytics_source": source}
        result = run_once(
            api, label=source, config=path_config, catalog=catalog, state=None, days=days
        )
        spent = path_calls(api)
        total = sum(spent.values())
        records = sum(result.records[s] for s in ANALYTICS_STREAMS)
        row = " ".join(f"{spent.get(k, 0):>17}" for k in kinds)
        print(f"{source:<9} {row} {total:>7} {records:>9}")
    print(
        "sync: per account and level, list pages + ceil(N/250) x ceil(D/91) calls; "
        "reports: per account and level, ceil(D/186) x (1 create + polls + 1 download)"
    )


def main(argv: list[str] | None = None) -> int:
    """Full sync, then incremental sync from its state; print both tables."""
    args = parse_args(argv)
    scale = build_scale(args)
    today = datetime.now(tz=timezone.utc).date()
    days = min(args.days, MAX_DAYS_BACK + 1)
    start: date = today - timedelta(days=days - 1)
    with FakePinterestAPI(scale=scale) as api:
        n_campaigns = sum(len(v) for v in api.data.campaigns.values())
        n_groups = sum(len(v) for v in api.data.ad_groups.values())
        n_ads = sum(len(v) for v in api.data.ads.values())
        print(
            f"scale: {scale.ad_accounts} ad accounts, {n_campaigns} campaigns "
            f"({scale.campaigns_per_account}/account), {n_groups} ad groups "
            f"({scale.ad_groups_per_campaign}/campaign), {n_ads} ads "
            f"({scale.ads_per_ad_group}/ad group); {days} days from {start}; "
            f"columns: {args.columns}"
        )
        if days != args.days:
            print(f"note: --days {args.days} capped at {days} (the API serves 90 days back)")
        config: dict[str, Any] = {
            "access_token": DEFAULT_STATIC_TOKEN,
            "api_url": api.url,
            "start_date": start.isoformat(),
            "lookback_window_days": args.lookback,
        }
        catalog = catalog_selecting(config, set(ENTITY_STREAMS) | set(ANALYTICS_STREAMS))
        if args.columns != "all":
            keep = {c.strip() for c in args.columns.split(",") if c.strip()}
            for stream in ANALYTICS_STREAMS:
                catalog = deselect_properties(catalog, stream, keep)

        full = run_once(
            api, label="full sync", config=config, catalog=catalog, state=None, days=days
        )
        print_run(api, full)
        incremental_days = args.lookback + 1
        incremental = run_once(
            api,
            label="incremental sync",
            config=config,
            catalog=catalog,
            state=full.state,
            days=incremental_days,
        )
        print_run(api, incremental)
        analytics_catalog = catalog_selecting(config, set(ANALYTICS_STREAMS))
        if args.columns != "all":
            for stream in ANALYTICS_STREAMS:
                analytics_catalog = deselect_properties(analytics_catalog, stream, keep)
        compare_paths(api, config, analytics_catalog, min(args.path_days, MAX_DAYS_BACK + 1))
    shopping_benchmark(args, today)
    return 0


# Shopping and targeting ---------------------------------------------------------------

SHOPPING_STREAMS = (
    "ad_groups",
    "catalogs",
    "catalogs_feeds",
    "catalogs_product_groups",
    "product_group_promotions",
)
TARGETING_STREAMS = {
    "ad_account_targeting_analytics": (None, "targeting_analytics"),
    "campaign_targeting_analytics": ("campaigns", "campaigns/targeting_analytics"),
    "ad_group_targeting_analytics": ("ad_groups", "ad_groups/targeting_analytics"),
    "ad_targeting_analytics": ("ads", "ads/targeting_analytics"),
}
TARGETING_TYPES = ("AGE_BUCKET", "GENDER", "COUNTRY", "APPTYPE", "PLACEMENT")
# One ad account of 5 campaigns; objectives cycle, so one is CATALOG_SALES and its ad
# groups hold every product group promotion.
SHOPPING_AD_GROUPS_PER_CAMPAIGN = 10


def _pages(items: int) -> int:
    return max(1, math.ceil(items / IDS_PER_CALL))


def shopping_benchmark(args: argparse.Namespace, today: date) -> None:
    """A shopping account with thousands of product groups: calls against their bound."""
    if args.product_groups <= 0:
        return
    days = min(args.days, MAX_DAYS_BACK + 1)
    start = today - timedelta(days=days - 1)
    scale = Scale(
        ad_accounts=1,
        campaigns_per_account=5,
        ad_groups_per_campaign=SHOPPING_AD_GROUPS_PER_CAMPAIGN,
        ads_per_ad_group=2,
        boards=1,
        sections_per_board=0,
        pins_per_board=4,
        followers=0,
        following=0,
        audiences_per_account=0,
        customer_lists_per_account=0,
        conversion_tags_per_account=0,
        keywords_per_ad_group=0,
    )
    with FakePinterestAPI(scale=scale) as api:
        api.shopping = ShoppingData(
            api.data,
            ShoppingScale(
                catalogs=2,
                partner_catalogs=0,
                feeds_per_catalog=2,
                product_groups_per_feed=math.ceil(args.product_groups / 4),
                promotions_per_ad_group=math.ceil(
                    args.product_groups / SHOPPING_AD_GROUPS_PER_CAMPAIGN
                ),
            ),
        )
        shopping = api.shopping
        (account,) = [a["id"] for a in api.data.ad_accounts]
        promotions = shopping.promotions[account]
        groups = api.data.ad_groups[account]
        product_groups = sum(len(v) for v in shopping.product_groups.values())
        print(
            f"\nscale: 1 shopping ad account, {len(groups)} ad groups, "
            f"{product_groups} catalog product groups, {len(promotions)} promoted product "
            f"groups, {len(api.data.ads[account])} ads; {days} days; "
            f"targeting types: {','.join(TARGETING_TYPES)}"
        )
        config: dict[str, Any] = {
            "access_token": DEFAULT_STATIC_TOKEN,
            "api_url": api.url,
            "start_date": start.isoformat(),
            "targeting_types": list(TARGETING_TYPES),
        }
        streams = set(SHOPPING_STREAMS) | set(TARGETING_STREAMS)
        catalog = catalog_selecting(config, streams)
        if args.columns != "all":
            keep = {c.strip() for c in args.columns.split(",") if c.strip()}
            for stream in TARGETING_STREAMS:
                catalog = deselect_properties(catalog, stream, keep)
        result = run_once(
            api, label="shopping", config=config, catalog=catalog, state=None, days=days
        )
        windows = math.ceil(days / DATES_PER_CALL)
        per_group = Counter(p["ad_group_id"] for p in promotions)
        values = sum(len(targeting_values(t)) for t in TARGETING_TYPES)
        # stream -> (endpoint, calls lower bound, records expected)
        rows: dict[str, tuple[str, int, int]] = {
            "catalogs": ("/catalogs", 1, len(shopping.catalogs["2783136121146311751"])),
            "catalogs_feeds": ("/catalogs/feeds", 1, sum(len(v) for v in shopping.feeds.values())),
            "catalogs_product_groups": (
                "/catalogs/product_groups",
                _pages(product_groups),
                product_groups,
            ),
            "product_group_promotions": (
                "/ad_accounts/{id}/product_group_promotions",
                sum(_pages(per_group[g["id"]]) for g in groups),
                len(promotions),
            ),
        }
        for stream, (attr, part) in TARGETING_STREAMS.items():
            entities = 1 if attr is None else len(getattr(api.data, attr)[account])
            rows[stream] = (
                f"/ad_accounts/{{id}}/{part}",
                _pages(entities) * windows,
                entities * days * values,
            )
        header = f"{'shopping / targeting stream':<32} {'calls':>7} {'bound':>7}"
        print(f"{header} {'records':>10} {'expected':>10}")
        for stream, (path, bound, expected) in rows.items():
            print(
                f"{stream:<32} {result.calls[path]:>7} {bound:>7} "
                f"{result.records[stream]:>10} {expected:>10}"
            )
        print(f"{'ad group listing (reused)':<32} {result.calls['/ad_accounts/{id}/ad_groups']:>7}")
        total_records = sum(result.records.values())
        rate = total_records / result.seconds if result.seconds else 0.0
        print(
            f"total HTTP calls: {sum(result.calls.values())}  records: {total_records}  "
            f"wall: {result.seconds:.1f} s  records/s: {rate:,.0f}  "
            f"peak RSS: {result.peak_rss_mb:,.0f} MB"
        )


if __name__ == "__main__":
    raise SystemExit(main())
