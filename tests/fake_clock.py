"""A clock for in-process runs: it records each wait and moves its time on, never sleeping.

The tap waits through its run's clock (tap_pinterest/clock.py), so a test hands the tap and
the fake API's rate-limit windows one FakeClock and asserts the exact waits asked for.
"""

from __future__ import annotations

import time


class FakeClock:
    """Simulated time: `sleep` adds to `now` and to `waits` at once."""

    def __init__(self, start: float = 1_000.0) -> None:
        """Start at `start` seconds (any value; only differences mean anything)."""
        self.now = start
        self.waits: list[float] = []
        # The wall clock starts at the real time and moves with the simulated one.
        self._epoch = time.time() - start

    def wall(self) -> float:
        """Seconds since the epoch, simulated from the real time at the start."""
        return self._epoch + self.now

    def monotonic(self) -> float:
        """The simulated time."""
        return self.now

    def sleep(self, seconds: float) -> None:
        """Record the wait and let that much simulated time pass."""
        self.waits.append(seconds)
        self.now += seconds
