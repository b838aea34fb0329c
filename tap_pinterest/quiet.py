"""Keep warnings meaningful: drop the SDK lines that say nothing about this tap's runs.

- "Stream is assumed to be unsorted, progress is not resumable if interrupted" is logged
  for every partition of every incremental stream. This tap moves a bookmark only when
  its partition is complete, so a run resumed from its last STATE repeats the partition
  that was cut and loses nothing; the warning only trains users to ignore warnings.
- "An unhandled error occurred while syncing" precedes every fatal error; the tap prints
  that error itself as one line naming the stream.
"""

from __future__ import annotations

import logging

SDK_NOISE = (
    "Stream is assumed to be unsorted",
    "An unhandled error occurred while syncing",
)


class SdkNoiseFilter(logging.Filter):
    """Drops the SDK's log lines listed in SDK_NOISE."""

    def filter(self, record: logging.LogRecord) -> bool:
        """False for a line this tap replaces or makes pointless."""
        message = str(record.msg)
        return not message.startswith(SDK_NOISE)


NOISE_FILTER = SdkNoiseFilter()


def quiet_sdk_noise(*loggers: logging.Logger) -> None:
    """Attach the filter to the SDK's logger and the given ones (idempotent).

    A stream's logger comes through `sdk_seam.filterable_logger` (singer-sdk 0.55 hands
    out a LoggerAdapter, which holds no filters).
    """
    for logger in (logging.getLogger("singer_sdk"), *loggers):
        if NOISE_FILTER not in logger.filters:
            logger.addFilter(NOISE_FILTER)
