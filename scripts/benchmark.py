"""Benchmark ad_analytics: calls, tap CPU per row against a bare-loop floor, peak memory.

The setup of issue 10: select only ad_accounts and ad_analytics, full sync then an
incremental sync from its state, with every column or with 9 metric columns. Each run
gets its own fake API process (scripts/benchmark_fake.py: tests/fake_api with the same
answers computed faster, `--print-calls`), so the fake's CPU is not the tap's; the tap
runs as `python -m tap_pinterest` and its CPU (user + system) and peak RSS come from
the rusage of that process alone. In the same run the floor (scripts/benchmark_floor.py:
standard library, json.loads + json.dumps, no SDK) asks the same questions and writes
the same RECORD lines; the ratio is tap CPU / floor CPU.

Per scenario it prints: HTTP calls against the lower bound (ad accounts x ceil(ads /
ids per call) x ceil(days / 91), plus the listing pages; ids per call is 250, or fewer
when the columns leave less room in the 8,000-byte URL budget), rows, tap CPU seconds and us per row
(also less the tap's start-up, measured once by a --discover run), the floor's, the
ratio, and the tap's peak RSS. Every process runs from bytecode caches, as installed
packages do (PYTHONDONTWRITEBYTECODE is dropped for them; a first discovery warms them).

Usage: uv run --no-sync python scripts/benchmark.py [--size small --size large]
    [--columns all --columns 9] [--markdown]
       uv run --no-sync python scripts/benchmark.py --families [--size small186]
With --families: peak RSS of the tap per stream family (ads and targeting analytics,
each through the synchronous endpoints and through reports), every column, full sync.
Sizes: tiny (the test), small, large (3 ad accounts, 4,500 ads, 61 days: ~275k rows).
The large all-columns scenario still spends minutes in the fake (it hashes every cell).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tap_pinterest.analytics_columns import ADS_COLUMNS  # noqa: E402
from tap_pinterest.streams.ads import ENTITY_STATUSES  # noqa: E402
from tap_pinterest.url_budget import DEFAULT_MAX_URL_BYTES, encode_query, id_cost  # noqa: E402
from tests.fake_api import Scale  # noqa: E402
from tests.fake_api.server import DEFAULT_STATIC_TOKEN  # noqa: E402
from tests.tap_runner import catalog_selecting, deselect_properties  # noqa: E402

# Installed packages run from bytecode caches (pip writes them, and Python on first import).
# A shell with PYTHONDONTWRITEBYTECODE set would make every measured run compile the SDK
# again (~1 s of CPU), which no deployment pays: children run with the caches, warmed first.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
FLOOR = REPO / "scripts" / "benchmark_floor.py"
FAKE = REPO / "scripts" / "benchmark_fake.py"
IDS_PER_CALL = 250
DAYS_PER_CALL = 91
PAGE_SIZE = 250
LOOKBACK_DAYS = 7
STREAMS = {"ad_accounts", "ad_analytics"}
NINE_COLUMNS = (
    "SPEND_IN_DOLLAR",
    "SPEND_IN_MICRO_DOLLAR",
    "TOTAL_IMPRESSION",
    "TOTAL_CLICKTHROUGH",
    "CTR",
    "ECPC_IN_DOLLAR",
    "CPM_IN_DOLLAR",
    "TOTAL_ENGAGEMENT",
    "TOTAL_CONVERSIONS",
)
ATTRIBUTION = {
    "GRANULARITY": "DAY",
    "CLICK_WINDOW_DAYS": 30,
    "ENGAGEMENT_WINDOW_DAYS": 30,
    "VIEW_WINDOW_DAYS": 1,
    "CONVERSION_REPORT_TIME": "TIME_OF_AD_ACTION",
}


@dataclass(frozen=True)
class Size:
    """Ad accounts, the ads under each (campaigns x ad groups x ads) and days of data."""

    accounts: int
    campaigns: int
    ad_groups: int
    ads: int
    days: int

    @property
    def ads_per_account(self) -> int:
        """Ads the fake builds per ad account."""
        return self.campaigns * self.ad_groups * self.ads

    def scale_args(self) -> list[str]:
        """The fake's --scale-* options: only ad accounts and ads, nothing else."""
        scale = Scale(
            ad_accounts=self.accounts,
            campaigns_per_account=self.campaigns,
            ad_groups_per_campaign=self.ad_groups,
            ads_per_ad_group=self.ads,
            boards=0,
            sections_per_board=0,
            pins_per_board=0,
            followers=0,
            following=0,
            audiences_per_account=0,
            customer_lists_per_account=0,
            conversion_tags_per_account=0,
            keywords_per_ad_group=0,
        )
        out: list[str] = []
        for f in fields(Scale):
            out += [f"--scale-{f.name.replace('_', '-')}", str(getattr(scale, f.name))]
        return out


