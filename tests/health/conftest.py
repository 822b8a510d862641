"""Shared fixtures of the health tests: the `tenure` command and small generated demo companies.

The demo company is generated once per session into a temporary folder with a fixed `end`
(the simulator's default end is the last month-end before *today*, which would make the
tests depend on the day they run). Each test module loads it into a workspace of its own,
since history and CLI tests write into their workspace.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tenure.contract.load import load
from tenure.demo.simulator import generate
from tenure.workspace import Workspace

END = dt.date(2025, 6, 30)  # last day of the demo history
SMALL = {"accounts": 120, "months": 15, "seed": 5}
TENURE = Path(sys.executable).with_name("tenure")


def tenure(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the installed `tenure` command as a user would; never raises on a non-zero exit."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "PYTHONWARNINGS": "ignore"}
    return subprocess.run([str(TENURE), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                          check=False)


@pytest.fixture(scope="session")
def small_company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """120 customer accounts over 15 months ending END, seed 5: the folder of contract files."""
    folder = tmp_path_factory.mktemp("small-company")
    generate(folder, end=END, **SMALL)
    return folder


def loaded_workspace(root: Path, company: Path) -> Workspace:
    """A new workspace in `root` (default tenure.yaml) with every table of `company` loaded."""
    ws = Workspace.init(root)
    load([company], warehouse=ws.warehouse, base_currency=ws.config.base_currency)
    ws.warehouse.forget()
    return ws


@pytest.fixture(scope="session")
def workspace_from() -> Callable[[Path, Path], Workspace]:
    return loaded_workspace
