"""Authentication over real HTTP: static token, Pinterest's refreshing OAuth, token store.

Every check reads the fake's request log (secrets there are `redact()`ed), so the tests
see exactly what Pinterest would receive.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import logging
import re
import stat
import time
from typing import TYPE_CHECKING, Any

import pytest

from tap_pinterest.auth import PinterestOAuthAuthenticator
from tap_pinterest.errors import PinterestAuthError
from tap_pinterest.tap import TapPinterest
from tap_pinterest.token_store import fingerprint
from tests.fake_api import redact
from tests.fake_api.server import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REFRESH_TOKEN,
    DEFAULT_STATIC_TOKEN,
)
from tests.followers import (
    FOLLOWERS,
    FOLLOWERS_PATH,
    assert_all_followers,
    sync_followers,
)
from tests.tap_runner import catalog_selecting, run_sync

if TYPE_CHECKING:
    from pathlib import Path

    from tests.fake_api import FakePinterestAPI
    from tests.fake_api.server import LoggedRequest

TOKEN_PATH = r"/v5/oauth/token"
# Pinterest's rotated tokens as the fake issues them ("at-1", "rt-1", ...).
ISSUED_TOKEN = re.compile(r"\b(?:at|rt)-\d+\b")


def basic_credentials() -> str:
    """The fake logs the Basic credentials redacted; this is what it should have seen."""
    pair = f"{DEFAULT_CLIENT_ID}:{DEFAULT_CLIENT_SECRET}".encode()
    return "Basic " + redact(base64.b64encode(pair).decode("ascii"))


def token_calls(api: FakePinterestAPI) -> list[LoggedRequest]:
    """Every POST /oauth/token the tap made."""
    return api.calls(TOKEN_PATH, method="POST")


def sent_refresh_tokens(api: FakePinterestAPI) -> list[str]:
    """The (redacted) refresh token of each token call, in order."""
    return [call.form["refresh_token"][0] for call in token_calls(api)]


# ---------------------------------------------------------------- static token
def test_static_token_is_sent_as_bearer_and_never_refreshed(
    fake_api: FakePinterestAPI, static_config: dict[str, Any]
) -> None:
    """A static access_token goes out unchanged on every request; OAuth is never used."""
    static_config["page_size"] = 10
    result = run_sync(static_config, streams={FOLLOWERS, "user_account"})

    assert_all_followers(fake_api, [r["username"] for r in result.stream(FOLLOWERS)])
    assert len(result.stream("user_account")) == 1
    # 1 user_account call + 3 follower pages, and nothing else (no token call).
    assert len(fake_api.log) == 4
    assert token_calls(fake_api) == []
    assert fake_api.issued_token_count == 0
    bearer = f"Bearer {redact(DEFAULT_STATIC_TOKEN)}"
    assert [r.header("Authorization") for r in fake_api.log] == [bearer] * 4
    assert all(r.status == 200 for r in fake_api.log)


def test_rejected_static_token_fails_once_without_retry_storm(
    fake_api: FakePinterestAPI, static_config: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """A static token cannot be refreshed: the first 401 is a fatal, clear auth error."""
    static_config["access_token"] = "WRONG-STATIC-TOKEN-123"
    with pytest.raises(PinterestAuthError) as info:
        sync_followers(static_config)

    message = str(info.value)
    assert "rejected the credentials" in message
    assert "HTTP 401" in message
    assert "WRONG-STATIC-TOKEN-123" not in message
    assert "WRONG-STATIC-TOKEN-123" not in caplog.text
    assert [r.status for r in fake_api.calls(FOLLOWERS_PATH)] == [401]
    assert len(fake_api.log) == 1
    assert token_calls(fake_api) == []


# ------------------------------------------------------------------- OAuth flow
@pytest.mark.parametrize(
    ("continuous_refresh", "expected_form_extra"),
    [(None, {}), (False, {}), (True, {"continuous_refresh": ["true"]})],
)
def test_first_request_triggers_one_spec_shaped_refresh(
    fake_api: FakePinterestAPI,
    oauth_config: dict[str, Any],
    continuous_refresh: bool | None,
    expected_form_extra: dict[str, list[str]],
) -> None:
    """POST /oauth/token: HTTP Basic client auth, grant_type=refresh_token, once per run."""
    if continuous_refresh is not None:
        oauth_config["continuous_refresh"] = continuous_refresh
    oauth_config["page_size"] = 10
    assert_all_followers(fake_api, sync_followers(oauth_config))

    calls = token_calls(fake_api)
    assert len(calls) == 1
    assert fake_api.log[0] == calls[0]  # the refresh comes before any data request
    assert calls[0].header("Authorization") == basic_credentials()
    assert calls[0].form == {
        "grant_type": ["refresh_token"],
        "refresh_token": [redact(DEFAULT_REFRESH_TOKEN)],
        **expected_form_extra,
    }
    data_calls = fake_api.calls(FOLLOWERS_PATH)
    assert len(data_calls) == 3
    assert {r.header("Authorization") for r in data_calls} == {f"Bearer {redact('at-1')}"}


def test_rotated_refresh_token_is_used_for_later_refreshes(
    fake_api: FakePinterestAPI, oauth_config: dict[str, Any]
) -> None:
    """Pinterest invalidates a used refresh token: each refresh must send the newest one."""
    fake_api.invalidate_rotated_refresh_tokens = True
    fake_api.access_token_max_requests = 2
    oauth_config["page_size"] = 5  # 6 pages: two access tokens run out mid-sync

    assert_all_followers(fake_api, sync_followers(oauth_config))

    assert sent_refresh_tokens(fake_api) == [
        redact(DEFAULT_REFRESH_TOKEN),
        redact("rt-1"),
        redact("rt-2"),
    ]
    assert fake_api.issued_token_count == 3
    statuses = [r.status for r in fake_api.calls(FOLLOWERS_PATH)]
    # pages 1-2, 401, pages 3-4, 401, pages 5-6
    assert statuses == [200, 200, 401, 200, 200, 401, 200, 200]


def test_401_mid_sync_refreshes_once_and_retries_the_request(
    fake_api: FakePinterestAPI, oauth_config: dict[str, Any]
) -> None:
    """An expired access token costs one refresh and one repeated request, no lost page."""
    fake_api.access_token_max_requests = 2
    oauth_config["page_size"] = 10

    assert_all_followers(fake_api, sync_followers(oauth_config))

    assert len(token_calls(fake_api)) == 2  # the first token, then one refresh
    calls = fake_api.calls(FOLLOWERS_PATH)
    assert [r.status for r in calls] == [200, 200, 401, 200]
    # The retried request is the same page (same bookmark) with the new token.
    assert calls[2].query == calls[3].query
    assert "bookmark" in calls[3].query
    assert calls[2].header("Authorization") == f"Bearer {redact('at-1')}"
    assert calls[3].header("Authorization") == f"Bearer {redact('at-2')}"


@pytest.mark.parametrize("times", [2, 5])
def test_401_right_after_a_fresh_refresh_is_fatal(
    fake_api: FakePinterestAPI, oauth_config: dict[str, Any], times: int
) -> None:
    """A brand-new token rejected again means refreshing cannot help: stop, don't loop."""
    fake_api.inject(FOLLOWERS_PATH, 401, times=times)
    with pytest.raises(PinterestAuthError) as info:
        sync_followers(oauth_config)

    message = str(info.value)
    assert "rejected the credentials" in message
    assert "HTTP 401" in message
    assert len(token_calls(fake_api)) == 2
    assert [r.status for r in fake_api.calls(FOLLOWERS_PATH)] == [401, 401]


