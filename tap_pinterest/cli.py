"""The command line: every way the tap can fail ends in one line and a documented code.

Exit codes (README, "Failures and exit codes"):
- 0: everything synced.
- 1: the run stopped: settings, credentials, state, an unreachable API, a spent quota.
- 2: the command line itself is wrong (click's usage errors).
- 3: the sync finished, but some stream partitions failed (one line each above).

A traceback is printed only when asked for with TAP_PINTEREST_LOGLEVEL=DEBUG.
"""

from __future__ import annotations

import logging
import os
import sys

from singer_sdk.exceptions import ConfigValidationError

from tap_pinterest.errors import FatalTapError
from tap_pinterest.failures import StreamFailuresError
from tap_pinterest.tap import TapPinterest

LOGGER = logging.getLogger("tap-pinterest")
EXIT_FATAL = 1
EXIT_STREAMS_FAILED = 3
DEBUG_VARIABLE = "TAP_PINTEREST_LOGLEVEL"


def wants_traceback() -> bool:
    """True when the user asked for debug logs, and with them the traceback."""
    level = os.environ.get(DEBUG_VARIABLE) or os.environ.get("LOGLEVEL") or ""
    return level.upper() == "DEBUG"


def one_line(exc: BaseException) -> str:
    """The error as one line: the tap's own errors already name problem and remedy."""
    if isinstance(exc, ConfigValidationError):
        return "Config validation failed: " + " ".join(str(error) for error in exc.errors)
    if isinstance(exc, FatalTapError):
        text = str(exc)
    else:
        text = (
            f"unexpected {type(exc).__name__}: {exc} "
            f"(set {DEBUG_VARIABLE}=DEBUG for the traceback and report it)"
        )
    return " ".join(text.split())


def main() -> None:
    """Run the tap's CLI; turn any failure into one line on stderr and an exit code."""
    try:
        TapPinterest.cli()
    except StreamFailuresError as exc:
        if wants_traceback():
            raise
        LOGGER.error("%s", one_line(exc))  # noqa: TRY400 - one line, by design
        sys.exit(EXIT_STREAMS_FAILED)
    except Exception as exc:
        if wants_traceback():
            raise
        LOGGER.error("%s", one_line(exc))  # noqa: TRY400 - one line, by design
        sys.exit(EXIT_FATAL)


if __name__ == "__main__":
    main()
