"""Adoption × renewal: which features the customers who renewed used, and the ones who left did not.

Definitions (as implemented):

- The renewals are those decided in the year to the report's as-of date: every account paying a
  year earlier whose next renewal, as known then, fell in the year (`predict.outcomes`, with
  the configured grace days and flat tolerance), labelled churned, contracted, flat or expanded.
  A monthly contract is decided over the whole year (churned when it stopped paying).
- The renewal day is the renewal date; for a churned account the day it stopped paying; for a
  monthly contract still paying, the as-of date.
- A feature (an event name; every row of `features` when that table is loaded) was used by an
  account when it has an event in the 90 days before its renewal day.
- Share = accounts of an outcome that used the feature ÷ accounts of that outcome. "Retained"
  is every outcome but churned; the gap is the retained share minus the churned share, in
  percentage points: the features with the widest gap are the ones retained customers use.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import ibis

from tenure.metrics.columns import ratio
from tenure.metrics.renewals import next_renewals
from tenure.predict.features import known_lines
from tenure.predict.outcomes import OUTCOMES, outcomes_after
from tenure.reports.board.prose import listing
from tenure.reports.board.section import Chart, Section, Table
from tenure.reports.figures import count, money, percent, points

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

    from tenure.reports.board.context import BoardContext
    from tenure.workspace import Workspace

KEY = "adoption"
TITLE = "Adoption and renewal: which features retained customers use"
YEAR_DAYS = 365
BEFORE_DAYS = 90
RETAINED = "retained"
TOP = 3


def build(ctx: BoardContext) -> Section:
    ws = ctx.ws
    events = ws.warehouse.table("events")
    if events is None:
        return Section(KEY, TITLE, no_data="no product usage is loaded (the events table)")
    renewals = renewals_decided(ws, as_of=ctx.as_of)
    if renewals.empty:
        return Section(KEY, TITLE, no_data=f"no renewal was decided in the year to {ctx.as_of}")
    decided = ibis.memtable(renewals[["account_id", "outcome", "decided_on"]])
    use = ws.warehouse.execute(feature_use_before(events, ws.warehouse.table("features"), decided,
                                                  days=BEFORE_DAYS))
    outcomes = outcome_table(renewals)
    features = feature_table(use)
    long = use[use["outcome"] != RETAINED].rename(columns={"event": "feature"})
    long = long.set_index("feature").loc[features["feature"]].reset_index()
    from tenure.charts.adoption import adoption_by_outcome

    return Section(
        KEY, TITLE, narrative=narrative(outcomes, features),
        charts=[Chart("Share of accounts that used each feature in the 90 days before their renewal",
                      adoption_by_outcome(long[["feature", "outcome", "share"]]))],
        tables=[Table("Renewals decided in the year", outcomes,
                      {"renewals": "count", "share": "percent", "arr_up_for_renewal": "money"}),
                Table("Share of accounts using each feature before renewal, by outcome", features,
                      {**{name: "percent" for name in (*OUTCOMES, RETAINED)}, "gap": "points"})],
    )


def renewals_decided(ws: Workspace, *, as_of: dt.date) -> pd.DataFrame:
    """account_id, outcome, decided_on (the renewal day) and arr_before of every renewal decided in the year."""
    settings = ws.config.predict
    cutoff = as_of - dt.timedelta(days=YEAR_DAYS)
    outcomes = outcomes_after(ws, cutoff, horizon_days=YEAR_DAYS - settings.grace_days,
                              grace_days=settings.grace_days, flat_tolerance=settings.flat_tolerance)
    decided = outcomes[outcomes["outcome"].notna()]
    planned = ws.warehouse.execute(next_renewals(known_lines(ws, cutoff), as_of=cutoff,
                                                 default_term_months=ws.config.revenue.default_term_months)
                                   .select("account_id", "renewal_date", "term_months"))
    decided = decided.merge(planned, on="account_id", how="left")
    import pandas as pd

    monthly = decided["term_months"] == 1
    day = pd.to_datetime(decided["renewal_date"]).where(~monthly, pd.Timestamp(as_of))
    day = pd.to_datetime(decided["churn_date"]).where(decided["outcome"] == "churned", day)
    return decided.assign(decided_on=day.dt.date)[["account_id", "outcome", "decided_on", "arr_before"]]


def feature_use_before(events: ir.Table, features: ir.Table | None, renewals: ir.Table, *, days: int) -> ir.Table:
    """Per outcome (and `retained`) and feature: accounts, accounts that used it in the `days` days before
    their renewal day, and the share.

    `renewals` has account_id, outcome and decided_on. Every feature of `features` appears (unused
    ones at 0); without that table, every event name used by a renewing account in its window.
    """
    groups = renewals.union(renewals.filter(renewals.outcome != "churned").mutate(outcome=ibis.literal(RETAINED)))
    windows = groups.select("account_id", "outcome",
                            _from=(groups.decided_on - ibis.interval(days=days)).cast("timestamp"),
                            _to=groups.decided_on.cast("timestamp"))
    pairs = events.join(windows, "account_id")
    used = pairs.filter((pairs.timestamp >= pairs._from) & (pairs.timestamp < pairs._to))
    used = used.select("outcome", "event", "account_id").distinct()
    using = used.group_by(["outcome", "event"]).aggregate(accounts_using=used.count())
    sizes = groups.group_by("outcome").aggregate(accounts=groups.count())
    catalogue = features.select("event") if features is not None else used.select("event").distinct()
    grid = catalogue.cross_join(sizes)
    out = grid.left_join(using, ["outcome", "event"]).select(grid.outcome, grid.event, grid.accounts,
                                                             accounts_using=ibis.coalesce(using.accounts_using, 0))
    return out.mutate(share=ratio(out.accounts_using, out.accounts)).order_by(["event", "outcome"])


def outcome_table(renewals: pd.DataFrame) -> pd.DataFrame:
    """Renewals, their share and the ARR up for renewal per outcome, then retained and all."""
    import pandas as pd

    groups = [*((o, renewals["outcome"] == o) for o in OUTCOMES),
              (RETAINED, renewals["outcome"] != "churned"), ("all renewals", renewals["outcome"].notna())]
    total = len(renewals)
    return pd.DataFrame([{"outcome": name, "renewals": int(mask.sum()), "share": mask.sum() / total,
                          "arr_up_for_renewal": float(renewals.loc[mask, "arr_before"].sum())}
                         for name, mask in groups])


def feature_table(use: pd.DataFrame) -> pd.DataFrame:
    """One row per feature: the share of each outcome's accounts using it, retained, and the gap; widest gap first."""
    wide = use.pivot(index="event", columns="outcome", values="share")
    wide = wide.reindex(columns=[*OUTCOMES, RETAINED])
    wide["gap"] = wide[RETAINED] - wide["churned"]
    wide = wide.rename_axis(columns=None).reset_index().rename(columns={"event": "feature"})
    return wide.sort_values(["gap", RETAINED, "feature"], ascending=[False, False, True], na_position="last",
                            ignore_index=True)


