"""Health history: snapshots keyed by date, backfills, backfill dates, and the 30-day score change.

Runs on a small generated demo company (120 accounts, 15 months to 2025-06-30, seed 5).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import pytest

from tenure.errors import TenureError
from tenure.history import HEALTH_HISTORY, METRICS_HISTORY, backfill, dates, history, snapshot
from tenure.metrics.health import account_scores
from tenure.views.health import band_summary, health_at, measures_at, metrics_at

AS_OF = dt.date(2025, 6, 15)
EARLIER = AS_OF - dt.timedelta(days=30)  # 2025-05-16
BACKFILL = [dt.date(2025, 5, 2), dt.date(2025, 5, 9), EARLIER]  # weekly, ending 30 days before AS_OF


@pytest.fixture(scope="module")
def ws(tmp_path_factory, small_company, workspace_from):
    workspace = workspace_from(tmp_path_factory.mktemp("history") / "ws", small_company)
    yield workspace
    workspace.close()


@dataclass
class Story:
    """What the history tables held after each step: snapshot AS_OF twice, then backfill BACKFILL twice."""

    view: pd.DataFrame  # health_at(AS_OF), executed
    rows: dict[str, int]  # what the first snapshot reported
    first: dict[str, pd.DataFrame]  # each history table after the first snapshot
    second: dict[str, pd.DataFrame]  # ... after the same snapshot again
    progress: list[dt.date]  # the days the backfill reported, in order
    backfilled: list[tuple[dt.date, dict[str, int]]]  # what backfill yielded
    after_backfill: dict[str, pd.DataFrame]
    after_second_backfill: dict[str, pd.DataFrame]


@pytest.fixture(scope="module")
def story(ws) -> Story:
    def tables() -> dict[str, pd.DataFrame]:
        return {name: stored(ws, name) for name in (HEALTH_HISTORY, METRICS_HISTORY)}

    assert history(ws) is None
    view = ws.warehouse.execute(health_at(ws, as_of=AS_OF))
    rows = snapshot(ws, as_of=AS_OF)
    first = tables()
    snapshot(ws, as_of=AS_OF)
    second = tables()
    seen: list[dt.date] = []
    done = list(backfill(ws, BACKFILL, progress=seen.append))
    after = tables()
    list(backfill(ws, BACKFILL))
    return Story(view, rows, first, second, seen, done, after, tables())


def stored(ws, name: str = HEALTH_HISTORY) -> pd.DataFrame:
    table = history(ws, name)
    assert table is not None, f"{name} was not stored"
    return ws.warehouse.execute(table)


def by_account(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("account_id").reset_index(drop=True)


def by_day(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["as_of", "account_id"]).reset_index(drop=True)


def on(frame: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    return frame[frame.as_of == pd.Timestamp(day)]


# -- dates -----------------------------------------------------------------------------------------------


def test_weekly_dates_end_on_the_last_day_and_step_back_a_week():
    assert dates(dt.date(2025, 6, 1), dt.date(2025, 6, 30), "week") == [
        dt.date(2025, 6, 2), dt.date(2025, 6, 9), dt.date(2025, 6, 16), dt.date(2025, 6, 23), dt.date(2025, 6, 30)]


def test_weekly_dates_include_the_start_when_it_falls_on_a_step():
    assert dates(dt.date(2025, 6, 16), dt.date(2025, 6, 30), "week") == [
        dt.date(2025, 6, 16), dt.date(2025, 6, 23), dt.date(2025, 6, 30)]


def test_daily_dates_are_every_day_oldest_first():
    assert dates(dt.date(2024, 2, 27), dt.date(2024, 3, 2), "day") == [
        dt.date(2024, 2, 27), dt.date(2024, 2, 28), dt.date(2024, 2, 29), dt.date(2024, 3, 1), dt.date(2024, 3, 2)]


def test_one_day_range_is_that_day():
    day = dt.date(2025, 6, 30)
    assert dates(day, day, "week") == [day]
    assert dates(day, day, "day") == [day]


def test_from_after_to_is_an_error_naming_both():
    with pytest.raises(TenureError) as raised:
        dates(dt.date(2025, 7, 1), dt.date(2025, 6, 30), "week")
    message = str(raised.value)
    assert "--from 2025-07-01" in message and "--to 2025-06-30" in message and "after" in message


@pytest.mark.parametrize("every", ["month", "weekly", "", "7"])
def test_an_unknown_step_is_an_error_listing_the_steps(every):
    with pytest.raises(TenureError) as raised:
        dates(dt.date(2025, 6, 1), dt.date(2025, 6, 30), every)
    message = str(raised.value)
    assert "--every" in message and "day" in message and "week" in message and repr(every) in message


# -- snapshots ---------------------------------------------------------------------------------------------


def test_a_snapshot_stores_every_paying_account_once(story):
    health, metrics = story.first[HEALTH_HISTORY], story.first[METRICS_HISTORY]
    assert story.rows == {METRICS_HISTORY: len(story.view), HEALTH_HISTORY: len(story.view)}
    assert len(story.view) > 20
    assert list(health.as_of.dt.date.unique()) == [AS_OF] == list(metrics.as_of.dt.date.unique())
    assert len(health) == len(metrics) == len(story.view)
    assert health.account_id.is_unique and metrics.account_id.is_unique
    assert set(health.account_id) == set(story.view.account_id) == set(metrics.account_id)


def test_the_stored_snapshot_is_the_health_view_of_that_day(story):
    day = by_account(story.first[HEALTH_HISTORY].drop(columns="as_of"))
    view = by_account(story.view)
    assert list(day.columns) == list(view.columns)
    pd.testing.assert_frame_equal(day, view, check_dtype=False)


@pytest.mark.parametrize("name", [HEALTH_HISTORY, METRICS_HISTORY])
def test_a_snapshot_taken_twice_replaces_the_day(story, name):
    first, second = story.first[name], story.second[name]
    assert len(second) == len(first)
    assert not second.duplicated(["as_of", "account_id"]).any()
    pd.testing.assert_frame_equal(by_day(first), by_day(second))


def test_backfill_stores_one_snapshot_per_date_oldest_first(story):
    assert dates(BACKFILL[0], BACKFILL[-1], "week") == BACKFILL
    assert [day for day, _ in story.backfilled] == BACKFILL == story.progress
    health = story.after_backfill[HEALTH_HISTORY]
    assert sorted(health.as_of.dt.date.unique()) == [*BACKFILL, AS_OF]
    assert health[health.as_of != pd.Timestamp(AS_OF)].as_of.nunique() == 3
    for day, rows in story.backfilled:
        assert len(on(health, day)) == rows[HEALTH_HISTORY] > 20
        assert on(health, day).account_id.is_unique
        assert len(on(story.after_backfill[METRICS_HISTORY], day)) == rows[METRICS_HISTORY]
    assert sorted(story.after_backfill[METRICS_HISTORY].as_of.dt.date.unique()) == [*BACKFILL, AS_OF]


def test_backfill_days_are_computed_for_their_own_date(story):
    health = story.after_backfill[HEALTH_HISTORY]
    scores = health.pivot(index="account_id", columns="as_of", values="score")
    assert (scores.nunique(axis=1) > 1).sum() >= 5  # not the same day stored under four dates


@pytest.mark.parametrize("name", [HEALTH_HISTORY, METRICS_HISTORY])
def test_backfill_leaves_the_other_days(story, name):
    kept = on(story.after_backfill[name], AS_OF)
    pd.testing.assert_frame_equal(by_day(story.second[name]), by_day(kept))


@pytest.mark.parametrize("name", [HEALTH_HISTORY, METRICS_HISTORY])
def test_a_backfill_run_again_does_not_duplicate(story, name):
    before, after = story.after_backfill[name], story.after_second_backfill[name]
    assert len(after) == len(before)
    assert not after.duplicated(["as_of", "account_id"]).any()
    pd.testing.assert_frame_equal(by_day(before), by_day(after))


def test_band_summary_counts_the_stored_day(story, ws):
    summary = band_summary(ws, as_of=AS_OF).set_index("band")
    view = story.view
    assert summary.accounts.sum() == len(view)
    for name in ("red", "yellow", "green"):
        mine = view[view.band == name]
        assert summary.loc[name, "accounts"] == len(mine)
        assert summary.loc[name, "arr"] == pytest.approx(float(mine.arr.sum()))
    assert summary.at_risk.to_dict() == {name: name == "red" for name in summary.index}


# -- the 30-day change ---------------------------------------------------------------------------------------


def scores_at(ws, day: dt.date) -> pd.Series:
    """Scores at a day computed on their own: the metrics of that day, their measures, the account scores."""
    measures = measures_at(ws, as_of=day, metrics=metrics_at(ws, as_of=day).cache())
    out = ws.warehouse.execute(account_scores(measures, ws.config.health))
    assert out.account_id.is_unique
    return out.set_index("account_id").score


def check_change(view: pd.DataFrame, now: pd.Series, then: pd.Series) -> None:
    view = view.set_index("account_id")
    assert set(view.index) == set(now.index)
    expected = now - then.reindex(now.index)
    got = view.score_change_30d.reindex(now.index)
    assert got.isna().tolist() == expected.isna().tolist()
    assert got.dropna().to_numpy() == pytest.approx(expected.dropna().to_numpy(), abs=1e-9)
    # The check means something only when scores moved.
    assert (expected.dropna().abs() > 0.01).sum() >= 5
    assert view.score.reindex(now.index).to_numpy() == pytest.approx(now.to_numpy(), nan_ok=True)


def test_score_change_is_the_score_now_minus_the_score_30_days_earlier(story, ws):
    check_change(story.view, scores_at(ws, AS_OF), scores_at(ws, EARLIER))


def test_score_change_at_the_end_of_a_month(ws):
    day = dt.date(2025, 3, 31)
    view = ws.warehouse.execute(health_at(ws, as_of=day))
    check_change(view, scores_at(ws, day), scores_at(ws, day - dt.timedelta(days=30)))


def test_score_change_agrees_with_the_stored_history(story):
    health = story.after_backfill[HEALTH_HISTORY]
    then = on(health, EARLIER).set_index("account_id").score
    now = on(health, AS_OF).set_index("account_id")
    both = now.index.intersection(then.index)
    assert len(both) > 20
    assert now.loc[both, "score_change_30d"].to_numpy() == pytest.approx(
        (now.loc[both, "score"] - then.loc[both]).to_numpy(), abs=1e-9, nan_ok=True)
    new = now.index.difference(then.index)
    assert now.loc[new, "score_change_30d"].isna().all()
