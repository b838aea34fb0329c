"""orchestrate/: the Dagster job runs every shard job, retrying a failed one, in process."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import pytest
from dagster import (
    DagsterEventType,
    DagsterInstance,
    OpDefinition,
    RetryPolicy,
    in_process_executor,
)

from orchestrate.definitions import (
    SINGLE_TASK,
    MeltanoProject,
    build_definitions,
    build_job,
    meltano_jobs,
)
from tests import meltano_cli
from tests.shard_project import (
    SCALE,
    TABLES,
    TODAY,
    expected_counts,
    make_project,
    state_accounts,
    tap_env,
    write_shards,
)

sys.path.insert(0, str(meltano_cli.ROOT / "scripts"))
import shards

if TYPE_CHECKING:
    from pathlib import Path

    from tests.fake_api import FakePinterestAPI
    from tests.postgres import PostgresDatabase


def test_without_shards_file_the_job_runs_the_single_pipeline(tmp_path: Path) -> None:
    assert meltano_jobs(tmp_path) == [SINGLE_TASK]
    job = build_definitions(tmp_path).get_job_def("pinterest_shards")
    assert sorted(node.name for node in job.nodes) == [
        "prepare_system_database",
        "tap_pinterest_target_postgres",
    ]


def test_one_retried_op_per_shard_job_after_the_database_step(tmp_path: Path) -> None:
    (tmp_path / "shards.meltano.yml").write_text(
        shards.render(shards.shards_project(["1", "2", "3"], 3, "target-postgres")), "utf-8"
    )
    job = build_definitions(tmp_path).get_job_def("pinterest_shards")
    shard_ops = [f"pinterest_shard_{k}" for k in (1, 2, 3)]
    assert sorted(node.name for node in job.nodes) == sorted(
        ["prepare_system_database", *shard_ops]
    )
    for name in shard_ops:
        node = job.graph.node_named(name)
        definition = node.definition
        assert isinstance(definition, OpDefinition)
        assert definition.retry_policy is not None
        assert definition.retry_policy.max_retries == 3
        (upstream,) = [
            out.node.name
            for out in job.graph.dependency_structure.all_upstream_outputs_from_node(name)
        ]
        assert upstream == "prepare_system_database"


@pytest.mark.e2e
def test_dagster_job_runs_every_shard_and_retries_a_failed_one(
    fake_api: FakePinterestAPI,
    postgres: PostgresDatabase,
    postgres_plugins: None,  # noqa: ARG001
    tmp_path: Path,
) -> None:
    fake_api.reset(SCALE)
    fake_api.data.today_override = TODAY
    project_dir = make_project(tmp_path)
    env = {**tap_env(fake_api, tmp_path), **postgres.env()}
    ids = sorted(account["id"] for account in fake_api.data.ad_accounts)
    write_shards(project_dir, env, "--shards", "3", "--ad-account-ids", ",".join(ids))
    # The first listing of ad accounts is refused (a static token cannot refresh): the
    # shard that meets it fails, and its retry must complete it.
    fake_api.inject(r"/v5/ad_accounts$", 401, times=1)

    job = build_job(
        meltano_jobs(project_dir),
        retry_policy=RetryPolicy(max_retries=1),
        executor_def=in_process_executor,
    )
    empty_env_file = tmp_path / "empty.env"
    empty_env_file.touch()
    meltano = MeltanoProject(
        project_dir=str(project_dir),
        environment="fake",
        executable=meltano_cli.meltano_executable(),
        env_file=str(empty_env_file),
        env=env,
    )
    with DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(instance=instance, resources={"meltano": meltano})

    assert result.success
    retried = [
        event.step_key
        for event in result.all_events
        if event.event_type == DagsterEventType.STEP_UP_FOR_RETRY
    ]
    assert retried == ["pinterest_shard_1"]  # in process, shard 1 runs first
    assert postgres.tables() == TABLES
    assert postgres.counts() == expected_counts(fake_api.data)
    states = postgres.meltano_state()
    dealt = shards.deal(ids, 3)
    for k in (1, 2, 3):
        accounts, _ = state_accounts(states[f"fake:{shards.shard_name(k)}-to-target-postgres"])
        assert accounts == set(dealt[k - 1])
