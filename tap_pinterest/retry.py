"""Retry one call with waits from a generator, waiting and timing through the run's clock.

The contract of `backoff.on_exception(wait_gen, exceptions, max_tries=, max_time=,
on_backoff=, jitter=None)`, which the tap used before, with one difference: backoff sleeps
and reads the time through the `time` module, this goes through a `Clock`, so a run given
another clock retries without sleeping and the waits asked for can be checked exactly.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Generator

    from tap_pinterest.clock import Clock

T = TypeVar("T")


def retry_on(  # noqa: PLR0913 - backoff.on_exception's arguments, plus the clock
    wait_times: Callable[[], Generator[float, Any, None]],
    exceptions: tuple[type[Exception], ...],
    *,
    max_tries: int,
    max_time: float,
    on_backoff: Callable[[dict[str, Any]], None],
    clock: Clock,
) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Call again after each of `exceptions` until `max_tries` calls or `max_time` seconds.

    `wait_times` is made once per call; its first value only primes it, and each next one
    answers the exception just caught (it is sent in) with the seconds to wait.
    A wait never reaches past `max_time`; the last exception is raised as it was.
    `on_backoff` gets backoff's details (`tries`, `elapsed`, `wait`, `exception`) before
    each wait.
    """

    def decorate(func: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(func)
        def retrying(*args: Any, **kwargs: Any) -> T:
            waits = wait_times()
            next(waits)
            start = clock.monotonic()
            tries = 0
            while True:
                tries += 1
                try:
                    return func(*args, **kwargs)
                except exceptions as exc:
                    elapsed = clock.monotonic() - start
                    if tries >= max_tries or elapsed >= max_time:
                        raise
                    wait = min(waits.send(exc), max_time - elapsed)
                    on_backoff({"tries": tries, "elapsed": elapsed, "wait": wait, "exception": exc})
                    clock.sleep(wait)

        return retrying

    return decorate
