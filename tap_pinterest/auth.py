"""Authenticators: a static bearer token, or Pinterest's refreshing OAuth flow.

singer-sdk 0.54's OAuthAuthenticator drops the rotated refresh token and refreshes only
after expiry; both would break long scheduled syncs, so this subclass fixes them here.
"""

from __future__ import annotations

import base64
import threading
import time
from typing import TYPE_CHECKING, Any

import requests
from singer_sdk.authenticators import BearerTokenAuthenticator, OAuthAuthenticator
from typing_extensions import override

from tap_pinterest import sdk_seam
from tap_pinterest.errors import PinterestAuthError, api_error_summary
from tap_pinterest.token_store import StoredTokens, TokenStore, TokenStoreError, fingerprint

if TYPE_CHECKING:
    from requests import PreparedRequest

# Refresh this long before Pinterest's expires_in, so a request never races the expiry.
EARLY_REFRESH_SECONDS = 300
REFRESH_TOKEN_WARNING_SECONDS = 7 * 24 * 3600


def _basic_header(client_id: str, client_secret: str) -> str:
    pair = f"{client_id}:{client_secret}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


class PinterestBearerAuthenticator(BearerTokenAuthenticator):
    """A static access token, sent as a header only.

    The SDK's base authenticator re-encodes every query string to add auth params, which
    turns the literal commas of explode=false parameters (columns) into %2C; Pinterest
    needs no auth params, so the URL is left as built.
    """

    @override
    def authenticate_request(self, request: PreparedRequest) -> PreparedRequest:
        request.headers.update(self.auth_headers)
        return request


