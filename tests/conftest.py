"""Shared fixtures: one fake Pinterest API per session, reset before each test.

Tests that start a child process carry the `subprocess` (or `e2e`) marker, so
`-m "not e2e and not subprocess"` is the in-process part; an unmarked test that starts
one fails here, which keeps the markers true.
"""

from __future__ import annotations

import subprocess
import time
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pytest

from tests.fake_api import FakePinterestAPI
from tests.fake_api.server import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REFRESH_TOKEN,
    DEFAULT_STATIC_TOKEN,
)
from tests.fake_clock import FakeClock
from tests.postgres import (  # noqa: F401 - fixtures for every module
    postgres,
    postgres_plugins,
    postgres_server,
)

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(autouse=True)
def _child_processes_only_when_marked(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refuse subprocess.Popen in a test without the subprocess or e2e marker."""
    if any(request.node.get_closest_marker(name) for name in ("subprocess", "e2e")):
        return
    name = request.node.nodeid

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        msg = f"{name} starts a child process: mark it @pytest.mark.subprocess"
        raise AssertionError(msg)

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)


@pytest.fixture(scope="session")
def fake_api_server() -> Iterator[FakePinterestAPI]:
    """One server for the whole session (starting threads per test is wasteful)."""
    with FakePinterestAPI() as api:
        yield api


@pytest.fixture
def fake_api(fake_api_server: FakePinterestAPI) -> FakePinterestAPI:
    """The session server with every default restored, so tests cannot leak state."""
    fake_api_server.reset()
    fake_api_server.monotonic = time.monotonic
    return fake_api_server


@pytest.fixture
def clock(fake_api: FakePinterestAPI) -> FakeClock:
    """One simulated clock for the fake's rate-limit windows and a run (`run_sync(clock=)`).

    The tap's waits are recorded instead of slept, so a test asserts exactly what it waited.
    """
    clock = FakeClock()
    fake_api.monotonic = clock.monotonic
    return clock


@pytest.fixture
def static_config(fake_api: FakePinterestAPI) -> dict[str, Any]:
    """Tap config using the fake's static access token."""
    start = datetime.now(tz=timezone.utc).date() - timedelta(days=10)
    return {
        "access_token": DEFAULT_STATIC_TOKEN,
        "api_url": fake_api.url,
        "start_date": start.isoformat(),
    }


@pytest.fixture
def oauth_config(fake_api: FakePinterestAPI) -> dict[str, Any]:
    """Tap config using the OAuth refresh flow against the fake."""
    start = datetime.now(tz=timezone.utc).date() - timedelta(days=10)
    return {
        "client_id": DEFAULT_CLIENT_ID,
        "client_secret": DEFAULT_CLIENT_SECRET,
        "refresh_token": DEFAULT_REFRESH_TOKEN,
        "api_url": fake_api.url,
        "start_date": start.isoformat(),
    }
