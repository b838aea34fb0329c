"""Tests of tap-pinterest (pytest imports this package before any conftest or test module).

A shell's PYTHONDONTWRITEBYTECODE made every pytest-xdist worker and every child process
(the tap's CLI, meltano and its plugins, dbt, Dagster) compile singer-sdk and the rest from
source again: about 9 s of CPU per process. The suite writes bytecode caches (git ignores
them), here and in the workers and children, which inherit the environment.
"""

from __future__ import annotations

import os
import sys

sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
