"""TapPinterest: settings, one authenticator and rate limiter per run, and the streams."""

from __future__ import annotations

import contextlib
import copy
import io
from functools import cached_property
from typing import IO, TYPE_CHECKING, Any

from singer_sdk import Tap
from singer_sdk.exceptions import ConfigValidationError
from typing_extensions import override

from tap_pinterest import streams
from tap_pinterest.auth import PinterestBearerAuthenticator, PinterestOAuthAuthenticator
from tap_pinterest.clock import SYSTEM_CLOCK, Clock
from tap_pinterest.errors import PinterestAuthError
from tap_pinterest.failures import FailureLog
from tap_pinterest.ratelimit import RateLimiter
from tap_pinterest.settings import (
    CONFIG_SCHEMA,
    DEFAULT_API_URL,
    redact_secrets,
    semantic_errors,
)
from tap_pinterest.state_check import check_state_shape, parse_state_text
from tap_pinterest.token_store import TokenStore, TokenStoreError
from tap_pinterest.writer import SingerLineWriter

if TYPE_CHECKING:
    from collections.abc import Iterator

    from singer_sdk.authenticators import APIAuthenticatorBase
    from singer_sdk.plugin_base import _ConfigInput
    from singer_sdk.streams import Stream


class TapPinterest(Tap):
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
    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        """Add the cross-setting checks to the SDK's JSON-schema validation."""
        errors = super()._validate_config(raise_errors=False)
        errors += semantic_errors(dict(self.config))
        errors = [redact_secrets(error, self.config) for error in errors]
        if errors and raise_errors:
            summary = "Config validation failed: " + " ".join(errors)
            raise ConfigValidationError(summary, errors=errors, schema=self.config_jsonschema)
        return errors

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
    def listed_ids(self) -> dict[tuple[str, str], list[str]]:
        """Ids each entity stream listed per ad account this run, for the analytics."""
        return {}

    @cached_property
    def listed_items(self) -> dict[tuple[str, str], list[dict[str, Any]]]:
        """Items listed for a full-table stream that runs later (pins for pin_analytics)."""
        return {}

    @cached_property
    def warned(self) -> set[str]:
        """Warnings about settings already logged this run (they are logged once)."""
        return set()

    @cached_property
    def clock(self) -> Clock:
        """What every wait of the run goes through (tests in-process set their own)."""
        return SYSTEM_CLOCK

    @cached_property
    def rate_limiter(self) -> RateLimiter:
        """Pinterest counts calls per user and app: one budget for every stream."""
        return RateLimiter(self.clock)

    @cached_property
    def failures(self) -> FailureLog:
        """Partitions that ended early this run, summarised when the sync ends."""
        return FailureLog()

    def continues_on_stream_error(self) -> bool:
        """on_stream_error: go on with the other streams (default), or stop at once."""
        return str(self.config.get("on_stream_error", "continue")) != "fail"

    @override
    def discover_streams(self) -> list[Stream]:
        return [stream_class(tap=self) for stream_class in streams.STREAM_TYPES]

    @override
    def load_state(self, state: dict[str, Any]) -> None:
        """Reject a state of the wrong shape in one line, before the SDK walks it."""
        check_state_shape(state)
        super().load_state(state)

    @override  # type: ignore[misc]
    def sync_all(self) -> None:
        """Sync every stream, then fail the run if any partition failed.

        The SDK marks sync_all final but offers no hook after the last stream: the final
        STATE (every completed stream's bookmarks) is written first, then the summary.
        Records still gathered for writing are written even when the sync breaks off.
        """
        with self.records_written_out():
            super().sync_all()
        self.log_stream_totals()
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

    @override  # type: ignore[misc]
    def run_connection_test(self) -> bool:
        """--test fails too when a stream's endpoint is refused (the SDK marks it final)."""
        with self.records_written_out():
            result = bool(super().run_connection_test())
        self.failures.raise_if_any()
        return result

    @contextlib.contextmanager
    def records_written_out(self) -> Iterator[None]:
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
        config: _ConfigInput | None = None,
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
