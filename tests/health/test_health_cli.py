"""The health commands as a user runs them: `tenure run`, `tenure health`, `tenure account`, on demo data.

The workspace is loaded in-process and closed; every command then runs as the installed
`tenure` executable in a subprocess (DuckDB allows one writer, so no connection is left open).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections import Counter
from pathlib import Path

import pytest

from tenure.history import HEALTH_HISTORY, METRICS_HISTORY, dates, history
from tenure.metrics.scorecard import default_health
from tenure.workspace import Workspace

from .conftest import tenure

AS_OF = "2025-06-15"
HEALTH_KEYS = {"account_id", "name", "segment", "region", "owner_csm_id", "scorecard", "score", "band",
               "score_change_30d", "arr", "renewal_date", "days_to_renewal", "zombie", "driver_1", "driver_1_points",
               "driver_2", "driver_2_points"}


@pytest.fixture(scope="module")
def folder(tmp_path_factory, small_company, workspace_from) -> Path:
    root = tmp_path_factory.mktemp("cli") / "ws"
    workspace_from(root, small_company).close()
    return root


def run(folder: Path, *args: str):
    return tenure("--workspace", str(folder), *args)


def ok(folder: Path, *args: str) -> str:
    result = run(folder, *args)
    assert result.returncode == 0, f"tenure {' '.join(args)} exited {result.returncode}:\n{result.stderr}"
    assert "Traceback" not in result.stderr
    return result.stdout


def stored_days(folder: Path, name: str = HEALTH_HISTORY) -> list[dt.date]:
    ws = Workspace.open(folder)
    try:
        table = history(ws, name)
        if table is None:
            return []
        return sorted(ws.warehouse.execute(table.select("as_of").distinct()).as_of.dt.date)
    finally:
        ws.close()


@pytest.fixture(scope="module")
def after_run(folder) -> dict:
    """`tenure run --as-of AS_OF --format json`, parsed."""
    return json.loads(ok(folder, "run", "--as-of", AS_OF, "--format", "json"))


@pytest.fixture(scope="module")
def rows(folder, after_run) -> list[dict]:
    """`tenure health --as-of AS_OF --format json`, parsed (after the run)."""
    return json.loads(ok(folder, "health", "--as-of", AS_OF, "--format", "json"))


def health_json(folder: Path, *options: str) -> list[dict]:
    return json.loads(ok(folder, "health", "--as-of", AS_OF, "--format", "json", *options))


def sort_key(row: dict) -> tuple:
    """Lowest score first, no score last; then largest ARR, then account_id."""
    score = row["score"]
    return (score is None, score if score is not None else 0.0, -(row["arr"] or 0.0), row["account_id"])


# -- tenure run ---------------------------------------------------------------------------------------------


def test_run_stores_the_days_snapshot_and_reports_the_bands(folder, after_run, rows):
    assert stored_days(folder) == [dt.date.fromisoformat(AS_OF)]
    assert stored_days(folder, METRICS_HISTORY) == [dt.date.fromisoformat(AS_OF)]
    bands = {row["band"]: row for row in after_run["health"]}
    counts = Counter(row["band"] for row in rows)
    for name in ("red", "yellow", "green"):
        assert bands[name]["accounts"] == counts[name]
        assert bands[name]["arr"] == pytest.approx(sum(row["arr"] for row in rows if row["band"] == name))
    assert bands["red"]["at_risk"] is True and bands["green"]["at_risk"] is False
    assert after_run["arr_at_risk"] == pytest.approx(bands["red"]["arr"])
    assert after_run["as_of"] == AS_OF


# -- tenure health --------------------------------------------------------------------------------------------


def test_health_lists_every_paying_account_lowest_score_first(rows):
    assert len(rows) > 20
    assert set(rows[0]) == HEALTH_KEYS
    assert len({row["account_id"] for row in rows}) == len(rows)
    assert rows == sorted(rows, key=sort_key)
    scores = [row["score"] for row in rows if row["score"] is not None]
    assert scores == sorted(scores) and scores[0] < scores[-1]
    bands = default_health().bands
    for row in rows:
        if row["score"] is not None:
            low, high = bands[row["band"]]
            assert low <= row["score"] < high or row["score"] == high == 100, row


def test_health_rows_are_explained_by_their_drivers(rows):
    for row in rows:
        if row["driver_1"] is not None:
            assert row["driver_1_points"] > 0
            assert row["driver_1_points"] <= 100 - row["score"] + 1e-9
        if row["driver_2"] is not None:
            assert row["driver_1"] is not None and row["driver_2"] != row["driver_1"]
            assert row["driver_2_points"] <= row["driver_1_points"] + 1e-9
            assert row["driver_1_points"] + row["driver_2_points"] <= 100 - row["score"] + 1e-6


@pytest.mark.parametrize("band", ["red", "green"])
def test_health_band_filter(folder, rows, band):
    filtered = health_json(folder, "--band", band)
    assert filtered, f"no {band} account in the demo company"
    assert all(row["band"] == band for row in filtered)
    assert filtered == [row for row in rows if row["band"] == band]


def test_health_segment_filter(folder, rows):
    segment = Counter(row["segment"] for row in rows).most_common(1)[0][0]
    filtered = health_json(folder, "--segment", segment)
    assert filtered and all(row["segment"] == segment for row in filtered)
    assert filtered == sorted(filtered, key=sort_key)
    assert filtered == [row for row in rows if row["segment"] == segment]


def test_health_csm_filter(folder, rows):
    csm = Counter(row["owner_csm_id"] for row in rows if row["owner_csm_id"]).most_common(1)[0][0]
    filtered = health_json(folder, "--csm", csm)
    assert filtered and all(row["owner_csm_id"] == csm for row in filtered)
    assert filtered == [row for row in rows if row["owner_csm_id"] == csm]


def test_health_top_gives_the_lowest_scores(folder, rows):
    assert health_json(folder, "--top", "5") == rows[:5]


def test_health_filters_combine(folder, rows):
    filtered = health_json(folder, "--band", "yellow", "--segment", "SMB", "--top", "3")
    assert filtered == [row for row in rows if row["band"] == "yellow" and row["segment"] == "SMB"][:3]
    assert filtered and all(row["band"] == "yellow" and row["segment"] == "SMB" for row in filtered)


def test_health_unknown_band_is_an_error(folder):
    result = run(folder, "health", "--as-of", AS_OF, "--band", "purple")
    assert result.returncode == 1
    assert "purple" in result.stderr and "red, yellow, green" in result.stderr
    assert "Traceback" not in result.stderr


def test_health_table_shows_the_band_counts(folder, rows):
    out = ok(folder, "health", "--as-of", AS_OF)
    counts = Counter(row["band"] for row in rows)
    assert f"{len(rows):,} accounts" in out
    last = out.strip().splitlines()[-1]
    for name in ("red", "yellow", "green"):
        assert re.search(rf"\b{name}:?\s+{counts[name]:,}\b", last), last
    for row in rows[:3]:
        assert row["account_id"] in out


# -- tenure account ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def red(rows) -> dict:
    return next(row for row in rows if row["band"] == "red")


def test_account_shows_a_red_accounts_score_band_and_measures(folder, red):
    out = ok(folder, "account", red["account_id"], "--as-of", AS_OF)
    assert red["account_id"] in out
    assert f"{red['score']:,.2f} red" in out
    card = next(c for c in default_health().scorecards if c.name == red["scorecard"])
    for _group, measure in card.measures():
        assert measure.metric in out, measure.metric
    assert red["driver_1"] in out


@pytest.fixture(scope="module")
def red_json(folder, red) -> str:
    return ok(folder, "account", red["account_id"], "--as-of", AS_OF, "--format", "json")


def test_account_json_points_add_up_to_the_score(red_json, red):
    data = json.loads(red_json)
    health = data["health"]
    assert health["band"] == "red"
    assert health["score"] == pytest.approx(red["score"], abs=1e-9)
    assert health["scorecard"] == red["scorecard"]
    if red["score_change_30d"] is None:
        assert health["score_change_30d"] is None
    else:
        assert health["score_change_30d"] == pytest.approx(red["score_change_30d"], abs=1e-9)
    measures = data["measures"]
    card = next(c for c in default_health().scorecards if c.name == red["scorecard"])
    assert sorted(m["metric"] for m in measures) == sorted(m.metric for _g, m in card.measures())
    points = [m["points"] for m in measures if m["points"] is not None and not _nan(m["points"])]
    lost = [m["points_lost"] for m in measures if m["points_lost"] is not None and not _nan(m["points_lost"])]
    assert abs(sum(points) - health["score"]) < 1e-6
    assert abs(sum(lost) - (100 - health["score"])) < 1e-6
    assert measures[0]["metric"] == red["driver_1"]
    assert measures[0]["points_lost"] == pytest.approx(red["driver_1_points"])
    assert data["account"]["account_id"] == red["account_id"]


def _nan(value) -> bool:
    return isinstance(value, float) and math.isnan(value)


def test_account_json_is_strict_json(red_json):
    # NaN is not JSON (RFC 8259): jq, JavaScript and most parsers reject it. A measure with no data has
    # no value; it must be null.
    json.loads(red_json, parse_constant=lambda name: pytest.fail(f"{name} in tenure account --format json"))


def test_an_unknown_account_exits_3_with_a_clear_message(folder):
    result = run(folder, "account", "NO-SUCH-ACCOUNT", "--as-of", AS_OF)
    assert result.returncode == 3
    assert "NO-SUCH-ACCOUNT" in result.stderr and "no account" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


# -- backfill from the CLI ---------------------------------------------------------------------------------------


def test_run_from_to_every_week_stores_each_snapshot(folder, after_run):
    start, end = "2025-05-20", "2025-06-10"
    out = ok(folder, "run", "--from", start, "--to", end, "--every", "week")
    expected = dates(dt.date.fromisoformat(start), dt.date.fromisoformat(end), "week")
    assert expected == [dt.date(2025, 5, 20), dt.date(2025, 5, 27), dt.date(2025, 6, 3), dt.date(2025, 6, 10)]
    assert "4 snapshots from 2025-05-20 to 2025-06-10, every week" in out
    days = stored_days(folder)
    assert set(expected) <= set(days)
    assert set(days) - set(expected) <= {dt.date.fromisoformat(AS_OF)}
    assert set(expected) <= set(stored_days(folder, METRICS_HISTORY))


@pytest.mark.parametrize(("options", "words"), [
    (("--from", "2025-06-10", "--to", "2025-06-01"), ["--from 2025-06-10", "after", "--to 2025-06-01"]),
    (("--from", "2025-06-01", "--to", "2025-06-10", "--every", "month"), ["--every", "month", "day, week"]),
    (("--from", "June", "--to", "2025-06-10"), ["--from", "'June'", "ISO date"]),
])
def test_run_backfill_mistakes_are_reported(folder, options, words):
    result = run(folder, "run", *options)
    output = result.stdout + result.stderr
    assert result.returncode == 1
    for word in words:
        assert word in output, output
    assert "Traceback" not in output


@pytest.mark.parametrize("args", [
    ("run", "--to", "2025-06-10"),  # raised by the command: typer.BadParameter
    ("health", "--top", "0"),  # checked by the option: min=1
    ("health", "--no-such-option"),
])
def test_usage_errors_exit_2_with_a_message_not_a_traceback(folder, args):
    result = run(folder, *args)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == 2, output
    assert {"run": "--to needs --from", "health": args[1]}[args[0]] in output


# -- tenure metrics adoption ---------------------------------------------------------------------------------------


def test_metrics_adoption_lists_the_paying_accounts(folder, rows):
    if not (Path(__file__).parents[2] / "src" / "tenure" / "cli" / "metrics.py").is_file():
        pytest.skip("no tenure metrics command")
    adoption = json.loads(ok(folder, "metrics", "adoption", "--as-of", AS_OF, "--format", "json"))
    assert {row["account_id"] for row in adoption} == {row["account_id"] for row in rows}
    assert {"account_id", "seat_utilisation", "feature_breadth_30d", "zombie"} <= set(adoption[0])
    arrs = [row["arr"] for row in adoption]
    assert arrs == sorted(arrs, reverse=True)
    zombies = {row["account_id"]: row["zombie"] for row in rows}
    assert all(row["zombie"] == zombies[row["account_id"]] for row in adoption)
