"""Time as the tap sees it: one object every wait and elapsed-time check goes through.

Retry backoff, rate-limit windows and report polls all wait through a `Clock`, so a run can
be given another one: one clock per run (the tap's `clock`), the system's by default. Tests
that run the tap in-process give it a clock that records each wait and moves its own time on
instead of sleeping, and so assert the exact waits the tap asked for.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Where the tap reads the time and waits."""

    def wall(self) -> float:
        """Seconds since the epoch (what the run takes as "now" for dates)."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (only differences mean anything)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait `seconds` (the callers never pass a negative value)."""
        ...


class SystemClock:
    """The real clock: `time.time`, `time.monotonic` and `time.sleep`."""

    def wall(self) -> float:
        """The system's wall clock."""
        return time.time()

    def monotonic(self) -> float:
        """The system's monotonic clock."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Block the thread for `seconds`."""
        time.sleep(seconds)


SYSTEM_CLOCK: Clock = SystemClock()
