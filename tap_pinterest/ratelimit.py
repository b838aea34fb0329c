"""A client-side limiter that waits for the rate-limit window instead of hitting 429s.

The spec declares no rate-limit headers; when Pinterest (or our fake API) sends
X-RateLimit-Remaining and X-RateLimit-Reset, the tap spends the quota up to zero and then
sleeps until the window resets. Without the headers it does nothing.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    import requests

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


class RateLimiter:
    """Shared by every stream of a run, since Pinterest counts calls per user and app."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Use the real clock unless a benchmark supplies another."""
        self._clock = clock
        self._sleep = sleep
        self._remaining: float | None = None
        self._resets_at: float | None = None
        self.waited_seconds = 0.0

    def observe(self, response: requests.Response) -> None:
        """Remember the budget the last answer reported."""
        remaining = header_seconds(response, "X-RateLimit-Remaining")
        reset = header_seconds(response, "X-RateLimit-Reset")
        if remaining is None or reset is None:
            return
        self._remaining = remaining
        self._resets_at = self._clock() + min(reset, MAX_WAIT_SECONDS)

    def wait(self) -> None:
        """Sleep until the window resets when the last answer said the budget is spent."""
        if self._remaining is None or self._resets_at is None or self._remaining > 0:
            return
        delay = self._resets_at - self._clock()
        self._remaining = None
        if delay > 0:
            LOGGER.info("Rate-limit budget spent; waiting %.1f s for the window to reset", delay)
            self._sleep(delay)
            self.waited_seconds += delay
