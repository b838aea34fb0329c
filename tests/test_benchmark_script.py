"""scripts/benchmark.py still runs, measures every scenario, and meets the call bound."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from tests.fake_api import Attribution, FakeData, Scale
from tests.fake_api.data import sync_columns

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
SCRIPT = SCRIPTS / "benchmark.py"
sys.path.insert(0, str(SCRIPTS))

from benchmark_fake import fast_ads_analytics_rows  # noqa: E402


@pytest.mark.subprocess
def test_benchmark_runs_at_a_tiny_size_and_meets_the_call_bound() -> None:
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--size", "tiny", "--markdown"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    lines = [line for line in run.stdout.splitlines() if line.startswith("| tiny |")]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
    # size, columns, run, calls, bound, rows, then seven measurements.
    assert [row[:6] for row in rows] == [
        # 2 accounts: 1 account page + 1 ads page each + 1 analytics call each.
        ["tiny", "all", "full", "5", "5", "120"],
        ["tiny", "all", "incremental", "5", "5", "120"],
        ["tiny", "9", "full", "5", "5", "120"],
        ["tiny", "9", "incremental", "5", "5", "120"],
    ]
    for row in rows:
        assert len(row) == 13
        tap_cpu, tap_us, _, _, floor_us, ratio, rss = map(float, row[6:])
        assert min(tap_cpu, tap_us, floor_us, ratio, rss) > 0, row
    assert "tap start-up (imports, config, catalog; a --discover run):" in run.stdout


@pytest.mark.parametrize("level", ["ad_account", "campaign", "ad"])
@pytest.mark.parametrize("granularity", ["DAY", "WEEK", "HOUR", "TOTAL"])
def test_the_benchmark_fake_answers_the_same_rows(level: str, granularity: str) -> None:
    data = FakeData(Scale(ad_accounts=1, campaigns_per_account=2))
    data.revise(3)
    account = data.ad_accounts[0]["id"]
    start = data.today() - timedelta(days=2 if granularity == "HOUR" else 15)
    arguments = (account, level, None, start, data.today())
    options: dict[str, object] = {
        "columns": list(sync_columns()),
        "granularity": granularity,
        "attribution": Attribution(click_window_days=7),
    }
    expected = data.ads_analytics_rows(*arguments, **options)  # type: ignore[arg-type]
    assert expected
    assert fast_ads_analytics_rows(data, *arguments, **options) == expected  # type: ignore[arg-type]
