"""The renewal pipeline and forecast calls: what is up for renewal, what the model expects, what the
owners call, and — after the fact — whose judgement was closer.

Definitions (as implemented):

- **The pipeline as of d** holds every paying account whose next renewal as of d (metrics.renewals)
  falls within the window (`desk.renewal_days`, default 180 days: `days_to_renewal ≤ days`), on a
  contract longer than a month. A monthly plan renews every month; its retention shows in GRR and
  logo churn, and nobody makes a forecast call on it (as in `tenure forecast`'s renewals by month).
- **Owner** of a renewal: its renewal owner per `ownership.renewal` (views.ownership routing).
- **Model probabilities**: the account's latest stored prediction (`prediction_history`) made on or
  before d; empty when no model ever scored it.
- **Expected renewed ARR** (the model's): ARR × (1 − p_churn) − ARR × p_contraction × depth, where
  depth is the share of ARR a contracted renewal loses (`desk.contraction_depth`, else learned from
  the latest model's training rows: 1 − the mean of ARR after ÷ ARR before over the contracted
  renewals, the mean `tenure forecast` uses). This is the forecast's expected renewed ARR without
  expansion, so it compares with the calls, which never count expansion.
- **A forecast call** is one of commit, best-case, at-risk, lost, on one renewal (account and
  renewal date). Every call is kept; the current one as of d is the latest made on or before d
  (latest `called_at`, then latest id). A call on another renewal date of the account does not
  apply. Roll-ups sum the pipeline's ARR by call: committed ARR = Σ ARR called commit; best case =
  committed + Σ ARR called best-case; at-risk ARR; lost ARR; uncalled ARR (no current call).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import ibis
import ibis.expr.types as ir
import pandas as pd

RENEWAL_CALLS = ("commit", "best-case")  # the owner expects the renewal
CHURN_CALLS = ("at-risk", "lost")  # the owner expects the ARR to be lost
CALL_WORDS = (*RENEWAL_CALLS, *CHURN_CALLS)
ROLLUPS = ("month", "segment", "owner")
NO_OWNER = "(unassigned)"
NO_SEGMENT = "(none)"

PIPELINE_COLUMNS = [
    "account_id", "name", "segment", "arr", "term_months", "renewal_date", "days_to_renewal", "month", "owner",
    "owner_source", "csm", "churn_probability", "contraction_probability", "expansion_probability", "scored_on",
    "expected_renewed_arr", "open_ctas", "open_escalations", "call", "called_at", "call_arr",
]
ROLLUP_COLUMNS = [
    "renewals", "arr", "scored_renewals", "expected_renewed_arr", "called_renewals", "committed_arr", "best_case_arr",
    "at_risk_arr", "lost_arr", "uncalled_arr",
]
CALL_COLUMNS = ["id", "account_id", "renewal_date", "call", "arr", "owner", "note", "called_at"]


def in_pipeline(renewals: pd.DataFrame, *, days: int) -> pd.DataFrame:
    """The renewals of the pipeline: contracts longer than a month renewing within `days` days.

    `renewals` has one row per paying account with `term_months` and `days_to_renewal` (its next
    renewal, metrics.renewals)."""
    due = (renewals["term_months"].astype(int) > 1) & (renewals["days_to_renewal"].astype(int) <= days)
    return renewals[due]


def why_not_in_pipeline(renewal: Mapping | None, *, account_id: str, as_of: dt.date, days: int) -> str | None:
    """Why an account has no renewal in the pipeline (None when it has one).

    `renewal` is the account's next-renewal row as of `as_of` (None: not paying then)."""
    if renewal is None:
        return f"account {account_id} is not paying on {as_of}: it has no renewal in the pipeline"
    if int(renewal["term_months"]) <= 1:
        return (f"account {account_id} is on a monthly plan (it renews every month): monthly plans are not in the "
                "renewal pipeline and take no forecast call")
    if int(renewal["days_to_renewal"]) > days:
        return (f"account {account_id}'s next renewal is on {_day(renewal['renewal_date'])}, "
                f"{int(renewal['days_to_renewal'])} days after {as_of}: beyond the pipeline's {days} days "
                "(desk.renewal_days)")
    return None


def current_calls(calls: pd.DataFrame, *, as_of: dt.date) -> pd.DataFrame:
    """The current call on each renewal as of `as_of`: per account and renewal date, the latest call made on
    or before that day (CALL_COLUMNS)."""
    calls = _calls(calls)
    made = calls[calls["called_at"].dt.date <= as_of]
    return _latest(made)


def last_calls_before_renewal(calls: pd.DataFrame) -> pd.DataFrame:
    """Per account and renewal date, the last call made before the renewal date (the day itself is too late)."""
    calls = _calls(calls)
    made = calls[calls["called_at"].dt.date < calls["renewal_date"]]
    return _latest(made)


def expected_renewed(arr: pd.Series, p_churn: pd.Series, p_contraction: pd.Series,
                     depth: float | None) -> pd.Series:
    """The model's expected renewed ARR: arr × (1 − p_churn) − arr × p_contraction × depth (empty without a
    prediction or a contraction depth)."""
    arr = pd.to_numeric(arr, errors="coerce").astype(float)
    if depth is None:
        return pd.Series(float("nan"), index=arr.index)
    churn = pd.to_numeric(p_churn, errors="coerce").astype(float)
    contraction = pd.to_numeric(p_contraction, errors="coerce").astype(float).fillna(0.0)
    return arr * (1 - churn) - arr * contraction * depth


