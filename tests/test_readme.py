"""The README's settings table is the one `--about --format=markdown` prints."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from update_readme_settings import README, render, settings_table


@pytest.mark.subprocess  # the table comes from `tap-pinterest --about`
def test_readme_settings_table_is_current() -> None:
    readme = README.read_text("utf-8")
    assert render(readme, settings_table()) == readme, (
        "README settings table is stale: run `uv run python scripts/update_readme_settings.py`"
    )
    assert "| access_token | False | None |" in readme
