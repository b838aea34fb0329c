"""Dagster: the Meltano shard jobs of this project, in parallel, each retried.

    uv sync --group orchestrate
    uv run dagster dev -m orchestrate.definitions          # UI, schedules, runs
    uv run dagster job execute -m orchestrate.definitions -j pinterest_shards

One op first brings Meltano's system database up to date (parallel first runs would race
to create its tables), then one op per job of `shards.meltano.yml` (`scripts/shards.py`
writes it) runs `meltano run <job>`; without that file, one op runs the whole
`tap-pinterest target-postgres`. A failed op is retried with backoff: a shard's state
only moves past data its target confirmed, so a retry resumes, and a re-read day upserts.

The job's executor runs each op in its own process on this machine; swap `executor_def`
for a distributed one (README) and the same ops run in pods or workers instead.
"""

import os
import subprocess
import sys
from collections import deque
from pathlib import Path
from typing import Any

import yaml
from dagster import (
    Backoff,
    ConfigurableResource,
    Definitions,
    ExecutorDefinition,
    Failure,
    In,
    Jitter,
    JobDefinition,
    Nothing,
    OpDefinition,
    OpExecutionContext,
    RetryPolicy,
    ScheduleDefinition,
    job,
    multiprocess_executor,
    op,
)

SHARDS_FILE = "shards.meltano.yml"
SINGLE_TASK = "tap-pinterest target-postgres"
JOB_NAME = "pinterest_shards"
# Pinterest answers 429/5xx storms for minutes at worst; three tries over ~7 minutes.
DEFAULT_RETRY = RetryPolicy(
    max_retries=3, delay=60, backoff=Backoff.EXPONENTIAL, jitter=Jitter.PLUS_MINUS
)
OUTPUT_TAIL_LINES = 40


def default_meltano() -> str:
    """The meltano installed beside this Python (the same venv), else the one on PATH."""
    beside_python = Path(sys.executable).with_name("meltano")
    return str(beside_python) if beside_python.exists() else "meltano"


class MeltanoProject(ConfigurableResource):  # type: ignore[misc]
    """Where and how to call Meltano; every op runs `meltano <args>` in the project."""

    project_dir: str = "."
    environment: str | None = None
    executable: str = default_meltano()
    env_file: str | None = None
    # The whole environment of the runs; None: this process's own (the usual case).
    env: dict[str, str] | None = None

    def command(self, args: list[str]) -> list[str]:
        """The meltano command line for `args`."""
        command = [self.executable]
        if self.env_file:
            command += ["--env-file", self.env_file]
        if self.environment:
            command.append(f"--environment={self.environment}")
        return [*command, *args]

    def run(self, context: OpExecutionContext, args: list[str]) -> None:
        """Run meltano, streaming its output to the op's log; Failure if it fails."""
        command = self.command(args)
        context.log.info("running %s", " ".join(command))
        tail: deque[str] = deque(maxlen=OUTPUT_TAIL_LINES)
        with subprocess.Popen(
            command,
            cwd=self.project_dir,
            env=self.env if self.env is not None else dict(os.environ),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        ) as proc:
            for line in proc.stdout or ():
                tail.append(line.rstrip("\n"))
                context.log.debug(line.rstrip("\n"))
            code = proc.wait()
        if code != 0:
            description = f"`meltano {' '.join(args)}` exited {code}"
            raise Failure(description=description, metadata={"output": "\n".join(tail)})


def meltano_jobs(project_dir: str | Path) -> list[str]:
    """The shard jobs of the project (`shards.meltano.yml`), or the single pipeline."""
    path = Path(project_dir) / SHARDS_FILE
    if not path.exists():
        return [SINGLE_TASK]
    shards = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [str(entry["name"]) for entry in shards.get("jobs", [])] or [SINGLE_TASK]


def _op_name(task: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in task)


@op(description="Bring Meltano's system database up to date before parallel runs.")
def prepare_system_database(context: OpExecutionContext, meltano: MeltanoProject) -> None:
    """`meltano upgrade database`: once, so the shards never race to create its tables."""
    meltano.run(context, ["upgrade", "database"])


def meltano_run_op(task: str, retry_policy: RetryPolicy) -> OpDefinition:
    """An op running `meltano run <task>` (a job name or `tap target`), retried."""

    @op(
        name=_op_name(task),
        ins={"ready": In(Nothing)},
        retry_policy=retry_policy,
        tags={"meltano/run": task},
        description=f"meltano run {task}",
    )
    def _run(context: OpExecutionContext, meltano: MeltanoProject) -> None:
        meltano.run(context, ["run", *task.split()])

    return _run


def build_job(
    tasks: list[str],
    *,
    retry_policy: RetryPolicy = DEFAULT_RETRY,
    executor_def: ExecutorDefinition = multiprocess_executor,
    name: str = JOB_NAME,
) -> JobDefinition:
    """A job that prepares Meltano's database, then runs every task in parallel."""
    ops = [meltano_run_op(task, retry_policy) for task in tasks]

    @job(name=name, executor_def=executor_def, description="Pinterest shards, in parallel")
    def _job() -> None:
        ready = prepare_system_database()
        for run_op in ops:
            run_op(ready=ready)

    return _job


def build_definitions(project_dir: str | Path, **resource_config: Any) -> Definitions:
    """Definitions for a Meltano project: the job, a daily schedule, the resource."""
    shards_job = build_job(meltano_jobs(project_dir))
    daily = ScheduleDefinition(name=f"{JOB_NAME}_daily", job=shards_job, cron_schedule="0 6 * * *")
    meltano = MeltanoProject(project_dir=str(project_dir), **resource_config)
    return Definitions(jobs=[shards_job], schedules=[daily], resources={"meltano": meltano})


# `dagster dev -m orchestrate.definitions` loads this; the project is the current folder
# unless PINTEREST_MELTANO_PROJECT says otherwise, the environment MELTANO_ENVIRONMENT's.
defs = build_definitions(
    os.environ.get("PINTEREST_MELTANO_PROJECT", "."),
    environment=os.environ.get("MELTANO_ENVIRONMENT") or None,
)
