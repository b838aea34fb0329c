"""Decode a top-level JSON object as a stream of its members, arrays item by item (issue 19).

A targeting analytics answer (`{"data": [...]}`) or a downloaded report (an object keyed
by entity id, each value an array of rows) can be hundreds of MB: parsed whole, the tap
held all of it. Here each array member is decoded a chunk at a time, like
json_rows.iter_array_items, so memory follows one chunk and never the whole answer.

How an array's end is found without scanning every byte in Python: the buffered items up
to the last `}` or `]` are decoded as one array by msgspec; if the array ended before that
cut, msgspec reports "trailing characters" at the byte after its `]`, which tells where
the array ends and the next member starts.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import msgspec

from tap_pinterest.json_rows import EXACT_DECODER, decode

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

# What iter_members yields: (kind, key, value).
ARRAY_START = 0  # a member whose value is an array starts (value None)
ITEM = 1  # one item of that array
VALUE = 2  # a member whose value is not an array, decoded whole
_WHITESPACE = b" \t\r\n"
# Tries per chunk to find where the decoded items end; then wait for more bytes.
_MAX_CUT_TRIES = 4
# A member's key, its colon and the first byte of its value.
_KEY = re.compile(rb'"((?:[^"\\]|\\.)*)"[ \t\r\n]*:[ \t\r\n]*(.)', re.DOTALL)
_TRAILING = re.compile(r"trailing characters \(byte (\d+)\)")
# Bytes a key or a non-array value may take before the text is taken as malformed.
_MAX_PENDING_BYTES = 1 << 20


class NotAnObjectError(ValueError):
    """The answer is valid JSON but not an object; `body` holds it, decoded."""

    def __init__(self, body: Any) -> None:  # noqa: ANN401
        """Keep the decoded body for the caller's error message."""
        super().__init__(type(body).__name__)
        self.body = body


def _trailing_at(exc: msgspec.DecodeError) -> int | None:
    """Where msgspec found text after a complete value (0-based), or None."""
    match = _TRAILING.search(str(exc))
    return int(match.group(1)) - 1 if match else None


