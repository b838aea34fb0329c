"""Pinterest's throttling sent as HTTP 400: the one place that knows its message forms.

The analytics endpoints (synchronous and report) answer a burst over their limit with
HTTP 400 and a message asking to wait, not with the spec's 429 (README, "Behaviours of
the live API that the spec does not document"). Such a 400 is a throttle: the tap waits
the seconds it names, bounded like Retry-After, and retries within the same budget as a
429. Every other 400 (a parameter, a limit, a date range) stays a permanent refusal.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import requests

# The message forms recognised, matched anywhere in the error body's `message`, case
# aside: "Retry after 60 seconds", "Retry after 1 second", "retry after 2.5 seconds".
THROTTLE_MESSAGE_FORMS = (re.compile(r"\bretry after (\d+(?:\.\d+)?) seconds?\b", re.IGNORECASE),)


def error_message(response: requests.Response) -> str:
    """The `message` of Pinterest's {code, message} error body, or ''."""
    try:
        body = response.json()
    except ValueError:
        return ""
    message = body.get("message") if isinstance(body, dict) else None
    return str(message) if message else ""


def throttle_seconds(response: requests.Response) -> float | None:
    """Seconds a throttling 400 asks to wait; None for any other answer."""
    if response.status_code != HTTPStatus.BAD_REQUEST:
        return None
    message = error_message(response)
    for form in THROTTLE_MESSAGE_FORMS:
        match = form.search(message)
        if match:
            return float(match.group(1))
    return None


def is_throttle(response: requests.Response) -> bool:
    """True for a 400 that asks to retry later (a throttle, not a bad request)."""
    return throttle_seconds(response) is not None
