"""Advocacy: which customers to ask for a reference, a referral, a case study or a review, and a guard
against asking the same customer too often.

Pure builders; `views/desk_advocacy.py` composes them for a workspace. Definitions (as implemented):

- **Advocate candidate** at `as_of`, a paying account that is all of:
  `green` — its health band is the top band of `health.bands`;
  `high_adoption` — features used in the last 30 days (`feature_breadth_30d`) at or above the median
  of the paying accounts of its segment that have a value;
  `promoter` — its latest NPS response, submitted in the 365 days ending on `as_of`, scored 9 or 10;
  `no_escalation` — no escalation open at the end of `as_of`;
  `renewal_safe` — its stored churn probability is below the risk threshold, or it has none;
  `ask_allowed` — the guard allows asking it on `as_of`.
- **Guard**: an ask on day d is refused when the account has a record within
  `desk.advocate_min_days_between_asks` days of d (|d − other| < that many days, either side), or
  already `desk.advocate_max_asks_per_year` records in the 365 days ending on d (d − 364 … d).
  Every advocacy record (reference call, referral, case study, review) counts as an ask.
- **Referral-sourced ARR**: the ARR at `as_of` of the accounts named as referred by referral records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ibis

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

PROMOTER_MIN = 9
NPS_DAYS = 365
YEAR_DAYS = 365
CRITERIA = ("green", "high_adoption", "promoter", "no_escalation", "renewal_safe", "ask_allowed")
CANDIDATE_COLUMNS = ["account_id", "name", "segment", "owner", "arr", "band", "feature_breadth_30d",
                     "segment_median_breadth", "nps_score", "nps_on", "nps_contact_id", "churn_probability",
                     "last_ask", "asks_365d", *CRITERIA, "candidate", "why_not"]


@dataclass(frozen=True)
class Refusal:
    """Why the guard refuses an ask, and the first day it would allow one."""

    message: str
    next_allowed: dt.date


def guard(asks: Iterable[dt.date], day: dt.date, *, min_days: int, max_per_year: int) -> Refusal | None:
    """None when an ask on `day` is allowed given the account's other asks, else why not."""
    asks = sorted(asks)
    problems, allowed = [], [day]
    near = [a for a in asks if abs((day - a).days) < min_days]
    if near:
        latest = max(near)
        gap = (day - latest).days
        when = f"{gap} days before {day}" if gap > 0 else ("the same day" if gap == 0 else f"{-gap} days after {day}")
        problems.append(f"it was asked on {latest} ({when}); desk.advocate_min_days_between_asks is {min_days}")
        allowed.append(latest + dt.timedelta(days=min_days))
    year = [a for a in asks if day - dt.timedelta(days=YEAR_DAYS - 1) <= a <= day]
    if len(year) >= max_per_year:
        problems.append(f"it was already asked {len(year)} times in the 365 days ending {day}; "
                        f"desk.advocate_max_asks_per_year is {max_per_year}")
        allowed.append(year[len(year) - max_per_year] + dt.timedelta(days=YEAR_DAYS))
    if not problems:
        return None
    return Refusal("; ".join(problems), max(allowed))


def broke_guard(records: pd.DataFrame, *, min_days: int, max_per_year: int) -> pd.Series:
    """For each record (account_id, occurred_on, id), whether the guard would have refused it given the
    account's records before it (earlier date, or the same date and a lower id)."""
    import pandas as pd

    out = pd.Series(False, index=records.index, dtype=bool)
    ordered = records.sort_values(["account_id", "occurred_on", "id"])
    for _account, group in ordered.groupby("account_id", sort=False):
        before: list[dt.date] = []
        for index, day in group["occurred_on"].items():
            out[index] = guard(before, day, min_days=min_days, max_per_year=max_per_year) is not None
            before.append(day)
    return out


