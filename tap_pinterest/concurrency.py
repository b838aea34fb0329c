"""Independent calls in flight together, their items handed on in order (issue 19, item 2).

A stream often makes calls that do not depend on each other (one per campaign, per ad
group, per pin, per date window and id batch). Made one at a time, the run waits out each
call's round trip in turn. `fetch_ahead` runs up to `workers` of them at once in worker
threads, yet hands their items to the caller in the producers' order, so records, their
order and the STATE messages between them stay exactly what a serial run writes:

- A *producer* is a callable returning an iterable (one call's streamed rows, or the
  items of one paged list). Each runs in its own worker thread and feeds a bounded queue:
  when the caller is busy with an earlier producer, a later one blocks once its queue is
  full, so memory stays bounded (rows are decoded as they stream, as before).
- The caller reads one iterator per producer, in order. A producer's exception is raised
  from its iterator after the items it yielded before it: at its turn, in order.
- The producers iterable itself is read in the caller's thread, lazily, only as far as the
  workers reach: it may do work a producer needs (list ids, plan batches).
- Closing the generator (the caller stops, or an error ends it) stops every worker and
  joins it; a worker stuck in a long wait is left to end at its next item (its thread is
  a daemon) after `JOIN_SECONDS`, rather than hang the run.
- `workers` 1 runs each producer in the caller's thread when its turn comes: exactly the
  serial behaviour, no thread at all.

Items travel in lists of up to `CHUNK` items, so the queue costs little per row.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections import deque
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterable, Iterator

T = TypeVar("T")

LOGGER = logging.getLogger(__name__)
# Items per hand-over between a worker and the caller.
CHUNK = 32
# Items a producer may hold ahead of the caller before it blocks (rounded up to chunks).
DEFAULT_BUFFER = 256
# How often a blocked worker looks whether it was stopped.
POLL_SECONDS = 0.05
# Longest wait, after a stop, for the workers to end (a call in flight finishes first).
JOIN_SECONDS = 30.0


class _Done:
    """The end of a producer's items."""


class _Failed:
    """A producer's exception, raised in the caller's thread at its turn."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


_DONE = _Done()


class _Worker(Generic[T]):
    """One producer running in its own thread, feeding a bounded queue of chunks."""

    def __init__(self, producer: Callable[[], Iterable[T]], buffer: int, name: str) -> None:
        self.queue: queue.Queue[list[T] | _Done | _Failed] = queue.Queue(
            maxsize=max(1, -(-buffer // CHUNK))
        )
        self.stopped = threading.Event()
        # The caller read every item (and the end, or the error).
        self.ended = False
        self.thread = threading.Thread(target=self._run, args=(producer,), name=name, daemon=True)
        self.thread.start()

    def _run(self, producer: Callable[[], Iterable[T]]) -> None:
        items: Iterable[T] | None = None
        chunk: list[T] = []
        try:
            items = producer()
            for item in items:
                chunk.append(item)
                if len(chunk) >= CHUNK:
                    if not self._put(chunk):
                        return
                    chunk = []
            if chunk and not self._put(chunk):
                return
        except BaseException as exc:  # noqa: BLE001 - every error is the caller's to raise
            # The items before the error first, as a plain loop would have handed them on.
            if not chunk or self._put(chunk):
                self._put(_Failed(exc))
            return
        finally:
            close = getattr(items, "close", None)
            if close is not None and self.stopped.is_set():
                close()  # a generator's finally blocks (an open response) run here
        self._put(_DONE)

    def _put(self, value: list[T] | _Done | _Failed) -> bool:
        """Hand `value` on, waiting for room; False once the worker was stopped."""
        while not self.stopped.is_set():
            try:
                self.queue.put(value, timeout=POLL_SECONDS)
            except queue.Full:
                continue
            return True
        return False

    def items(self) -> Iterator[T]:
        """The producer's items in order, then its exception if it raised one."""
        while True:
            value = self.queue.get()
            if isinstance(value, _Done):
                self.ended = True
                return
            if isinstance(value, _Failed):
                self.ended = True
                raise value.error
            yield from value

    def stop(self) -> None:
        """Ask the worker to end, and make room for a put it is blocked in."""
        self.stopped.set()
        with contextlib.suppress(queue.Empty):
            while True:
                self.queue.get_nowait()


def fetch_ahead(
    producers: Iterable[Callable[[], Iterable[T]]],
    workers: int,
    *,
    buffer: int = DEFAULT_BUFFER,
) -> Generator[Iterator[T], None, None]:
    """One iterator per producer, in order, with up to `workers` producers running at once.

    Read each iterator to its end before asking for the next (moving on early stops the
    producer left behind). `workers` 1: each producer runs in the caller's thread when
    its turn comes, exactly as a plain loop would run it.
    """
    if workers <= 1:
        for producer in producers:
            yield iter(producer())
        return
    yield from _ahead(iter(producers), workers, buffer)


def chain_ahead(
    producers: Iterable[Callable[[], Iterable[T]]],
    workers: int,
    *,
    buffer: int = DEFAULT_BUFFER,
) -> Generator[T, None, None]:
    """Every producer's items, in the producers' order (see `fetch_ahead`)."""
    answers = fetch_ahead(producers, workers, buffer=buffer)
    try:
        for items in answers:
            yield from items
    finally:
        answers.close()


def _ahead(
    producers: Iterator[Callable[[], Iterable[T]]], workers: int, buffer: int
) -> Generator[Iterator[T], None, None]:
    running: deque[_Worker[T]] = deque()
    # Workers the caller moved on from before their end: stopped, joined at the end.
    left: list[_Worker[T]] = []
    # An error reading the producers themselves: raised once the earlier ones are read.
    failed: Exception | None = None
    started = 0
    try:
        while True:
            while len(running) < workers and failed is None:
                try:
                    producer = next(producers, None)
                except Exception as exc:  # noqa: BLE001 - raised at its turn, below
                    failed = exc
                    break
                if producer is None:
                    break
                started += 1
                running.append(_Worker(producer, buffer, f"tap-pinterest-fetch-{started}"))
            if not running:
                if failed is not None:
                    raise failed
                return
            head = running[0]
            yield head.items()
            running.popleft()
            if head.ended:
                head.thread.join()  # it only returns after its last put
            else:
                head.stop()
                left.append(head)
    finally:
        _stop_all([*left, *running])


def _stop_all(workers: list[_Worker[T]]) -> None:
    """Stop every worker, then wait (at most JOIN_SECONDS in all) for each to end."""
    for worker in workers:
        worker.stop()
    deadline = time.monotonic() + JOIN_SECONDS
    for worker in workers:
        worker.thread.join(max(0.0, deadline - time.monotonic()))
        if worker.thread.is_alive():
            LOGGER.debug("%s is still in a call; it ends at its next item", worker.thread.name)
