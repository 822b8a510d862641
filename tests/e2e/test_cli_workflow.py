"""The README's workflow through the real `tenure` command: init → demo generate → load → metrics.

Also the foundation's acceptance case: a subscriptions file with a negative mrr on one row
and an unknown account on another is rejected with both rows named, and nothing changes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tenure.workspace import Workspace

TENURE = Path(sys.executable).with_name("tenure")
MOVEMENTS = ("new", "expansion", "contraction", "churn", "reactivation")


def tenure(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "PYTHONWARNINGS": "ignore"}
    return subprocess.run([str(TENURE), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
                          check=False)


def fingerprint(root: Path) -> dict:
    ws = Workspace.open(root)
    try:
        return ws.warehouse.fingerprint()
    finally:
        ws.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli") / "ws"
    assert tenure("init", str(root)).returncode == 0
    made = tenure("demo", "generate", "--out", str(root / "data"), "--accounts", "150", "--months", "18",
                  "--seed", "7", "--end", "2025-12-31")
    assert made.returncode == 0, made.stderr
    loaded = tenure("--workspace", str(root), "load", str(root / "data"))
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    assert "subscriptions" in loaded.stdout
    return root


def test_metrics_revenue_json_holds_the_bridge_identity(demo: Path):
    out = tenure("--workspace", str(demo), "metrics", "revenue", "--as-of", "2025-12-31", "--format", "json")
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert summary["arr"] > 0 and summary["paying_accounts"] > 0
    assert 0 <= summary["grr"] <= 1 and summary["grr"] <= summary["nrr"]
    assert 0 <= summary["logo_churn"] <= 1
    assert len(summary["bridge"]) == 12
    for row in summary["bridge"]:
        assert row["arr_start"] + sum(row[m] for m in MOVEMENTS) == pytest.approx(row["arr_end"], abs=0.05)
    for earlier, later in zip(summary["bridge"], summary["bridge"][1:], strict=False):
        assert later["arr_start"] == pytest.approx(earlier["arr_end"], abs=0.01)


def test_breakdowns_csv_and_cohorts_from_inside_the_workspace(demo: Path):
    by_segment = tenure("metrics", "revenue", "--as-of", "2025-12-31", "--by", "segment", "--format", "json",
                        cwd=demo)
    assert by_segment.returncode == 0, by_segment.stderr
    groups = json.loads(by_segment.stdout)["groups"]
    assert {g["segment"] for g in groups} <= {"Enterprise", "Mid-Market", "SMB", "(none)"}
    headline = json.loads(tenure("metrics", "revenue", "--as-of", "2025-12-31", "--format", "json", cwd=demo).stdout)
    assert sum(g["arr"] for g in groups) == pytest.approx(headline["arr"], abs=1)

    csv = tenure("metrics", "revenue", "--as-of", "2025-12-31", "--format", "csv", cwd=demo)
    assert csv.stdout.splitlines()[0].startswith("period,arr_start,new,expansion")
    cohorts = tenure("metrics", "cohorts", "--as-of", "2025-12-31", "--format", "json", cwd=demo)
    rows = json.loads(cohorts.stdout)
    assert rows and all(0 <= r["logo_retention"] <= 1 for r in rows)
    assert {r["age"] for r in rows} >= {0, 1, 2, 3}


def test_run_prints_the_headline_and_bands(demo: Path):
    out = tenure("--workspace", str(demo), "run", "--as-of", "2025-12-31")
    assert out.returncode == 0, out.stderr
    for words in ("ARR", "GRR", "NRR", "Logo churn", "ARR bridge", "Health bands", "ARR at risk"):
        assert words in out.stdout


def test_negative_mrr_and_unknown_account_are_both_named_and_nothing_changes(demo: Path, tmp_path: Path):
    before = fingerprint(demo)
    bad = tmp_path / "subscriptions.csv"
    bad.write_text(
        "subscription_id,account_id,product,start_date,mrr,currency\n"
        "X1,A000001,platform,2025-01-01,100,USD\n"
        "X2,A000002,platform,2025-01-01,-5,USD\n"
        "X3,NO-SUCH-ACCOUNT,platform,2025-01-01,50,USD\n",
        encoding="utf-8",
    )
    out = tenure("--workspace", str(demo), "load", str(bad))
    text = out.stdout + out.stderr
    assert out.returncode == 5
    assert "row 2, column mrr, value '-5" in text
    assert "row 3, column account_id, value 'NO-SUCH-ACCOUNT'" in text
    assert "Traceback" not in text
    assert fingerprint(demo) == before


def test_errors_are_messages_with_exit_codes(tmp_path: Path, demo: Path):
    outside = tenure("metrics", "revenue", cwd=tmp_path)
    assert outside.returncode == 3 and "not a tenure workspace" in outside.stderr

    missing = tenure("--workspace", str(demo), "load", str(tmp_path / "nowhere.csv"))
    assert missing.returncode != 0 and "nowhere.csv" in missing.stdout + missing.stderr

    by = tenure("--workspace", str(demo), "metrics", "revenue", "--by", "nosuchcolumn")
    assert by.returncode == 1 and "segment" in by.stderr

    date = tenure("--workspace", str(demo), "metrics", "revenue", "--as-of", "31/12/2025")
    assert date.returncode == 1 and "ISO date" in date.stderr

    again = tenure("init", str(demo))
    assert again.returncode == 2 and "already" in again.stderr

    broken = tmp_path / "broken"
    assert tenure("init", str(broken)).returncode == 0
    (broken / "tenure.yaml").write_text("fiscal_year_start_month: 13\n", encoding="utf-8")
    config = tenure("--workspace", str(broken), "metrics", "revenue")
    assert config.returncode == 2 and "fiscal_year_start_month" in config.stderr

    for result in (outside, missing, by, date, again, config):
        assert "Traceback" not in result.stdout + result.stderr
