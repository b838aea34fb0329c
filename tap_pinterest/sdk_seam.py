"""The tap's one contact with singer-sdk internals, behind the tap's own names.

The SDK has no public hook for a few things the tap must do: end a partition without
moving its bookmark, write a checkpoint in the middle of a partition, cap a bookmark,
emit records it already typed, act after `sync_all` / `--test`, add checks to config
validation, send a request whose body is read as a stream. Each of those touches an
underscore name of the SDK or overrides a method the SDK marks final, and every such
touch is in this module and nowhere else (tests/test_sdk_seam.py greps the package for
it). `INTERNALS` lists what is used; the same test checks each is still there, with a
signature that takes the call made here, so a new SDK release fails in one place with
a message naming the internal.

Supported: singer-sdk 0.54.9 (locked) and 0.55.0b7 (scripts/test_sdk_next.sh).
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from singer_sdk import RESTStream, Tap
from singer_sdk.exceptions import ConfigValidationError
from singer_sdk.helpers._state import reset_state_progress_markers
from singer_sdk.singerlib import Catalog
from typing_extensions import override

if TYPE_CHECKING:
    from collections.abc import Generator, Iterator

    import requests
    import singer_sdk.singerlib as singer
    from singer_sdk.authenticators import OAuthAuthenticator
    from singer_sdk.helpers.types import Context, Record
    from singer_sdk.mapper import PluginMapper, StreamMap
    from singer_sdk.plugin_base import _ConfigInput
    from singer_sdk.streams import Stream

    # The type of Tap.invoke's `config` (the SDK keeps the name private).
    ConfigInput = _ConfigInput


class Internal(NamedTuple):
    """One SDK internal the seam uses, the call it makes, and the signatures it was read in.

    The contract test (tests/test_sdk_seam.py) finds it, binds the call made here to its
    signature, and compares the signature with `signatures` (one per SDK line tested).
    """

    owner: str  # dotted path of the module or class that defines it
    name: str
    # The positional and keyword arguments the seam passes (methods: `self` first).
    args: tuple[str, ...]
    kwargs: tuple[str, ...]
    signatures: tuple[str, ...]


_CONTEXT = "context: 'Context | None'"
_TYPES_CONTEXT = "context: 'types.Context | None'"
_REQUEST = "prepared_request: 'requests.PreparedRequest'"
_DURATION = "endpoint: 'str', response: 'requests.Response'"
_EXTRA_TAGS = "extra_tags: 'dict | None'"
_SIGNPOST = "value: 'datetime.datetime | str | float | None'"

# Every SDK internal this module touches.
INTERNALS = (
    Internal(
        "singer_sdk.helpers._state",
        "reset_state_progress_markers",
        ("state",),
        (),
        ("(stream_or_partition_state: 'dict') -> 'dict | None'",),
    ),
    Internal(
        "singer_sdk.plugin_base.PluginBase",
        "_validate_config",
        ("self",),
        ("raise_errors",),
        ("(self, *, raise_errors: 'bool' = True) -> 'list[str]'",),
    ),
    Internal("singer_sdk.tap_base.Tap", "sync_all", ("self",), (), ("(self) -> 'None'",)),
    Internal(
        "singer_sdk.tap_base.Tap", "run_connection_test", ("self",), (), ("(self) -> 'bool'",)
    ),
    Internal(
        "singer_sdk.streams.rest.RESTStream",
        "_request",
        ("self", "request", "context"),
        (),
        (
            f"(self, {_REQUEST}, {_CONTEXT}) -> 'requests.Response'",  # 0.54
            # 0.55: `context` is unused and marked for removal.
            f"(self, {_REQUEST}, {_CONTEXT} = None) -> 'requests.Response'",
        ),
    ),
    Internal(
        "singer_sdk.streams.rest.RESTStream",
        "_write_request_duration_log",
        ("self",),
        ("endpoint", "response", "context", "extra_tags"),
        (
            f"(self, {_DURATION}, {_CONTEXT}, {_EXTRA_TAGS}) -> 'None'",  # 0.54
            # 0.55: `context` and `extra_tags` are unused and marked for removal.
            f"(self, {_DURATION}, {_CONTEXT} = None, {_EXTRA_TAGS} = None) -> 'None'",
        ),
    ),
    Internal(
        "singer_sdk.streams.core.Stream",
        "_write_state_message",
        ("self",),
        (),
        ("(self) -> 'None'",),
    ),
    Internal(
        "singer_sdk.streams.core.Stream",
        "_write_starting_replication_value",
        ("self", "context"),
        (),
        (f"(self, {_TYPES_CONTEXT}) -> 'None'",),
    ),
    Internal(
        "singer_sdk.streams.core.Stream",
        "_increment_stream_state",
        ("self", "record"),
        ("context",),
        (f"(self, latest_record: 'types.Record', *, {_TYPES_CONTEXT} = None) -> 'None'",),
    ),
    Internal(
        "singer_sdk.streams.core.Stream",
        "_generate_record_messages",
        ("self", "record"),
        (),
        ("(self, record: 'types.Record') -> 't.Generator[singer.RecordMessage, None, None]'",),
    ),
    Internal(
        "singer_sdk.streams._state.StreamStateManager",
        "write_replication_key_signpost",
        ("self", "value"),
        ("context",),
        (f"(self, {_SIGNPOST}, *, {_TYPES_CONTEXT} = None) -> 'None'",),
    ),
    Internal("singer_sdk.tap_base.Tap", "setup_mapper", ("self",), (), ("(self) -> 'None'",)),
    Internal(
        "singer_sdk.mapper.PluginMapper",
        "register_raw_streams_from_catalog",
        ("self", "catalog"),
        (),
        ("(self, catalog: 'Catalog') -> 'None'",),
    ),
)
# Attributes the seam reads or writes on a live stream (owner class, attribute).
INTERNAL_ATTRIBUTES = (
    ("singer_sdk.authenticators.OAuthAuthenticator", "_session"),
    ("singer_sdk.streams.core.Stream", "_stream_version"),
    ("singer_sdk.streams._state.StreamStateManager", "is_flushed"),
    ("singer_sdk.mapper.PluginMapper", "stream_maps"),
)

CONFIG_FAILED = "Config validation failed: "


def utc_now() -> datetime:
    """The time a record was extracted (`time_extracted`), as the SDK stamps it."""
    return datetime.now(timezone.utc)


# Requests -------------------------------------------------------------------------------


def send(
    stream: RESTStream[Any], request: requests.PreparedRequest, context: Context | None
) -> requests.Response:
    """Authenticate and send one request, log its duration and validate the answer."""
    return stream._request(request, context)  # noqa: SLF001


def send_streamed(
    stream: RESTStream[Any], request: requests.PreparedRequest, context: Context | None
) -> requests.Response:
    """`send`, but the body is left unread, to be read as a stream."""
    authenticated = stream.authenticator(request)
    response = stream.requests_session.send(
        authenticated, timeout=stream.timeout, allow_redirects=stream.allow_redirects, stream=True
    )
    stream._write_request_duration_log(  # noqa: SLF001
        endpoint=stream.path, response=response, context=context, extra_tags=None
    )
    stream.validate_response(response)
    return response


# State ----------------------------------------------------------------------------------


def end_partition_keeping_bookmark(stream: Stream, context: Context | None) -> None:
    """Drop the partition's progress markers, so its bookmark stays where it was.

    The SDK promotes progress markers to the bookmark when a partition stops yielding;
    after a failure nothing may be promoted: the next run repeats the partition.
    """
    reset_state_progress_markers(stream.get_context_state(context))


def set_bookmark(stream: Stream, context: Context | None, value: str) -> None:
    """Set the partition's bookmark to `value`; the next STATE message carries it."""
    state = stream.get_context_state(context)
    state["replication_key"] = stream.replication_key
    state["replication_key_value"] = value


