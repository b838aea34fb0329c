"""Reject a state the tap could not have written, with one line naming what is wrong.

The SDK walks the state without checking its shape, so a hand-edited or truncated file
ends in a traceback from deep inside it; checking the shape first turns that into an
error a scheduler's log reader can act on.
"""

from __future__ import annotations

import json
from typing import Any

from tap_pinterest.errors import InvalidStateError

RESET_ADVICE = "fix the file or start without --state (the next run then syncs from start_date)"


def parse_state_text(text: str, source: str) -> dict[str, Any]:
    """The state in a --state file, or a one-line error naming the file."""
    try:
        state = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as exc:
        msg = f"State file {source} is not JSON ({exc.msg} at line {exc.lineno}); {RESET_ADVICE}"
        raise InvalidStateError(msg) from None
    check_state_shape(state, source)
    return dict(state)


def check_state_shape(state: Any, source: str = "state") -> None:  # noqa: ANN401
    """Raise InvalidStateError unless the state is shaped like a Singer state."""
    problem = _shape_problem(state)
    if problem:
        msg = f"{source} is not a Singer state: {problem}; {RESET_ADVICE}"
        raise InvalidStateError(msg)


def _kind(value: Any) -> str:  # noqa: ANN401
    return type(value).__name__


def _shape_problem(state: Any) -> str | None:  # noqa: ANN401, PLR0911
    if not isinstance(state, dict):
        return f"the top level is a {_kind(state)}, not an object"
    bookmarks = state.get("bookmarks", {})
    if not isinstance(bookmarks, dict):
        return f"'bookmarks' is a {_kind(bookmarks)}, not an object"
    for stream, stream_state in bookmarks.items():
        if not isinstance(stream_state, dict):
            return f"bookmarks.{stream} is a {_kind(stream_state)}, not an object"
        partitions = stream_state.get("partitions", [])
        if not isinstance(partitions, list):
            return f"bookmarks.{stream}.partitions is a {_kind(partitions)}, not a list"
        for index, partition in enumerate(partitions):
            if not isinstance(partition, dict):
                return f"bookmarks.{stream}.partitions[{index}] is a {_kind(partition)}"
            if not isinstance(partition.get("context", {}), dict):
                return f"bookmarks.{stream}.partitions[{index}].context is not an object"
    return None
