"""scripts/shards.py: shard plugins and jobs, and 3 shards in parallel into one Postgres."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
import yaml

from tap_pinterest.streams import STREAM_TYPES
from tests import meltano_cli
from tests.shard_project import (
    SCALE,
    TABLE_RACE,
    TABLES,
    TODAY,
    expected_counts,
    make_project,
    rows,
    state_accounts,
    tap_env,
    write_shards,
)

sys.path.insert(0, str(meltano_cli.ROOT / "scripts"))
import shards

if TYPE_CHECKING:
    from pathlib import Path

    from tests.fake_api import FakePinterestAPI
    from tests.postgres import PostgresServer


# ------------------------------------------------------------------ the script alone
def test_deal_is_round_robin_over_sorted_ids() -> None:
    assert shards.deal(["5", "3", "1", "4", "2", "3"], 3) == [["1", "4"], ["2", "5"], ["3"]]
    assert shards.deal(["9"], 1) == [["9"]]


def test_deal_refuses_an_empty_shard() -> None:
    # An empty ad_account_ids would mean "every account" to the tap.
    with pytest.raises(ValueError, match="3 shards need at least 3 ad accounts, got 2"):
        shards.deal(["1", "2"], 3)
    with pytest.raises(ValueError, match="at least 1"):
        shards.deal(["1"], 0)


def test_streams_split_into_per_ad_account_and_organic() -> None:
    per_account = shards.per_ad_account_streams()
    organic = shards.organic_streams()
    assert sorted(per_account + organic) == sorted(t.name for t in STREAM_TYPES)  # type: ignore[misc]
    assert {"ad_accounts", "campaigns", "campaign_analytics", "keywords"} <= set(per_account)
    assert {"user_account", "boards", "pins", "pin_analytics", "user_account_analytics"} <= set(
        organic
    )


def test_project_has_one_inheriting_plugin_and_job_per_shard() -> None:
    project = yaml.safe_load(shards.render(shards.shards_project(["1", "2", "3"], 2, "target-x")))
    per_account = shards.per_ad_account_streams()
    assert project == {
        "plugins": {
            "extractors": [
                {
                    "name": "tap-pinterest--shard-1",
                    "inherit_from": "tap-pinterest",
                    "config": {"ad_account_ids": ["1", "3"]},
                },
                {
                    "name": "tap-pinterest--shard-2",
                    "inherit_from": "tap-pinterest",
                    "config": {"ad_account_ids": ["2"]},
                    "select_filter": per_account,
                },
            ]
        },
        "jobs": [
            {"name": "pinterest-shard-1", "tasks": ["tap-pinterest--shard-1 target-x"]},
            {"name": "pinterest-shard-2", "tasks": ["tap-pinterest--shard-2 target-x"]},
        ],
    }


@pytest.mark.subprocess
def test_cli_bad_input_is_one_line(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "scripts/shards.py", "--shards", "4", "--ad-account-ids", "1,2"],
        cwd=meltano_cli.ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == "error: 4 shards need at least 4 ad accounts, got 2\n"
    assert not list(tmp_path.iterdir())


# ------------------------------------------------------------------ against the fake
@pytest.fixture
def fake(fake_api: FakePinterestAPI) -> FakePinterestAPI:
    fake_api.reset(SCALE)
    fake_api.data.today_override = TODAY
    return fake_api


@pytest.mark.e2e
def test_from_api_lists_the_accounts_the_token_reads(
    fake: FakePinterestAPI, tmp_path: Path
) -> None:
    project_dir = make_project(tmp_path)
    write_shards(
        project_dir, tap_env(fake, tmp_path), "--shards", "2", "--from-api", "--environment=fake"
    )
    written = yaml.safe_load((project_dir / "shards.meltano.yml").read_text("utf-8"))
    listed = [p["config"]["ad_account_ids"] for p in written["plugins"]["extractors"]]
    ids = sorted(account["id"] for account in fake.data.ad_accounts)
    assert listed == [ids[0::2], ids[1::2]]


@pytest.mark.e2e
def test_from_api_with_a_refused_token_is_one_line_without_the_token(
    fake: FakePinterestAPI, tmp_path: Path
) -> None:
    project_dir = make_project(tmp_path)
    env = {**tap_env(fake, tmp_path), "TAP_PINTEREST_ACCESS_TOKEN": "not-a-valid-token-123"}
    script = str(meltano_cli.ROOT / "scripts" / "shards.py")
    proc = subprocess.run(
        [sys.executable, script, "--shards", "2", "--from-api", "--environment=fake"],
        cwd=project_dir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    last = proc.stderr.splitlines()[-1]
    assert last.startswith("error: ")
    assert "401" in last
    assert "not-a-valid-token-123" not in proc.stderr + proc.stdout
    assert not (project_dir / "shards.meltano.yml").exists()


@pytest.mark.e2e
def test_three_parallel_shards_load_what_one_job_loads(
    fake: FakePinterestAPI,
    postgres_server: PostgresServer,
    postgres_plugins: None,  # noqa: ARG001
    tmp_path: Path,
) -> None:
    project_dir = make_project(tmp_path)
    env = tap_env(fake, tmp_path)
    ids = sorted(account["id"] for account in fake.data.ad_accounts)
    write_shards(project_dir, env, "--shards", "3", "--ad-account-ids", ",".join(ids))

    sharded = postgres_server.database()
    shard_env = {**env, **sharded.env()}
    # Parallel first runs would race to create Meltano's tables: create them once first.
    meltano_cli.run(["upgrade", "database"], shard_env, tmp_path, cwd=project_dir)
    procs = {
        k: meltano_cli.start(
            ["--environment=fake", "run", shards.job_name(k)],
            shard_env,
            tmp_path,
            tmp_path / f"shard-{k}.log",
            cwd=project_dir,
        )
        for k in (1, 2, 3)
    }
    failed = [k for k, proc in procs.items() if proc.wait(timeout=meltano_cli.RUN_TIMEOUT) != 0]
    for k in failed:
        # target-postgres checks for a table, then creates it: two shards starting on a new
        # warehouse can both try, and the loser fails before loading or confirming state.
        # That race, and only that, is what the orchestrator's retry is for: retry it here.
        log = (tmp_path / f"shard-{k}.log").read_text("utf-8", "replace")
        assert any(race in log for race in TABLE_RACE), f"shard {k} failed:\n{log[-3000:]}"
        meltano_cli.run(
            ["--environment=fake", "run", shards.job_name(k)], shard_env, tmp_path, cwd=project_dir
        )
    # Organic endpoints were read once, by shard 1.
    assert len(fake.calls(r"/v5/boards")) == 1
    assert len(fake.calls(r"/v5/user_account/analytics")) == 1

    single = postgres_server.database()
    meltano_cli.run(
        ["--environment=fake", "run", "tap-pinterest", "target-postgres"],
        {**env, **single.env()},
        tmp_path,
        cwd=project_dir,
    )

    assert sharded.tables() == single.tables() == TABLES
    assert single.counts() == expected_counts(fake.data)
    for table in TABLES:
        assert (table, rows(sharded, table)) == (table, rows(single, table))

    # One state per shard, in the shared system database, naming its own accounts only.
    states = sharded.meltano_state()
    assert sorted(states) == [f"fake:{shards.shard_name(k)}-to-target-postgres" for k in (1, 2, 3)]
    dealt = shards.deal(ids, 3)
    for k in (1, 2, 3):
        accounts, streams = state_accounts(
            states[f"fake:{shards.shard_name(k)}-to-target-postgres"]
        )
        assert accounts == set(dealt[k - 1]), k
        assert ("user_account_analytics" in streams) is (k == 1), (k, streams)


def test_shards_file_is_included_by_meltano_yml() -> None:
    project = yaml.safe_load((meltano_cli.ROOT / "meltano.yml").read_text("utf-8"))
    assert "./shards.meltano.yml" in project["include_paths"]
