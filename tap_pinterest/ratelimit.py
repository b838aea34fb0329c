"""A client-side limiter that waits for the rate-limit window instead of hitting 429s.

The spec declares no rate-limit headers; when Pinterest (or our fake API) sends
X-RateLimit-Remaining and X-RateLimit-Reset, the tap spends the quota up to zero and then
sleeps until the window resets. Without the headers it does nothing.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from tap_pinterest.clock import SYSTEM_CLOCK

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    import requests

    from tap_pinterest.clock import Clock

LOGGER = logging.getLogger(__name__)
# Never sleep longer than this on the word of a header: a bad value must not hang a job.
MAX_WAIT_SECONDS = 900.0


def header_seconds(response: requests.Response, name: str) -> float | None:
    """Seconds from a header holding seconds or an HTTP date (Retry-After allows both)."""
    raw = response.headers.get(name)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        try:
            when = parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        value = (when - datetime.now(timezone.utc)).total_seconds()
    return max(value, 0.0)


@dataclass
class _Budget:
    remaining: float
    resets_at: float
    # A call is sleeping until `resets_at`; the others wait for it (calls in flight).
    resetting: bool = False


# Answers whose resets fall within this many seconds of each other belong to one window
# (the header is in whole seconds).
SAME_WINDOW_SECONDS = 1.0


class RateLimiter:
    """Shared by every stream of a run: Pinterest counts calls per user, app and category.

    Operations of one x-ratelimit-category share a quota (spec, extensions.md), so each
    category keeps its own budget: a list call's fresh budget must not hide a spent
    analytics one.

    With calls in flight together (`concurrent`, max_concurrent_requests above 1), a call
    reserves its budget before it is sent (`reserve`): it goes only while the last known
    remaining budget exceeds the calls of its category already in flight, so no call goes
    over what Pinterest said is left. A category's first call, and its first after a
    window reset, goes alone until its answer tells the budget (answers without the
    headers leave the category unlimited). Answers can arrive out of order, so within one
    window the lowest remaining seen is kept. One call at a time behaves exactly as before.
    """

    def __init__(self, clock: Clock = SYSTEM_CLOCK, *, concurrent: bool = False) -> None:
        """Time windows and wait on the run's clock (the system's by default)."""
        self._clock = clock
        self._concurrent = concurrent
        self._budgets: dict[str, _Budget] = {}
        # Calls of each category sent and not yet answered (or failed).
        self._in_flight: dict[str, int] = {}
        # Categories whose last answer carried no rate-limit headers.
        self._unlimited: set[str] = set()
        self._changed = threading.Condition()

    def observe(self, response: requests.Response, category: str) -> None:
        """Remember the budget the last answer of this category reported."""
        remaining = header_seconds(response, "X-RateLimit-Remaining")
        reset = header_seconds(response, "X-RateLimit-Reset")
        with self._changed:
            if remaining is None or reset is None:
                if category not in self._budgets:
                    self._unlimited.add(category)
                    self._changed.notify_all()
                return
            self._unlimited.discard(category)
            resets_at = self._clock.monotonic() + min(reset, MAX_WAIT_SECONDS)
            known = self._budgets.get(category)
            if known is not None and known.resetting:
                return  # an answer from the window being waited out
            if (
                self._concurrent
                and known is not None
                and resets_at < known.resets_at + SAME_WINDOW_SECONDS
            ):
                remaining = min(remaining, known.remaining)
            self._budgets[category] = _Budget(remaining, resets_at)
            self._changed.notify_all()

    def wait(self, category: str) -> None:
        """Sleep until the category's window resets when its budget is spent."""
        with self.reserve(category):
            pass

    @contextlib.contextmanager
    def reserve(self, category: str, check: Callable[[], None] | None = None) -> Iterator[None]:
        """Hold one call's budget of `category` while it is sent and answered.

        Waits first: for the window to reset when the budget is spent, and, with calls
        in flight, until an answer frees budget or tells what is left. `check` runs before
        each look at the budget and may raise to give up (a category closed meanwhile).
        """
        with self._changed:
            while True:
                if check is not None:
                    check()
                if self._may_send(category):
                    break
                self._changed.wait()
            self._in_flight[category] = self._in_flight.get(category, 0) + 1
        try:
            yield
        finally:
            with self._changed:
                self._in_flight[category] -= 1
                self._changed.notify_all()

    def _may_send(self, category: str) -> bool:
        """True when a call may go now; sleeps out a spent window (lock held on entry)."""
        in_flight = self._in_flight.get(category, 0)
        budget = self._budgets.get(category)
        if budget is None:
            # Unknown budget: one call asks first, unless the category sends no headers.
            return in_flight == 0 or category in self._unlimited
        if budget.resetting:
            return False
        if budget.remaining - in_flight > 0:
            return True
        if in_flight:
            return False  # their answers tell the budget (or the window's reset)
        self._sleep_until_reset(category, budget)
        return True

    def _sleep_until_reset(self, category: str, budget: _Budget) -> None:
        """The budget is spent and nothing is in flight: wait for the window to reset.

        The lock is released while sleeping; the other calls of the category wait.
        """
        delay = budget.resets_at - self._clock.monotonic()
        budget.resetting = True
        if delay > 0:
            LOGGER.info(
                "Rate-limit budget of %s spent; waiting %.1f s for the window to reset",
                category,
                delay,
            )
            self._changed.release()
            try:
                self._clock.sleep(delay)
            finally:
                self._changed.acquire()
        del self._budgets[category]
        self._changed.notify_all()
