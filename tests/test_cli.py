"""`tap-pinterest --test` (the connection check Meltano's `config test` runs)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from pathlib import Path

    from tests.fake_api import FakePinterestAPI

pytestmark = pytest.mark.subprocess


def test_test_mode_reads_one_record_per_stream(
    fake_api: FakePinterestAPI, static_config: dict[str, Any], tmp_path: Path
) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps(static_config), "utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "tap_pinterest", "--config", str(config), "--test"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    messages = [json.loads(line) for line in run.stdout.splitlines()]
    records = Counter(m["stream"] for m in messages if m["type"] == "RECORD")
    assert len(records) == 37
    assert set(records.values()) == {1}
    assert "demo-access-token" not in run.stderr
    # One page per stream, not a full sync; promotions are read one ad group at a time
    # (up to the first promoted one).
    promotions = fake_api.calls(r"/v5/ad_accounts/\d+/product_group_promotions")
    assert len(promotions) <= 2 * 24
    assert len(fake_api.log) - len(promotions) < 50
