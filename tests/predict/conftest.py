"""Shared fixtures of the prediction tests: generated demo companies loaded into workspaces.

A demo company is a pure function of (seed, accounts, months, end), so the figures these
tests assert are reproducible; the end is fixed so that they never depend on today's date.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tenure.contract.load import load
from tenure.demo.simulator import generate
from tenure.workspace import Workspace

END = dt.date(2025, 12, 31)


def loaded(root: Path, company: Path, *, config: str | None = None) -> Workspace:
    """A new workspace in `root` with every table of `company` loaded; `config` appended to tenure.yaml."""
    ws = Workspace.init(root)
    if config:
        path = root / "tenure.yaml"
        path.write_text(path.read_text(encoding="utf-8") + config, encoding="utf-8")
        ws = Workspace.open(root)
    load([company], warehouse=ws.warehouse, base_currency=ws.config.base_currency)
    ws.warehouse.forget()
    return ws


@pytest.fixture(scope="session")
def small_company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 accounts over 24 months ending END: enough renewals to train on, quick to build."""
    folder = tmp_path_factory.mktemp("predict-small")
    generate(folder, end=END, accounts=300, months=24, seed=11)
    return folder


@pytest.fixture(scope="session")
def demo_company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 accounts over 36 months ending END: the company the backtest figures are asserted on.

    Below about 2,000 accounts a quarter's GRR turns on one or two large renewals, and no honest
    interval holds it four times in five."""
    folder = tmp_path_factory.mktemp("predict-demo")
    generate(folder, end=END, accounts=2000, months=36, seed=7)
    return folder
