"""Forecast calls of the demo company: what its renewal owners called before each renewal.

Written beside the company (not in the data contract: calls live in the workflow store and are
imported with `tenure desk calls import`). The renewals are those tenure itself sees in the
written subscriptions — each contract renewal (a term longer than a month) of the last 12 months
and of the 90 days after the end of history, as the renewal pipeline finds it (metrics.renewals) —
and each is called by the account's CSM (the renewal owner under the default `ownership.renewal:
cs`) 30 to 60 days before it, with the ARR of that day.

A call is a noisy but informative judgement. Its owner reads a signal: for past renewals, what
happened (renewed or not); for the coming ones, the likelihood the CRM's open renewal opportunity
carries (which the simulation drew from the account's hidden health), else the past renewal rate.
Each owner is a little optimistic or pessimistic, and every reading is noisy, so most renewals that
happened were called commit or best-case and most churns at-risk or lost, with misses both ways.
About a third of the renewals are called again 5 to 25 days before the date with a sharper reading
(the same call or a changed one), so calls carry a history in which the latest counts. Everything is
a pure function of the company and the seed.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import ibis
import numpy as np
import pandas as pd

from tenure.desk.renewals import arr_on_days
from tenure.metrics.calendar import index_of, month_end_of_index
from tenure.metrics.fx import lines_in_base_currency
from tenure.metrics.renewals import next_renewals

BASE_CURRENCY = "USD"  # the demo company's amounts and the default workspace currency
PAST_MONTHS = 12
AHEAD_DAYS = 90
FIRST_CALL_DAYS = (30, 60)  # a renewal is first called this many days before it
UPDATE_DAYS = (5, 25)  # ... and revisited this many days before it
UPDATE_SHARE = 0.35
RENEWED, CHURNED = 1.3, -0.3  # the mean reading of a renewal that happened, of one that churned
NOISE, UPDATE_NOISE, OWNER_BIAS = 0.8, 0.4, 0.3
# readings above these cut-offs are called commit, best-case, at-risk; below the last, lost
CUTS = ((0.9, "commit"), (0.2, "best-case"), (-0.8, "at-risk"))
NOTES = {
    "commit": ("order form agreed", "renewal paperwork with procurement", "verbal yes from the sponsor"),
    "best-case": ("pricing still under discussion", "budget approval pending", "new sponsor to win over"),
    "at-risk": ("usage down, champion unresponsive", "evaluating a competitor", "budget cut announced"),
    "lost": ("told us they will not renew", "moving to a competitor", "project cancelled"),
}
COLUMNS = ["account_id", "renewal_date", "call", "called_at", "arr", "owner_person_id", "note"]


def write_calls(company: Path, path: Path, *, end: dt.date, seed: int = 7) -> int:
    """Write the calls (COLUMNS) of the company in `company`, whose history ends on `end`; returns the rows."""
    rng = np.random.default_rng([seed, 9002])
    con = ibis.duckdb.connect()
    try:
        lines = _lines(con, company)
        renewals = _renewals(con, lines, end)
        owners = _read(company, "accounts").set_index("account_id")["owner_csm_id"]
        likelihood = _open_renewal_likelihood(company)
        past = renewals[renewals["renewal_date"] <= end]
        arr = _arr(con, lines, pd.concat([
            past.assign(day=past["renewal_date"]),
            past.assign(day=[d - dt.timedelta(days=1) for d in past["renewal_date"]])]))
        renewed = np.array([arr.get((a, d), 0.0) > 0 for a, d in zip(past["account_id"], past["renewal_date"],
                                                                      strict=True)])
        rate = float(renewed.mean()) if len(renewed) else 0.9
        signal = pd.Series(np.nan, index=renewals.index)
        signal[past.index] = np.where(renewed, RENEWED, CHURNED)
        ahead = renewals.index.difference(past.index)
        p_renew = renewals.loc[ahead, "account_id"].map(likelihood).fillna(rate).to_numpy(dtype=float)
        signal[ahead] = CHURNED + (RENEWED - CHURNED) * p_renew
        calls = _judge(rng, renewals.assign(signal=signal.to_numpy(), owner=renewals["account_id"].map(owners)), end)
        on_day = _arr(con, lines, calls.assign(day=calls["called_at"].dt.date))
    finally:
        con.disconnect()
    calls["arr"] = [round(on_day.get((a, d.date()), 0.0), 2) for a, d in zip(calls["account_id"], calls["called_at"],
                                                                             strict=True)]
    calls = calls[calls["arr"] > 0]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in calls.to_dict("records"):
            writer.writerow([row["account_id"], row["renewal_date"].isoformat(), row["call"],
                             row["called_at"].isoformat(timespec="seconds"), f"{row['arr']:.2f}",
                             row["owner"] if isinstance(row["owner"], str) else "", row["note"]])
    return len(calls)


def _judge(rng: np.random.Generator, renewals: pd.DataFrame, end: dt.date) -> pd.DataFrame:
    """One or two calls per renewal from its signal, the owner's bias and noise (called_at, call, note, owner)."""
    owners = sorted({o for o in renewals["owner"] if isinstance(o, str)})
    bias = dict(zip(owners, rng.normal(0, OWNER_BIAS, len(owners)), strict=True))
    rows = []
    for renewal in renewals.to_dict("records"):
        lean = bias.get(renewal["owner"], 0.0)
        due = renewal["renewal_date"]
        first = due - dt.timedelta(days=int(rng.integers(FIRST_CALL_DAYS[0], FIRST_CALL_DAYS[1] + 1)))
        if first > end:  # a renewal further out than the first call's lead: called in the last fortnight
            first = end - dt.timedelta(days=int(rng.integers(0, 15)))
        reading = renewal["signal"] + lean + rng.normal(0, NOISE)
        rows.append(_call(rng, renewal, first, reading))
        again = due - dt.timedelta(days=int(rng.integers(UPDATE_DAYS[0], UPDATE_DAYS[1] + 1)))
        revisit = rng.random() < UPDATE_SHARE
        sharper = renewal["signal"] + lean + rng.normal(0, UPDATE_NOISE)
        if revisit and first < again <= end:
            rows.append(_call(rng, renewal, again, sharper))
    out = pd.DataFrame(rows, columns=["account_id", "renewal_date", "call", "called_at", "owner", "note"])
    out["called_at"] = pd.to_datetime(out["called_at"])
    return out.sort_values(["called_at", "account_id"], kind="stable").reset_index(drop=True)


