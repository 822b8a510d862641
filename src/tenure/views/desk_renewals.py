"""The renewal desk for a workspace: the renewal pipeline with the model and the owners' calls side by
side, and call accuracy after the fact (desk/renewals.py and desk/accuracy.py hold the definitions).

Renewals and ARR come from the loaded subscriptions; renewal owners from `ownership:` routing
(views.ownership); probabilities only from stored scores (`prediction_history`, written by
`tenure predict score` and `tenure run`), never from a model scoring a past date it learned from.
Callers pass what the workflow store holds (calls, open work, owner reassignments), so this view
never touches it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import ibis
import pandas as pd

from tenure.desk.accuracy import judge
from tenure.desk.renewals import arr_on_days, in_pipeline, last_calls_before_renewal, pipeline
from tenure.history import history
from tenure.metrics.renewals import next_renewals
from tenure.views.ownership import account_teams_at
from tenure.views.revenue import paying_lines

if TYPE_CHECKING:
    from tenure.workspace import Workspace

PREDICTIONS = "prediction_history"  # predict.score's table, read without importing the model stack
DEFAULT_RISK_THRESHOLD = 0.3  # as `tenure report gaps` when neither the config nor a model sets one
RENEWAL_COLUMNS = ["account_id", "name", "segment", "arr", "term_months", "renewal_date", "days_to_renewal", "csm",
                   "owner", "owner_source", "expansion_owner"]
PREDICTION_COLUMNS = ["account_id", "day", "scored_on", "model_version", "churn_probability",
                      "contraction_probability", "expansion_probability", "driver_1"]


def renewals_at(ws: Workspace, *, as_of: dt.date, owners: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Every account paying at `as_of` with its next renewal (RENEWAL_COLUMNS): `owner` is the renewal owner
    per `ownership.renewal`, `owner_source` where it came from, `csm` the effective CSM."""
    teams = account_teams_at(ws, as_of=as_of, owners=owners)
    renewals = next_renewals(paying_lines(ws, as_of=as_of), as_of=as_of,
                             default_term_months=ws.config.revenue.default_term_months)
    joined = teams.join(renewals.select("account_id", "renewal_date", "days_to_renewal", "term_months"),
                        "account_id")
    frame = ws.warehouse.execute(joined.select(
        "account_id", "name", "segment", arr=joined.arr.cast("float64"), term_months=joined.term_months,
        renewal_date=joined.renewal_date, days_to_renewal=joined.days_to_renewal, csm=joined.csm,
        owner=joined.renewal_owner, owner_source=joined.renewal_owner_source,
        expansion_owner=joined.expansion_owner))
    frame["renewal_date"] = pd.to_datetime(frame["renewal_date"]).dt.date
    return frame[RENEWAL_COLUMNS].sort_values("account_id").reset_index(drop=True)


def renewal_of(ws: Workspace, account_id: str, *, as_of: dt.date,
               owners: Mapping[str, str] | None = None) -> dict | None:
    """The account's next renewal as of `as_of` (a RENEWAL_COLUMNS row), None when it is not paying then."""
    every = renewals_at(ws, as_of=as_of, owners=owners)
    found = every[every["account_id"] == account_id]
    return found.iloc[0].to_dict() if len(found) else None


def predictions_on(ws: Workspace, keys: pd.DataFrame) -> pd.DataFrame:
    """For each (account_id, day) of `keys`: the account's latest stored prediction made on or before that
    day (PREDICTION_COLUMNS; `scored_on` is its date). Keys without one are left out."""
    table = history(ws, PREDICTIONS)
    if table is None or keys.empty:
        return pd.DataFrame(columns=PREDICTION_COLUMNS)
    wanted = ibis.memtable(pd.DataFrame({"account_id": keys["account_id"].astype(str),
                                         "day": pd.to_datetime(keys["day"]).dt.date}).drop_duplicates(),
                           schema={"account_id": "string", "day": "date"})
    scores = table.select(
        _account=table.account_id.cast("string"), scored_on=table.as_of.cast("date"),
        model_version=table.model_version.cast("int64"),
        churn_probability=table.churn_probability.cast("float64"),
        contraction_probability=table.contraction_probability.cast("float64"),
        expansion_probability=table.expansion_probability.cast("float64"),
        driver_1=table.driver_1.cast("string"))
    joined = wanted.join(scores, (wanted.account_id == scores._account) & (scores.scored_on <= wanted.day))
    ranked = joined.mutate(_rank=ibis.row_number().over(group_by=[joined.account_id, joined.day],
                                                         order_by=ibis.desc(joined.scored_on)))
    latest = ranked.filter(ranked._rank == 0).select(*PREDICTION_COLUMNS)
    out = ws.warehouse.execute(latest)
    for column in ("day", "scored_on"):
        out[column] = pd.to_datetime(out[column]).dt.date
    return out[PREDICTION_COLUMNS]


def model_metadata(ws: Workspace) -> dict[int, dict]:
    """The metadata of every stored model version (models/renewal-vN.json), without loading the models."""
    from tenure.predict import store

    folder = ws.root / store.FOLDER
    return {v: json.loads((folder / f"renewal-v{v}.json").read_text(encoding="utf-8")) for v in store.versions(ws)}


def risk_thresholds(ws: Workspace, versions) -> dict[int, float]:
    """The churn probability that calls a churn, per model version: `predict.risk_threshold` when set, else the
    threshold stored with the version, else DEFAULT_RISK_THRESHOLD."""
    configured = ws.config.predict.risk_threshold
    metadata = model_metadata(ws) if configured is None else {}
    out = {}
    for version in {int(v) for v in versions if pd.notna(v)}:
        stored = metadata.get(version, {}).get("risk_threshold")
        out[version] = float(configured if configured is not None else stored if stored is not None
                             else DEFAULT_RISK_THRESHOLD)
    return out


