"""Wall time of a whole sync against the fake with latency and slow reports (issue 19, item 4).

The demo's selection (every stream, the demo environment's custom report, the default
30 days) runs as `python -m tap_pinterest` against the fake API, which answers every
call after `--latency` seconds (150 ms: a modest real-world round trip) and keeps each
report IN_PROGRESS for `--build` seconds after its creation. One row per run:

- `reports late, serial`: each stream creates its reports when it reaches them (the
  tap's hook that creates them at the start is off), one call at a time: the tap
  before issue 19;
- `max_concurrent_requests=1`: reports created at the start, one call at a time;
- `default`: the settings' default concurrency (only when the tap's settings have
  `max_concurrent_requests`; without it the tap makes one call at a time anyway).

Columns: wall seconds of the tap process, the CPU seconds of the tap process and of the
fake's while the tap ran, records, HTTP calls the fake answered, the most calls the fake
held at once (`max_in_flight`), the critical path and wall / path.

The fake runs in a process of its own (this script with `--serve-fake`), started
afresh for each row, with scripts/benchmark_fake.py's faster rows: like a real API, it
builds its answers (the targeting answers are large: tens of CPU seconds a run) beside
the tap, not in the tap's process or the benchmark's. Both share the machine's cores,
so on a busy machine (or one core) the fake's CPU still shows in the wall time.

The critical path is the least wall time any client could take for the same calls: the
longest chain of calls each of which needs an answer before it can be sent, each call
costing the latency, plus the build time of a report. It is computed from the fake's
request log of the run:
- a list's pages follow each other (each needs the previous page's bookmark): a list
  (path and query but the bookmark) of n pages costs n calls;
- a call under a listed entity needs that entity's list first: /ad_accounts/{id}/...
  needs /ad_accounts, .../campaigns/analytics needs .../campaigns, keywords and product
  group promotions asked per campaign or ad group need that list, /boards/{id}/sections
  /{id}/pins needs /boards/{id}/sections, /pins/analytics needs /pins, and so on (the
  path up to its last id, or the path less /analytics);
- a report is created (one call, after /ad_accounts), built (`--build` s), polled once
  when ready and downloaded: three calls and the build time.
The CPU of the tap and of the fake is not in it.

Usage: uv run --no-sync python scripts/benchmark_wall.py [--size small|tiny]
    [--latency 0.15] [--build 20] [--poll SECONDS] [--markdown]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

REPO = Path(__file__).resolve().parents[1]
for directory in (REPO, REPO / "scripts"):
    if str(directory) not in sys.path:
        sys.path.insert(0, str(directory))

from tap_pinterest.settings import CONFIG_SCHEMA  # noqa: E402
from tap_pinterest.tap import TapPinterest  # noqa: E402
from tests.fake_api import Scale  # noqa: E402
from tests.fake_api.server import DEFAULT_STATIC_TOKEN, LoggedRequest  # noqa: E402
from tests.tap_runner import catalog_selecting, discovered_catalog  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Iterable

CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
CONCURRENCY = "max_concurrent_requests"
SIZES = {
    # The demo's data (scripts/demo.sh serves the fake's defaults).
    "small": Scale(),
    # The test's: one of everything.
    "tiny": Scale(
        ad_accounts=1,
        campaigns_per_account=1,
        ad_groups_per_campaign=1,
        ads_per_ad_group=1,
        boards=1,
        sections_per_board=1,
        pins_per_board=2,
        followers=2,
        following=2,
        audiences_per_account=1,
        customer_lists_per_account=1,
        conversion_tags_per_account=1,
        keywords_per_ad_group=1,
    ),
}
# meltano.yml's demo environment: one custom report.
CUSTOM_REPORTS = [
    {
        "name": "campaign_revenue",
        "level": "CAMPAIGN",
        "columns": [
            "SPEND_IN_DOLLAR",
            "TOTAL_CONVERSIONS_VALUE_IN_MICRO_DOLLAR",
            "TOTAL_CHECKOUT_QUANTITY",
        ],
        "granularity": "DAY",
        "custom_conversion_event_metrics": [
            {
                "custom_event_name": "newsletter_signup",
                "custom_event_metrics_type": "ADE_TOTAL_CONVERSIONS",
            }
        ],
    }
]
REPORTS = re.compile(r"/v5/ad_accounts/[^/]+/reports")
ID_SEGMENT = re.compile(r"\d")
# Query parameters naming the entity a call is asked for: it needs that entity's list.
PER_ENTITY = {"campaign_id": "campaigns", "ad_group_id": "ad_groups", "ad_group_ids": "ad_groups"}


class LateTap(TapPinterest):
    """The tap with its early start of reports off: each stream creates its own."""

    def before_sync(self) -> None:
        """Create nothing ahead."""


@dataclass(frozen=True)
class Run:
    """One measured sync."""

    name: str
    wall_seconds: float
    records: int
    calls: int
    max_in_flight: int
    critical_seconds: float
    # CPU (user + system) of the tap process: what overlapping calls cannot hide.
    tap_cpu_seconds: float
    # CPU of the fake's process while the tap ran (building answers, serving them).
    fake_cpu_seconds: float

    def cells(self) -> list[str]:
        """The table's cells."""
        return [
            self.name,
            f"{self.wall_seconds:.1f}",
            f"{self.tap_cpu_seconds:.1f}",
            f"{self.fake_cpu_seconds:.1f}",
            str(self.records),
            str(self.calls),
            str(self.max_in_flight),
            f"{self.critical_seconds:.1f}",
            f"{self.wall_seconds / self.critical_seconds:.2f}",
        ]