def _call(rng: np.random.Generator, renewal: dict, day: dt.date, reading: float) -> dict:
    word = _word(reading)
    moment = dt.datetime.combine(day, dt.time(int(rng.integers(9, 18)), int(rng.integers(0, 60))))
    return {"account_id": renewal["account_id"], "renewal_date": renewal["renewal_date"], "call": word,
            "called_at": moment, "owner": renewal["owner"], "note": NOTES[word][int(rng.integers(len(NOTES[word])))]}


def _word(reading: float) -> str:
    return next((word for cut, word in CUTS if reading > cut), "lost")


def _renewals(con, lines: ibis.Table, end: dt.date) -> pd.DataFrame:
    """Contract renewals due in the last PAST_MONTHS months and the next AHEAD_DAYS days, as tenure's pipeline
    sees them at the month-end before each (and at `end` for the coming ones)."""
    first = month_end_of_index(index_of(end) - PAST_MONTHS)
    frames = []
    for month in range(index_of(end) - PAST_MONTHS, index_of(end) + 1):
        day = min(month_end_of_index(month), end)
        due = next_renewals(lines.filter(lines.start_date <= day), as_of=day)
        frames.append(con.execute(due.filter(due.term_months > 1).select("account_id", "renewal_date")))
    found = pd.concat(frames, ignore_index=True)
    found["renewal_date"] = pd.to_datetime(found["renewal_date"]).dt.date
    found = found.drop_duplicates().sort_values(["account_id", "renewal_date"], ignore_index=True)
    keep = (found["renewal_date"] > first) & (found["renewal_date"] <= end + dt.timedelta(days=AHEAD_DAYS))
    return found[keep].reset_index(drop=True)


def _arr(con, lines: ibis.Table, keys: pd.DataFrame) -> dict[tuple[str, dt.date], float]:
    """ARR per (account_id, day) of `keys`."""
    if keys.empty:
        return {}
    days = ibis.memtable(pd.DataFrame({"account_id": keys["account_id"].astype(str),
                                       "day": pd.to_datetime(keys["day"]).dt.date}).drop_duplicates(),
                         schema={"account_id": "string", "day": "date"})
    out = con.execute(arr_on_days(lines, days))
    return {(a, pd.Timestamp(d).date()): float(v) for a, d, v in zip(out["account_id"], out["day"], out["arr"],
                                                                       strict=True)}


def _lines(con, company: Path) -> ibis.Table:
    """The company's subscription lines in USD (every line: the company's whole history is known)."""
    subscriptions = _read(company, "subscriptions")
    typed = pd.DataFrame({
        "subscription_id": subscriptions["subscription_id"].astype(str),
        "account_id": subscriptions["account_id"].astype(str),
        "start_date": pd.to_datetime(subscriptions["start_date"]).dt.date,
        "end_date": pd.to_datetime(subscriptions["end_date"]).dt.date,
        "renewal_date": pd.to_datetime(subscriptions["renewal_date"]).dt.date,
        "mrr": pd.to_numeric(subscriptions["mrr"]).astype(float),
        "currency": subscriptions["currency"].astype(str),
        "term_months": pd.to_numeric(subscriptions["term_months"]).astype("Int64"),
        "billing_period": subscriptions["billing_period"].astype(object),
    })
    table = con.create_table("subscriptions", ibis.memtable(typed, schema={
        "subscription_id": "string", "account_id": "string", "start_date": "date", "end_date": "date",
        "renewal_date": "date", "mrr": "float64", "currency": "string", "term_months": "int64",
        "billing_period": "string"}))
    table = table.mutate(mrr=table.mrr.cast("decimal(18, 4)"))  # as the data contract stores it
    rates = _read(company, "fx_rates")
    fx = con.create_table("fx_rates", ibis.memtable(pd.DataFrame({
        "currency": rates["currency"].astype(str), "date": pd.to_datetime(rates["date"]).dt.date,
        "rate_to_base": pd.to_numeric(rates["rate_to_base"]).astype(float)}),
        schema={"currency": "string", "date": "date", "rate_to_base": "float64"}))
    known = dt.date(9999, 12, 31)
    return con.create_table("lines", lines_in_base_currency(table, fx, base_currency=BASE_CURRENCY, as_of=known)
                            .mutate(mrr=ibis._.mrr.cast("float64")))


def _open_renewal_likelihood(company: Path) -> pd.Series:
    """Per account: the probability on its open renewal opportunity (the CRM's likelihood), if any."""
    opportunities = _read(company, "opportunities")
    open_ = opportunities[(opportunities["type"] == "renewal") & (opportunities["status"] == "open")]
    return pd.to_numeric(open_["probability"], errors="coerce").groupby(open_["account_id"].astype(str)).mean()


def _read(company: Path, name: str) -> pd.DataFrame:
    parquet = company / f"{name}.parquet"
    return pd.read_parquet(parquet) if parquet.exists() else pd.read_csv(company / f"{name}.csv",
                                                                         keep_default_na=True)
