"""Leakage: whatever happens after a cutoff changes neither the features nor the prediction at it.

Workspace `full` holds the whole demo company. Workspace `known` holds only what was known at
the cutoff C: every row dated after C is gone, lines starting after C are gone, end dates and
ticket resolutions after C are blank (not yet recorded), contacts who leave after C have not
left, and every later number is replaced. Features at C must be identical in both, and so must
the churn probabilities of a model trained at C.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tenure.predict.dataset import first_cutoff, month_ends, training_rows
from tenure.predict.features import features_at
from tenure.predict.train import fit, known_before

from .conftest import loaded

C = dt.date(2025, 7, 31)
HORIZON = 180


def _as_known_at(company: Path, out: Path, cutoff: dt.date) -> Path:
    """Copy of the company's contract files as they stood at the cutoff."""
    out.mkdir()
    day_end = pd.Timestamp(cutoff + dt.timedelta(days=1), tz="UTC")
    day = pd.Timestamp(cutoff)
    for path in sorted(company.iterdir()):
        original = pq.read_table(path)
        frame = original.to_pandas()
        name = path.stem
        if name == "events":
            frame = frame[frame["timestamp"] < day_end]
        elif name == "subscriptions":
            frame = frame[pd.to_datetime(frame["start_date"]) <= day].copy()
            later = pd.to_datetime(frame["end_date"]) > day
            frame.loc[later, "end_date"] = None
        elif name == "tickets":
            frame = frame[frame["created_at"] < day_end].copy()
            later = frame["resolved_at"] >= day_end
            frame.loc[later, ["resolved_at", "status", "csat"]] = None
        elif name == "activities":
            frame = frame[frame["occurred_at"] < day_end]
        elif name == "surveys":
            frame = frame[frame["submitted_at"] < day_end]
        elif name == "contacts":
            frame = frame.copy()
            frame.loc[pd.to_datetime(frame["left_at"]) > day, "left_at"] = None
        elif name == "opportunities":
            frame = frame[pd.to_datetime(frame["close_date"]) <= day]
        elif name == "fx_rates":
            frame = frame[pd.to_datetime(frame["date"]) <= day]
        schema = original.schema.remove_metadata()
        pq.write_table(pa.Table.from_pandas(frame, schema=schema, preserve_index=False), out / f"{name}.parquet")
    return out


@pytest.fixture(scope="module")
def workspaces(small_company, tmp_path_factory):
    root = tmp_path_factory.mktemp("leakage")
    full = loaded(root / "full", small_company)
    known = loaded(root / "known", _as_known_at(small_company, root / "known-data", C))
    return full, known


def test_features_at_the_cutoff_ignore_everything_after_it(workspaces):
    full, known = workspaces
    a, b = features_at(full, C), features_at(known, C)
    assert len(a) > 100
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_the_prediction_at_the_cutoff_ignores_everything_after_it(workspaces):
    full, known = workspaces
    probabilities = []
    for ws in (full, known):
        cutoffs = [c for c in month_ends(first_cutoff(ws), C) if c + dt.timedelta(days=HORIZON) <= C]
        rows = training_rows(ws, cutoffs)
        model = fit(known_before(rows, pd.Timestamp(C), HORIZON))
        probabilities.append(model.probability(features_at(ws, C), "churned"))
    assert len(cutoffs) >= 3
    np.testing.assert_array_equal(probabilities[0], probabilities[1])


def test_outcomes_do_see_after_the_cutoff(workspaces):
    """The control: the two workspaces really differ after C (the labels of C come from the future)."""
    full, known = workspaces
    a = training_rows(full, [C]).set_index("account_id")
    b = training_rows(known, [C]).set_index("account_id")
    assert (a["outcome"] == "churned").sum() > 0
    assert not a["outcome"].equals(b["outcome"])
