"""Stream isolation: one refused endpoint ends its own partition, never the whole sync.

A scheduled warehouse sync must deliver everything that can be delivered. A partition
(one stream for one ad account, board or the user) that meets a permanent error stops
there: nothing of it is emitted past the error and its bookmark stays where it was. The
sync goes on, and at the end every failure is printed as one line and the run fails, so
orchestrators still see it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import requests

from tap_pinterest import sdk_seam
from tap_pinterest.errors import CategoryClosedError, FatalTapError, PinterestAPIError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from singer_sdk.helpers.types import Context
    from singer_sdk.streams import Stream

LOGGER = logging.getLogger("tap-pinterest")

# Answers the tap cannot read end the partition like a refused request does.
UNREADABLE_ANSWER_ERRORS = (KeyError, TypeError, ValueError, requests.JSONDecodeError)
# The context keys that name a partition, in the order a reader looks for them.
PARTITION_LABELS = (
    ("ad_account_id", "ad account"),
    ("board_id", "board"),
    ("section_id", "section"),
)


def partition_label(context: Mapping[str, Any] | None) -> str:
    """'ad account 123' / 'board 9, section 4' / 'the user' for a summary line."""
    parts = [
        f"{label} {context[key]}" for key, label in PARTITION_LABELS if context and key in context
    ]
    return ", ".join(parts) or "the user"


HINTS_BY_STATUS = {
    401: "deselect the stream, or give the token the scopes and Business Access it needs",
    403: "deselect the stream, or give the token the scopes and Business Access it needs",
    404: "check ad_account_ids and the object's owner, or deselect the stream",
    405: "this endpoint is not available to the app; deselect the stream",
    410: "check ad_account_ids and the object's owner, or deselect the stream",
    414: "select fewer metric columns for the stream",
    431: "select fewer metric columns for the stream",
}
SERVER_ERROR_HINT = "Pinterest kept failing; the next run tries again"
CLIENT_ERROR_HINT = "check the settings the message names, or deselect the stream"
UNREADABLE_HINT = "the next run tries again; if it persists, report the answer with the stream"


def default_hint(status: int | None) -> str:
    """What a user can do about a refused request, by HTTP status."""
    if status is None:
        return UNREADABLE_HINT
    if status in HINTS_BY_STATUS:
        return HINTS_BY_STATUS[status]
    return SERVER_ERROR_HINT if status >= 500 else CLIENT_ERROR_HINT  # noqa: PLR2004


@dataclass(frozen=True)
class StreamFailure:
    """One partition that ended early."""

    stream: str
    partition: str
    problem: str
    hint: str

    def summary_line(self) -> str:
        """One line: which stream and partition, what Pinterest said, what to do."""
        return (
            f"Stream {self.stream} ({self.partition}) failed: {self.problem}; to fix: {self.hint}"
        )


class StreamFailuresError(FatalTapError):
    """Raised once at the end of a sync in which some partitions failed."""

    def __init__(self, failures: list[StreamFailure]) -> None:
        """Name how many failed; the lines themselves were logged one by one."""
        self.failures = failures
        streams = sorted({failure.stream for failure in failures})
        super().__init__(
            f"{len(failures)} stream partition(s) failed ({', '.join(streams)}); "
            "every other stream was synced and its state saved"
        )


@dataclass
class FailureLog:
    """The partitions that failed this run, for the end-of-run summary."""

    failures: list[StreamFailure] = field(default_factory=list)

    def add(self, stream: str, context: Mapping[str, Any] | None, exc: Exception) -> StreamFailure:
        """Record a failure from the exception that ended the partition."""
        if isinstance(exc, PinterestAPIError):
            problem, hint = str(exc), exc.hint or default_hint(exc.status)
        else:
            problem = f"Pinterest sent an answer the tap cannot read ({type(exc).__name__}: {exc})"
            hint = default_hint(None)
        failure = StreamFailure(stream, partition_label(context), problem, hint)
        self.failures.append(failure)
        return failure

    def raise_if_any(self) -> None:
        """Log the summary, one line per failed partition, and fail the run."""
        if not self.failures:
            return
        for failure in self.failures:
            LOGGER.error("%s", failure.summary_line())
        raise StreamFailuresError(self.failures)


def isolate(
    stream: Stream,
    get_records: Callable[[Context | None], Iterable[dict[str, Any]]],
    failures: FailureLog,
    *,
    continue_on_error: Callable[[], bool],
) -> Callable[[Context | None], Iterable[dict[str, Any]]]:
    """Wrap a stream's get_records so a permanent error ends only its partition."""

    def isolated(context: Context | None) -> Iterable[dict[str, Any]]:
        try:
            yield from get_records(context)
        except FatalTapError:
            raise
        except (PinterestAPIError, *UNREADABLE_ANSWER_ERRORS) as exc:
            if not continue_on_error():
                if isinstance(exc, PinterestAPIError) and exc.args:
                    # One line that names the stream, as the summary would.
                    hint = exc.hint or default_hint(exc.status)
                    where = f"stream {stream.name} ({partition_label(context)})"
                    exc.args = (f"{where}: {exc.args[0]}; to fix: {hint}", *exc.args[1:])
                raise
            # The bookmark stays where it was: the next run repeats the partition.
            sdk_seam.end_partition_keeping_bookmark(stream, context)
            if isinstance(exc, CategoryClosedError):
                return  # one end-summary line per category (quota.py), not per partition
            failure = failures.add(stream.name, context, exc)
            LOGGER.error(  # noqa: TRY400 - the line is the whole story; no traceback
                "%s (going on with the other streams: on_stream_error=continue)",
                failure.summary_line(),
            )

    return isolated
