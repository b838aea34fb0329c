"""Where a long run is, said at INFO about every 30 s (issue 19, item 3).

A first backfill can take many minutes, mostly waiting on calls and on reports Pinterest
builds. The streams tell this object when a partition starts or ends, how many date
windows a partition plans and finishes, when a report is created or ready, and when a
call goes out; it never hears about records. On those events (not per record) it checks
the run's clock and, once `interval` seconds have passed since the last report (the first
30 s after the run started), logs one line for the run and one per stream in progress. A
run shorter than the interval says nothing. The run's clock (clock.py) makes the lines
exact in tests with a fake clock. Calls may go out from worker threads (concurrency.py):
every count and the saying are under one lock.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from tap_pinterest.clock import Clock

PROGRESS_INTERVAL_SECONDS = 30.0


@dataclass
class StreamProgress:
    """One stream's counts so far."""

    started_at: float
    # The stream whose records make this stream's partitions (ad_accounts), if any.
    parent: str | None = None
    # Items a list stream read so far, and whether its last page came (no bookmark).
    listed: int = 0
    listed_all: bool = False
    partitions_started: int = 0
    partitions_done: int = 0
    windows_planned: int = 0
    windows_done: int = 0
    reports_waiting: int = 0
    calls: int = 0

    @property
    def in_progress(self) -> bool:
        """A partition started and not yet done."""
        return self.partitions_started > self.partitions_done

    def seconds_left(self, now: float, partitions: int | None) -> float | None:
        """Time per window done so far times the windows left (None: nothing to go on).

        Partitions not started yet are taken to plan as many windows as the started ones.
        """
        if not self.windows_done or not self.partitions_started:
            return None
        windows = float(self.windows_planned)
        if partitions is not None and partitions > self.partitions_started:
            per_partition = self.windows_planned / self.partitions_started
            windows += per_partition * (partitions - self.partitions_started)
        if windows <= self.windows_done:
            return None
        per_window = (now - self.started_at) / self.windows_done
        return per_window * (windows - self.windows_done)


class Progress:
    """The run's progress and when it was last said."""

    def __init__(
        self,
        clock: Clock,
        logger: logging.Logger | logging.LoggerAdapter[Any] | None = None,
        interval: float = PROGRESS_INTERVAL_SECONDS,
    ) -> None:
        """Count from now on the run's clock; say nothing before `interval` seconds."""
        self.clock = clock
        # The tap's logger (singer-sdk names it after the tap).
        self.logger = logger or logging.getLogger("tap-pinterest")
        self.interval = interval
        self.started_at = clock.monotonic()
        self.next_at = self.started_at + interval
        self.streams: dict[str, StreamProgress] = {}
        self.calls = 0
        self._lock = threading.RLock()

    def stream(self, name: str) -> StreamProgress:
        """The stream's counts (created on its first event)."""
        with self._lock:
            found = self.streams.get(name)
            if found is None:
                found = self.streams[name] = StreamProgress(self.clock.monotonic())
            return found

    # ------------------------------------------------------------------ events
    def partition(self, name: str, records: Iterable[Any], parent: str | None) -> Iterator[Any]:
        """The partition's records, passed through; its start and end are counted."""
        counts = self.stream(name)
        with self._lock:
            counts.parent = parent
            counts.partitions_started += 1
        self.tick()
        try:
            yield from records
        finally:
            with self._lock:
                counts.partitions_done += 1
            self.tick()

    def listed(self, name: str, items: int, *, last_page: bool) -> None:
        """A page of a list stream: its items are the partitions of its child streams."""
        with self._lock:
            counts = self.stream(name)
            counts.listed += items
            counts.listed_all = last_page

    def partitions_planned(self, counts: StreamProgress) -> int | None:
        """The stream's partitions: 1 without a parent, else its parent's items.

        None until the parent's last page came.
        """
        if counts.parent is None:
            return 1
        parent = self.streams.get(counts.parent)
        return parent.listed if parent is not None and parent.listed_all else None

    def call(self, name: str) -> None:
        """One HTTP call of the stream goes out."""
        with self._lock:
            self.calls += 1
            self.stream(name).calls += 1
        self.tick()

    def windows_planned(self, name: str, count: int) -> None:
        """A partition plans `count` more date windows."""
        with self._lock:
            self.stream(name).windows_planned += count

    def window_done(self, name: str) -> None:
        """Every row of one window was handed on."""
        with self._lock:
            self.stream(name).windows_done += 1
        self.tick()

    def report_created(self, name: str) -> None:
        """Pinterest builds one more report for the stream."""
        with self._lock:
            self.stream(name).reports_waiting += 1

    def report_settled(self, name: str) -> None:
        """A report finished (or ended): no longer waited on."""
        with self._lock:
            counts = self.stream(name)
            counts.reports_waiting = max(0, counts.reports_waiting - 1)
        self.tick()

    # ----------------------------------------------------------------- saying it
    def tick(self) -> None:
        """Say where the run is if the interval has passed since it was last said."""
        with self._lock:
            now = self.clock.monotonic()
            if now < self.next_at:
                return
            self.next_at = now + self.interval
            for line in self.lines(now):
                self.logger.info("%s", line)

    def lines(self, now: float) -> list[str]:
        """The run's line, then one per stream in progress."""
        busy = sum(1 for counts in self.streams.values() if counts.in_progress)
        elapsed = now - self.started_at
        head = f"Progress after {elapsed:.0f} s: {self.calls} HTTP calls, "
        out = [f"{head}{busy} of {len(self.streams)} streams started are at work"]
        out += [
            self.stream_line(name, counts, now)
            for name, counts in self.streams.items()
            if counts.in_progress
        ]
        return out

    def stream_line(self, name: str, counts: StreamProgress, now: float) -> str:
        """One stream: partitions, windows, reports, calls, time left."""
        planned = self.partitions_planned(counts)
        of = f" of {planned}" if planned is not None else ""
        parts = [f"{counts.partitions_done}{of} partitions done"]
        if counts.windows_planned:
            parts.append(
                f"{counts.windows_done} of {counts.windows_planned} date windows planned so far"
                " done"
            )
        if counts.reports_waiting:
            plural = "s" if counts.reports_waiting > 1 else ""
            parts.append(f"{counts.reports_waiting} report{plural} waiting on Pinterest")
        parts.append(f"{counts.calls} calls")
        left = counts.seconds_left(now, planned)
        if left is not None:
            parts.append(f"about {left:.0f} s left")
        return f"Progress of {name}: " + ", ".join(parts)