def pipeline(renewals: pd.DataFrame, *, predictions: pd.DataFrame | None, calls: pd.DataFrame | None,
             work: pd.DataFrame | None, as_of: dt.date, contraction_depth: float | None) -> pd.DataFrame:
    """One row per renewal of the pipeline (PIPELINE_COLUMNS), soonest first.

    `renewals`: the pipeline's renewals with account_id, name, segment, arr, term_months, renewal_date,
    days_to_renewal, owner (the renewal owner), owner_source, csm. `predictions`: account_id, scored_on,
    churn_probability, contraction_probability, expansion_probability (the latest on or before `as_of`).
    `calls`: the call history (CALL_COLUMNS). `work`: account_id, open_ctas, open_escalations.
    """
    out = renewals.copy()
    out["renewal_date"] = pd.to_datetime(out["renewal_date"]).dt.date
    out["arr"] = out["arr"].astype(float)
    out["month"] = [f"{d:%Y-%m}" for d in out["renewal_date"]]
    out["owner"] = out["owner"].where(out["owner"].notna(), NO_OWNER)
    out["segment"] = out["segment"].where(out["segment"].notna(), NO_SEGMENT)
    probabilities = ["scored_on", "churn_probability", "contraction_probability", "expansion_probability"]
    if predictions is not None and len(predictions):
        out = out.merge(predictions[["account_id", *probabilities]], on="account_id", how="left")
    else:
        out = out.assign(**{c: None for c in probabilities})
    out["expected_renewed_arr"] = expected_renewed(out["arr"], out["churn_probability"],
                                                   out["contraction_probability"], contraction_depth)
    counts = ["open_ctas", "open_escalations"]
    if work is not None and len(work):
        out = out.merge(work[["account_id", *counts]], on="account_id", how="left")
    else:
        out = out.assign(**{c: 0 for c in counts})
    out[counts] = out[counts].fillna(0).astype(int)
    current = current_calls(calls if calls is not None else pd.DataFrame(columns=CALL_COLUMNS), as_of=as_of)
    current = current.rename(columns={"arr": "call_arr"})[["account_id", "renewal_date", "call", "called_at",
                                                           "call_arr"]]
    out = out.merge(current, on=["account_id", "renewal_date"], how="left")
    out = out.sort_values(["renewal_date", "arr", "account_id"], ascending=[True, False, True], kind="stable")
    return out[PIPELINE_COLUMNS].reset_index(drop=True)


def rollup(pipeline: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """Renewal ARR, the model's expected renewed ARR and the calls' sums per month, segment or owner
    (one row for the whole pipeline when `by` is None). ROLLUP_COLUMNS after the group column.

    `expected_renewed_arr` sums the renewals the model scored (`scored_renewals` of them); it is empty
    when none was scored."""
    if by is not None and by not in ROLLUPS:
        raise ValueError(f"by must be one of {', '.join(ROLLUPS)}, not {by!r}")
    data = pipeline.assign(
        _one=1,
        _scored=pipeline["churn_probability"].notna().astype(int),
        _called=pipeline["call"].notna().astype(int),
        **{f"_{name}": pipeline["arr"].where(pipeline["call"] == name, 0.0) for name in CALL_WORDS},
        _uncalled=pipeline["arr"].where(pipeline["call"].isna(), 0.0),
    )
    keys = [by] if by else []
    grouped = data.groupby(keys, sort=True) if keys else data.assign(_all=0).groupby("_all")
    out = grouped.agg(
        renewals=("_one", "sum"), arr=("arr", "sum"), scored_renewals=("_scored", "sum"),
        expected_renewed_arr=("expected_renewed_arr", lambda s: s.sum(min_count=1)),
        called_renewals=("_called", "sum"), committed_arr=("_commit", "sum"), _best=("_best-case", "sum"),
        at_risk_arr=("_at-risk", "sum"), lost_arr=("_lost", "sum"), uncalled_arr=("_uncalled", "sum"),
    )
    out["best_case_arr"] = out["committed_arr"] + out.pop("_best")
    out = out.reset_index()
    if not keys:
        out = out.drop(columns="_all")
        if pipeline.empty:
            out = pd.DataFrame([{c: 0 for c in ROLLUP_COLUMNS} | {"expected_renewed_arr": float("nan")}])
    for column in ("renewals", "scored_renewals", "called_renewals"):
        out[column] = out[column].astype(int)
    return out[[*keys, *ROLLUP_COLUMNS]]


def arr_on_days(lines: ir.Table, days: ir.Table) -> ir.Table:
    """ARR of each (account_id, day) row of `days`: 12 × the MRR of the account's lines with start ≤ day < end
    (0 when none is live). Output: account_id, day, arr."""
    keys = days.select("account_id", "day").distinct()
    pairs = keys.left_join(lines, "account_id")
    live = (pairs.start_date <= pairs.day) & (pairs.end_date.isnull() | (pairs.end_date > pairs.day))
    arr = (pairs.mrr.sum(where=live) * 12).cast("float64")
    out = pairs.group_by([pairs.account_id, pairs.day]).aggregate(arr=arr)
    return out.mutate(arr=ibis.coalesce(out.arr, 0.0))


def _calls(calls: pd.DataFrame) -> pd.DataFrame:
    out = calls.copy()
    out["called_at"] = pd.to_datetime(out["called_at"])
    out["renewal_date"] = pd.to_datetime(out["renewal_date"]).dt.date
    return out


def _latest(calls: pd.DataFrame) -> pd.DataFrame:
    ordered = calls.sort_values(["called_at", "id"], kind="stable")
    latest = ordered.drop_duplicates(["account_id", "renewal_date"], keep="last")
    return latest[CALL_COLUMNS].sort_values(["account_id", "renewal_date"]).reset_index(drop=True)


def _day(value) -> str:
    return pd.Timestamp(value).date().isoformat()
