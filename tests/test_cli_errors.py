"""Every way the tap fails prints one line on stderr, no traceback, and a documented code.

An unreachable API is a fatal error like the ones here, after 2 minutes of backoff: its
tries, waits and line are checked in-process on a simulated clock (tests/test_errors.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from tests.fake_api.data import Scale
from tests.fake_api.server import DEFAULT_CLIENT_SECRET, DEFAULT_REFRESH_TOKEN

if TYPE_CHECKING:
    from pathlib import Path

    from tests.fake_api import FakePinterestAPI

pytestmark = pytest.mark.subprocess

SECRETS = ("demo-access-token", DEFAULT_CLIENT_SECRET, DEFAULT_REFRESH_TOKEN, "wrong-secret")


def run_tap(tmp_path: Path, config: dict[str, Any], *args: str) -> subprocess.CompletedProcess[str]:
    """The installed CLI (python -m tap_pinterest), as Meltano runs it."""
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config), "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAP_PINTEREST_")}
    return subprocess.run(
        [sys.executable, "-m", "tap_pinterest", "--config", str(path), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
        env=env,
    )


# A whole sync in a child process, kept small: what these tests prove (the exit code, one
# line per failure, the other streams going on) does not depend on how many rows each stream
# has, so they sync two days and one targeting breakdown of the default data (two accounts).
SMALL = Scale(ad_accounts=2)
# Fewer entities still where no stream's records are counted.
TINY = Scale(ad_accounts=1, campaigns_per_account=2, ad_groups_per_campaign=1)


def small_sync(config: dict[str, Any]) -> dict[str, Any]:
    """`config` syncing two days (the fixture's last two) and one targeting breakdown."""
    end = date.fromisoformat(config["start_date"]) + timedelta(days=10)
    start = (end - timedelta(days=1)).isoformat()
    return {**config, "start_date": start, "targeting_types": ["GENDER"]}


def error_lines(stderr: str) -> list[str]:
    """The ERROR lines the tap logged."""
    return [line for line in stderr.splitlines() if "ERROR" in line]


def assert_one_clean_line(run: subprocess.CompletedProcess[str], code: int, text: str) -> None:
    assert run.returncode == code, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    lines = error_lines(run.stderr)
    assert len(lines) == 1, lines
    assert text in lines[0]
    for secret in SECRETS:
        assert secret not in run.stderr


def test_test_mode_with_a_wrong_client_secret_is_one_line(
    oauth_config: dict[str, Any], tmp_path: Path
) -> None:
    oauth_config["client_secret"] = "wrong-secret"
    run = run_tap(tmp_path, oauth_config, "--test")
    assert_one_clean_line(
        run, 1, "Token refresh refused by Pinterest (HTTP 401, code 2: Authentication failed.)"
    )
    assert "check client_id, client_secret and refresh_token" in error_lines(run.stderr)[0]


def test_refused_refresh_in_a_sync_is_one_line(
    fake_api: FakePinterestAPI, oauth_config: dict[str, Any], tmp_path: Path
) -> None:
    fake_api.refuse_refresh = True
    run = run_tap(tmp_path, oauth_config)
    assert_one_clean_line(run, 1, "Token refresh refused by Pinterest (HTTP 400, code 1")


@pytest.mark.parametrize(
    ("state_text", "expected"),
    [
        ("{this is not json", "is not JSON (Expecting property name enclosed in double quotes"),
        ('{"bookmarks": "not-an-object"}', "is not a Singer state: 'bookmarks' is a str"),
        ('{"bookmarks": {"campaigns": []}}', "bookmarks.campaigns is a list, not an object"),
        ("[1, 2]", "the top level is a list, not an object"),
    ],
)
def test_bad_state_file_is_one_line(
    fake_api: FakePinterestAPI,
    static_config: dict[str, Any],
    tmp_path: Path,
    state_text: str,
    expected: str,
) -> None:
    state = tmp_path / "state.json"
    state.write_text(state_text, "utf-8")
    run = run_tap(tmp_path, static_config, "--state", str(state))
    assert_one_clean_line(run, 1, expected)
    assert "fix the file or start without --state" in run.stderr
    assert fake_api.log == []  # nothing was fetched with a state it cannot trust


def test_bookmark_of_the_wrong_type_is_one_line(
    fake_api: FakePinterestAPI, static_config: dict[str, Any], tmp_path: Path
) -> None:
    fake_api.reset(Scale(ad_accounts=1))
    account = fake_api.data.ad_accounts[0]["id"]
    state = {
        "bookmarks": {
            "campaign_analytics": {
                "partitions": [
                    {
                        "context": {"ad_account_id": account},
                        "replication_key": "DATE",
                        "replication_key_value": "last tuesday",
                    }
                ]
            }
        }
    }
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state), "utf-8")
    run = run_tap(tmp_path, static_config, "--state", str(path))
    assert_one_clean_line(run, 1, "has bookmark 'last tuesday', not a date")


def test_unreadable_token_store_is_one_line(oauth_config: dict[str, Any], tmp_path: Path) -> None:
    store = tmp_path / "tokens.json"
    store.write_text("{garbage", "utf-8")
    oauth_config["token_store_path"] = str(store)
    run = run_tap(tmp_path, oauth_config)
    assert_one_clean_line(run, 1, f"token_store_path {store} is not a token file")


def test_quota_exhausted_is_one_line(
    fake_api: FakePinterestAPI, static_config: dict[str, Any], tmp_path: Path
) -> None:
    """A spent quota ends the run in one line; a small sync (TINY) proves it as well."""
    fake_api.reset(TINY)
    fake_api.inject(r"/v5/user_account$", 429, times=20, headers={"Retry-After": "0"})
    run = run_tap(tmp_path, small_sync(static_config))
    assert_one_clean_line(run, 1, "Pinterest quota exhausted (HTTP 429, code 8")
    assert "run again later" in error_lines(run.stderr)[0]


def test_failed_streams_exit_3_with_one_summary_line_each(
    fake_api: FakePinterestAPI, static_config: dict[str, Any], tmp_path: Path
) -> None:
    """Every other stream still syncs; a small sync (SMALL) has records on each, as a full one."""
    fake_api.reset(SMALL)
    accounts = [a["id"] for a in fake_api.data.ad_accounts]
    fake_api.inject(r"/v5/ad_accounts/\d+/customer_lists$", 404, times=10)
    run = run_tap(tmp_path, small_sync(static_config))
    assert run.returncode == 3, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    summary = [line for line in error_lines(run.stderr) if "going on with" not in line]
    assert len(summary) == 3
    for line, account in zip(summary, accounts, strict=False):
        assert f"Stream customer_lists (ad account {account}) failed: HTTP 404" in line
    assert "2 stream partition(s) failed (customer_lists)" in summary[2]
    messages = [json.loads(line) for line in run.stdout.splitlines()]
    final_state = [m for m in messages if m["type"] == "STATE"][-1]["value"]
    assert "campaigns" in final_state["bookmarks"]
    assert "user_account_analytics" in final_state["bookmarks"]
    records = {m["stream"] for m in messages if m["type"] == "RECORD"}
    assert len(records) == 36  # all but customer_lists


def test_unexpected_errors_still_end_in_one_line(
    static_config: dict[str, Any], tmp_path: Path
) -> None:
    """A catalog file that is not JSON: the SDK's own error, still one line and code 1."""
    catalog = tmp_path / "catalog.json"
    catalog.write_text("{nope", "utf-8")
    run = run_tap(tmp_path, static_config, "--catalog", str(catalog))
    assert_one_clean_line(run, 1, "unexpected JSONDecodeError")
