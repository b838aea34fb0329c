"""A fake Pinterest API v5 server for the tap-pinterest test suite.

One module per job (:class:`~tests.fake_api.server.FakePinterestAPI` mixes in the
domain modules' handlers, so ``api.<name>`` reaches all of them):

- :mod:`tests.fake_api.server`: the HTTP server, the routing table, faults and
  injection, stalls, rate limits, the request log, and the fake's contract where the
  spec is silent (its docstring); every name below stays importable from it.
- :mod:`tests.fake_api.common`: limits, :class:`ApiError` and query parsing (``_Query``).
- :mod:`tests.fake_api.auth`: bearer-token checks and ``POST /oauth/token``.
- :mod:`tests.fake_api.paging`: bookmarks, page sizes, page hooks, ordering.
- :mod:`tests.fake_api.entities`: ad accounts, campaigns, ad groups, ads, audiences,
  customer lists, conversion tags, keywords.
- :mod:`tests.fake_api.analytics`: synchronous ads analytics and their date rules.
- :mod:`tests.fake_api.reports`: async reports (create, poll, download, rows).
- :mod:`tests.fake_api.organic`: user account, followers, boards, sections, pins,
  organic analytics and top pins.
- :mod:`tests.fake_api.shopping`: catalogs, product group promotions and analytics,
  targeting analytics (data and routes).
- :mod:`tests.fake_api.data`: the deterministic data set and the analytics value
  functions.
- :mod:`tests.fake_api.quirks`: behaviours of the live API that the spec does not
  document (throttling 400s, a spent daily quota, a cut-short pin listing...).
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
