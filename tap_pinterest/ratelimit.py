"""A client-side limiter that waits for the rate-limit window instead of hitting 429s.

The spec declares no rate-limit headers; when Pinterest (or our fake API) sends
X-RateLimit-Remaining and X-RateLimit-Reset, the tap spends the quota up to zero and then
sleeps until the window resets. Without the headers it does nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from tap_pinterest.clock import SYSTEM_CLOCK

if TYPE_CHECKING:
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


class RateLimiter:
    """Shared by every stream of a run: Pinterest counts calls per user, app and category.

    Operations of one x-ratelimit-category share a quota (spec, extensions.md), so each
    category keeps its own budget: a list call's fresh budget must not hide a spent
    analytics one.
    """

    def __init__(self, clock: Clock = SYSTEM_CLOCK) -> None:
        """Time windows and wait on the run's clock (the system's by default)."""
        self._clock = clock
        self._budgets: dict[str, _Budget] = {}

    def observe(self, response: requests.Response, category: str) -> None:
        """Remember the budget the last answer of this category reported."""
        remaining = header_seconds(response, "X-RateLimit-Remaining")
        reset = header_seconds(response, "X-RateLimit-Reset")
        if remaining is None or reset is None:
            return
        resets_at = self._clock.monotonic() + min(reset, MAX_WAIT_SECONDS)
        self._budgets[category] = _Budget(remaining, resets_at)

    def wait(self, category: str) -> None:
        """Sleep until the category's window resets when its budget is spent."""
        budget = self._budgets.get(category)
        if budget is None or budget.remaining > 0:
            return
        delay = budget.resets_at - self._clock.monotonic()
        del self._budgets[category]
        if delay > 0:
            LOGGER.info(
                "Rate-limit budget of %s spent; waiting %.1f s for the window to reset",
                category,
                delay,
            )
            self._clock.sleep(delay)
