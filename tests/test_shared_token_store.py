"""Parallel jobs sharing one token store refresh once between them (real processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest

from tap_pinterest.token_store import TokenStore
from tests.tap_runner import catalog_selecting

if TYPE_CHECKING:
    from pathlib import Path

    from tests.fake_api import FakePinterestAPI

pytestmark = pytest.mark.subprocess

JOBS = 4


def start_jobs(tmp_path: Path, config: dict[str, Any], count: int) -> list[subprocess.Popen[str]]:
    """`count` taps at once, each syncing user_account only, like sharded Meltano jobs."""
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config), "utf-8")
    catalog_path = tmp_path / "catalog.json"
    catalog_path.write_text(json.dumps(catalog_selecting(config, {"user_account"})), "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAP_PINTEREST_")}
    command = [sys.executable, "-m", "tap_pinterest", "--config", str(config_path)]
    command += ["--catalog", str(catalog_path)]
    return [
        subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        for _ in range(count)
    ]


def wait_all(jobs: list[subprocess.Popen[str]]) -> list[tuple[int, str, str]]:
    results = []
    for job in jobs:
        out, err = job.communicate(timeout=180)
        results.append((job.returncode, out, err))
    return results


def test_parallel_jobs_refresh_once_and_all_go_on(
    fake_api: FakePinterestAPI, oauth_config: dict[str, Any], tmp_path: Path
) -> None:
    fake_api.invalidate_rotated_refresh_tokens = True  # a used refresh token dies
    fake_api.oauth_delay_seconds = 4.0  # every job asks while the first refresh is running
    store_path = tmp_path / "tokens.json"
    oauth_config["token_store_path"] = str(store_path)

    for round_number in (1, 2):
        before = fake_api.issued_token_count
        results = wait_all(start_jobs(tmp_path, oauth_config, JOBS))
        for code, out, err in results:
            assert code == 0, err[-2000:]
            assert sum('"type":"RECORD"' in line.replace(" ", "") for line in out.splitlines()) == 1
        # One refresh between all jobs; the others adopted the stored token.
        assert fake_api.issued_token_count == before + 1, round_number
        stored = TokenStore(store_path).load()
        assert stored is not None
        assert stored.refresh_token in fake_api.refresh_tokens
        adopted = sum("another job just stored" in err for _, _, err in results)
        started_with_store = sum(
            "Using the tokens kept in token_store_path" in e for _, _, e in results
        )
        assert adopted + started_with_store >= JOBS - 1
        # Round 2: every access token is revoked, so each job meets a 401 first.
        fake_api.expire_access_tokens()
    assert len(fake_api.calls(r"/v5/oauth/token", method="POST")) == 2
