"""Call accuracy after the fact: for renewals that have happened, the owner's last call and the model's
prediction at that call, each against what happened.

Definitions (as implemented):

- **Renewals judged**: renewals with at least one forecast call made before the renewal date, whose
  outcome is measured by `as_of` (renewal date + `predict.grace_days` ≤ as_of), within the window
  (by default the last 12 months of renewal dates).
- **Outcome** (predict.outcomes' definition): ARR before = the account's ARR the day before the
  renewal; ARR after = its ARR on the renewal date + `predict.grace_days` (end dates are exclusive,
  so a line ending on the renewal date is no longer live that day). *Renewed* when ARR after > 0.
  **Actual renewed ARR** = min(ARR after, ARR before): gross, since neither a call nor the model's
  expectation counts expansion.
- **The call** is the last one made before the renewal date: commit or best-case calls the renewal,
  at-risk or lost calls the churn. It is *right* when what it called happened. **Called renewed
  ARR** = the ARR recorded with the call when it called the renewal, else 0.
- **The model at the call**: the account's latest stored prediction made on or before the day of
  the call. It calls the churn when p_churn ≥ the risk threshold (`predict.risk_threshold`, else
  the threshold stored with the model version that scored it, else 0.3), else the renewal. Its
  **expected renewed ARR** is the pipeline's formula on the call's ARR: arr × (1 − p_churn) −
  arr × p_contraction × depth.
- **Closer**: over the renewals with both a call and a prediction, Σ |called − actual| (`call_error_arr`)
  against Σ |expected − actual| (`model_error_arr`): `call` when the calls missed by less, `model`
  when the model did, `tie` when equal; empty when the model scored none.
"""

from __future__ import annotations

import pandas as pd

from tenure.desk.renewals import RENEWAL_CALLS, expected_renewed

GROUPS = ("owner", "month")
NO_OWNER = "(unassigned)"
JUDGED_COLUMNS = [
    "account_id", "renewal_date", "month", "owner", "call", "called_at", "call_arr", "arr_before", "arr_after",
    "renewed", "actual_renewed_arr", "call_right", "called_renewed_arr", "scored_on", "churn_probability",
    "threshold", "model_right", "model_expected_arr", "call_error_arr", "model_error_arr", "closer",
]
ACCURACY_COLUMNS = [
    "renewals", "calls_made", "calls_right", "call_accuracy", "model_scored", "model_right", "model_accuracy",
    "actual_renewed_arr", "called_renewed_arr", "model_expected_arr", "compared", "call_error_arr",
    "model_error_arr", "closer",
]


def judge(called: pd.DataFrame, *, contraction_depth: float | None) -> pd.DataFrame:
    """Each judged renewal with its outcome, the call and the model at the call, right or wrong (JUDGED_COLUMNS).

    `called`: one row per renewal with account_id, renewal_date, owner (who made the call), call, called_at,
    call_arr, arr_before, arr_after, scored_on, churn_probability, contraction_probability and threshold
    (the risk threshold of the prediction's model; empty without a prediction)."""
    out = called.copy()
    out["renewal_date"] = pd.to_datetime(out["renewal_date"]).dt.date
    out["month"] = [f"{d:%Y-%m}" for d in out["renewal_date"]]
    out["owner"] = out["owner"].where(out["owner"].notna(), NO_OWNER)
    for column in ("call_arr", "arr_before", "arr_after", "churn_probability", "contraction_probability",
                   "threshold"):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
    out["renewed"] = out["arr_after"] > 0
    out["actual_renewed_arr"] = out[["arr_after", "arr_before"]].min(axis=1).clip(lower=0)
    calls_renewal = out["call"].isin(RENEWAL_CALLS)
    out["call_right"] = calls_renewal == out["renewed"]
    out["called_renewed_arr"] = out["call_arr"].where(calls_renewal, 0.0)
    scored = out["churn_probability"].notna()
    model_renewal = out["churn_probability"] < out["threshold"]
    out["model_right"] = (model_renewal == out["renewed"]).where(scored, None).astype(object)
    out["model_expected_arr"] = expected_renewed(out["call_arr"], out["churn_probability"],
                                                 out["contraction_probability"], contraction_depth).where(scored)
    out["call_error_arr"] = (out["called_renewed_arr"] - out["actual_renewed_arr"]).abs()
    out["model_error_arr"] = (out["model_expected_arr"] - out["actual_renewed_arr"]).abs()
    out["closer"] = pd.Series([_closer(c, m) for c, m in zip(out["call_error_arr"], out["model_error_arr"],
                                                             strict=True)], index=out.index, dtype=object)
    return out.sort_values(["renewal_date", "account_id"], kind="stable")[JUDGED_COLUMNS].reset_index(drop=True)


