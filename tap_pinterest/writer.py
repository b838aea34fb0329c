r"""Singer lines written with msgspec (singer-sdk[msgspec]), byte for byte as the SDK's writer.

msgspec encodes a record about six times faster than the SDK's simplejson writer. Its text
is the same but for floats outside [1e-4, 1e16) (`0.00001` or `5e-6` where Python writes
`1e-05`, `5e-06`), non-ASCII text (UTF-8 where Python writes `\u00e9`) and DEL. Floats
the tap parses that Python writes with an exponent are `ReprFloat`s, written with `repr`;
a line that shows any other of these by its bytes (records the tap typed itself are only
checked for text) is written by the SDK's own serializer. So every line is what the SDK
would have written.

Records are not written one by one (a system call for each line longer than stdout's
8 KiB buffer): they are gathered into writes of about 64 KiB, and any other message
(STATE, SCHEMA...) writes them out and flushes, so a target sees every record before the
state that covers it. A sync that breaks off still writes them (TapPinterest.sync_all);
only a killed process loses them, and no state covers those.
"""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Any

import msgspec
from singer_sdk.contrib.msgspec import MsgSpecWriter, enc_hook
from singer_sdk.singerlib.encoding.simple import RecordMessage
from singer_sdk.singerlib.json import serialize_json
from typing_extensions import override

from tap_pinterest.json_rows import ReprFloat

if TYPE_CHECKING:
    from singer_sdk.singerlib.encoding.simple import Message


def _encode_other(value: Any) -> Any:  # noqa: ANN401
    """Floats msgspec would spell unlike Python, as Python does; the rest as the SDK."""
    if isinstance(value, ReprFloat):
        return msgspec.Raw(float.__repr__(value).encode())
    return enc_hook(value)


_ENCODER = msgspec.json.Encoder(enc_hook=_encode_other, decimal_format="number")


class TypedRecordMessage(RecordMessage):
    """A record the tap typed itself (TypedRecordsStream, no stream map changed it).

    Its floats come from the tap's parsing, which makes every float Python writes with
    an exponent a ReprFloat: only non-ASCII text and DEL can make msgspec's text differ.
    """

    __slots__ = ()


def serialize_line(message: Message) -> bytes:
    """One message as the SDK's writer would write it (without the newline)."""
    data = message.to_dict()
    time_extracted = data.get("time_extracted")
    if time_extracted is not None:
        # msgspec writes a UTC datetime with "Z"; the SDK's writer with "+00:00".
        data["time_extracted"] = time_extracted.isoformat()  # sep "T"
    line = _ENCODER.encode(data)
    if (
        line.isascii()
        and b"\x7f" not in line
        and (type(message) is TypedRecordMessage or not _may_differ(line))
    ):
        return line
    return serialize_json(data).encode()


# msgspec's float spellings Python does not share: a digit then "e" (an exponent) and
# "0.0000" (below 1e-4). Text may contain them too: that line is only slower to write.
_EXPONENT = re.compile(rb"e(?<=[0-9]e)[-0-9]")


def _may_differ(line: bytes) -> bool:
    return b"0.0000" in line or _EXPONENT.search(line) is not None


# Bytes of records gathered before one write (below glibc's mmap threshold, so reused).
RECORD_WRITE_BYTES = 1 << 16


class SingerLineWriter(MsgSpecWriter):
    """The SDK's msgspec writer, with the SDK's exact text and buffered records."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """No record waiting to be written yet."""
        super().__init__(*args, **kwargs)
        self._pending = bytearray()

    @override
    def serialize_message(self, message: Message) -> bytearray:
        return bytearray(serialize_line(message))

    @override
    def write_message(self, message: Message) -> None:
        pending = self._pending
        pending += serialize_line(message)
        pending += b"\n"
        if message.type != "RECORD":
            self.write_pending()
        elif len(pending) >= RECORD_WRITE_BYTES:
            self._write_gathered()

    def write_pending(self) -> None:
        """Write out and flush every gathered line (before a STATE, or when a sync ends)."""
        if self._pending:
            self._write_gathered()
        sys.stdout.flush()

    def _write_gathered(self) -> None:
        """Write the gathered lines once: a write that fails is not sent again, cut.

        Cleared only after the write, so a termination signal's STATE arriving in between
        repeats the batch before it (at least once, as Singer allows) and never loses it.
        """
        try:
            self._write(self._pending)
        finally:
            self._pending.clear()

    @staticmethod
    def _write(lines: bytearray) -> None:
        stdout = sys.stdout
        buffer = getattr(stdout, "buffer", None)
        if buffer is None:  # a text-only stdout (tests capturing it in a StringIO)
            stdout.write(lines.decode("utf-8"))
        else:
            buffer.write(lines)