SIZES = {
    "tiny": Size(accounts=2, campaigns=2, ad_groups=2, ads=3, days=5),
    # Issue 19's small targeting size: 186 ads, 61 days (x 24 values of 5 targeting types).
    "small186": Size(accounts=1, campaigns=6, ad_groups=1, ads=31, days=61),
    # The same ads over 10 days: a targeting answer of ~48 MB that the fake builds in
    # minutes (at 61 days it takes longer than the tap's 300 s read timeout on 2 cores).
    "small186x10": Size(accounts=1, campaigns=6, ad_groups=1, ads=31, days=10),
    "small": Size(accounts=1, campaigns=10, ad_groups=10, ads=5, days=61),
    "large": Size(accounts=3, campaigns=10, ad_groups=10, ads=15, days=61),
}


@dataclass
class Measured:
    """One process's output and cost."""

    records: dict[str, int]
    state: dict[str, Any]
    cpu_seconds: float
    peak_rss_mb: float


@dataclass
class Row:
    """One scenario line of the table."""

    size: str
    columns: str
    run: str
    calls: int
    bound: int
    rows: int
    tap: Measured
    floor: Measured
    startup_seconds: float = 0.0

    @property
    def us_per_row(self) -> float:
        """Tap CPU per analytics row."""
        return self.tap.cpu_seconds / max(self.rows, 1) * 1e6

    @property
    def us_per_row_after_startup(self) -> float:
        """Tap CPU per analytics row, less the CPU of starting the tap."""
        return (self.tap.cpu_seconds - self.startup_seconds) / max(self.rows, 1) * 1e6

    @property
    def floor_us_per_row(self) -> float:
        """Floor CPU per analytics row."""
        return self.floor.cpu_seconds / max(self.rows, 1) * 1e6

    @property
    def ratio(self) -> float:
        """Tap CPU / floor CPU."""
        return self.tap.cpu_seconds / self.floor.cpu_seconds if self.floor.cpu_seconds else 0.0


