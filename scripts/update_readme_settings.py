"""Rewrite the README's settings table from `tap-pinterest --about --format=markdown`.

The test suite fails when the two differ, so run this after changing a setting.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- settings:start -->", "<!-- settings:end -->"


def settings_table() -> str:
    """The '## Settings' table exactly as the tap prints it."""
    about = subprocess.run(
        [sys.executable, "-m", "tap_pinterest", "--about", "--format=markdown"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = about.split("## Settings", 1)[1].strip().splitlines()
    return "\n".join(line for line in lines if line.startswith("|"))


def render(readme: str, table: str) -> str:
    """The README with the text between the markers replaced by `table`."""
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table}\n{END}{tail}"


if __name__ == "__main__":
    README.write_text(render(README.read_text("utf-8"), settings_table()), "utf-8")
    print(f"updated {README}")
