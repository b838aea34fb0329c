"""Error types and messages that name the problem without leaking secrets.

Two families, because a scheduled sync must deliver everything it can:
- `PinterestAPIError` (and its subclasses) ends one stream partition: the request or
  the answer is wrong for that endpoint only, and the other streams can go on.
- `FatalTapError` ends the run: nothing else could succeed either (credentials, state,
  an unreachable API, a spent quota).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from singer_sdk.exceptions import FatalAPIError

if TYPE_CHECKING:
    import requests


class FatalTapError(FatalAPIError):
    """The run cannot go on: every other stream would fail the same way."""


class PinterestAuthError(FatalTapError):
    """Authentication cannot go on: a refused refresh, or a 401 right after one."""


class InvalidStateError(FatalTapError):
    """The state handed to the tap is not one the tap (or the SDK) could have written."""


class PinterestUnreachableError(FatalTapError):
    """Pinterest could not be reached at all, after every retry."""


class QuotaExhaustedError(FatalTapError):
    """Pinterest kept answering 429 after every retry: the quota is spent."""


class PinterestAPIError(FatalAPIError):
    """Pinterest refused one request, or answered it with something the tap cannot read.

    `status` and `code` are the HTTP status and the API's error code when Pinterest sent
    them; `hint` says what the user can do about it.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: object = None,
        hint: str | None = None,
    ) -> None:
        """Keep the parts the end-of-run summary names."""
        super().__init__(message)
        self.status = status
        self.code = code
        self.hint = hint


class PinterestNotFoundError(PinterestAPIError):
    """HTTP 404: the object is gone (e.g. a board deleted while the sync ran)."""


class CategoryClosedError(PinterestAPIError):
    """The quota of the call's x-ratelimit-category is spent for this run (quota.py)."""

    def __init__(self, message: str, *, category: str) -> None:
        """Keep the category: the end summary names it once, not per partition."""
        super().__init__(message, status=429)
        self.category = category


class UrlTooLongError(PinterestAPIError):
    """HTTP 414 or 431: a front end refused the request line; send fewer ids."""


def api_error_code(response: requests.Response) -> object:
    """The `code` of Pinterest's {code, message} error body, when there is one."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) else None


def api_error_summary(response: requests.Response) -> str:
    """'HTTP 400, code 1: <message>' from Pinterest's {code, message} error body (spec)."""
    summary = f"HTTP {response.status_code}"
    try:
        body = response.json()
    except ValueError:
        return summary
    if isinstance(body, dict):
        code, message = body.get("code"), body.get("message")
        if code is not None:
            summary += f", code {code}"
        if message:
            summary += f": {str(message)[:500]}"
    return summary
