"""A fake Pinterest API v5 server for the tap-pinterest test suite.

See :mod:`tests.fake_api.server` for the HTTP behaviour and :mod:`tests.fake_api.data`
for the deterministic data set and the analytics value functions;
:mod:`tests.fake_api.quirks` switches on behaviours of the live API that the spec does
not document (throttling 400s, a spent daily quota, a cut-short pin listing...).
"""

from __future__ import annotations

from tests.fake_api.data import (
    DEFAULT_ATTRIBUTION,
    Attribution,
    FakeData,
    Scale,
    column_kind,
    metric_value,
    organic_value,
)
from tests.fake_api.server import FakePinterestAPI, LoggedRequest, redact

__all__ = [
    "DEFAULT_ATTRIBUTION",
    "Attribution",
    "FakeData",
    "FakePinterestAPI",
    "LoggedRequest",
    "Scale",
    "column_kind",
    "metric_value",
    "organic_value",
    "redact",
]
