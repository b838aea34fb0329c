"""Running the Meltano CLI from tests: isolated environment, clear failures, processes.

Runs never see the developer's `.env` or `TAP_PINTEREST_*`/`TARGET_*`/`MELTANO_*`/`DBT_*`
variables; each test passes what it means. Plugin venvs live in the project's `.meltano/`
(`MELTANO_SYS_DIR_ROOT`), so a test project in a temporary folder reuses them.

Each pytest-xdist worker runs Meltano with its own system folder, `.meltano/workers/<id>/`,
whose plugin folders link to the shared ones: Meltano writes one catalog and config file per
plugin under `run/`, so two workers' runs in one folder would read each other's; with a
folder each, the end-to-end tests run on several workers.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from filelock import FileLock

from tests.fake_api.server import DEFAULT_STATIC_TOKEN

if TYPE_CHECKING:
    from datetime import date

    from tests.fake_api import FakePinterestAPI

ROOT = Path(__file__).resolve().parents[1]
SYS_DIR = ROOT / ".meltano"
EVERY_PLUGIN = "*"
RUN_TIMEOUT = 300
# Meltano's plugin folders (meltano.core.plugin.base.PluginType): the venvs, shared by workers.
PLUGIN_DIRS = (
    "extractors",
    "loaders",
    "transforms",
    "orchestrators",
    "transformers",
    "files",
    "utilities",
    "mappers",
    "mappings",
)


def sys_dir() -> Path:
    """The system folder (MELTANO_SYS_DIR_ROOT) of this process's Meltano runs.

    `.meltano/` itself outside pytest-xdist; on a worker, `.meltano/workers/<id>/` with
    links to the shared plugin folders, so its `run/`, `logs/` and caches are its own.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return SYS_DIR
    own = SYS_DIR / "workers" / worker
    own.mkdir(parents=True, exist_ok=True)
    for name in PLUGIN_DIRS:
        shared = SYS_DIR / name
        shared.mkdir(exist_ok=True)
        link = own / name
        if not link.is_symlink():
            link.symlink_to(shared, target_is_directory=True)
    return own


def meltano_executable() -> str:
    """The meltano of this environment (the dev group installs it)."""
    beside_python = Path(sys.executable).with_name("meltano")
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("meltano")
    if found is None:
        pytest.fail("meltano is not installed in this environment (run `uv sync`)")
    return found


def base_env(tmp: Path) -> dict[str, str]:
    """The caller's environment without anything that could redirect or reconfigure runs."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TAP_PINTEREST", "TARGET_", "MELTANO_", "DBT_"))
    }
    env.update(
        {
            "MELTANO_DATABASE_URI": f"sqlite:///{tmp / 'meltano.db'}",
            "MELTANO_SYS_DIR_ROOT": str(sys_dir()),
            "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
            "MELTANO_CLI_LOG_FORMAT": "uncolored",
            "NO_COLOR": "1",
        },
    )
    return env


def fake_tap_env(
    fake: FakePinterestAPI, start: date, end: date, select: list[str]
) -> dict[str, str]:
    """tap-pinterest against the fake, selecting what the Meltano `select` patterns say."""
    return {
        "TAP_PINTEREST_API_URL": fake.url,
        "TAP_PINTEREST_ACCESS_TOKEN": DEFAULT_STATIC_TOKEN,
        "TAP_PINTEREST_START_DATE": start.isoformat(),
        "TAP_PINTEREST_END_DATE": end.isoformat(),
        "TAP_PINTEREST_LOOKBACK_WINDOW_DAYS": "7",
        "TAP_PINTEREST__SELECT": json.dumps(select),
    }


def command(args: list[str], tmp: Path) -> list[str]:
    """`meltano <args>` with an empty env file: a developer's .env must not leak in."""
    empty_env_file = tmp / "empty.env"
    empty_env_file.touch()
    return [meltano_executable(), "--env-file", str(empty_env_file), *args]


def run(
    args: list[str], env: dict[str, str], tmp: Path, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    """Run meltano to the end; fail the test with the output's tail if it fails."""
    proc = subprocess.run(
        command(args, tmp),
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    if proc.returncode != 0:
        pytest.fail(f"`meltano {' '.join(args)}` exited {proc.returncode}:\n{tail(proc)}")
    return proc


def start(
    args: list[str], env: dict[str, str], tmp: Path, log: Path, cwd: Path = ROOT
) -> subprocess.Popen[bytes]:
    """Start meltano in the background, its output going to `log`."""
    with log.open("wb") as out:
        return subprocess.Popen(
            command(args, tmp), cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT
        )


def tail(proc: subprocess.CompletedProcess[str], lines: int = 60) -> str:
    """The last lines of a finished run's output."""
    return "\n".join((proc.stdout + proc.stderr).splitlines()[-lines:])


def install(tmp: Path, *plugins: str) -> None:
    """Install (or refresh) plugin venvs into the project's .meltano/, once per test run.

    No plugins means every plugin. Parallel workers (pytest-xdist) share .meltano/: one
    installs at a time under a file lock, and a stamp naming the run and what it installed
    lets the others (and later fixtures) skip what is already done.
    """
    wanted = set(plugins) or {EVERY_PLUGIN}
    SYS_DIR.mkdir(exist_ok=True)
    with FileLock(str(SYS_DIR / "tests-install.lock")):
        stamp = SYS_DIR / "tests-installed.json"
        done: set[str] = set()
        if stamp.exists():
            recorded = json.loads(stamp.read_text("utf-8"))
            if recorded.get("run") == run_id():
                done = set(recorded["plugins"])
        if EVERY_PLUGIN in done or wanted <= done:
            return
        run(["--log-level=warning", "install", *plugins], base_env(tmp), tmp)
        record = {"run": run_id(), "plugins": sorted(done | wanted)}
        stamp.write_text(json.dumps(record), "utf-8")


def run_id() -> str:
    """This test run: xdist's id (the same in every worker), else this process."""
    return os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid-{os.getpid()}"
