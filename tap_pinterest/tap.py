"""TapPinterest: settings, one authenticator and rate limiter per run, and the streams."""

from __future__ import annotations

import contextlib
import copy
import io
from functools import cached_property
from typing import IO, TYPE_CHECKING, Any

from typing_extensions import override

from tap_pinterest import streams
from tap_pinterest.auth import PinterestBearerAuthenticator, PinterestOAuthAuthenticator
from tap_pinterest.client import PinterestStream
from tap_pinterest.custom_reports import custom_report_errors
from tap_pinterest.errors import PinterestAuthError
from tap_pinterest.quota import DEFAULT_MAX_RATE_LIMIT_WAIT_SECONDS
from tap_pinterest.report_prestart import start_reports_early, sync_report_streams_last
from tap_pinterest.run_context import RunContext
from tap_pinterest.sdk_seam import SeamTap
from tap_pinterest.settings import (
    CONFIG_SCHEMA,
    DEFAULT_API_URL,
    DEFAULT_MAX_CONCURRENT_REQUESTS,
    DEFAULT_MAX_REPORTS_IN_FLIGHT,
    redact_secrets,
    semantic_errors,
)
from tap_pinterest.state_check import check_state_shape, parse_state_text
from tap_pinterest.token_store import TokenStore, TokenStoreError
from tap_pinterest.wildcard_selection import keep_defaults
from tap_pinterest.writer import SingerLineWriter

if TYPE_CHECKING:
    from collections.abc import Iterator

    from singer_sdk.authenticators import APIAuthenticatorBase
    from singer_sdk.streams import Stream

    from tap_pinterest.clock import Clock
    from tap_pinterest.failures import FailureLog
    from tap_pinterest.ratelimit import RateLimiter
    from tap_pinterest.sdk_seam import ConfigInput


