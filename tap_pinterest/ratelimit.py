"""A client-side limiter that waits for the rate-limit window instead of hitting 429s.

The spec declares no rate-limit headers; when Pinterest (or our fake API) sends
X-RateLimit-Remaining and X-RateLimit-Reset, the tap spends the quota up to zero and then
sleeps until the window resets. Without the headers it does nothing.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
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

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Use the real clock unless a benchmark supplies another."""
        self._clock = clock
        self._sleep = sleep
        self._budgets: dict[str, _Budget] = {}

    def observe(self, response: requests.Response, category: str) -> None:
        """Remember the budget the last answer of this category reported."""
        remaining = header_seconds(response, "X-RateLimit-Remaining")
        reset = header_seconds(response, "X-RateLimit-Reset")
        if remaining is None or reset is None:
            return
        self._budgets[category] = _Budget(remaining, self._clock() + min(reset, MAX_WAIT_SECONDS))

    def wait(self, category: str) -> None:
        """Sleep until the category's window resets when its budget is spent."""
        budget = self._budgets.get(category)
        if budget is None or budget.remaining > 0:
            return
        delay = budget.resets_at - self._clock()
        del self._budgets[category]
        if delay > 0:
            LOGGER.info(
                "Rate-limit budget of %s spent; waiting %.1f s for the window to reset",
                category,
                delay,
            )
            self._sleep(delay)