class _Members:
    """The parser's state between chunks."""

    def __init__(self, decoder: msgspec.json.Decoder[Any]) -> None:
        self.decoder = decoder
        self.buffer = b""
        self.state = "start"  # start, key, array, end
        self.key = ""
        self.members = 0
        self.items_in_array = 0

    def feed(self, chunk: bytes) -> Iterator[tuple[int, str, Any]]:
        """Everything the bytes so far complete."""
        self.buffer = self.buffer + chunk if self.buffer else chunk
        while True:
            step = getattr(self, f"_{self.state}")()
            if step is None:
                return
            yield from step

    def _start(self) -> list[tuple[int, str, Any]] | None:
        self.buffer = self.buffer.lstrip(_WHITESPACE)
        if not self.buffer:
            return None
        if self.buffer[:1] != b"{":
            raise _NotAnObject
        self.buffer = self.buffer[1:]
        self.state = "key"
        return []

    def _key(self) -> list[tuple[int, str, Any]] | None:  # noqa: C901
        buffer = self.buffer.lstrip(_WHITESPACE)
        if not buffer:
            self.buffer = buffer
            return None
        if buffer[:1] == b"}":
            self.buffer = buffer[1:]
            self.state = "end"
            return []
        if self.members:
            if buffer[:1] != b",":
                raise ValueError("expected ',' or '}' between members")  # noqa: EM101, TRY003
            buffer = buffer[1:].lstrip(_WHITESPACE)
        self.buffer = buffer
        match = _KEY.match(buffer)
        if match is None:
            if buffer and (buffer[:1] != b'"' or len(buffer) > _MAX_PENDING_BYTES):
                raise ValueError("expected a member's key")  # noqa: EM101, TRY003
            self.buffer = b"," + buffer if self.members else buffer
            return None
        key = decode(b'"' + match.group(1) + b'"', self.decoder)
        if match.group(2) == b"[":
            self.key, self.items_in_array = str(key), 0
            self.buffer = buffer[match.end() :]
            self.state = "array"
            self.members += 1
            return [(ARRAY_START, self.key, None)]
        value_at = match.end() - 1
        try:
            self.decoder.decode(buffer[value_at:])
        except msgspec.DecodeError as exc:
            end = _trailing_at(exc)
            if end is not None:
                value = self.decoder.decode(buffer[value_at : value_at + end])
                self.buffer = buffer[value_at + end :]
                self.members += 1
                return [(VALUE, str(key), value)]
            # Cut short (a number's text may stop anywhere) or malformed: more bytes tell.
            if len(buffer) > _MAX_PENDING_BYTES:
                raise ValueError(str(exc)) from None
        # Complete only once something follows it: wait for more bytes.
        self.buffer = b"," + buffer if self.members else buffer
        return None

    def _array(self) -> list[tuple[int, str, Any]] | None:
        buffer = self.buffer.lstrip(_WHITESPACE)
        separator = b""
        if self.items_in_array and buffer[:1] == b",":
            separator = b","
            buffer = buffer[1:].lstrip(_WHITESPACE)
            if buffer[:1] == b"]":
                raise ValueError("an array ends with ','")  # noqa: EM101, TRY003
        elif self.items_in_array and buffer and buffer[:1] != b"]":
            raise ValueError("expected ',' or ']' between items")  # noqa: EM101, TRY003
        end = len(buffer)
        for _ in range(_MAX_CUT_TRIES):
            end = max(buffer.rfind(b"}", 0, end), buffer.rfind(b"]", 0, end))
            if end < 0:
                break
            wrapped = b"[" + buffer[: end + 1] + b"]"
            try:
                items = self.decoder.decode(wrapped)
            except msgspec.DecodeError as exc:
                closed = _trailing_at(exc)
                if closed is None:
                    continue
                # The array closed inside the cut: its items, then the next member.
                items = self.decoder.decode(wrapped[:closed])
                self.buffer = buffer[closed - 1 :]
                self.state = "key"
                return [(ITEM, self.key, item) for item in items]
            self.items_in_array += len(items)
            self.buffer = buffer[end + 1 :]
            return [(ITEM, self.key, item) for item in items]
        if len(buffer) > _MAX_PENDING_BYTES:
            decode(b"[" + buffer, self.decoder)  # raises msgspec's own reason
        # Keep the separator seen so far, so the next pass checks it again.
        self.buffer = separator + buffer
        return None

    def _end(self) -> list[tuple[int, str, Any]] | None:
        self.buffer = self.buffer.lstrip(_WHITESPACE)
        if self.buffer:
            raise ValueError("text after the object")  # noqa: EM101, TRY003
        return None


class _NotAnObject(Exception):  # noqa: N818 - a signal inside this module
    """The first byte is not `{`."""


def iter_members(
    chunks: Iterable[bytes], decoder: msgspec.json.Decoder[Any] = EXACT_DECODER
) -> Iterator[tuple[int, str, Any]]:
    """(kind, key, value) for the members of a top-level JSON object, as bytes arrive.

    An array member gives ARRAY_START then one ITEM per item; any other member one VALUE.
    A body that is valid JSON but not an object raises NotAnObjectError with the body;
    malformed or truncated text raises ValueError (after the members before it).
    """
    members = _Members(decoder)
    chunks = iter(chunks)
    for chunk in chunks:
        try:
            yield from members.feed(chunk)
        except _NotAnObject:  # noqa: PERF203 - once, then the loop ends
            rest = b"".join([members.buffer, *chunks])
            raise NotAnObjectError(decode(rest, decoder)) from None
    if members.state == "start":
        raise ValueError("empty body")  # noqa: EM101, TRY003
    if members.state != "end":
        raise ValueError("the body is malformed or cut short: its object never closes")  # noqa: EM101, TRY003
