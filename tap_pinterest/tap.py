"""TapPinterest: settings, one authenticator and rate limiter per run, and the streams."""

from __future__ import annotations

import copy
from functools import cached_property
from typing import TYPE_CHECKING

from singer_sdk import Tap
from singer_sdk.exceptions import ConfigValidationError
from typing_extensions import override

from tap_pinterest import streams
from tap_pinterest.auth import PinterestBearerAuthenticator, PinterestOAuthAuthenticator
from tap_pinterest.ratelimit import RateLimiter
from tap_pinterest.settings import (
    CONFIG_SCHEMA,
    DEFAULT_API_URL,
    redact_secrets,
    semantic_errors,
)
from tap_pinterest.token_store import TokenStore, TokenStoreError
from tap_pinterest.writer import SingerLineWriter

if TYPE_CHECKING:
    from singer_sdk.authenticators import APIAuthenticatorBase
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
            raise ConfigValidationError(str(exc), errors=[str(exc)]) from None

    @cached_property
    def listed_ids(self) -> dict[tuple[str, str], list[str]]:
        """Ids each entity stream listed per ad account this run, for the analytics."""
        return {}

    @cached_property
    def rate_limiter(self) -> RateLimiter:
        """Pinterest counts calls per user and app: one budget for every stream."""
        return RateLimiter()

    @override
    def discover_streams(self) -> list[Stream]:
        return [stream_class(tap=self) for stream_class in streams.STREAM_TYPES]


if __name__ == "__main__":
    TapPinterest.cli()
