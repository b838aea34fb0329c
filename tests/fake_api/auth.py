"""Authentication of the fake Pinterest API: bearer tokens and ``POST /oauth/token``."""

from __future__ import annotations

import base64
import binascii
import time
from typing import Any
from urllib.parse import parse_qs

from tests.fake_api.common import (
    _AUTH_FAILED,
    DEFAULT_SCOPE,
    ApiError,
    _bad,
    _IssuedToken,
)


class AuthMixin:
    """Bearer-token checks and the OAuth token endpoint.

    Mixed into :class:`~tests.fake_api.server.FakePinterestAPI`, whose lock-guarded state
    it shares.
    """

    # Set by FakePinterestAPI.reset() (or its constructor).
    _issued: dict[str, _IssuedToken]
    _token_counter: int
    access_token_max_requests: int | None
    access_token_ttl: int
    client_id: str
    client_secret: str
    invalidate_rotated_refresh_tokens: bool
    refresh_token_ttl: int
    refresh_tokens: set[str]
    refuse_refresh: bool
    static_tokens: set[str]

    def _authenticate(self, headers: dict[str, str]) -> None:
        value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        scheme, _, token = value.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise ApiError(401, 2, _AUTH_FAILED)
        if token in self.static_tokens:
            return
        issued = self._issued.get(token)
        if issued is None or issued.revoked or time.time() >= issued.expires_at:
            raise ApiError(401, 2, _AUTH_FAILED)
        limit = self.access_token_max_requests
        if limit is not None and issued.requests >= limit:
            raise ApiError(401, 2, _AUTH_FAILED)
        issued.requests += 1

    def _oauth_token(self, headers: dict[str, str], body: str) -> dict[str, Any]:
        value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        scheme, _, cred = value.partition(" ")
        try:
            decoded = base64.b64decode(cred.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        client_id, _, client_secret = decoded.partition(":")
        if scheme.lower() != "basic" or (client_id, client_secret) != (
            self.client_id,
            self.client_secret,
        ):
            raise ApiError(401, 2, _AUTH_FAILED)
        form = parse_qs(body, keep_blank_values=True)
        grant_type = (form.get("grant_type") or [""])[0]
        if grant_type != "refresh_token":
            msg = "Unsupported grant_type."
            raise _bad(msg)
        refresh_token = (form.get("refresh_token") or [""])[0]
        if not refresh_token:
            msg = "Missing required parameter: refresh_token."
            raise _bad(msg)
        if self.refuse_refresh:
            msg = "Invalid refresh token."
            raise _bad(msg)
        if refresh_token not in self.refresh_tokens:
            raise ApiError(401, 2, "Invalid refresh token.")
        self._token_counter += 1
        n = self._token_counter
        access_token, new_refresh = f"at-{n}", f"rt-{n}"
        self._issued[access_token] = _IssuedToken(expires_at=time.time() + self.access_token_ttl)
        self.refresh_tokens.add(new_refresh)
        if self.invalidate_rotated_refresh_tokens:
            self.refresh_tokens.discard(refresh_token)
        return {
            "access_token": access_token,
            "token_type": "bearer",
            "expires_in": self.access_token_ttl,
            "scope": (form.get("scope") or [DEFAULT_SCOPE])[0],
            "response_type": "refresh_token",
            "refresh_token": new_refresh,
            "refresh_token_expires_in": self.refresh_token_ttl,
            "refresh_token_expires_at": int(time.time()) + self.refresh_token_ttl,
        }
