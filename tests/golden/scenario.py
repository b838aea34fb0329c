"""The golden syncs: fixed raw answers in, the tap's RECORD lines out."""

from __future__ import annotations

import contextlib
import io
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tap_pinterest.tap import TapPinterest
from tests.fake_api import FakePinterestAPI
from tests.fake_api.server import DEFAULT_STATIC_TOKEN
from tests.tap_runner import catalog_selecting

if TYPE_CHECKING:
    from collections.abc import Iterator

ANSWERS = Path(__file__).resolve().parent / "answers"
# path regex (re.search on /v5/...) -> answer file, served for every matching request.
ROUTES = {
    r"^/v5/ad_accounts$": "ad_accounts.json",
    r"^/v5/ad_accounts/\d+/ads$": "ads.json",
    r"^/v5/pins$": "pins.json",
    r"^/v5/ad_accounts/\d+/ads/analytics$": "ad_analytics.json",
    r"^/v5/ad_accounts/\d+/analytics$": "ad_account_analytics_hour.json",
    r"^/v5/pins/analytics$": "pin_analytics.json",
    r"^/v5/user_account/analytics$": "user_account_analytics.json",
}
DAY_STREAMS = {"ad_accounts", "ads", "ad_analytics", "pins", "pin_analytics"}
USER_STREAMS = {"user_account_analytics"}
HOUR_STREAMS = {"ad_accounts", "ad_account_analytics"}


def serve_answers(api: FakePinterestAPI) -> None:
    """Every golden path answers its file, whatever the query."""
    for regex, name in ROUTES.items():
        api.inject_raw(regex, (ANSWERS / name).read_bytes(), times=1000)


def _config(api: FakePinterestAPI, days_back: int, **extra: Any) -> dict[str, Any]:
    start = datetime.now(tz=timezone.utc).date() - timedelta(days=days_back)
    return {
        "access_token": DEFAULT_STATIC_TOKEN,
        "api_url": api.url,
        "start_date": start.isoformat(),
        **extra,
    }


def record_lines(config: dict[str, Any], streams: set[str]) -> list[str]:
    """The RECORD lines exactly as written to stdout (a bytes-backed stdout)."""
    catalog = catalog_selecting(config, streams)
    tap = TapPinterest(config=config, catalog=catalog, parse_env_config=False)
    raw = io.BytesIO()
    stdout = io.TextIOWrapper(raw, encoding="utf-8", write_through=True)
    with contextlib.redirect_stdout(stdout):
        tap.sync_all()
    stdout.flush()
    lines = raw.getvalue().decode("utf-8").splitlines(keepends=True)
    return [line for line in lines if line.startswith('{"type":"RECORD"')]


def golden_syncs(api: FakePinterestAPI) -> Iterator[str]:
    """Day-level ads and pins, the user's analytics, and hourly account analytics."""
    api.reset()
    serve_answers(api)
    yield from record_lines(_config(api, 5), DAY_STREAMS)
    yield from record_lines(_config(api, 5, organic_ad_account_id="549755885175"), USER_STREAMS)
    yield from record_lines(_config(api, 2, analytics_granularity="HOUR"), HOUR_STREAMS)


def golden_lines() -> list[str]:
    """Run the golden syncs against a fresh fake."""
    with FakePinterestAPI() as api:
        return list(golden_syncs(api))
