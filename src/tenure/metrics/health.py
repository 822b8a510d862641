"""Health scores from scorecards, computed in the engine, with every point explained.

Each measure turns its metric's value into a score from 0 to 100 and carries a weight (its
group's weight × its own, over 100). A measure with no data is skipped (the others are
renormalised to fill its weight) or given its fixed `missing` score. An account's score is
the weighted mean of its measures' scores; a measure's *points* are its share of that score,
and its *points lost* what it cost against a perfect 100, so the points add up to the score
and the points lost to 100 minus it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import ibis
import ibis.expr.types as ir

from tenure.metrics.scorecard import Health, Measure

DRIVERS = 2  # the measures that cost most points, shown with every score


def measure_scores(metrics: ir.Table, segments: ir.Table | None, health: Health,
                   keys: Sequence[str] = ("account_id",), unavailable: Collection[str] = ()) -> ir.Table:
    """One row per (account, measure): scorecard, group, metric, value, score, weight, points, points_lost.

    `metrics` is the account table (`account_metrics`); `segments` has `account_id` and
    `segment` (the accounts table), or is None when every account takes the default scorecard.
    `keys` identify a scored row: add a date column to score several dates at once.
    `unavailable` names metrics whose input table is not loaded: they are skipped, never given
    their fixed `missing` score, since no account has data for them ("no data" is not zero).
    """
    if segments is not None:
        metrics = metrics.left_join(segments.select("account_id", "segment"), "account_id").drop("account_id_right")
    else:
        metrics = metrics.mutate(segment=ibis.null("string"))
    taken = [s for card in health.scorecards for s in card.segments]
    parts = []
    for card in health.scorecards:
        if card.segments:
            accounts = metrics.filter(metrics.segment.isin(card.segments))
        else:
            accounts = metrics.filter(metrics.segment.isnull() | ~metrics.segment.isin(taken)) if taken else metrics
        for group, measure in card.measures():
            value = accounts[measure.metric]
            parts.append(accounts.select(
                *keys,
                scorecard=ibis.literal(card.name),
                group=ibis.literal(group.name),
                metric=ibis.literal(measure.metric),
                value=value.cast("float64"),
                score=_score(value, measure, fixed_when_missing=measure.metric not in unavailable),
                weight=ibis.literal(group.weight * measure.weight / 100.0, "float64"),
            ))
    rows = ibis.union(*parts)
    counted = rows.score.notnull()
    present = rows.weight.sum(where=counted).over(ibis.window(group_by=list(keys)))
    share = ibis.ifelse(counted, rows.weight / present, ibis.null("float64"))
    return rows.mutate(points=rows.score * share, points_lost=(100 - rows.score) * share)


def account_scores(measures: ir.Table, health: Health, keys: Sequence[str] = ("account_id",)) -> ir.Table:
    """One row per account: scorecard, score (0–100, empty when no measure has data), band and top drivers."""
    order = ibis.window(group_by=list(keys), order_by=[ibis.desc("points_lost"), "metric"])
    ranked = measures.mutate(_rank=ibis.row_number().over(order))
    lost = ranked.points_lost > 0
    drivers = {}
    for i in range(DRIVERS):
        pick = (ranked._rank == i) & lost
        drivers[f"driver_{i + 1}"] = ranked.metric.max(where=pick)
        drivers[f"driver_{i + 1}_points"] = ranked.points_lost.max(where=pick)
    per_account = ranked.group_by(list(keys)).aggregate(
        scorecard=ranked.scorecard.max(),
        score=ranked.points.sum(),
        _measured=ranked.score.count(),
        **drivers,
    )
    score = ibis.ifelse(per_account._measured > 0, per_account.score, ibis.null("float64"))
    return per_account.select(
        *keys, "scorecard", score=score, band=band(score, health),
        **{name: per_account[name] for name in drivers},
    )


def band(score: ir.FloatingValue, health: Health) -> ir.StringValue:
    """The band a score falls in: low ≤ score < high, the top band including 100."""
    names = list(health.bands)
    cases = [(score < high, name) for name, (_low, high) in list(health.bands.items())[:-1]]
    banded = ibis.cases(*cases, else_=names[-1]) if cases else ibis.literal(names[-1])
    return ibis.ifelse(score.isnull(), ibis.null("string"), banded)


def _score(value: ir.Value, measure: Measure, *, fixed_when_missing: bool = True) -> ir.FloatingValue:
    """The 0–100 score of a metric's value under a measure's scoring function and missing-data policy."""
    if measure.linear is not None:
        worst, best = measure.linear.worst, measure.linear.best
        raw = ((value.cast("float64") - worst) / (best - worst)).clip(lower=0, upper=1) * 100
    elif measure.steps is not None:
        steps = measure.steps
        cases = [(value < threshold, score) for threshold, score in zip(steps.thresholds, steps.scores, strict=False)]
        raw = ibis.cases(*cases, else_=steps.scores[-1]).cast("float64")
    else:
        flag = measure.flag
        raw = ibis.ifelse(value, flag.if_true, flag.if_false).cast("float64")
    raw = ibis.ifelse(value.isnull(), ibis.null("float64"), raw)
    if measure.missing == "skip" or not fixed_when_missing:
        return raw
    return ibis.coalesce(raw, ibis.literal(float(measure.missing)))