def test_refused_refresh_names_settings_and_leaks_no_secret(
    fake_api: FakePinterestAPI, oauth_config: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """A refused refresh tells the user which settings to fix, without echoing them."""
    caplog.set_level(logging.DEBUG)
    fake_api.refuse_refresh = True
    with pytest.raises(PinterestAuthError) as info:
        sync_followers(oauth_config)

    message = str(info.value)
    assert "refresh refused" in message
    assert "Invalid refresh token." in message  # the API's own message
    for setting in ("client_id", "client_secret", "refresh_token"):
        assert setting in message
    for secret in (DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_REFRESH_TOKEN):
        assert secret not in message
        assert secret not in caplog.text
    assert len(token_calls(fake_api)) == 1
    assert fake_api.calls(FOLLOWERS_PATH) == []


def test_oauth_flow_logs_no_secret_at_debug(
    fake_api: FakePinterestAPI, oauth_config: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """Refreshes, rotations and 401 retries are logged without any token or secret."""
    caplog.set_level(logging.DEBUG)
    for name in ("tap-pinterest", "singer_sdk", "urllib3", "tap_pinterest"):
        caplog.set_level(logging.DEBUG, logger=name)
    fake_api.invalidate_rotated_refresh_tokens = True
    fake_api.access_token_max_requests = 2
    oauth_config["page_size"] = 10

    assert_all_followers(fake_api, sync_followers(oauth_config))
    assert fake_api.issued_token_count == 2

    text = caplog.text
    assert "Refreshing the Pinterest access token" in text  # the flow was logged at all
    basic = base64.b64encode(f"{DEFAULT_CLIENT_ID}:{DEFAULT_CLIENT_SECRET}".encode()).decode()
    for secret in (DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_REFRESH_TOKEN, basic):
        assert secret not in text
    assert ISSUED_TOKEN.findall(text) == []
    # Sixty days left on the refresh token: no expiry warning.
    assert "refresh token expires in" not in text


def test_refresh_token_close_to_expiry_is_warned_about(
    fake_api: FakePinterestAPI, oauth_config: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """A refresh token with under 7 days left warns, so the job is re-authorized in time."""
    fake_api.refresh_token_ttl = 3 * 24 * 3600
    caplog.set_level(logging.WARNING)

    assert_all_followers(fake_api, sync_followers(oauth_config))

    warnings = [
        r.getMessage() for r in caplog.records if "refresh token expires in" in r.getMessage()
    ]
    assert len(warnings) == 1
    assert "expires in 3.0 days" in warnings[0]
    assert DEFAULT_REFRESH_TOKEN not in caplog.text
    assert ISSUED_TOKEN.findall(caplog.text) == []


# ----------------------------------------------------------------- token store
def read_store(path: Path) -> dict[str, Any]:
    """The token store file as JSON."""
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def test_token_store_carries_tokens_between_runs(
    fake_api: FakePinterestAPI, oauth_config: dict[str, Any], tmp_path: Path
) -> None:
    """The newest rotated tokens survive the run; the next run starts from them."""
    store = tmp_path / "state" / "tokens.json"
    oauth_config["token_store_path"] = str(store)
    oauth_config["page_size"] = 10
    fake_api.invalidate_rotated_refresh_tokens = True
    fake_api.access_token_max_requests = 2

    # Run 1: two refreshes; the store keeps the second rotation, private to the user.
    assert_all_followers(fake_api, sync_followers(oauth_config))
    assert fake_api.issued_token_count == 2
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    stored = read_store(store)
    assert stored["refresh_token"] == "rt-2"
    assert stored["access_token"] == "at-2"
    assert DEFAULT_REFRESH_TOKEN not in fake_api.refresh_tokens  # the config's is now dead

    # Run 2, same config: the stored access token is still valid, so no token call.
    fake_api.clear_log()
    fake_api.access_token_max_requests = None
    assert_all_followers(fake_api, sync_followers(oauth_config))
    assert token_calls(fake_api) == []
    calls = fake_api.calls(FOLLOWERS_PATH)
    assert len(calls) == 3
    assert {r.header("Authorization") for r in calls} == {f"Bearer {redact('at-2')}"}

    # Run 3: the stored access token was revoked; one refresh with the stored rt-2.
    fake_api.clear_log()
    fake_api.expire_access_tokens()
    assert_all_followers(fake_api, sync_followers(oauth_config))
    assert sent_refresh_tokens(fake_api) == [redact("rt-2")]
    assert [r.status for r in fake_api.calls(FOLLOWERS_PATH)] == [401, 200, 200, 200]
    assert read_store(store)["refresh_token"] == "rt-3"
    assert stat.S_IMODE(store.stat().st_mode) == 0o600


def test_new_refresh_token_in_config_wins_over_the_store(
    fake_api: FakePinterestAPI, oauth_config: dict[str, Any], tmp_path: Path
) -> None:
    """Re-authorizing puts a new refresh token in the config: the old store must yield."""
    store = tmp_path / "tokens.json"
    oauth_config["token_store_path"] = str(store)
    assert_all_followers(fake_api, sync_followers(oauth_config))
    assert read_store(store)["refresh_token"] == "rt-1"

    fake_api.clear_log()
    fake_api.refresh_tokens.add("re-authorized-refresh-token")
    oauth_config["refresh_token"] = "re-authorized-refresh-token"
    assert_all_followers(fake_api, sync_followers(oauth_config))

    # The stored at-1 is still valid, yet the config's new token is what gets used.
    assert sent_refresh_tokens(fake_api) == [redact("re-authorized-refresh-token")]
    assert {r.header("Authorization") for r in fake_api.calls(FOLLOWERS_PATH)} == {
        f"Bearer {redact('at-2')}"
    }
    assert read_store(store)["refresh_token"] == "rt-2"


def test_corrupt_token_store_is_a_clear_one_line_error(
    fake_api: FakePinterestAPI, oauth_config: dict[str, Any], tmp_path: Path
) -> None:
    """A damaged store is named, not dumped (it may hold tokens), and nothing is sent."""
    store = tmp_path / "tokens.json"
    store.write_text('{"refresh_token": "SECRET-IN-STORE"', "utf-8")
    oauth_config["token_store_path"] = str(store)
    with pytest.raises(PinterestAuthError) as info:
        sync_followers(oauth_config)

    message = str(info.value)
    assert "token_store_path" in message
    assert str(store) in message
    assert "\n" not in message
    assert "SECRET-IN-STORE" not in message
    assert fake_api.log == []


def write_store(path: Path, **fields: Any) -> None:
    """A token store as a previous run of the tap would have left it."""
    path.write_text(
        json.dumps({"config_fingerprint": fingerprint(DEFAULT_REFRESH_TOKEN), **fields}), "utf-8"
    )


def test_access_token_close_to_expiry_is_refreshed_first(
    fake_api: FakePinterestAPI, oauth_config: dict[str, Any], tmp_path: Path
) -> None:
    """A token with under 5 minutes left is refreshed before use, not after a 401."""
    store = tmp_path / "tokens.json"
    oauth_config["token_store_path"] = str(store)
    now = time.time()
    fake_api.refresh_tokens.add("rt-stored")
    write_store(
        store,
        refresh_token="rt-stored",
        refresh_token_expires_at=int(now) + 30 * 86400,
        access_token="demo-access-token",  # valid at the fake, but about to expire
        access_token_expires_at=now + 120,
    )
    assert_all_followers(fake_api, sync_followers(oauth_config))
    assert sent_refresh_tokens(fake_api) == [redact("rt-stored")]
    assert [r.status for r in fake_api.calls(FOLLOWERS_PATH)] == [200]
    assert fake_api.calls(FOLLOWERS_PATH)[0].header("Authorization") == f"Bearer {redact('at-1')}"


def test_stored_refresh_token_near_expiry_warns_at_start(
    fake_api: FakePinterestAPI,
    oauth_config: dict[str, Any],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Reusing a stored access token still warns when the refresh token is running out."""
    store = tmp_path / "tokens.json"
    oauth_config["token_store_path"] = str(store)
    now = time.time()
    write_store(
        store,
        refresh_token="rt-stored",
        refresh_token_expires_at=int(now) + 2 * 86400 + 3600,
        access_token="demo-access-token",
        access_token_expires_at=now + 3600,
    )
    caplog.set_level(logging.WARNING)
    assert_all_followers(fake_api, sync_followers(oauth_config))
    assert token_calls(fake_api) == []
    warnings = [r.getMessage() for r in caplog.records if "expires in" in r.getMessage()]
    expected = (
        "The Pinterest refresh token expires in 2.0 days; run the tap with token_store_path "
        "set, or authorize the app again"
    )
    assert warnings == [expected]


def test_token_rotated_by_a_parallel_job_is_picked_up_before_refreshing(
    fake_api: FakePinterestAPI, oauth_config: dict[str, Any], tmp_path: Path
) -> None:
    """Sharded jobs share one store: a job whose token another job rotated adopts it."""
    oauth_config["token_store_path"] = str(tmp_path / "tokens.json")
    fake_api.invalidate_rotated_refresh_tokens = True
    # Followers only: the token's path is the same for every stream (a full sync cost ~40 s).
    catalog = catalog_selecting(oauth_config, {FOLLOWERS})
    slow_job = TapPinterest(config=oauth_config, catalog=catalog, parse_env_config=False)
    authenticator = slow_job.authenticator
    assert isinstance(authenticator, PinterestOAuthAuthenticator)
    assert authenticator.access_token is None  # started before the store existed

    assert_all_followers(fake_api, sync_followers(oauth_config))  # the other job rotates
    assert sent_refresh_tokens(fake_api) == [redact(DEFAULT_REFRESH_TOKEN)]

    fake_api.clear_log()
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        slow_job.sync_all()
    assert token_calls(fake_api) == []  # the config's token is dead; the stored at-1 is used
    assert {r.header("Authorization") for r in fake_api.calls(FOLLOWERS_PATH)} == {
        f"Bearer {redact('at-1')}"
    }
