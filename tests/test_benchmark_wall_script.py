"""scripts/benchmark_wall.py runs at a tiny size, and its critical path means what it says."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.fake_api.server import LoggedRequest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
SCRIPT = SCRIPTS / "benchmark_wall.py"
sys.path.insert(0, str(SCRIPTS))

from benchmark_wall import critical_path, parent_path  # noqa: E402


def call(path: str, method: str = "GET", **query: str) -> LoggedRequest:
    return LoggedRequest(method, path, {k: [v] for k, v in query.items()}, {}, "", 200)


def test_the_critical_path_is_the_longest_chain_of_dependent_calls() -> None:
    log = [
        call("/v5/ad_accounts"),
        call("/v5/ad_accounts", bookmark="b1"),  # 2 pages: 2 calls in a row
        call("/v5/ad_accounts/1/campaigns"),
        call("/v5/ad_accounts/1/campaigns", bookmark="b1"),
        call("/v5/ad_accounts/1/campaigns", bookmark="b2"),  # then 3 pages
        call("/v5/ad_accounts/1/campaigns/analytics", campaign_ids="7"),  # then 1
        call("/v5/ad_accounts/1/keywords", campaign_id="7"),  # after campaigns too
        call("/v5/user_account/followers"),  # alone
        call("/v5/boards"),
        call("/v5/boards/5/sections"),
        call("/v5/boards/5/sections/6/pins"),
    ]
    # ad accounts (2) + campaigns (3) + their analytics (1): 6 calls.
    assert critical_path(log, 0.5, 20.0) == pytest.approx(3.0)
    # A report: created after the ad accounts (2 calls), built, polled, downloaded.
    report = [
        call("/v5/ad_accounts/1/reports", "POST"),
        call("/v5/ad_accounts/1/reports", token="report-1"),
        call("/report-files/report-1"),
    ]
    assert critical_path(log + report, 0.5, 20.0) == pytest.approx(2 * 0.5 + 3 * 0.5 + 20.0)
    assert critical_path(log + report, 0.5, 0.0) == pytest.approx(3.0)


@pytest.mark.parametrize(
    ("path", "query", "parent"),
    [
        ("/v5/ad_accounts", {}, None),
        ("/v5/ad_accounts/1/ads", {}, "/v5/ad_accounts"),
        ("/v5/ad_accounts/1/analytics", {}, "/v5/ad_accounts"),
        ("/v5/ad_accounts/1/ad_groups/targeting_analytics", {}, "/v5/ad_accounts/1/ad_groups"),
        (
            "/v5/ad_accounts/1/product_group_promotions",
            {"ad_group_id": ["2"]},
            "/v5/ad_accounts/1/ad_groups",
        ),
        ("/v5/pins/analytics", {}, "/v5/pins"),
        ("/v5/pins/3/analytics", {}, "/v5/pins"),
        ("/v5/user_account/analytics", {}, None),
        ("/v5/user_account/analytics/top_pins", {}, None),
    ],
)
def test_each_call_needs_the_list_it_was_asked_from(
    path: str, query: dict[str, list[str]], parent: str | None
) -> None:
    assert parent_path(path, query) == parent


@pytest.mark.subprocess
def test_benchmark_wall_runs_at_a_tiny_size() -> None:
    run = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            *("--size", "tiny", "--latency", "0.02", "--build", "1", "--poll", "0.2"),
            "--markdown",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    lines = run.stdout.splitlines()
    assert lines[0] == "size tiny, latency 0.02 s a call, reports built in 1.0 s"
    assert lines[1] == (
        "| run | wall s | tap CPU s | fake CPU s | records | calls | max in flight"
        " | critical path s | wall/path |"
    )
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[3:]]
    names = [row[0] for row in rows]
    assert names == ["reports late, serial", "max_concurrent_requests=1", "default"]
    assert len({row[4] for row in rows}) == 1  # the same records in every run
    for row in rows:
        wall, cpu, fake_cpu, critical = float(row[1]), float(row[2]), float(row[3]), float(row[7])
        # The reports' chain: ad accounts, create, 1 s of building, poll, download.
        assert critical >= 1 + 4 * 0.02
        assert wall > critical  # a lower bound: no run beats it
        # Both processes worked; the fake's CPU is its own (a process of its own).
        assert cpu > 0
        assert fake_cpu > 0
        assert int(row[5]) > 40
    # Serial runs hold one call at a time; the default several.
    assert [row[6] for row in rows[:2]] == ["1", "1"]
    assert int(rows[2][6]) > 1


@pytest.mark.subprocess
def test_benchmark_wall_measures_only_the_rows_named() -> None:
    run = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            *("--size", "tiny", "--latency", "0.02", "--build", "1", "--poll", "0.2"),
            *("--run", "default"),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    rows = run.stdout.splitlines()[2:]
    assert [row.split("  ")[0] for row in rows] == ["default"]