HEADER = [
    "run",
    "wall s",
    "tap CPU s",
    "fake CPU s",
    "records",
    "calls",
    "max in flight",
    "critical path s",
    "wall/path",
]


def parent_path(path: str, query: dict[str, list[str]]) -> str | None:
    """The list a call needs answered first (module docstring), or None."""
    for parameter, level in PER_ENTITY.items():
        if parameter in query and path.startswith("/v5/ad_accounts/"):
            return "/".join(path.split("/")[:4]) + f"/{level}"
    segments = path.split("/")
    if segments[-1] in {"analytics", "targeting_analytics"} and not ID_SEGMENT.search(segments[-2]):
        parent = "/".join(segments[:-1])
        return parent if parent.count("/") > 2 or parent == "/v5/pins" else None  # noqa: PLR2004
    for index in range(len(segments) - 1, 1, -1):
        if ID_SEGMENT.search(segments[index]):
            return "/".join(segments[:index])
    return None


def critical_path(log: Iterable[LoggedRequest], latency: float, build: float) -> float:
    """The longest chain of dependent calls, with report builds (module docstring)."""
    pages: dict[tuple[str, str], int] = defaultdict(int)
    parents: dict[tuple[str, str], str | None] = {}
    reports = 0
    for call in log:
        if REPORTS.fullmatch(call.path) or call.path.startswith("/report-files/"):
            reports += call.method == "POST" and call.status == 200  # noqa: PLR2004
            continue
        query = {k: v for k, v in call.query.items() if k != "bookmark"}
        key = (call.path, json.dumps(query, sort_keys=True))
        pages[key] += 1
        parents[key] = parent_path(call.path, call.query)
    by_path: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key in pages:
        by_path[key[0]].append(key)
    done: dict[str, float] = {}

    def finished(path: str | None, seen: frozenset[str] = frozenset()) -> float:
        """When the last page of every list at `path` could be answered at the earliest."""
        if path is None or path not in by_path or path in seen:
            return 0.0
        if path not in done:
            done[path] = max(
                finished(parents[key], seen | {path}) + pages[key] * latency
                for key in by_path[path]
            )
        return done[path]

    chains = [finished(path) for path in by_path]
    if reports:
        chains.append(finished("/v5/ad_accounts") + 3 * latency + build)
    return max(chains, default=0.0)


