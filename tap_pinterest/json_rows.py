"""Decode JSON answers fast and exactly, and a top-level array as a stream of its items.

Numbers: a JSON number is a float when the float has the exact decimal value of the text
(every text of at most 15 significant digits does: what the tap always wrote), else a
`Decimal` of the text, so money never loses a digit. Integers are exact Python ints.

Streaming: an analytics answer can hold 250 ids x 91 days x every column (hundreds of MB
parsed). `iter_array_items` decodes the array chunk by chunk, so memory follows one chunk
and never the whole answer.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import msgspec

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

# Any text this short is a float token with at most 15 significant digits (or an
# exponent form, checked separately), which a float holds exactly.
_SHORT_FLOAT_TEXT = 17
# Tries per chunk to find where the decoded items end; then wait for more bytes.
_MAX_CUT_TRIES = 4
_WHITESPACE = b" \t\r\n"


class ReprFloat(float):
    """A float msgspec would spell unlike Python (`0.00001` for `1e-05`, `1e16`).

    The writer spells it as Python does (`repr`), as the SDK's writer always did.
    """

    __slots__ = ()


# Python writes floats outside [1e-4, 1e16) with an exponent; msgspec, differently.
_REPR_SMALL = 1e-4
_REPR_LARGE = 1e16


def exact_number(text: str) -> float | Decimal:
    """A float if it holds the text's exact value, else the Decimal of the text.

    Called for every non-integer number of an answer: the common case is one test.
    """
    value = float(text)
    if (
        len(text) < _SHORT_FLOAT_TEXT
        and (value >= _REPR_SMALL or value <= -_REPR_SMALL or value == 0)
        and "e" not in text
        and "E" not in text
    ):
        return value
    return _exact_number_rare(text, value)


def _exact_number_rare(text: str, value: float) -> float | Decimal:
    """Long texts, exponents, tiny values, NaN and infinities."""
    try:
        if value - value == 0 and Decimal(repr(value)) == Decimal(text):
            return spelled_as_python(value)
    except InvalidOperation:  # pragma: no cover - msgspec only hands over number texts
        pass
    return Decimal(text) if value - value == 0 or "n" not in text.lower() else value


def spelled_as_python(value: float) -> float:
    """The float, as a ReprFloat if Python writes it with an exponent (not NaN/inf: null)."""
    if value == 0 or _REPR_SMALL <= abs(value) < _REPR_LARGE or value - value != 0:
        return value
    return ReprFloat(value)


def decimal_number(text: str) -> Decimal:
    """Every non-integer as a Decimal (what the SDK's own JSON parsing gives)."""
    return Decimal(text)


EXACT_DECODER = msgspec.json.Decoder(float_hook=exact_number)
DECIMAL_DECODER = msgspec.json.Decoder(float_hook=decimal_number)


class NotAnArrayError(ValueError):
    """The answer is valid JSON but not an array; `body` holds it, decoded."""

    def __init__(self, body: Any) -> None:  # noqa: ANN401
        """Keep the decoded body for the caller's error message."""
        super().__init__(type(body).__name__)
        self.body = body


def decode(data: bytes, decoder: msgspec.json.Decoder[Any] = EXACT_DECODER) -> Any:  # noqa: ANN401
    """Decode a whole body; a ValueError if it is not JSON."""
    try:
        return decoder.decode(data)
    except msgspec.DecodeError as exc:
        raise ValueError(str(exc)) from None


def iter_array_items(
    chunks: Iterable[bytes], decoder: msgspec.json.Decoder[Any] = EXACT_DECODER
) -> Iterator[Any]:
    """The items of a top-level JSON array, decoded a chunk at a time.

    Each pass decodes the buffered items up to the last `}` or `]` that closes one: a
    cut inside a string or an item never decodes (unterminated), so the cut moves back
    until it does. A body that is not an array raises NotAnArrayError with the body.
    """
    buffer = b""
    started = False
    chunks = iter(chunks)
    for chunk in chunks:
        buffer = buffer + chunk if buffer else chunk
        if not started:
            buffer = buffer.lstrip(_WHITESPACE)
            if not buffer:
                continue
            if buffer[:1] != b"[":
                rest = b"".join([buffer, *chunks])
                raise NotAnArrayError(decode(rest, decoder))
            buffer = buffer[1:]
            started = True
        items, buffer = _decode_complete_items(buffer, decoder)
        yield from items
    if not started:
        raise ValueError("empty body")  # noqa: EM101, TRY003
    yield from _decode_tail(buffer, decoder)


def _decode_complete_items(
    buffer: bytes, decoder: msgspec.json.Decoder[Any]
) -> tuple[list[Any], bytes]:
    """The items complete in `buffer` (which starts inside the array) and the rest."""
    end = len(buffer)
    for _ in range(_MAX_CUT_TRIES):
        end = max(buffer.rfind(b"}", 0, end), buffer.rfind(b"]", 0, end))
        if end <= 0:
            break
        head = buffer[: end + 1].lstrip(_WHITESPACE)
        if head[:1] == b",":
            head = head[1:]
        try:
            items = decoder.decode(b"[" + head + b"]")
        except msgspec.DecodeError:
            continue
        if not isinstance(items, list):  # pragma: no cover - "[...]" decodes to a list
            break
        rest = buffer[end + 1 :].lstrip(_WHITESPACE)
        return items, rest
    return [], buffer


def _decode_tail(buffer: bytes, decoder: msgspec.json.Decoder[Any]) -> list[Any]:
    """What is left must be the array's last items (if any) and its closing `]`."""
    tail = buffer.strip(_WHITESPACE)
    if tail[:1] == b",":
        tail = tail[1:]
    items = decode(b"[" + tail, decoder)
    if not isinstance(items, list):  # pragma: no cover - "[...]" decodes to a list
        raise TypeError("not an array")  # noqa: EM101, TRY003
    return items