def narrative(outcomes: pd.DataFrame, features: pd.DataFrame) -> list[str]:
    row = outcomes.set_index("outcome")
    n = {name: count(row.loc[name, "renewals"]) for name in row.index}
    paragraphs = [
        f"{n['all renewals']} renewals were decided in the year: {n['churned']} churned, {n['contracted']} "
        f"contracted, {n['flat']} renewed flat and {n['expanded']} expanded; {percent(row.loc[RETAINED, 'share'])} "
        f"of them were kept, with {money(row.loc[RETAINED, 'arr_up_for_renewal'])} of the "
        f"{money(row.loc['all renewals', 'arr_up_for_renewal'])} of ARR that came up for renewal."
    ]
    if row.loc["churned", "renewals"] and row.loc[RETAINED, "renewals"]:
        top = features[features["gap"] > 0].head(TOP)
        described = [f"{f.feature} (used by {percent(getattr(f, RETAINED))} of retained against "
                     f"{percent(f.churned)} of churned accounts, {points(f.gap)})" for f in top.itertuples()]
        if described:
            paragraphs.append("In the three months before renewal, the features that most separate the customers "
                              f"who stayed from those who left are {listing(described)}.")
        else:
            paragraphs.append("No feature was used by more of the customers who stayed than of those who left "
                              "in the three months before renewal.")
    else:
        top = features.sort_values(RETAINED, ascending=False).head(TOP)
        described = [f"{f.feature} ({percent(getattr(f, RETAINED))})" for f in top.itertuples()]
        who = "No renewal churned" if not row.loc["churned", "renewals"] else "No renewal was kept"
        paragraphs.append(f"{who} in the year, so there is no contrast between stayers and leavers; the features "
                          f"most used before renewal by retained accounts are {listing(described)}.")
    if row.loc["expanded", "renewals"] and row.loc["flat", "renewals"]:
        lift = (features["expanded"] - features["flat"]).dropna()
        if not lift.empty and lift.max() > 0:
            best = features.loc[lift.idxmax()]
            paragraphs.append(f"Expanding customers stand out on {best['feature']}: {percent(best['expanded'])} of "
                              f"them used it, against {percent(best['flat'])} of flat renewals.")
    return paragraphs
