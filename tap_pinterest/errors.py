"""Error types and messages that name the problem without leaking secrets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from singer_sdk.exceptions import FatalAPIError

if TYPE_CHECKING:
    import requests


class PinterestAuthError(FatalAPIError):
    """Authentication cannot go on: a refused refresh, or a 401 right after one."""


class PinterestAPIError(FatalAPIError):
    """Pinterest answered a request with an error that retrying will not fix."""


class InvalidStateError(FatalAPIError):
    """The state handed to the tap holds a bookmark it cannot have written."""


class PinterestNotFoundError(PinterestAPIError):
    """HTTP 404: the object is gone (e.g. a board deleted while the sync ran)."""


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