def contraction_depth(ws: Workspace, *, progress: Callable[[str, int, int], None] | None = None) -> float | None:
    """The share of ARR a contracted renewal loses: `desk.contraction_depth`, else learned as `tenure forecast`
    does from the latest model's training rows (1 − mean ARR after ÷ before of contracted renewals); None
    when neither is set nor any model trained."""
    configured = ws.config.desk.contraction_depth
    if configured is not None:
        return float(configured)
    metadata = model_metadata(ws)
    if not metadata:
        return None
    from tenure.predict.dataset import month_ends, training_rows
    from tenure.predict.forecast import Experience

    first, last = (dt.date.fromisoformat(d) for d in metadata[max(metadata)]["training_window"])
    cutoffs = month_ends(first, last)
    done = iter(range(1, len(cutoffs) + 1))
    rows = training_rows(ws, cutoffs, progress=(lambda c: progress(f"training rows at {c}", next(done), len(cutoffs)))
                         if progress else None)
    if rows.empty:
        return None
    ratios = Experience.learn(rows).renewal_ratios["contracted"]
    return float(max(0.0, 1 - ratios.mean()))


Depth = float | None | Callable[[], float | None]


def renewal_pipeline(ws: Workspace, *, as_of: dt.date, days: int, owners: Mapping[str, str] | None = None,
                     calls: pd.DataFrame | None = None, work: pd.DataFrame | None = None,
                     depth: Depth = None) -> pd.DataFrame:
    """The renewal pipeline as of `as_of` (desk.renewals.PIPELINE_COLUMNS): renewals due within `days` days with
    the model's probabilities and expected renewed ARR, open CTAs and escalations, and the current call.

    `depth` is the contraction depth, or a function giving it, called only when some renewal has a stored
    prediction (learning it reads the model's training rows)."""
    if days < 1:
        raise ValueError(f"the pipeline window is at least 1 day, not {days}")
    due = in_pipeline(renewals_at(ws, as_of=as_of, owners=owners), days=days)
    predictions = predictions_on(ws, due[["account_id"]].assign(day=as_of))
    return pipeline(due, predictions=predictions, calls=calls, work=work, as_of=as_of,
                    contraction_depth=_resolve(depth, scored=len(predictions) > 0))


def judged_calls(ws: Workspace, *, as_of: dt.date, months: int, calls: pd.DataFrame,
                 depth: Depth = None) -> pd.DataFrame:
    """The renewals of the last `months` months whose outcome is measured by `as_of` and that were called
    before their date, each judged against what happened (desk.accuracy.JUDGED_COLUMNS). `depth` as in
    `renewal_pipeline`."""
    if months < 1:
        raise ValueError(f"the accuracy window is at least 1 month, not {months}")
    grace = dt.timedelta(days=ws.config.predict.grace_days)
    since = (pd.Timestamp(as_of) - pd.DateOffset(months=months)).date()
    last = last_calls_before_renewal(calls)
    last = last[(last["renewal_date"] > since) & (last["renewal_date"] + grace <= as_of)]
    called = last.rename(columns={"arr": "call_arr"}).reset_index(drop=True)
    called["called_at"] = pd.to_datetime(called["called_at"])
    called["_before"] = [d - dt.timedelta(days=1) for d in called["renewal_date"]]
    called["_after"] = [d + grace for d in called["renewal_date"]]
    arr = _arr_on(ws, as_of, pd.concat([called[["account_id", "_before"]].set_axis(["account_id", "day"], axis=1),
                                        called[["account_id", "_after"]].set_axis(["account_id", "day"], axis=1)]))
    called["arr_before"] = [arr.get((a, d), 0.0) for a, d in zip(called["account_id"], called["_before"], strict=True)]
    called["arr_after"] = [arr.get((a, d), 0.0) for a, d in zip(called["account_id"], called["_after"], strict=True)]
    called["_day"] = called["called_at"].dt.date
    scores = predictions_on(ws, called[["account_id", "_day"]].rename(columns={"_day": "day"}))
    called = called.merge(scores.rename(columns={"day": "_day"}), on=["account_id", "_day"], how="left")
    thresholds = risk_thresholds(ws, called["model_version"].dropna().unique())
    called["threshold"] = called["model_version"].map(lambda v: thresholds.get(int(v)) if pd.notna(v) else None)
    return judge(called, contraction_depth=_resolve(depth, scored=bool(called["churn_probability"].notna().any())))


def _resolve(depth: Depth, *, scored: bool) -> float | None:
    """The contraction depth; a function giving it is called only when something was scored."""
    if not callable(depth):
        return depth
    return depth() if scored else None


def _arr_on(ws: Workspace, as_of: dt.date, keys: pd.DataFrame) -> dict[tuple[str, dt.date], float]:
    """ARR per (account_id, day) of `keys` from the lines known at `as_of`."""
    if keys.empty:
        return {}
    days = ibis.memtable(keys.drop_duplicates().astype({"account_id": str}),
                         schema={"account_id": "string", "day": "date"})
    out = ws.warehouse.execute(arr_on_days(paying_lines(ws, as_of=as_of), days))
    return {(a, pd.Timestamp(d).date()): float(v) for a, d, v in zip(out["account_id"], out["day"], out["arr"],
                                                                       strict=True)}
