"""tests/meltano_cli.py: each pytest-xdist worker runs Meltano in a system folder of its own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests import meltano_cli

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def test_outside_xdist_runs_use_the_project_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(meltano_cli, "SYS_DIR", tmp_path / ".meltano")
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    assert meltano_cli.sys_dir() == tmp_path / ".meltano"
    assert meltano_cli.base_env(tmp_path)["MELTANO_SYS_DIR_ROOT"] == str(tmp_path / ".meltano")


def test_each_worker_has_its_own_run_folder_and_shares_the_plugin_venvs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / ".meltano"
    monkeypatch.setattr(meltano_cli, "SYS_DIR", shared)
    (shared / "extractors" / "tap-pinterest" / "venv").mkdir(parents=True)
    folders = {}
    for worker in ("gw0", "gw1", "gw0"):
        monkeypatch.setenv("PYTEST_XDIST_WORKER", worker)
        folders[worker] = meltano_cli.sys_dir()
        assert meltano_cli.base_env(tmp_path)["MELTANO_SYS_DIR_ROOT"] == str(folders[worker])
    assert folders == {"gw0": shared / "workers" / "gw0", "gw1": shared / "workers" / "gw1"}
    for own in folders.values():
        # Every plugin folder is the shared one (an install on any worker serves all)...
        for name in meltano_cli.PLUGIN_DIRS:
            assert (own / name).resolve() == (shared / name).resolve()
        assert (own / "extractors" / "tap-pinterest" / "venv").is_dir()
        # ...and what a run writes (run/tap-pinterest/tap.properties.json) is the worker's.
        (own / "run" / "tap-pinterest").mkdir(parents=True)
    assert not (shared / "run").exists()
    assert (folders["gw0"] / "run").resolve() != (folders["gw1"] / "run").resolve()
