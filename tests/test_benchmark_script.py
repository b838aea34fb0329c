"""scripts/benchmark.py still runs, measures every scenario, and meets the call bound."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "benchmark.py"


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
    # size, columns, run, calls, bound, rows, then six measurements.
    assert [row[:6] for row in rows] == [
        # 2 accounts: 1 account page + 1 ads page each + 1 analytics call each.
        ["tiny", "all", "full", "5", "5", "120"],
        ["tiny", "all", "incremental", "5", "5", "120"],
        ["tiny", "9", "full", "5", "5", "120"],
        ["tiny", "9", "incremental", "5", "5", "120"],
    ]
    for row in rows:
        assert len(row) == 12
        assert all(float(cell) > 0 for cell in row[6:]), row
