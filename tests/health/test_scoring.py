"""Health scoring on small hand-made metric tables with answers worked out by hand.

Every test builds a `Health` from a dict, a metric table as an `ibis.memtable` on an in-memory
DuckDB, and executes `measure_scores` / `account_scores` in the engine.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import ibis
import pandas as pd
import pytest

from tenure.metrics.health import account_scores, band, measure_scores
from tenure.metrics.scorecard import Health

BANDS = {"red": [0, 45], "yellow": [45, 70], "green": [70, 100]}


@pytest.fixture(scope="module")
def con():
    backend = ibis.duckdb.connect()
    yield backend
    backend.disconnect()


def health(*scorecards: Mapping[str, Any], bands: Mapping[str, Sequence[float]] = BANDS) -> Health:
    return Health.model_validate({"bands": dict(bands), "scorecards": list(scorecards)})


def card(*groups: Mapping[str, Any], name: str = "standard", segments: Sequence[str] = ()) -> dict[str, Any]:
    return {"name": name, "segments": list(segments), "groups": list(groups)}


def group(name: str, weight: float, *measures: Mapping[str, Any]) -> dict[str, Any]:
    return {"name": name, "weight": weight, "measures": list(measures)}


def single(measure: Mapping[str, Any]) -> Health:
    """A scorecard of one group with one measure (weight 100)."""
    return health(card(group("only", 100, {"weight": 100, **measure})))


def table(rows: Sequence[Mapping[str, Any]], schema: Mapping[str, str]) -> ibis.Table:
    frame = pd.DataFrame(list(rows), columns=list(schema))
    return ibis.memtable(frame, schema=ibis.schema(dict(schema)))


def run_measures(con, metrics: ibis.Table, spec: Health, segments: ibis.Table | None = None) -> pd.DataFrame:
    out = con.execute(measure_scores(metrics, segments, spec))
    return out.sort_values(["account_id", "metric"]).reset_index(drop=True)


def run_accounts(con, metrics: ibis.Table, spec: Health, segments: ibis.Table | None = None) -> pd.DataFrame:
    out = con.execute(account_scores(measure_scores(metrics, segments, spec), spec))
    return out.set_index("account_id").sort_index()


def scores_by_account(con, metrics: ibis.Table, spec: Health) -> dict[str, float | None]:
    frame = run_measures(con, metrics, spec)
    return {a: (None if pd.isna(s) else float(s)) for a, s in zip(frame.account_id, frame.score, strict=True)}


def is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


# -- scoring functions -------------------------------------------------------------------------------


def test_linear_rising_scores_between_worst_and_best_and_clips(con):
    spec = single({"metric": "m", "linear": {"worst": 0, "best": 10}})
    metrics = table([{"account_id": a, "m": v} for a, v in
                     [("below", -5.0), ("worst", 0.0), ("quarter", 2.5), ("best", 10.0), ("above", 20.0)]],
                    {"account_id": "string", "m": "float64"})
    assert scores_by_account(con, metrics, spec) == pytest.approx(
        {"below": 0.0, "worst": 0.0, "quarter": 25.0, "best": 100.0, "above": 100.0})


def test_linear_falling_scores_lower_values_higher_and_clips(con):
    # days since an executive was met: 180 or more is worst, 30 or fewer is best.
    spec = single({"metric": "days", "linear": {"worst": 180, "best": 30}})
    metrics = table([{"account_id": a, "days": v} for a, v in
                     [("old", 400.0), ("worst", 180.0), ("sixty", 60.0), ("best", 30.0), ("fresh", 2.0)]],
                    {"account_id": "string", "days": "float64"})
    # (60 − 180) / (30 − 180) = 0.8
    assert scores_by_account(con, metrics, spec) == pytest.approx(
        {"old": 0.0, "worst": 0.0, "sixty": 80.0, "best": 100.0, "fresh": 100.0})


def test_linear_scores_an_integer_metric(con):
    spec = single({"metric": "n", "linear": {"worst": 0, "best": 4}})
    metrics = table([{"account_id": "a", "n": 1}, {"account_id": "b", "n": 3}], {"account_id": "string", "n": "int64"})
    assert scores_by_account(con, metrics, spec) == pytest.approx({"a": 25.0, "b": 75.0})


def test_steps_a_value_on_a_threshold_takes_the_next_step(con):
    spec = single({"metric": "urgent", "steps": {"thresholds": [1, 2], "scores": [100, 40, 0]}})
    values = [("zero", 0.0), ("almost_one", 0.999), ("one", 1.0), ("between", 1.5), ("two", 2.0), ("many", 7.0),
              ("negative", -3.0)]
    metrics = table([{"account_id": a, "urgent": v} for a, v in values], {"account_id": "string", "urgent": "float64"})
    assert scores_by_account(con, metrics, spec) == {
        "zero": 100.0, "almost_one": 100.0, "one": 40.0, "between": 40.0, "two": 0.0, "many": 0.0, "negative": 100.0}


def test_steps_need_not_be_monotonic(con):
    spec = single({"metric": "x", "steps": {"thresholds": [10, 20, 30], "scores": [20, 90, 60, 5]}})
    metrics = table([{"account_id": a, "x": v} for a, v in [("a", 9.0), ("b", 10.0), ("c", 25.0), ("d", 30.0)]],
                    {"account_id": "string", "x": "float64"})
    assert scores_by_account(con, metrics, spec) == {"a": 20.0, "b": 90.0, "c": 60.0, "d": 5.0}


def test_flag_scores_true_and_false(con):
    spec = single({"metric": "zombie", "flag": {"if_true": 10, "if_false": 95}})
    metrics = table([{"account_id": "z", "zombie": True}, {"account_id": "alive", "zombie": False},
                     {"account_id": "unknown", "zombie": None}], {"account_id": "string", "zombie": "boolean"})
    assert scores_by_account(con, metrics, spec) == {"z": 10.0, "alive": 95.0, "unknown": None}


# -- missing data ----------------------------------------------------------------------------------------

THREE = {"account_id": "string", "a": "float64", "b": "float64", "c": "float64"}


def three_measures(missing_b: Any = "skip") -> Health:
    """Group g1 (60) holds a (50) and b (50); group g2 (40) holds c: weights a 30, b 30, c 40."""
    b = {"metric": "b", "weight": 50, "linear": {"worst": 0, "best": 1}}
    if missing_b != "skip":
        b["missing"] = missing_b
    return health(card(
        group("g1", 60, {"metric": "a", "weight": 50, "linear": {"worst": 0, "best": 1}}, b),
        group("g2", 40, {"metric": "c", "weight": 100, "linear": {"worst": 0, "best": 1}}),
    ))


def test_weights_are_group_weight_times_measure_weight(con):
    metrics = table([{"account_id": "x", "a": 0.5, "b": 0.5, "c": 0.5}], THREE)
    out = run_measures(con, metrics, three_measures())
    assert dict(zip(out.metric, out.weight, strict=True)) == pytest.approx({"a": 30.0, "b": 30.0, "c": 40.0})
    assert set(out.group) == {"g1", "g2"} and set(out.scorecard) == {"standard"}


def test_all_measures_present_give_the_weighted_mean(con):
    metrics = table([{"account_id": "x", "a": 0.8, "b": 0.5, "c": 0.3}], THREE)
    scored = run_accounts(con, metrics, three_measures())
    assert scored.loc["x", "score"] == pytest.approx(0.30 * 80 + 0.30 * 50 + 0.40 * 30)  # 51


def test_skip_renormalises_the_other_measures(con):
    metrics = table([{"account_id": "x", "a": 0.8, "b": None, "c": 0.3}], THREE)
    spec = three_measures()
    measures = run_measures(con, metrics, spec).set_index("metric")
    # b's 30 is spread over a (30) and c (40): (30 × 80 + 40 × 30) / 70 = 3600 / 70.
    expected = (30 * 80 + 40 * 30) / 70
    scored = run_accounts(con, metrics, spec)
    assert scored.loc["x", "score"] == pytest.approx(expected)
    assert is_missing(measures.loc["b", "score"])
    assert is_missing(measures.loc["b", "points"]) and is_missing(measures.loc["b", "points_lost"])
    assert measures.loc["a", "points"] == pytest.approx(80 * 30 / 70)
    assert measures.loc["c", "points"] == pytest.approx(30 * 40 / 70)
    assert measures.loc["c", "points_lost"] == pytest.approx(70 * 40 / 70)


def test_skip_renormalises_per_account(con):
    # y misses c instead: a and b (30 each) share the whole weight.
    metrics = table([{"account_id": "x", "a": 0.8, "b": None, "c": 0.3},
                     {"account_id": "y", "a": 0.8, "b": 0.2, "c": None}], THREE)
    scored = run_accounts(con, metrics, three_measures())
    assert scored.loc["x", "score"] == pytest.approx((30 * 80 + 40 * 30) / 70)
    assert scored.loc["y", "score"] == pytest.approx((30 * 80 + 30 * 20) / 60)


def test_a_fixed_missing_score_stands_in_for_the_value(con):
    metrics = table([{"account_id": "x", "a": 0.8, "b": None, "c": 0.3},
                     {"account_id": "y", "a": 0.8, "b": 0.9, "c": 0.3}], THREE)
    spec = three_measures(missing_b=25)
    measures = run_measures(con, metrics, spec)
    b = measures[measures.metric == "b"].set_index("account_id")
    assert b.loc["x", "score"] == 25.0 and b.loc["y", "score"] == pytest.approx(90.0)
    assert is_missing(b.loc["x", "value"])
    scored = run_accounts(con, metrics, spec)
    assert scored.loc["x", "score"] == pytest.approx(0.30 * 80 + 0.30 * 25 + 0.40 * 30)  # 43.5: no renormalising
    assert scored.loc["x", "band"] == "red"
    assert scored.loc["y", "score"] == pytest.approx(0.30 * 80 + 0.30 * 90 + 0.40 * 30)


def test_a_fixed_missing_score_of_zero_is_a_score_not_no_data(con):
    metrics = table([{"account_id": "x", "a": 1.0, "b": None, "c": 1.0}], THREE)
    scored = run_accounts(con, metrics, three_measures(missing_b=0))
    assert scored.loc["x", "score"] == pytest.approx(70.0)
    assert scored.loc["x", "driver_1"] == "b"
    assert scored.loc["x", "driver_1_points"] == pytest.approx(30.0)


def test_all_measures_missing_gives_no_score_and_no_band(con):
    metrics = table([{"account_id": "empty", "a": None, "b": None, "c": None},
                     {"account_id": "full", "a": 1.0, "b": 1.0, "c": 1.0}], THREE)
    scored = run_accounts(con, metrics, three_measures())
    assert list(scored.index) == ["empty", "full"]
    assert is_missing(scored.loc["empty", "score"])
    assert is_missing(scored.loc["empty", "band"])
    assert is_missing(scored.loc["empty", "driver_1"]) and is_missing(scored.loc["empty", "driver_2"])
    assert scored.loc["empty", "scorecard"] == "standard"
    assert scored.loc["full", "score"] == pytest.approx(100.0) and scored.loc["full", "band"] == "green"


# -- points and drivers ------------------------------------------------------------------------------------


def test_points_add_up_to_the_score_and_points_lost_to_the_rest(con):
    rows = [
        {"account_id": "p1", "a": 0.8, "b": 0.5, "c": 0.3},
        {"account_id": "p2", "a": None, "b": 0.1, "c": 0.95},
        {"account_id": "p3", "a": 0.0, "b": None, "c": None},
        {"account_id": "p4", "a": 1.5, "b": -2.0, "c": 0.42},
    ]
    metrics = table(rows, THREE)
    spec = three_measures()
    measures = run_measures(con, metrics, spec)
    scored = run_accounts(con, metrics, spec)
    points = measures.groupby("account_id").points.sum()
    lost = measures.groupby("account_id").points_lost.sum()
    for account in scored.index:
        score = scored.loc[account, "score"]
        assert points[account] == pytest.approx(score, abs=1e-9), account
        assert lost[account] == pytest.approx(100 - score, abs=1e-9), account
    assert scored.loc["p3", "score"] == pytest.approx(0.0)
    assert scored.loc["p4", "score"] == pytest.approx(0.30 * 100 + 0.30 * 0 + 0.40 * 42)


def test_the_top_two_drivers_are_the_measures_that_cost_most_points(con):
    # scores a 80, b 50, c 30; points lost a 0.3 × 20 = 6, b 0.3 × 50 = 15, c 0.4 × 70 = 28.
    metrics = table([{"account_id": "x", "a": 0.8, "b": 0.5, "c": 0.3}], THREE)
    scored = run_accounts(con, metrics, three_measures())
    row = scored.loc["x"]
    assert (row.driver_1, row.driver_2) == ("c", "b")
    assert row.driver_1_points == pytest.approx(28.0)
    assert row.driver_2_points == pytest.approx(15.0)


def test_drivers_follow_renormalised_points(con):
    # b is skipped: a loses 30 × 20 / 70, c loses 40 × 70 / 70.
    metrics = table([{"account_id": "x", "a": 0.8, "b": None, "c": 0.3}], THREE)
    row = run_accounts(con, metrics, three_measures()).loc["x"]
    assert (row.driver_1, row.driver_2) == ("c", "a")
    assert row.driver_1_points == pytest.approx(40.0)
    assert row.driver_2_points == pytest.approx(30 * 20 / 70)


def test_measures_at_full_score_are_not_drivers(con):
    metrics = table([{"account_id": "one", "a": 1.0, "b": 0.5, "c": 1.0},
                     {"account_id": "none", "a": 1.0, "b": 1.0, "c": 1.0}], THREE)
    scored = run_accounts(con, metrics, three_measures())
    assert scored.loc["one", "driver_1"] == "b"
    assert scored.loc["one", "driver_1_points"] == pytest.approx(15.0)
    assert is_missing(scored.loc["one", "driver_2"]) and is_missing(scored.loc["one", "driver_2_points"])
    assert is_missing(scored.loc["none", "driver_1"]) and is_missing(scored.loc["none", "driver_2"])


def test_drivers_tied_on_points_go_by_metric_name(con):
    spec = health(card(group("g", 100,
                             {"metric": "zeta", "weight": 50, "linear": {"worst": 0, "best": 1}},
                             {"metric": "alpha", "weight": 50, "linear": {"worst": 0, "best": 1}})))
    metrics = table([{"account_id": "x", "zeta": 0.5, "alpha": 0.5}],
                    {"account_id": "string", "zeta": "float64", "alpha": "float64"})
    row = run_accounts(con, metrics, spec).loc["x"]
    assert (row.driver_1, row.driver_2) == ("alpha", "zeta")
    assert row.driver_1_points == pytest.approx(25.0) and row.driver_2_points == pytest.approx(25.0)


# -- bands ---------------------------------------------------------------------------------------------------

# Steps give exact scores (no floating-point noise at the band edges): value k scores EXACT[k].
EXACT = [0, 44.99, 45, 69.999, 70, 99.5, 100]


def test_band_edges_belong_to_the_band_above_and_100_to_the_top_band(con):
    spec = single({"metric": "k", "steps": {"thresholds": list(range(1, len(EXACT))), "scores": EXACT}})
    metrics = table([{"account_id": f"s{k}", "k": float(k)} for k in range(len(EXACT))],
                    {"account_id": "string", "k": "float64"})
    scored = run_accounts(con, metrics, spec)
    got = {float(s): b for s, b in zip(scored.score, scored.band, strict=True)}
    assert got == {0.0: "red", 44.99: "red", 45.0: "yellow", 69.999: "yellow", 70.0: "green", 99.5: "green",
                   100.0: "green"}


def test_band_expression_with_four_bands_in_any_order(con):
    spec = health(card(group("g", 100, {"metric": "m", "weight": 100, "linear": {"worst": 0, "best": 1}})),
                  bands={"top": [90, 100], "low": [0, 20], "mid": [20, 60], "high": [60, 90]})
    assert list(spec.bands) == ["low", "mid", "high", "top"]
    assert spec.lowest_band == "low"
    frame = pd.DataFrame({"score": [0.0, 19.9, 20.0, 59.99, 60.0, 89.0, 90.0, 100.0, None]})
    scores = ibis.memtable(frame, schema=ibis.schema({"score": "float64"}))
    out = con.execute(scores.select(scores.score, band=band(scores.score, spec)))
    assert list(out.band[:-1]) == ["low", "low", "mid", "mid", "high", "high", "top", "top"]
    assert is_missing(out.band.iloc[-1])


# -- scorecards by segment ------------------------------------------------------------------------------------

SEGMENTED = {"account_id": "string", "usage": "float64", "meetings": "float64"}


def segmented() -> Health:
    """standard (default) scores meetings; digital (SMB, Self-serve) scores usage."""
    return health(
        card(group("engagement", 100, {"metric": "meetings", "weight": 100, "linear": {"worst": 0, "best": 4}})),
        card(group("adoption", 100, {"metric": "usage", "weight": 100, "linear": {"worst": 0, "best": 1}}),
             name="digital", segments=["SMB", "Self-serve"]),
    )


@pytest.fixture
def segment_tables():
    metrics = table([{"account_id": a, "usage": 0.9, "meetings": 1.0} for a in
                     ("smb", "selfserve", "ent", "nosegment", "notlisted")], SEGMENTED)
    segments = table([{"account_id": "smb", "segment": "SMB", "name": "S"},
                      {"account_id": "selfserve", "segment": "Self-serve", "name": "SS"},
                      {"account_id": "ent", "segment": "Enterprise", "name": "E"},
                      {"account_id": "nosegment", "segment": None, "name": "N"}],
                     {"account_id": "string", "segment": "string", "name": "string"})
    return metrics, segments


def test_each_account_is_scored_by_its_segments_scorecard_only(con, segment_tables):
    metrics, segments = segment_tables
    spec = segmented()
    measures = run_measures(con, metrics, spec, segments)
    assert measures.groupby("account_id").size().to_dict() == {a: 1 for a in
                                                               ("smb", "selfserve", "ent", "nosegment", "notlisted")}
    used = dict(zip(measures.account_id, zip(measures.scorecard, measures.metric, strict=True), strict=True))
    assert used == {"smb": ("digital", "usage"), "selfserve": ("digital", "usage"), "ent": ("standard", "meetings"),
                    "nosegment": ("standard", "meetings"), "notlisted": ("standard", "meetings")}


def test_segment_scorecards_give_their_own_scores(con, segment_tables):
    metrics, segments = segment_tables
    scored = run_accounts(con, metrics, segmented(), segments)
    assert scored.scorecard.to_dict() == {"ent": "standard", "nosegment": "standard", "notlisted": "standard",
                                          "selfserve": "digital", "smb": "digital"}
    assert scored.score.to_dict() == pytest.approx({"ent": 25.0, "nosegment": 25.0, "notlisted": 25.0,
                                                    "selfserve": 90.0, "smb": 90.0})
    assert scored.band.to_dict() == {"ent": "red", "nosegment": "red", "notlisted": "red", "selfserve": "green",
                                     "smb": "green"}


def test_without_segments_every_account_takes_the_default_scorecard(con, segment_tables):
    metrics, _ = segment_tables
    scored = run_accounts(con, metrics, segmented(), None)
    assert set(scored.scorecard) == {"standard"}
    assert scored.score.tolist() == pytest.approx([25.0] * 5)


def test_accounts_without_metrics_are_not_scored(con):
    # The accounts table lists everyone; only the accounts in the metric table (the paying ones) get a score.
    metrics = table([{"account_id": "smb", "usage": 0.5, "meetings": 2.0}], SEGMENTED)
    segments = table([{"account_id": "smb", "segment": "SMB"}, {"account_id": "gone", "segment": "SMB"},
                      {"account_id": "prospect", "segment": None}], {"account_id": "string", "segment": "string"})
    scored = run_accounts(con, metrics, segmented(), segments)
    assert list(scored.index) == ["smb"]
    assert scored.loc["smb", "scorecard"] == "digital"
    assert scored.loc["smb", "score"] == pytest.approx(50.0)


# -- several dates at once, and tables that are not loaded ------------------------------------------------------


def test_keys_score_each_date_on_its_own(con):
    # The same account on two dates: renormalising and drivers work per (as_of, account_id).
    rows = [{"as_of": "2025-01-31", "account_id": "x", "a": 0.8, "b": None, "c": 0.3},
            {"as_of": "2025-02-28", "account_id": "x", "a": 0.8, "b": 0.5, "c": 0.3}]
    metrics = table(rows, {"as_of": "string", **THREE})
    spec = three_measures()
    keys = ("as_of", "account_id")
    out = con.execute(account_scores(measure_scores(metrics, None, spec, keys=keys), spec, keys=keys))
    out = out.set_index("as_of").sort_index()
    assert out.score.tolist() == pytest.approx([(30 * 80 + 40 * 30) / 70, 51.0])
    assert (out.account_id == "x").all()
    assert out.driver_2.tolist() == ["a", "b"]


def test_an_unavailable_metric_is_skipped_not_given_its_fixed_score(con):
    # b's table is not loaded: its fixed missing score of 25 would be a made-up number.
    metrics = table([{"account_id": "x", "a": 0.8, "b": None, "c": 0.3}], THREE)
    spec = three_measures(missing_b=25)
    measures = con.execute(measure_scores(metrics, None, spec, unavailable={"b"}))
    scored = con.execute(account_scores(measure_scores(metrics, None, spec, unavailable={"b"}), spec))
    assert is_missing(measures.set_index("metric").loc["b", "score"])
    assert scored.score.iloc[0] == pytest.approx((30 * 80 + 40 * 30) / 70)
    loaded = con.execute(account_scores(measure_scores(metrics, None, spec), spec))
    assert loaded.score.iloc[0] == pytest.approx(43.5)
