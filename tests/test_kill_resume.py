"""A sync killed at any moment and resumed from its last STATE loses nothing.

The tap is a real process, killed with SIGKILL after N records have reached its reader
(as a target would have them); the resumed run starts from the last STATE that reader saw.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest

from tests.tap_runner import catalog_selecting, run_sync

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.subprocess


_CLEAN: dict[str, set[str]] = {}
# One of each kind: entities per ad account, their analytics, a full-table
# child, the user's pins and pin analytics, and a user-level list (every stream would
# make each of the runs below cost a minute).
STREAMS = {
    "ad_accounts",
    "campaigns",
    "ad_groups",
    "campaign_analytics",
    "ad_group_analytics",
    "keywords",
    "pins",
    "pin_analytics",
    "user_account_followers",
}


def keys_by_stream(messages: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Each stream's record keys (its SCHEMA's key_properties) as JSON strings."""
    key_properties: dict[str, list[str]] = {}
    keys: dict[str, set[str]] = {}
    for message in messages:
        if message["type"] == "SCHEMA":
            key_properties[message["stream"]] = message["key_properties"]
        elif message["type"] == "RECORD":
            record = message["record"]
            key = [record.get(k) for k in key_properties[message["stream"]]]
            keys.setdefault(message["stream"], set()).add(json.dumps(key))
    return keys


def keys_killed_then_resumed(
    config: dict[str, Any], tmp_path: Path, kill_after: int
) -> dict[str, set[str]]:
    """Keys per stream of a run of STREAMS killed after `kill_after` records, then resumed."""
    killed, state = run_until_killed(config, tmp_path, kill_after)
    resumed = run_sync(config, streams=STREAMS, state=state)
    got = keys_by_stream(killed)
    for stream, keys in keys_by_stream(resumed.messages).items():
        got.setdefault(stream, set()).update(keys)
    return got


def run_until_killed(
    config: dict[str, Any], tmp_path: Path, kill_after: int
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Messages read before SIGKILL after `kill_after` records, and the last STATE read."""
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config), "utf-8")
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(catalog_selecting(config, STREAMS)), "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAP_PINTEREST_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "tap_pinterest", "--config", str(path), "--catalog", str(catalog)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    messages: list[dict[str, Any]] = []
    records = 0
    state: dict[str, Any] | None = None
    for line in process.stdout:
        message = json.loads(line)
        messages.append(message)
        if message["type"] == "STATE":
            state = message["value"]
        elif message["type"] == "RECORD":
            records += 1
            if records >= kill_after:
                process.send_signal(signal.SIGKILL)
                break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, "the run ended before it was killed"
    return messages, state


@pytest.mark.parametrize(
    "kill_after",
    [
        5,  # inside campaigns of the first ad account, a full-table entity list
        200,  # inside ad group analytics of the first ad account
        484,  # between ad accounts: the first campaign of the second
        600,  # inside campaign analytics of the second ad account
        1100,  # inside pin analytics
        1230,  # inside the followers list, near the end
    ],
)
def test_killed_run_resumed_from_its_last_state_loses_nothing(
    static_config: dict[str, Any], tmp_path: Path, kill_after: int
) -> None:
    if not _CLEAN:
        _CLEAN.update(keys_by_stream(run_sync(static_config, streams=STREAMS).messages))
    clean = _CLEAN
    total = sum(len(keys) for keys in clean.values())
    assert total > 1230
    got = keys_killed_then_resumed(static_config, tmp_path, kill_after)
    for stream, keys in clean.items():
        assert keys <= got.get(stream, set()), stream