def write_checkpoint(stream: Stream, context: Context | None, value: str) -> None:
    """Set the partition's bookmark to `value` and write a STATE message at once."""
    set_bookmark(stream, context, value)
    stream.state_manager.is_flushed = False
    stream._write_state_message()  # noqa: SLF001


def writable_stream_state(stream: Stream) -> dict[str, Any]:
    """The stream's whole state, partitions included, to edit in place.

    The SDK calls `stream_state` internal ("not recommended except in advanced use
    cases"); it is the one writable view of a stream's state across its partitions.
    """
    return stream.stream_state


def cap_bookmark(stream: Stream, context: Context | None, value: str) -> None:
    """Never let the partition's bookmark pass `value` when its progress is promoted."""
    stream.state_manager.write_replication_key_signpost(value, context=context)


def token_session(authenticator: OAuthAuthenticator) -> requests.Session:
    """The SDK's session for token requests (it retries a refused connection)."""
    return authenticator._session  # noqa: SLF001


# Logging --------------------------------------------------------------------------------


def filterable_logger(logger: logging.Logger | logging.LoggerAdapter[Any]) -> logging.Logger:
    """The logger that holds filters: singer-sdk 0.55 wraps a stream's in a LoggerAdapter."""
    while isinstance(logger, logging.LoggerAdapter):
        logger = logger.logger
    return logger