def latest_nps(surveys: ir.Table, *, as_of: dt.date) -> ir.Table:
    """Each account's latest NPS response submitted by the end of `as_of` (ties: the highest response_id).

    Columns: account_id, nps_score, nps_on (date), nps_contact_id.
    """
    end = ibis.literal(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()), type="timestamp")
    rows = surveys.filter((surveys.type == "nps") & (surveys.submitted_at < end))
    contact = rows.contact_id.cast("string") if "contact_id" in rows.columns else ibis.null("string")
    rows = rows.mutate(_contact=contact)
    rank = ibis.row_number().over(group_by=rows.account_id,
                                  order_by=[ibis.desc(rows.submitted_at), ibis.desc(rows.response_id)])
    rows = rows.mutate(_rank=rank)
    latest = rows.filter(rows._rank == 0)
    return latest.select("account_id", nps_score=latest.score.cast("float64"),
                         nps_on=latest.submitted_at.cast("date"), nps_contact_id=latest._contact)


def candidates(accounts: pd.DataFrame, asks: pd.DataFrame, *, as_of: dt.date, top_band: str,
               risk_threshold: float, escalated: set[str], min_days: int, max_per_year: int) -> pd.DataFrame:
    """Every account of `accounts` with each criterion checked (CANDIDATE_COLUMNS), candidates first.

    `accounts`: account_id, name, segment, owner, arr, band, feature_breadth_30d, churn_probability,
    nps_score, nps_on, nps_contact_id; `asks`: account_id, occurred_on (every advocacy record);
    `escalated`: the accounts with an open escalation.
    """
    import pandas as pd

    frame = accounts.copy()
    breadth = pd.to_numeric(frame["feature_breadth_30d"], errors="coerce")
    frame["segment_median_breadth"] = breadth.groupby(frame["segment"].fillna("")).transform("median")
    by_account = {a: sorted(g) for a, g in asks.groupby("account_id")["occurred_on"]} if len(asks) else {}
    window = as_of - dt.timedelta(days=YEAR_DAYS - 1)
    past = {a: [d for d in days if d <= as_of] for a, days in by_account.items()}
    frame["last_ask"] = [max(past[a]) if past.get(a) else None for a in frame["account_id"]]
    frame["asks_365d"] = [sum(window <= d <= as_of for d in by_account.get(a, [])) for a in frame["account_id"]]
    score = pd.to_numeric(frame["nps_score"], errors="coerce")
    recent = frame["nps_on"].map(lambda d: d is not None and d == d and window <= _date(d) <= as_of)
    churn = pd.to_numeric(frame["churn_probability"], errors="coerce")
    frame["green"] = frame["band"] == top_band
    frame["high_adoption"] = (breadth >= frame["segment_median_breadth"]).fillna(False).astype(bool)
    frame["promoter"] = (score >= PROMOTER_MIN).fillna(False).astype(bool) & recent.astype(bool)
    frame["no_escalation"] = ~frame["account_id"].isin(escalated)
    frame["renewal_safe"] = (churn.isna() | (churn < risk_threshold)).astype(bool)
    frame["ask_allowed"] = [guard(by_account.get(a, []), as_of, min_days=min_days, max_per_year=max_per_year) is None
                            for a in frame["account_id"]]
    frame["candidate"] = frame[list(CRITERIA)].all(axis=1)
    frame["why_not"] = [", ".join(c.replace("_", " ") for c in CRITERIA if not row[c])
                        for row in frame[list(CRITERIA)].to_dict("records")]
    frame = frame.sort_values(["candidate", "arr", "account_id"], ascending=[False, False, True], kind="stable")
    return frame[CANDIDATE_COLUMNS].reset_index(drop=True)


def referrals(records: pd.DataFrame, arr: pd.DataFrame) -> pd.DataFrame:
    """Each referral record with the referred account's ARR (0 when it is not paying).

    `records`: id, account_id, occurred_on, referred_account_id, kind; `arr`: account_id, arr.
    """
    made = records[(records["kind"] == "referral") & records["referred_account_id"].notna()]
    out = made[["id", "account_id", "occurred_on", "referred_account_id"]].merge(
        arr.rename(columns={"account_id": "referred_account_id", "arr": "referred_arr"}),
        on="referred_account_id", how="left")
    out["referred_arr"] = out["referred_arr"].fillna(0.0).astype(float)
    return out.sort_values(["occurred_on", "id"]).reset_index(drop=True)


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    import pandas as pd

    return pd.Timestamp(value).date()