def accuracy(judged: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """Calls and model per owner or per month of the renewal date (one row overall when `by` is None).

    Columns after the group: ACCURACY_COLUMNS. `renewals` = `calls_made` (each judged renewal's last call
    counts once); call_accuracy = calls_right ÷ calls_made; model_accuracy = model_right ÷ model_scored;
    `compared` renewals had both, and the two ARR errors and `closer` are over them."""
    if by is not None and by not in GROUPS:
        raise ValueError(f"by must be one of {', '.join(GROUPS)}, not {by!r}")
    scored = judged["model_right"].notna()
    compared = scored & judged["model_error_arr"].notna()
    data = judged.assign(
        _one=1, _right=judged["call_right"].astype(int), _scored=scored.astype(int),
        _model_right=judged["model_right"].where(scored, False).astype(bool).astype(int),
        _compared=compared.astype(int),
        _call_error=judged["call_error_arr"].where(compared, 0.0),
        _model_error=judged["model_error_arr"].where(compared, 0.0),
    )
    if data.empty:
        return pd.DataFrame(columns=[by, *ACCURACY_COLUMNS]) if by else pd.DataFrame([_empty()])[ACCURACY_COLUMNS]
    keys = [by] if by else ["_all"]
    if not by:
        data = data.assign(_all=0)
    out = data.groupby(keys, sort=True).agg(
        renewals=("_one", "sum"), calls_right=("_right", "sum"), model_scored=("_scored", "sum"),
        model_right=("_model_right", "sum"), actual_renewed_arr=("actual_renewed_arr", "sum"),
        called_renewed_arr=("called_renewed_arr", "sum"),
        model_expected_arr=("model_expected_arr", lambda s: s.sum(min_count=1)),
        compared=("_compared", "sum"), call_error_arr=("_call_error", "sum"), model_error_arr=("_model_error", "sum"),
    ).reset_index()
    out["calls_made"] = out["renewals"]
    out["call_accuracy"] = out["calls_right"] / out["calls_made"]
    out["model_accuracy"] = (out["model_right"] / out["model_scored"]).where(out["model_scored"] > 0)
    none = out["compared"] == 0
    out.loc[none, ["call_error_arr", "model_error_arr"]] = float("nan")
    out["closer"] = pd.Series([_closer(c, m) for c, m in zip(out["call_error_arr"], out["model_error_arr"],
                                                             strict=True)], index=out.index, dtype=object)
    for column in ("renewals", "calls_made", "calls_right", "model_scored", "model_right", "compared"):
        out[column] = out[column].astype(int)
    return out[[*([by] if by else []), *ACCURACY_COLUMNS]]


def _closer(call_error: float, model_error: float) -> str | None:
    if pd.isna(model_error) or pd.isna(call_error):
        return None
    if abs(call_error - model_error) < 0.005:  # equal to the cent
        return "tie"
    return "call" if call_error < model_error else "model"


def _empty() -> dict:
    nan = float("nan")
    return {"renewals": 0, "calls_made": 0, "calls_right": 0, "call_accuracy": nan, "model_scored": 0,
            "model_right": 0, "model_accuracy": nan, "actual_renewed_arr": 0.0, "called_renewed_arr": 0.0,
            "model_expected_arr": nan, "compared": 0, "call_error_arr": nan, "model_error_arr": nan, "closer": None}
