"""Run the tap as `python -m tap_pinterest`."""

from __future__ import annotations

from tap_pinterest.cli import main

main()