# Stream maps ----------------------------------------------------------------------------


class StreamMapsOnDemand(dict[str, "list[StreamMap]"]):
    """The mapper's stream maps, a stream unselected at start registered when first read.

    The SDK registers every catalog entry with the mapper when the tap starts (a deep copy
    and two schema conversions each: about 0.1 s of CPU for the 37 streams, whatever the
    catalog selects). A stream that is not selected needs its maps only if it syncs as a
    parent of a selected stream (its first map filters the records that start children)
    or a connection test forces it on. Such an entry is registered on its first lookup,
    by the SDK's own registration, with its stream-level `selected` as it was at start
    (a connection test flips it first), so the maps are those an eager start would have
    made. One difference: a mistake in the map of a stream that never runs is not reported.
    """

    def __init__(
        self, mapper: PluginMapper, later: dict[str, tuple[singer.CatalogEntry, bool | None]]
    ) -> None:
        """Empty; `later` holds each waiting entry and its `selected` at start."""
        super().__init__()
        self.mapper = mapper
        self.later = later

    def __missing__(self, name: str) -> list[StreamMap]:
        """Register `name`'s catalog entry as the SDK did at start, then answer."""
        if name not in self.later:
            raise KeyError(name)
        entry, selected_at_start = self.later.pop(name)
        root = entry.metadata.get(())
        selected_now = root.selected if root is not None else None
        if root is not None:
            root.selected = selected_at_start
        try:
            self.mapper.register_raw_streams_from_catalog(Catalog({entry.tap_stream_id: entry}))
        finally:
            if root is not None:
                root.selected = selected_now
        return self[name]

    def __contains__(self, name: object) -> bool:
        """Registered or waiting to be (the SDK asks before it registers)."""
        return super().__contains__(name) or name in self.later


def _unselected_at_start(entry: singer.CatalogEntry) -> bool:
    """The entry's stream is off by its root metadata (an approximation is safe here)."""
    root = entry.metadata.get(())
    if root is None or root.inclusion == "automatic":
        return False
    if root.selected is not None:
        return not root.selected
    return root.selected_by_default is False


def register_catalog_on_demand(tap: Tap) -> None:
    """Register the catalog's selected streams with the mapper now, the others on demand."""
    mapper = tap.mapper
    names = [entry.stream or entry.tap_stream_id for entry in tap.catalog.streams]
    if len(set(names)) != len(names) or mapper.stream_maps:
        mapper.register_raw_streams_from_catalog(tap.catalog)  # unusual: the SDK's way
        return
    now = Catalog()
    later: dict[str, tuple[singer.CatalogEntry, bool | None]] = {}
    for name, entry in zip(names, tap.catalog.streams, strict=True):
        if _unselected_at_start(entry):
            later[name] = (entry, entry.metadata.root.selected)
        else:
            now[entry.tap_stream_id] = entry
    mapper.stream_maps = StreamMapsOnDemand(mapper, later)
    mapper.register_raw_streams_from_catalog(now)


