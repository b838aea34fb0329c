"""A spent daily quota ends only the streams of its x-ratelimit-category.

Pinterest keeps quotas per x-ratelimit-category (spec extensions), and a Trial app's daily
quota resets about 19 hours after it is spent (429 with `code: 8` and a Retry-After near
67,000 s: README, "Behaviours of the live API that the spec does not document"). A wait
longer than `max_rate_limit_wait_seconds` is not waited: the category is closed for the
rest of the run, its partitions end with their bookmarks unmoved, the other categories go
on, and the end summary names the category, the streams it stopped and the reset time.
Shorter waits are waited and retried as before.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from typing import TYPE_CHECKING

from typing_extensions import override

from tap_pinterest.errors import CategoryClosedError, api_error_summary
from tap_pinterest.failures import StreamFailure
from tap_pinterest.ratelimit import header_seconds
from tap_pinterest.throttle import throttle_seconds

if TYPE_CHECKING:
    from collections.abc import Callable

    import requests

LOGGER = logging.getLogger("tap-pinterest")
DEFAULT_MAX_RATE_LIMIT_WAIT_SECONDS = 300.0


def requested_wait(response: requests.Response) -> float | None:
    """Seconds Pinterest asks to wait before asking again, or None when it does not say.

    Retry-After on any answer; for a 429 without it, X-RateLimit-Reset; for a throttling
    400, the seconds its message names (tap_pinterest.throttle).
    """
    told = header_seconds(response, "Retry-After")
    if told is None and response.status_code == HTTPStatus.TOO_MANY_REQUESTS:
        told = header_seconds(response, "X-RateLimit-Reset")
    if told is None:
        told = throttle_seconds(response)
    return told


@dataclass(frozen=True)
class ClosedCategoryFailure(StreamFailure):
    """The end-summary line of one closed category."""

    category: str = ""
    resets_at: str = ""

    @override
    def summary_line(self) -> str:
        return (
            f"Pinterest's quota of category {self.category} is spent until {self.resets_at} "
            f"({self.problem}); streams stopped with their bookmarks unmoved: {self.stream}; "
            f"to fix: {self.hint}"
        )


@dataclass
class _Closure:
    resets_at: datetime
    problem: str
    streams: list[str] = field(default_factory=list)


class QuotaClosures:
    """The categories closed this run, and the streams each one stopped."""

    def __init__(
        self,
        max_wait_seconds: float = DEFAULT_MAX_RATE_LIMIT_WAIT_SECONDS,
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        """Waits up to max_wait_seconds are waited; longer ones close the category."""
        self.max_wait_seconds = max_wait_seconds
        self._now = now
        self._closed: dict[str, _Closure] = {}
        # Calls in flight together (concurrency.py) answer from worker threads.
        self._lock = threading.RLock()

    def refuse_if_closed(self, category: str, stream: str) -> None:
        """Before a call: a closed category's partitions end at once, calling nothing."""
        with self._lock:
            closure = self._closed.get(category)
            if closure is None:
                return
            if stream not in closure.streams:
                closure.streams.append(stream)
        msg = f"the quota of category {category} is spent for this run"
        raise CategoryClosedError(msg, category=category)

    def close_if_long(self, response: requests.Response, category: str, stream: str) -> None:
        """After a 429 or a throttling 400: close the category if the wait is too long."""
        wait = requested_wait(response)
        if wait is None or wait <= self.max_wait_seconds:
            return
        self.close(category, wait, api_error_summary(response), stream)

    def close_if_spent(self, response: requests.Response, category: str) -> None:
        """After any answer: a budget at 0 that resets too far away closes the category.

        Otherwise the rate limiter would sleep toward a reset hours away.
        """
        if response.status_code >= HTTPStatus.BAD_REQUEST:
            return  # a refusal's own wait decides (close_if_long)
        remaining = header_seconds(response, "X-RateLimit-Remaining")
        reset = header_seconds(response, "X-RateLimit-Reset")
        if remaining is None or reset is None or remaining > 0:
            return
        with self._lock:
            if reset > self.max_wait_seconds and category not in self._closed:
                problem = f"X-RateLimit-Remaining 0, X-RateLimit-Reset {reset:.0f} s"
                self._closed[category] = _Closure(self._now() + timedelta(seconds=reset), problem)
                self._log_closed(category, reset)

    def close(self, category: str, wait: float, problem: str, stream: str) -> None:
        """Close the category and end this partition (CategoryClosedError)."""
        with self._lock:
            if category not in self._closed:
                self._closed[category] = _Closure(self._now() + timedelta(seconds=wait), problem)
                self._log_closed(category, wait)
        self.refuse_if_closed(category, stream)

    def _log_closed(self, category: str, wait: float) -> None:
        LOGGER.warning(
            "Pinterest's quota of category %s resets in %.0f s, longer than "
            "max_rate_limit_wait_seconds (%.0f): its streams stop for this run, the others "
            "go on",
            category,
            wait,
            self.max_wait_seconds,
        )

    def failures(self) -> list[StreamFailure]:
        """One end-summary line per closed category that stopped a stream."""
        return [
            ClosedCategoryFailure(
                stream=", ".join(closure.streams),
                partition=f"quota {category}",
                problem=closure.problem,
                hint=(
                    "run again after the reset (the bookmarks resume there), or raise "
                    "max_rate_limit_wait_seconds to wait for it"
                ),
                category=category,
                resets_at=closure.resets_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
            )
            for category, closure in self._closed.items()
            if closure.streams
        ]
