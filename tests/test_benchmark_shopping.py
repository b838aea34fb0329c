"""scripts/benchmark_calls.py's shopping section: every call count meets its lower bound."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.subprocess

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "benchmark_calls.py"
ROW = re.compile(r"^([a-z_]+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$", flags=re.MULTILINE)


def test_shopping_section_meets_the_call_bound_with_exact_records() -> None:
    args = ["--ad-accounts", "1", "--campaigns", "1", "--ad-groups", "1", "--ads", "1"]
    run = subprocess.run(
        [sys.executable, str(SCRIPT), *args, "--days", "3", "--product-groups", "1200"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    section = run.stdout.split("shopping / targeting stream", 1)[1]
    rows = {m[0]: tuple(int(v) for v in m[1:]) for m in ROW.findall(section)}
    # (calls, bound, records, expected): 1200 product groups are 5 pages;
    # the promotions need one listing per ad group (50, of which 10 hold 120 each).
    assert rows == {
        "catalogs": (1, 1, 2, 2),
        "catalogs_feeds": (1, 1, 4, 4),
        "catalogs_product_groups": (5, 5, 1200, 1200),
        "product_group_promotions": (50, 50, 1200, 1200),
        "ad_account_targeting_analytics": (1, 1, 72, 72),
        "campaign_targeting_analytics": (1, 1, 360, 360),
        "ad_group_targeting_analytics": (1, 1, 3600, 3600),
        "ad_targeting_analytics": (1, 1, 7200, 7200),
    }
    assert re.search(r"^ad group listing \(reused\)\s+1$", section, flags=re.MULTILINE)