# Tap ------------------------------------------------------------------------------------


class SeamTap(Tap):
    """A Tap with hooks where the SDK has none (it marks sync_all and --test final)."""

    @override
    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        """The SDK's JSON-schema errors, passed through `config_errors`."""
        errors = self.config_errors(super()._validate_config(raise_errors=False))
        if errors and raise_errors:
            summary = CONFIG_FAILED + " ".join(errors)
            raise ConfigValidationError(summary, errors=errors, schema=self.config_jsonschema)
        return errors

    def config_errors(self, schema_errors: list[str]) -> list[str]:
        """Hook: every config error, given the SDK's schema errors."""
        return schema_errors

    @override
    def setup_mapper(self) -> None:
        """The SDK's mapper (PluginBase's); the catalog registered as `register_catalog_on_demand`.

        `Tap.setup_mapper` is PluginBase's plus the registration of every catalog entry.
        """
        super(Tap, self).setup_mapper()
        register_catalog_on_demand(self)

    @override  # type: ignore[misc]
    def sync_all(self) -> None:
        """`before_sync` and the SDK's sync inside `around_sync`, then `after_sync`."""
        with self.around_sync():
            self.before_sync()
            super().sync_all()
        self.after_sync()

    @override  # type: ignore[misc]
    def run_connection_test(self) -> bool:
        """The SDK's --test inside `around_sync`, then `after_connection_test`."""
        with self.around_sync():
            self.before_connection_test()
            result = bool(super().run_connection_test())
        self.after_connection_test()
        return result

    @contextlib.contextmanager
    def around_sync(self) -> Iterator[None]:
        """Hook: wraps a whole sync or --test (also when it breaks off)."""
        yield

    def before_sync(self) -> None:
        """Hook: runs before the SDK's sync_all reads the state and syncs the first stream."""

    def after_sync(self) -> None:
        """Hook: runs after the SDK's sync_all wrote its final STATE."""

    def before_connection_test(self) -> None:
        """Hook: runs before the SDK's --test reads the first record of each stream."""

    def after_connection_test(self) -> None:
        """Hook: runs after the SDK's --test."""


# Streams --------------------------------------------------------------------------------


class SeamStream(RESTStream[str | None]):
    """A RESTStream with hooks on the SDK's private per-partition and per-record steps."""

    # True: records reach the SDK typed and trimmed; `typed_record_messages` emits them.
    emits_typed_records: ClassVar[bool] = False

    @override
    def _write_starting_replication_value(self, context: Context | None) -> None:
        """A partition starts (singer-sdk `_sync_records`): `partition_starting` first."""
        self.partition_starting(context)
        super()._write_starting_replication_value(context)

    def partition_starting(self, context: Context | None) -> None:
        """Hook: a partition is about to read its records."""

    @override
    def _increment_stream_state(
        self, latest_record: Record, *, context: Context | None = None
    ) -> None:
        """The SDK's bookmark step, for each record `moves_bookmark` lets through."""
        if self.moves_bookmark(latest_record, context):
            super()._increment_stream_state(latest_record, context=context)

    def moves_bookmark(self, record: Record, context: Context | None) -> bool:  # noqa: ARG002
        """Hook: False when the record cannot change the partition's bookmark."""
        return True

    @override
    def _generate_record_messages(
        self, record: dict[str, Any]
    ) -> Generator[singer.RecordMessage, None, None]:
        """The SDK's, or `typed_record_messages` for a stream that emits typed records."""
        if self.emits_typed_records:
            return self.typed_record_messages(record, self._stream_version)
        return super()._generate_record_messages(record)

    def typed_record_messages(
        self, record: dict[str, Any], version: int | None
    ) -> Generator[singer.RecordMessage, None, None]:
        """Hook: the RECORD messages of a record already typed (`emits_typed_records`)."""
        raise NotImplementedError
