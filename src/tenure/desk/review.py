"""The joint CS and Sales review list: for the larger accounts, renewal and expansion side by side, the
risks, and the next step.

Definitions (as implemented):

- **On the list**: every account paying at the date with ARR ≥ the tier (`desk.review_min_arr`, or
  `--min-arr`; inclusive), largest ARR first.
- **Renewal**: the account's next renewal as of the date (metrics.renewals) and its term, its ARR,
  the current forecast call on that renewal (the latest made on or before the date; a monthly plan
  takes none) and the churn probability of its latest stored prediction.
- **Expansion**: the CRM's expansion opportunities open on the date (desk.expansions.open_on: created
  on or before it, and open or closing after it): how many, their total amount, and the stage and
  close date of the one closing first.
- **Risks**: the health band, the top churn driver of the latest prediction, open CTAs of kind
  `risk`, open escalations.
- **Next step**: of the account's open CTAs, the open task due first (its title, due date, CTA id);
  empty when no open CTA has an open task.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from tenure.desk.renewals import CALL_COLUMNS, current_calls

ACCOUNT_COLUMNS = ["account_id", "name", "segment", "arr", "csm", "renewal_owner", "expansion_owner",
                   "renewal_date", "days_to_renewal", "term_months", "band", "churn_probability", "driver_1"]
WORK_COLUMNS = ["open_risk_ctas", "open_escalations", "next_step", "next_step_due", "next_step_cta"]
OPPORTUNITY_COLUMNS = ["opportunity_id", "account_id", "amount", "stage", "close_date"]
REVIEW_COLUMNS = [
    "account_id", "name", "segment", "arr", "csm", "renewal_owner", "expansion_owner", "renewal_date",
    "days_to_renewal", "term_months", "call", "churn_probability", "expansion_opportunities", "expansion_amount",
    "expansion_stage", "expansion_close_date", "band", "top_driver", "open_risk_ctas", "open_escalations",
    "next_step", "next_step_due", "next_step_cta",
]


def review_list(accounts: pd.DataFrame, *, min_arr: float, as_of: dt.date, calls: pd.DataFrame | None,
                expansions: pd.DataFrame | None, work: pd.DataFrame | None) -> pd.DataFrame:
    """The accounts at or above the tier (REVIEW_COLUMNS), largest ARR first.

    `accounts`: one row per paying account (ACCOUNT_COLUMNS); `calls`: the call history
    (renewals.CALL_COLUMNS); `expansions`: open expansion opportunities (OPPORTUNITY_COLUMNS); `work`:
    account_id and WORK_COLUMNS from the workflow store.
    """
    if min_arr < 0:
        raise ValueError(f"the review tier must be an ARR of at least 0, not {min_arr}")
    out = accounts[accounts["arr"].astype(float) >= min_arr].copy()
    out["arr"] = out["arr"].astype(float)
    out["renewal_date"] = pd.to_datetime(out["renewal_date"]).dt.date
    current = current_calls(calls if calls is not None else pd.DataFrame(columns=CALL_COLUMNS), as_of=as_of)
    out = out.merge(current[["account_id", "renewal_date", "call"]], on=["account_id", "renewal_date"], how="left")
    out = out.merge(_expansion_summary(expansions), on="account_id", how="left")
    out["expansion_opportunities"] = out["expansion_opportunities"].fillna(0).astype(int)
    out["expansion_amount"] = out["expansion_amount"].fillna(0.0).astype(float)
    if work is not None and len(work):
        out = out.merge(work[["account_id", *WORK_COLUMNS]], on="account_id", how="left")
    else:
        out = out.assign(**{c: None for c in WORK_COLUMNS})
    for column in ("open_risk_ctas", "open_escalations"):
        out[column] = out[column].fillna(0).astype(int)
    out = out.rename(columns={"driver_1": "top_driver"})
    out = out.sort_values(["arr", "account_id"], ascending=[False, True], kind="stable")
    return out[REVIEW_COLUMNS].reset_index(drop=True)


def _expansion_summary(expansions: pd.DataFrame | None) -> pd.DataFrame:
    """Per account: open expansion opportunities, their amount, and the stage and close date of the first to close."""
    columns = ["account_id", "expansion_opportunities", "expansion_amount", "expansion_stage", "expansion_close_date"]
    if expansions is None or expansions.empty:
        return pd.DataFrame(columns=columns)
    data = expansions.assign(close_date=pd.to_datetime(expansions["close_date"]).dt.date,
                             amount=expansions["amount"].astype(float))
    first = data.sort_values(["close_date", "amount"], ascending=[True, False], kind="stable") \
        .drop_duplicates("account_id")
    summary = data.groupby("account_id").agg(expansion_opportunities=("opportunity_id", "count"),
                                             expansion_amount=("amount", "sum")).reset_index()
    first = first.rename(columns={"stage": "expansion_stage", "close_date": "expansion_close_date"})
    return summary.merge(first[["account_id", "expansion_stage", "expansion_close_date"]], on="account_id")[columns]