class FakeProcess:
    """The fake API in its own process; on stop, the calls it answered."""

    def __init__(self, size: Size) -> None:
        """Start it and read its URL."""
        command = [sys.executable, str(FAKE), "--port", "0", "--print-calls"]
        self.process = subprocess.Popen(
            [*command, *size.scale_args()],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None  # noqa: S101
        line = self.process.stdout.readline()
        self.url = line.strip().rsplit(" ", 1)[-1]
        if not self.url.startswith("http"):
            msg = f"the fake API did not start: {line!r}"
            raise RuntimeError(msg)

    def stop(self) -> dict[str, int]:
        """Stop it; calls per 'status path'."""
        self.process.terminate()
        out, _ = self.process.communicate(timeout=60)
        return dict(json.loads(out.strip().splitlines()[-1]))


def drain(stream: IO[bytes], measured: dict[str, Any]) -> None:
    """Count RECORD lines per stream and keep the last STATE, without storing lines."""
    records: dict[str, int] = {}
    prefix = b'{"type":"RECORD","stream":"'
    state: dict[str, Any] = {}
    for line in stream:
        if line.startswith(prefix):
            name = line[len(prefix) : line.index(b'"', len(prefix))].decode()
            records[name] = records.get(name, 0) + 1
        elif line.startswith(b'{"type":"STATE"'):
            state = json.loads(line)["value"]
    measured["records"] = records
    measured["state"] = state


def measure(command: list[str], *, drain_output: bool = True) -> Measured:
    """Run a process, reading its stdout in a thread; CPU and peak RSS from its rusage."""
    process = subprocess.Popen(
        command, cwd=REPO, env=CHILD_ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None  # noqa: S101
    assert process.stderr is not None  # noqa: S101
    out: dict[str, Any] = {}
    errors: list[bytes] = []
    reader = threading.Thread(
        target=drain if drain_output else lambda stream, _: stream.read(),
        args=(process.stdout, out),
    )
    err_reader = threading.Thread(target=lambda: errors.append(process.stderr.read()))  # type: ignore[union-attr]
    reader.start()
    err_reader.start()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    reader.join()
    err_reader.join()
    if process.returncode != 0:
        tail = b"".join(errors)[-3000:].decode(errors="replace")
        msg = f"{command[1:3]} exited {process.returncode}:\n{tail}"
        raise RuntimeError(msg)
    return Measured(
        records=out.get("records", {}),
        state=out.get("state", {}),
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        peak_rss_mb=usage.ru_maxrss / 1024,
    )


def startup_seconds(work: Path) -> float:
    """CPU of starting the tap: imports, config, catalog (a discovery run, no HTTP)."""
    config = work / "startup_config.json"
    config.write_text(
        json.dumps({"access_token": DEFAULT_STATIC_TOKEN, "start_date": "2026-01-01"}),
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "tap_pinterest", "--config", str(config), "--discover"]
    return measure(command, drain_output=False).cpu_seconds


def ids_per_call(api_url: str, columns: list[str]) -> int:
    """Ad ids one call carries: the spec's 250, or as many as fit the tap's URL budget.

    The fake's ad account and ad ids have 12 digits; every id costs the same bytes.
    """
    params = {
        "columns": ",".join(c for c in columns if c != "AD_ACCOUNT_ID"),  # the tap folds it
        "granularity": ATTRIBUTION["GRANULARITY"],
        "click_window_days": ATTRIBUTION["CLICK_WINDOW_DAYS"],
        "engagement_window_days": ATTRIBUTION["ENGAGEMENT_WINDOW_DAYS"],
        "view_window_days": ATTRIBUTION["VIEW_WINDOW_DAYS"],
        "conversion_report_time": ATTRIBUTION["CONVERSION_REPORT_TIME"],
        "start_date": "2026-01-01",
        "end_date": "2026-01-01",
    }
    url = f"{api_url}/ad_accounts/{'9' * 12}/ads/analytics?{encode_query(params)}"
    fitting = (DEFAULT_MAX_URL_BYTES - len(url)) // id_cost("ad_ids", "9" * 12)
    return max(1, min(IDS_PER_CALL, fitting))


def lower_bound(size: Size, days: int, per_call: int) -> int:
    """Listing pages plus ad accounts x ceil(ads / ids per call) x ceil(days / 91)."""
    listing = math.ceil(size.accounts / PAGE_SIZE) + size.accounts * max(
        1, math.ceil(size.ads_per_account / PAGE_SIZE)
    )
    analytics = size.accounts * math.ceil(size.ads_per_account / per_call)
    return listing + analytics * math.ceil(days / DAYS_PER_CALL)


def selected_columns(name: str) -> list[str]:
    """The metric columns a scenario selects."""
    return list(NINE_COLUMNS) if name == "9" else [c for c in ADS_COLUMNS if c != "AD_ID"]


def run_scenario(  # noqa: PLR0913
    work: Path,
    *,
    size_name: str,
    size: Size,
    columns: str,
    run: str,
    state: dict[str, Any] | None,
) -> Row:
    """Tap then floor, each against a fresh fake; the calls are the tap's."""
    today = datetime.now(tz=timezone.utc).date()
    days = size.days if state is None else min(size.days, LOOKBACK_DAYS + 1)
    start = today - timedelta(days=days - 1)
    tap_start = today - timedelta(days=size.days - 1)
    fake = FakeProcess(size)
    try:
        config = {
            "access_token": DEFAULT_STATIC_TOKEN,
            "api_url": fake.url,
            "start_date": tap_start.isoformat(),
            "lookback_window_days": LOOKBACK_DAYS,
        }
        catalog = catalog_selecting(config, STREAMS)
        if columns != "all":
            catalog = deselect_properties(catalog, "ad_analytics", set(NINE_COLUMNS))
        paths = {name: work / f"{name}.json" for name in ("config", "catalog", "state", "job")}
        paths["config"].write_text(json.dumps(config), encoding="utf-8")
        paths["catalog"].write_text(json.dumps(catalog), encoding="utf-8")
        command = [
            sys.executable,
            "-m",
            "tap_pinterest",
            "--config",
            str(paths["config"]),
            "--catalog",
            str(paths["catalog"]),
        ]
        if state is not None:
            paths["state"].write_text(json.dumps(state), encoding="utf-8")
            command += ["--state", str(paths["state"])]
        tap = measure(command)
    finally:
        calls = fake.stop()
    job = {
        "api_url": "",
        "access_token": DEFAULT_STATIC_TOKEN,
        "start_date": start.isoformat(),
        "columns": selected_columns(columns),
        "attribution": ATTRIBUTION,
        "entity_statuses": list(ENTITY_STATUSES),
    }
    fake = FakeProcess(size)
    try:
        job["api_url"] = fake.url
        paths["job"].write_text(json.dumps(job), encoding="utf-8")
        floor = measure([sys.executable, str(FLOOR), str(paths["job"])])
    finally:
        fake.stop()
    failed = {k: v for k, v in calls.items() if not k.startswith("200 ")}
    if failed:
        msg = f"{size_name}/{columns}/{run}: failed calls {failed}"
        raise RuntimeError(msg)
    rows = tap.records.get("ad_analytics", 0)
    if rows != floor.records.get("ad_analytics", 0) or rows != size.accounts * (
        size.ads_per_account * days
    ):
        msg = f"{size_name}/{columns}/{run}: tap {tap.records}, floor {floor.records}"
        raise RuntimeError(msg)
    return Row(
        size_name,
        columns,
        run,
        sum(calls.values()),
        lower_bound(size, days, ids_per_call(str(config["api_url"]), selected_columns(columns))),
        rows,
        tap,
        floor,
    )


HEADER = (
    "size",
    "columns",
    "run",
    "HTTP calls",
    "lower bound",
    "rows",
    "tap CPU s",
    "tap us/row",
    "after start-up",
    "floor CPU s",
    "floor us/row",
    "tap/floor",
    "tap peak RSS MB",
)


def cells(row: Row) -> tuple[str, ...]:
    """One table line's cells."""
    return (
        row.size,
        row.columns,
        row.run,
        str(row.calls),
        str(row.bound),
        f"{row.rows:,}",
        f"{row.tap.cpu_seconds:.1f}",
        f"{row.us_per_row:.1f}",
        f"{row.us_per_row_after_startup:.1f}",
        f"{row.floor.cpu_seconds:.1f}",
        f"{row.floor_us_per_row:.1f}",
        f"{row.ratio:.2f}",
        f"{row.tap.peak_rss_mb:.0f}",
    )


def print_row(row: Row, *, markdown: bool) -> None:
    """Print one scenario as it completes."""
    if markdown:
        print("| " + " | ".join(cells(row)) + " |", flush=True)
    else:
        print("  ".join(f"{c:>{len(h)}}" for c, h in zip(cells(row), HEADER, strict=True)))


# Stream families for --families: the streams synced and the settings that route them.
FAMILIES: dict[str, tuple[set[str], dict[str, Any]]] = {
    "ads analytics, sync": ({"ad_accounts", "ad_analytics"}, {}),
    "targeting analytics, sync": ({"ad_accounts", "ad_targeting_analytics"}, {}),
    "ads analytics, reports": (
        {"ad_accounts", "ad_analytics"},
        {"analytics_source": "reports", "report_poll_seconds": 0.01},
    ),
    "targeting analytics, reports": (
        {"ad_accounts", "ad_targeting_analytics"},
        {"analytics_source": "reports", "report_poll_seconds": 0.01},
    ),
}


def run_family(work: Path, size: Size, family: str) -> tuple[int, int, float]:
    """One family with every column, full sync: (records, HTTP calls, tap peak RSS MB)."""
    streams, settings = FAMILIES[family]
    today = datetime.now(tz=timezone.utc).date()
    fake = FakeProcess(size)
    try:
        config = {
            "access_token": DEFAULT_STATIC_TOKEN,
            "api_url": fake.url,
            "start_date": (today - timedelta(days=size.days - 1)).isoformat(),
            # The fake builds a 290 MB answer slower than the default 300 s read timeout.
            "request_timeout": 3600,
            **settings,
        }
        paths = {name: work / f"family_{name}.json" for name in ("config", "catalog")}
        paths["config"].write_text(json.dumps(config), encoding="utf-8")
        catalog = catalog_selecting(config, streams)
        paths["catalog"].write_text(json.dumps(catalog), encoding="utf-8")
        command = [sys.executable, "-m", "tap_pinterest"]
        command += ["--config", str(paths["config"]), "--catalog", str(paths["catalog"])]
        tap = measure(command)
    finally:
        calls = fake.stop()
    records = sum(n for name, n in tap.records.items() if name != "ad_accounts")
    return records, sum(calls.values()), tap.peak_rss_mb


def families(sizes: list[str], only: list[str] | None = None) -> int:
    """Peak RSS per stream family with every column (issue 19: 150 MB on every stream)."""
    print("| size | stream family | records | HTTP calls | tap peak RSS MB |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        startup_seconds(Path(tmp))  # writes the bytecode caches, if a first run is due
        for name in sizes:
            for family in only or FAMILIES:
                records, calls, rss = run_family(Path(tmp), SIZES[name], family)
                print(f"| {name} | {family} | {records:,} | {calls} | {rss:.0f} |", flush=True)
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Sizes and column sets to run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--size", action="append", choices=sorted(SIZES), help="repeatable")
    parser.add_argument("--columns", action="append", choices=["all", "9"], help="repeatable")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument(
        "--families",
        action="store_true",
        help="peak RSS per stream family (sync and reports, plain and targeting), every column",
    )
    parser.add_argument(
        "--family", action="append", choices=sorted(FAMILIES), help="with --families; repeatable"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Every size x columns: a full sync, then an incremental sync from its state."""
    args = parse_args(argv)
    if args.families:
        return families(args.size or ["small186"], args.family)
    sizes = args.size or ["small", "large"]
    column_sets = args.columns or ["all", "9"]
    for name in sizes:
        size = SIZES[name]
        print(
            f"{name}: {size.accounts} ad accounts x {size.ads_per_account} ads, "
            f"{size.days} days; streams ad_accounts + ad_analytics"
        )
    if args.markdown:
        print("| " + " | ".join(HEADER) + " |")
        print("|" + "---|" * len(HEADER))
    else:
        print("  ".join(HEADER))
    with tempfile.TemporaryDirectory() as tmp:
        startup_seconds(Path(tmp))  # writes the bytecode caches, if a first run is due
        startup = startup_seconds(Path(tmp))
        for name in sizes:
            for columns in column_sets:
                full = run_scenario(
                    Path(tmp),
                    size_name=name,
                    size=SIZES[name],
                    columns=columns,
                    run="full",
                    state=None,
                )
                full.startup_seconds = startup
                print_row(full, markdown=args.markdown)
                incremental = run_scenario(
                    Path(tmp),
                    size_name=name,
                    size=SIZES[name],
                    columns=columns,
                    run="incremental",
                    state=full.tap.state,
                )
                incremental.startup_seconds = startup
                print_row(incremental, markdown=args.markdown)
    print(f"tap start-up (imports, config, catalog; a --discover run): {startup:.2f} s CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
