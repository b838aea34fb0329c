"""scripts/benchmark_calls.py still runs, and its call counts still meet the lower bound."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.subprocess

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "benchmark_calls.py"


def test_benchmark_calls_runs_at_a_tiny_scale_and_meets_the_call_bound() -> None:
    args = ["--ad-accounts", "2", "--campaigns", "6", "--ad-groups", "12", "--ads", "24"]
    run = subprocess.run(
        [sys.executable, str(SCRIPT), *args, "--days", "5", "--product-groups", "0"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    totals = re.findall(r"^all analytics\s+(\d+)\s+(\d+)$", run.stdout, flags=re.MULTILINE)
    # Full run then incremental run: 2 accounts x 4 levels x 1 batch x 1 window each.
    assert totals == [("8", "8"), ("8", "8")]