@dataclass
class FakeProcess:
    """The fake API in a process of its own (`--serve-fake`), for one measured run."""

    process: subprocess.Popen[bytes]
    url: str

    @classmethod
    def start(cls, size: str, latency: float, build: float) -> FakeProcess:
        """Start it and wait for its URL line: it then serves, latency and build time set."""
        command = [sys.executable, str(Path(__file__).resolve()), "--serve-fake", size]
        command += [str(latency), str(build)]
        process = subprocess.Popen(
            command, cwd=REPO, env=CHILD_ENV, stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        assert process.stdout is not None  # noqa: S101 - piped just above
        url = process.stdout.readline().decode().strip()
        if not url.startswith("http"):
            process.kill()
            process.wait()
            msg = f"the fake did not start (it printed {url!r})"
            raise RuntimeError(msg)
        return cls(process, url)

    def stop(self) -> tuple[list[LoggedRequest], int, float]:
        """Stop it: its request log, the most calls it held at once, its CPU while serving."""
        summary, _ = self.process.communicate(timeout=120)  # closing stdin stops it
        found = json.loads(summary)
        log = [
            LoggedRequest(m, path, query, {}, "", status) for m, path, query, status in found["log"]
        ]
        return log, int(found["max_in_flight"]), float(found["cpu_seconds"])


def serve_fake(size: str, latency: float, build: float) -> int:
    """`--serve-fake`: serve until stdin closes, then print the log and the CPU as JSON."""
    from benchmark_fake import fast_ads_analytics_rows  # noqa: PLC0415

    from tests.fake_api import FakeData, FakePinterestAPI  # noqa: PLC0415

    FakeData.ads_analytics_rows = fast_ads_analytics_rows  # type: ignore[method-assign]
    with FakePinterestAPI(scale=SIZES[size]) as api:
        api.latency_seconds = latency
        api.report_build_seconds = build
        cpu_before = own_cpu()
        sys.stdout.write(api.url + "\n")
        sys.stdout.flush()
        sys.stdin.read()  # until the benchmark closes it
        cpu = own_cpu() - cpu_before
        log = [[c.method, c.path, c.query, c.status] for c in api.log]
        summary = {"log": log, "max_in_flight": api.max_in_flight, "cpu_seconds": cpu}
    sys.stdout.write(json.dumps(summary) + "\n")
    return 0


def sync_once(  # noqa: PLR0913
    size: str,
    work: Path,
    name: str,
    config: dict[str, Any],
    *,
    latency: float,
    build: float,
    late: bool = False,
) -> Run:
    """One tap process against a fresh fake process; its wall time and the fake's counts."""
    fake = FakeProcess.start(size, latency, build)
    try:
        config = {**config, "api_url": fake.url}
        config_path = work / "config.json"
        config_path.write_text(json.dumps(config), encoding="utf-8")
        catalog_path = work / "catalog.json"
        streams = {entry["tap_stream_id"] for entry in discovered_catalog(config)["streams"]}
        catalog_path.write_text(json.dumps(catalog_selecting(config, streams)), encoding="utf-8")
        output = work / "output.jsonl"
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--run-tap",
            "late" if late else "early",
            "--config",
            str(config_path),
            "--catalog",
            str(catalog_path),
        ]
        started = time.monotonic()
        cpu_before = children_cpu()  # the fake is not reaped yet: not counted
        with output.open("wb") as out:
            done = subprocess.run(
                command, cwd=REPO, env=CHILD_ENV, stdout=out, stderr=subprocess.PIPE, check=False
            )
        wall = time.monotonic() - started
        tap_cpu = children_cpu() - cpu_before
    finally:
        log, max_in_flight, fake_cpu = fake.stop()
    if done.returncode != 0:
        msg = f"the tap exited {done.returncode}:\n{done.stderr.decode(errors='replace')[-3000:]}"
        raise RuntimeError(msg)
    with output.open("rb") as lines:
        records = sum(line.startswith(b'{"type":"RECORD"') for line in lines)
    return Run(
        name,
        wall,
        records,
        len(log),
        max_in_flight,
        critical_path(log, latency, build),
        tap_cpu,
        fake_cpu,
    )


def own_cpu() -> float:
    """User + system CPU seconds of this process so far (all its threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def children_cpu() -> float:
    """User + system CPU seconds of the finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def runs(
    size: str,
    latency: float,
    build: float,
    poll: float | None = None,
    only: set[str] | None = None,
) -> list[Run]:
    """The rows of the table (module docstring)."""
    concurrent = CONCURRENCY in CONFIG_SCHEMA.get("properties", {})
    serial = {CONCURRENCY: 1} if concurrent else {}
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        base = {
            "access_token": DEFAULT_STATIC_TOKEN,
            "custom_reports": CUSTOM_REPORTS,
            **({} if poll is None else {"report_poll_seconds": poll}),
        }
        plan: list[tuple[str, dict[str, Any], bool]] = [
            ("reports late, serial", {**base, **serial}, True),
            (f"{CONCURRENCY}=1", {**base, **serial}, False),
        ]
        if concurrent:
            plan.append(("default", base, False))
        for name, config, late in plan:
            if only and name not in only:
                continue
            out.append(sync_once(size, work, name, config, latency=latency, build=build, late=late))
    return out


def table(rows: list[Run], *, markdown: bool) -> str:
    """The rows as a markdown table or aligned text."""
    cells = [HEADER, *(row.cells() for row in rows)]
    if markdown:
        lines = ["| " + " | ".join(row) + " |" for row in cells]
        lines.insert(1, "|" + "|".join("---" for _ in HEADER) + "|")
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in cells) for i in range(len(HEADER))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in cells
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The benchmark's options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--latency", type=float, default=0.15, help="seconds per answer")
    parser.add_argument("--build", type=float, default=20.0, help="seconds a report builds")
    parser.add_argument("--poll", type=float, help="report_poll_seconds (default: the tap's, 2 s)")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument(
        "--run",
        action="append",
        dest="only",
        help="measure only this row (its name in the table; repeatable)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Measure and print the table."""
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["--serve-fake"]:  # the fake's own process
        return serve_fake(arguments[1], float(arguments[2]), float(arguments[3]))
    if arguments[:1] == ["--run-tap"]:  # the measured process itself
        tap = LateTap if arguments[1] == "late" else TapPinterest
        sys.argv = ["tap-pinterest", *arguments[2:]]
        tap.cli()
        return 0
    args = parse_args(arguments)
    rows = runs(args.size, args.latency, args.build, args.poll, set(args.only or ()))
    sys.stdout.write(
        f"size {args.size}, latency {args.latency} s a call, reports built in {args.build} s\n"
    )
    sys.stdout.write(table(rows, markdown=args.markdown) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