class TapPinterest(SeamTap):
    """Singer tap for the Pinterest REST API v5."""

    name = "tap-pinterest"
    package_name = "tap-pinterest"
    # A copy: the SDK adds its built-in settings (stream_maps, batch_config...) in place.
    config_jsonschema = copy.deepcopy(CONFIG_SCHEMA)
    # Stream keys follow settings (HOUR adds a key), and discovery must reject bad config.
    dynamic_catalog = True
    # msgspec serialization with the SDK's exact text (issue 10).
    message_writer_class = SingerLineWriter

    @override
    def config_errors(self, schema_errors: list[str]) -> list[str]:
        """Add the cross-setting checks to the SDK's JSON-schema validation."""
        errors = schema_errors + semantic_errors(dict(self.config))
        errors += custom_report_errors(dict(self.config))
        return [redact_secrets(error, self.config) for error in errors]

    @override
    def setup_mapper(self) -> None:
        """First keep off the optional columns a wildcard selected (wildcard_selection)."""
        if self.input_catalog is not None:
            keep_defaults(self.input_catalog, self.logger)
        super().setup_mapper()

    @cached_property
    def authenticator(self) -> APIAuthenticatorBase:
        """One authenticator for every stream, so one refresh serves the whole run."""
        if self.config.get("access_token"):
            return PinterestBearerAuthenticator(token=self.config["access_token"])
        store_path = self.config.get("token_store_path")
        api_url = str(self.config.get("api_url") or DEFAULT_API_URL).rstrip("/")
        try:
            return PinterestOAuthAuthenticator(
                auth_endpoint=f"{api_url}/oauth/token",
                client_id=self.config["client_id"],
                client_secret=self.config["client_secret"],
                refresh_token=self.config["refresh_token"],
                continuous_refresh=bool(self.config.get("continuous_refresh", False)),
                token_store=TokenStore(store_path) if store_path else None,
                timeout=int(self.config.get("request_timeout", 300)),
            )
        except TokenStoreError as exc:
            raise PinterestAuthError(str(exc)) from None

    @cached_property
    def run_context(self) -> RunContext:
        """The run-wide state every stream shares (rate limit, failures, listings...)."""
        wait = self.config.get("max_rate_limit_wait_seconds", DEFAULT_MAX_RATE_LIMIT_WAIT_SECONDS)
        concurrent = self.config.get("max_concurrent_requests", DEFAULT_MAX_CONCURRENT_REQUESTS)
        reports = self.config.get("max_reports_in_flight", DEFAULT_MAX_REPORTS_IN_FLIGHT)
        return RunContext(
            max_rate_limit_wait_seconds=float(wait),
            max_concurrent_requests=int(concurrent),
            max_reports_in_flight=int(reports),
        )

    @property
    def rate_limiter(self) -> RateLimiter:
        """Pinterest counts calls per user and app: one budget for every stream."""
        return self.run_context.rate_limiter

    @property
    def clock(self) -> Clock:
        """What every wait of the run goes through (tests in-process set their own)."""
        return self.run_context.clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        self.run_context.use_clock(clock)

    @property
    def failures(self) -> FailureLog:
        """Partitions that ended early this run, summarised when the sync ends."""
        return self.run_context.failures

    @property
    def warned(self) -> set[str]:
        """Warnings about settings already given this run (`RunContext.warn_once`)."""
        return self.run_context.warned

    def stream(self, name: str) -> PinterestStream:
        """A stream of this tap by name, typed (every stream the tap builds is one)."""
        found = self.streams[name]
        if not isinstance(found, PinterestStream):
            msg = f"stream {name} is not a Pinterest stream ({type(found).__name__})"
            raise TypeError(msg)
        return found

    def continues_on_stream_error(self) -> bool:
        """on_stream_error: go on with the other streams (default), or stop at once."""
        return str(self.config.get("on_stream_error", "continue")) != "fail"

    @override
    def discover_streams(self) -> list[Stream]:
        stream_types = [*streams.STREAM_TYPES, *streams.custom_report_types(self.config)]
        return [stream_class(tap=self) for stream_class in stream_types]

    @override
    def load_state(self, state: dict[str, Any]) -> None:
        """Reject a state of the wrong shape in one line, before the SDK walks it."""
        check_state_shape(state)
        super().load_state(state)

    @override
    def before_sync(self) -> None:
        """Report-backed streams last in each ad account, their reports created first.

        So Pinterest builds them while the account's other streams sync.
        """
        sync_report_streams_last(self)
        start_reports_early(self)

    @override
    def after_sync(self) -> None:
        """After the final STATE (every completed stream's bookmarks): totals, failures."""
        self.log_stream_totals()
        self.raise_failures()

    def raise_failures(self) -> None:
        """One summary of the partitions that failed and the quota categories closed."""
        self.failures.failures.extend(self.run_context.quota.failures())
        self.failures.raise_if_any()

    def log_stream_totals(self) -> None:
        """One INFO line per stream that ran: what it emitted and what it cost."""
        for stream in self.streams.values():
            calls = int(getattr(stream, "calls_made", 0))
            # A deselected parent still reads its records (for its children), unwritten.
            records = int(getattr(stream, "records_emitted", 0)) if stream.selected else 0
            if calls or records:
                self.logger.info(
                    "Stream %s: %d records, %d HTTP calls", stream.name, records, calls
                )

    @override
    def before_connection_test(self) -> None:
        """--test reads one record per stream: one call at a time, none made ahead of it."""
        self.run_context.max_concurrent_requests = 1

    @override
    def after_connection_test(self) -> None:
        """--test fails too when a stream's endpoint is refused or a quota closed."""
        self.raise_failures()

    @contextlib.contextmanager
    @override
    def around_sync(self) -> Iterator[None]:
        """Write the records the writer still gathers (SingerLineWriter batches them).

        Also when the block breaks off; then a stdout that cannot take them (the target
        is gone) must not replace that error with its own.
        """
        write_pending = getattr(self.message_writer, "write_pending", lambda: None)
        try:
            yield
        except BaseException:
            with contextlib.suppress(OSError, ValueError):  # ValueError: stdout closed
                write_pending()
            raise
        write_pending()

    @classmethod
    @override
    def invoke(  # type: ignore[override]
        cls,
        *,
        about: bool = False,
        about_format: str | None = None,
        config: ConfigInput | None = None,
        state: IO[str] | None = None,
        catalog: IO[str] | None = None,
    ) -> None:
        """Read --state ourselves, so a file that is not JSON is one clear line."""
        if state is not None:
            text = state.read()
            parse_state_text(text, getattr(state, "name", "--state"))
            state = io.StringIO(text)
        super().invoke(
            about=about, about_format=about_format, config=config, state=state, catalog=catalog
        )


if __name__ == "__main__":
    TapPinterest.cli()