class PinterestOAuthAuthenticator(OAuthAuthenticator):
    """POST /oauth/token with grant_type=refresh_token and HTTP Basic client auth (spec)."""

    def __init__(  # noqa: PLR0913
        self,
        *,
        auth_endpoint: str,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        continuous_refresh: bool = False,
        token_store: TokenStore | None = None,
        timeout: int = 60,
    ) -> None:
        """Start from the stored tokens when the store continues the configured token."""
        self._token_headers = {"Authorization": _basic_header(client_id, client_secret)}
        super().__init__(
            auth_endpoint=auth_endpoint,
            client_id=client_id,
            client_secret=client_secret,
            oauth_headers=self._token_headers,
        )
        self.refresh_token = refresh_token
        self.refresh_token_expires_at: int | None = None
        self._continuous_refresh = continuous_refresh
        self._token_store = token_store
        self._timeout = timeout
        self._config_fingerprint = fingerprint(refresh_token)
        self._access_token_expires_at: float | None = None
        self._retrying_after_401 = False
        self._rejected_access_token: str | None = None
        # Calls in flight together (concurrency.py) share this token: one refresh at a time.
        self._refreshing = threading.RLock()
        self._load_store()

    def _load_store(self, *, only_if_fresher: bool = False) -> bool:
        """Adopt the stored tokens when they continue the configured refresh token.

        Read at start and again, under the store's lock, before each refresh, so jobs
        sharing one store (a sync sharded by ad_account_ids) go on with the token another
        job already got instead of refreshing (and rotating) again.
        """
        stored = self._token_store.load() if self._token_store else None
        if stored is None or stored.config_fingerprint != self._config_fingerprint:
            # No store yet, or the user has put a new refresh token in the config:
            # the config is newer than anything the store knows.
            return False
        if (
            only_if_fresher
            and stored.access_token in {None, self._rejected_access_token}
            and stored.refresh_token == self.refresh_token
        ):
            return False  # nothing newer than what this job holds
        self.refresh_token = stored.refresh_token
        self.refresh_token_expires_at = stored.refresh_token_expires_at
        if not only_if_fresher:
            self.logger.info("Using the tokens kept in token_store_path")
        if stored.refresh_token_expires_at is not None and not only_if_fresher:
            self._warn_if_refresh_token_expires_soon(int(stored.refresh_token_expires_at))
        if (
            stored.access_token
            and stored.access_token_expires_at
            and stored.access_token != self._rejected_access_token
        ):
            self.access_token = stored.access_token
            self._access_token_expires_at = stored.access_token_expires_at
        return True

    @property
    @override
    def oauth_request_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "grant_type": "refresh_token",
            "refresh_token": self.refresh_token,
        }
        if self._continuous_refresh:
            body["continuous_refresh"] = "true"
        return body

    @override
    def is_token_valid(self) -> bool:
        if not self.access_token or self._access_token_expires_at is None:
            return False
        return time.time() < self._access_token_expires_at - EARLY_REFRESH_SECONDS

    @override
    def authenticate_request(self, request: PreparedRequest) -> PreparedRequest:
        """Refresh when due, then set the header only (see PinterestBearerAuthenticator).

        Calls in flight together wait for one refresh, made once, and then use its token.
        """
        with self._refreshing:
            if not self.is_token_valid():
                self.update_access_token()
            token = self.access_token
        request.headers["Authorization"] = f"Bearer {token}"
        return request

    def retry_after_401(self, sent_token: str | None = None) -> bool:
        """Forget the rejected token and allow one retry; refuse a second 401 in a row.

        A 401 for a token already replaced (another call in flight was refused it first,
        and the token was forgotten or refreshed since) is retried with the current one.
        """
        with self._refreshing:
            if sent_token is not None and sent_token != self.access_token:
                return True
            if self._retrying_after_401:
                return False
            self._retrying_after_401 = True
            self._rejected_access_token = self.access_token
            self.access_token = None
            self._access_token_expires_at = None
            return True

    def note_accepted(self) -> None:
        """A request went through: the next 401 may be retried again."""
        self._retrying_after_401 = False

    @override
    def update_access_token(self) -> None:
        if self._token_store is None:
            self._refresh()
            return
        try:
            with self._token_store.locked():
                if self._load_store(only_if_fresher=True) and self.is_token_valid():
                    self.logger.info("Using the access token another job just stored")
                    return
                self._refresh()
        except TokenStoreError as exc:
            raise PinterestAuthError(str(exc)) from None

    def _refresh(self) -> None:
        """POST /oauth/token with the refresh grant; keep what Pinterest sends back."""
        self.logger.info("Refreshing the Pinterest access token")
        requested_at = time.time()
        try:
            response = sdk_seam.token_session(self).post(
                self.auth_endpoint,
                headers=self._token_headers,
                data=self.oauth_request_payload,
                timeout=self._timeout,
            )
        except requests.RequestException as exc:
            msg = f"Token refresh failed: could not reach the token endpoint ({type(exc).__name__})"
            raise PinterestAuthError(msg) from None
        if not response.ok:
            msg = (
                f"Token refresh refused by Pinterest ({api_error_summary(response)}); "
                "check client_id, client_secret and refresh_token, or authorize the app again"
            )
            raise PinterestAuthError(msg)
        try:
            body = response.json()
            access_token = str(body["access_token"])
            expires_in = int(body["expires_in"])
        except (ValueError, KeyError, TypeError):
            msg = "Token refresh answer has no access_token/expires_in"
            raise PinterestAuthError(msg) from None
        self.access_token = access_token
        self.expires_in = expires_in
        self._access_token_expires_at = requested_at + expires_in
        self._keep_rotated_refresh_token(body)

    def _keep_rotated_refresh_token(self, body: dict[str, Any]) -> None:
        rotated = body.get("refresh_token")
        if rotated:
            self.refresh_token = str(rotated)
        expires_at = body.get("refresh_token_expires_at")
        if expires_at is None and body.get("refresh_token_expires_in") is not None:
            expires_at = int(time.time()) + int(body["refresh_token_expires_in"])
        if expires_at is not None:
            self.refresh_token_expires_at = int(expires_at)
            self._warn_if_refresh_token_expires_soon(int(expires_at))
        if self._token_store is not None:
            self._save_store()
        elif rotated:
            self.logger.info(
                "Pinterest rotated the refresh token; set token_store_path to keep it "
                "for the next run"
            )

    def _save_store(self) -> None:
        """Keep the rotated tokens; a write failure must not end a run that can go on."""
        if self._token_store is None:
            return
        try:
            self._token_store.save(
                StoredTokens(
                    config_fingerprint=self._config_fingerprint,
                    refresh_token=str(self.refresh_token),
                    refresh_token_expires_at=self.refresh_token_expires_at,
                    access_token=self.access_token,
                    access_token_expires_at=self._access_token_expires_at,
                )
            )
        except TokenStoreError as exc:
            self.logger.error(  # noqa: TRY400 - the message is the whole story; no traceback
                "%s; the rotated refresh token is kept for this run only", exc
            )

    def _warn_if_refresh_token_expires_soon(self, expires_at: int) -> None:
        remaining = expires_at - time.time()
        if remaining < REFRESH_TOKEN_WARNING_SECONDS:
            self.logger.warning(
                "The Pinterest refresh token expires in %.1f days; run the tap with "
                "token_store_path set, or authorize the app again",
                max(remaining, 0) / 86400,
            )
