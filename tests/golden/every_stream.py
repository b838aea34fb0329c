"""The golden run of every stream: records, states and calls, whatever day it runs on.

Each scenario syncs against the fake with its dates hashed as distances from today
(`days_hashed_from`), and every date the tap writes or sends is written as its distance
from today (`T-3`), so the lines are the same on any day. The lines (about 50 MB) are
kept as one sha256 and count per scenario, run, stream and kind of line
(every_stream.jsonl), written by the code before the issue-17 analytics redesign:
regenerate it only from such code. To see what differs, write the full lines of the old
and the new code (`--full PATH`) and diff them. Regenerated twice since, each time from a
`--full` run whose other lines were the same bytes: when the fake began rolling parents'
delivery metrics up from their ads (RECORD lines of the parent levels), and when issue 18
narrowed the default columns of `keyword_analytics`, `product_group_analytics` and
`product_item_analytics` (their SCHEMA and RECORD lines and the report CALL lines; records:
the former ones less the unselected keys). Since issue 19 (reports created when the sync
starts) a path's calls are digested sorted, and compared as a set of paths per run:
every_stream.jsonl was written again from the code before it with that rule. Since each
ad account's report-backed streams sync last (issue 19), streams are compared as a set
too, each with its own lines in order, and STATE lines as each stream's bookmarks, each
time they change, plus the run's final state (keys sorted): every_stream.jsonl was written
again from the code before that change (its streams in the former order) with that rule.
Usage: uv run --no-sync python -m tests.golden.every_stream [--full PATH]
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tap_pinterest.tap import TapPinterest
from tests.fake_api import FakePinterestAPI, Scale
from tests.fake_api.data import days_hashed_from
from tests.fake_api.server import DEFAULT_STATIC_TOKEN
from tests.tap_runner import catalog_selecting

if TYPE_CHECKING:
    from collections.abc import Iterator

GOLDEN = Path(__file__).resolve().parent / "every_stream.jsonl"
SCALE = Scale(
    ad_accounts=1,
    campaigns_per_account=1,
    ad_groups_per_campaign=1,
    ads_per_ad_group=2,
    boards=1,
    sections_per_board=1,
    pins_per_board=2,
    followers=2,
    following=2,
    audiences_per_account=1,
    customer_lists_per_account=1,
    conversion_tags_per_account=1,
    keywords_per_ad_group=1,
)
ADS_ANALYTICS = (
    "ad_account_analytics",
    "campaign_analytics",
    "ad_group_analytics",
    "ad_analytics",
    "ad_account_targeting_analytics",
    "campaign_targeting_analytics",
    "ad_group_targeting_analytics",
    "ad_targeting_analytics",
)
REPORT_ONLY = ("keyword_analytics", "product_group_analytics", "product_item_analytics")
# The scenarios reach at most 91 days back; the fake's fixed dates are years older.
RELATIVE_DAYS = 120
ISO_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})")
TIME_EXTRACTED = re.compile(r',"time_extracted":"[^"]*"')


# Streams added since the golden lines were written: their own tests cover them.
ADDED_SINCE = frozenset({"product_group_targeting_analytics", "product_item_targeting_analytics"})


def all_streams() -> set[str]:
    """Every stream the tap offered when the golden lines were written."""
    config = {"access_token": DEFAULT_STATIC_TOKEN, "start_date": "2026-01-01"}
    catalog = TapPinterest(config=config).catalog.values()
    return {entry.tap_stream_id for entry in catalog} - ADDED_SINCE


def scenarios(api: FakePinterestAPI, today: date) -> Iterator[tuple[str, dict[str, Any], set[str]]]:
    """(name, config, streams): days across the 90-day line, hours, reports only, resumes."""
    base = {
        "access_token": DEFAULT_STATIC_TOKEN,
        "api_url": api.url,
        "report_poll_seconds": 0.01,
        "organic_ad_account_id": "549755885175",
    }

    def days_back(days: int) -> str:
        return (today - timedelta(days=days)).isoformat()

    yield (
        "every stream, DAY, across the 90-day line",
        {**base, "start_date": days_back(91), "end_date": days_back(89)},
        all_streams(),
    )
    yield (
        "every stream, DAY, recent",
        {**base, "start_date": days_back(2)},
        all_streams(),
    )
    yield (
        "ads analytics, HOUR",
        {**base, "start_date": days_back(0), "analytics_granularity": "HOUR"},
        {"ad_accounts", *ADS_ANALYTICS, *REPORT_ONLY},
    )
    yield (
        "ads analytics, reports only, targeting types and attribution set",
        {
            **base,
            "start_date": days_back(1),
            "analytics_source": "reports",
            "targeting_types": [
                "AGE_BUCKET",
                "GENDER",
                "COUNTRY",
                "APPTYPE",
                "KEYWORD",
                "PINNER_INTEREST",
                "LOCATION",
            ],
            "click_window_days": 60,
            "conversion_report_time": "TIME_OF_CONVERSION",
        },
        {"ad_accounts", *ADS_ANALYTICS, *REPORT_ONLY},
    )


def normalized(line: str, today: date) -> str:
    """The line with each recent date as its distance from today and no time_extracted.

    Only dates the scenarios reach are relative to today; the fake's fixed ones (entity
    times, from 2023) stay as they are.
    """

    def relative(match: re.Match[str]) -> str:
        try:
            day = date.fromisoformat(match.group(1))
        except ValueError:
            return match.group(1)
        if abs((day - today).days) > RELATIVE_DAYS:
            return match.group(1)
        return f"T{(day - today).days}"

    return ISO_DATE.sub(relative, TIME_EXTRACTED.sub("", line))


def run(config: dict[str, Any], streams: set[str], state: dict[str, Any] | None) -> list[str]:
    """Every line the tap writes to stdout for one sync."""
    catalog = catalog_selecting(config, streams)
    # One call at a time, so the calls keep their order; tests/test_concurrency.py shows the
    # default writes the same lines and makes the same calls in another order.
    config = {**config, "max_concurrent_requests": 1}
    tap = TapPinterest(config=config, catalog=catalog, state=state, parse_env_config=False)
    raw = io.BytesIO()
    stdout = io.TextIOWrapper(raw, encoding="utf-8", write_through=True)
    with contextlib.redirect_stdout(stdout):
        tap.sync_all()
    stdout.flush()
    return raw.getvalue().decode("utf-8").splitlines(keepends=True)


def golden_every_stream(api: FakePinterestAPI) -> Iterator[str]:
    """Per scenario and per run (a fresh one, then a resume from its state): messages, calls."""
    today = datetime.now(tz=timezone.utc).date()
    with days_hashed_from(today):
        for name, config, streams in scenarios(api, today):
            api.reset(SCALE)
            state: dict[str, Any] | None = None
            for run_name in ("fresh", "resumed"):
                api.clear_log()
                lines = run(config, streams, state)
                yield json.dumps({"scenario": name, "run": run_name}) + "\n"
                for line in lines:
                    message = json.loads(line)
                    if message["type"] == "STATE":
                        state = message["value"]
                    yield normalized(line, today)
                for call in api.log:
                    text = json.dumps(
                        {
                            "call": call.method,
                            "path": call.path,
                            "query": call.query_string,
                            "body": call.body,
                            "status": call.status,
                        }
                    )
                    yield normalized(text, today) + "\n"


def digests(lines: Iterator[str]) -> list[str]:
    """One line per scenario, run, stream and kind: its line count and sha256, in order."""
    grouped: dict[tuple[str, str, str, str], list[str]] = {}
    scenario = run_name = ""
    bookmarks: dict[str, str] = {}  # each stream's last bookmarks in the run
    for line in lines:
        message = json.loads(line)
        if "scenario" in message:
            scenario, run_name = message["scenario"], message["run"]
            bookmarks = {}
            continue
        if message.get("type") == "STATE":
            for stream, value in message["value"].get("bookmarks", {}).items():
                text = json.dumps(value) + "\n"
                if bookmarks.get(stream) != text:
                    bookmarks[stream] = text
                    grouped.setdefault((scenario, run_name, stream, "STATE"), []).append(text)
            final = json.dumps(message["value"], sort_keys=True) + "\n"
            grouped[scenario, run_name, "", "FINAL STATE"] = [final]
            continue
        kind = "CALL" if "call" in message else str(message["type"])
        stream = str(message.get("stream", message.get("path", "")))
        grouped.setdefault((scenario, run_name, stream, kind), []).append(line)
    groups: dict[tuple[str, str, str, str], tuple[int, Any]] = {}
    for key, group in grouped.items():
        digest = hashlib.sha256()
        # Calls of one path count as a set: issue 19 creates reports ahead, out of order.
        for line in sorted(group) if key[3] == "CALL" else group:
            digest.update(line.encode("utf-8"))
        groups[key] = (len(group), digest)
    return [
        json.dumps(
            {
                "scenario": key[0],
                "run": key[1],
                "stream": key[2],
                "kind": key[3],
                "lines": count,
                "sha256": digest.hexdigest(),
            }
        )
        + "\n"
        for key, (count, digest) in groups.items()
    ]


def main(argv: list[str]) -> int:
    """Write every_stream.jsonl (only ever from the code before a redesign), or --full."""
    with FakePinterestAPI() as api:
        if argv[:1] == ["--full"]:
            Path(argv[1]).write_text("".join(golden_every_stream(api)), encoding="utf-8")
        else:
            GOLDEN.write_text("".join(digests(golden_every_stream(api))), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
