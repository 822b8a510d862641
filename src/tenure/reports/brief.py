"""The account brief: a short document to prepare an executive business review or a renewal call.

It says, in plain sentences written from the facts (`account_facts.gather`), what the account
pays and when it renews, how healthy it is and why, how its usage moves, what value it got
against the success criteria agreed with it, what is at risk and which CTAs are open, who the
people are, and what to do next (`account_actions`). Every figure is written with
`tenure.reports.figures`, the way the tables beside it show it. Nothing is read after `as_of`
from the warehouse; CTAs and success plans are the workflow store's current state.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd

from tenure.reports.account_actions import next_actions, risk_signals
from tenure.reports.account_facts import gather
from tenure.reports.board.prose import listing, plural, up_or_down
from tenure.reports.board.section import Chart, Section, Table
from tenure.reports.figures import count, days, missing, money, percent

if TYPE_CHECKING:
    from tenure.reports.account_facts import Facts
    from tenure.workspace import Workspace

TOP_MEASURES = 3
LISTED = 5  # at most this many open CTAs in the table: the brief is read on one page
UNIT_KINDS = {"ratio": "percent", "days": "days", "currency": "money"}
SPONSORS = ("exec_sponsor", "champion")


def build_brief(ws: Workspace, account_id: str, *, as_of: dt.date) -> tuple[str, str, list[Section]]:
    """The brief's title, subtitle and sections for one account; a NotFound naming the id when it is unknown."""
    facts = gather(ws, account_id, as_of=as_of)
    profile = facts.view.profile
    subtitle = " · ".join(str(part) for part in (f"Account brief as of {as_of}", account_id, profile.get("segment"),
                                                 f"CSM {facts.csm}" if facts.csm else None) if not missing(part))
    signals = risk_signals(facts)
    sections = [
        combine("contract", "ARR, contract and health", contract_part(facts), health_part(facts)),
        combine("usage", "Usage and value delivered", usage_part(facts), value_part(facts)),
        combine("risks", "Risks, open CTAs and stakeholders", risk_part(facts, signals), people_part(facts)),
        Section("actions", "Recommended next actions", narrative=next_actions(facts, signals)),
    ]
    return facts.name, subtitle, sections


def combine(key: str, title: str, *parts: Section) -> Section:
    """One section from parts: their narratives, charts and tables in order; a part without data says so."""
    if all(part.no_data for part in parts):
        return Section(key, title, no_data="; ".join(part.no_data for part in parts))
    narrative = [text for part in parts
                 for text in ([f"{part.title}: {part.no_data}."] if part.no_data else part.narrative)]
    return Section(key, title, narrative=narrative, charts=[c for p in parts for c in p.charts],
                   tables=[t for p in parts for t in p.tables])


def reading(value, unit: str) -> str:
    """A metric's value as a reader sees it, by its unit (the same words in the tables and the text)."""
    if missing(value):
        return "no data"
    if unit == "flag":
        return "yes" if value else "no"
    kind = UNIT_KINDS.get(unit, "count")
    return {"percent": percent, "days": days, "money": money, "count": count}[kind](value)


def contract_part(facts: Facts) -> Section:
    title = "Contract"
    profile, terms = facts.view.profile, facts.terms
    if not facts.paying:
        year_ago = pd.DataFrame([{"arr_a_year_ago": terms["arr_a_year_ago"]}])
        return Section("contract", title, narrative=[f"{facts.name} is not a paying customer on {facts.as_of}."],
                       tables=[Table("ARR a year earlier", year_ago, {"arr_a_year_ago": "money"})])
    summary = pd.DataFrame([{"arr": profile["arr"], "arr_a_year_ago": terms["arr_a_year_ago"],
                             "customer_since": profile.get("customer_since"), "renewal_date": terms["renewal_date"],
                             "days_to_renewal": terms["days_to_renewal"], "term_months": terms["term_months"],
                             "acv_up_for_renewal": terms["acv"]}])
    change = profile["arr"] - terms["arr_a_year_ago"]
    if not terms["arr_a_year_ago"]:
        trend = "new in the last year"
    elif change:
        trend = f"{up_or_down(change)} from {money(terms['arr_a_year_ago'])} a year ago"
    else:
        trend = "the same as a year ago"
    text = (f"{facts.name} pays {money(profile['arr'])} of ARR ({trend}) and has been a customer since "
            f"{_day(profile.get('customer_since'))}. The next renewal is on {_day(terms['renewal_date'])}, in "
            f"{days(terms['days_to_renewal'])}, with {money(terms['acv'])} up for renewal on a "
            f"{count(terms['term_months'])}-month term.")
    tables = [Table("Contract", summary, {"arr": "money", "arr_a_year_ago": "money", "customer_since": "date",
                                          "renewal_date": "date", "days_to_renewal": "days", "term_months": "count",
                                          "acv_up_for_renewal": "money"})]
    if len(facts.lines) > 1:
        tables.append(Table("Subscription lines", facts.lines, {"start_date": "date", "end_date": "date",
                                                                "term_months": "count", "arr": "money"}))
    return Section("contract", title, narrative=[text], tables=tables)


def health_part(facts: Facts) -> Section:
    title = "Health"
    health, prediction = facts.view.health, facts.view.prediction
    if health is None:
        return Section("health", title, no_data="no health score: not a paying customer")
    drivers = []
    if prediction is not None:
        drivers = [d for d in (prediction["driver_1"], prediction["driver_2"], prediction["driver_3"])
                   if not missing(d) and d]
    units = dict(zip(facts.view.metrics["metric"], facts.view.metrics["unit"], strict=True))
    lost = facts.view.measures[facts.view.measures["points_lost"] > 0].head(TOP_MEASURES)
    worst = [f"{m.replace('_', ' ')} ({reading(v, units.get(m, ''))}, {count(p)} points)"
             for m, v, p in zip(lost["metric"], lost["value"], lost["points_lost"], strict=True)]
    change = health["score_change_30d"]
    if missing(change):
        moved = "no score 30 days earlier"
    elif round(change):
        moved = f"{up_or_down(change)} {count(abs(change))} points in 30 days"
    else:
        moved = "steady over 30 days"
    text = [f"Health is {count(health['score'])} ({health['band']} on the {health['scorecard']} scorecard), {moved}."]
    if worst:
        text[0] += f" It loses most on {listing(worst)}."
    if prediction is not None:
        said = (f"The churn model puts the risk of churn at the next renewal at "
                f"{percent(prediction['churn_probability'])}, expansion at "
                f"{percent(prediction['expansion_probability'])}")
        text.append(said + (f"; its drivers: {'; '.join(drivers)}." if drivers else "."))
    return Section("health", title, narrative=text)


def usage_part(facts: Facts) -> Section:
    title = "Usage"
    if facts.usage is None:
        return Section("usage", title, no_data="no product usage is loaded (the events table)")
    if not facts.paying:
        return Section("usage", title, no_data="not a paying customer")
    m = facts.metrics
    text = f"{plural(m['active_users_30d'], 'user')} active in the last 30 days"
    if not missing(m.get("seat_utilisation")):
        text += f", {percent(m['seat_utilisation'])} of {plural(m['seats'], 'seat')}"
    text += f", using {plural(m['feature_breadth_30d'], 'feature')}."
    moves = [f"{up_or_down(m[name])} {percent(abs(m[name]))} on {against}"
             for name, against in (("usage_trend_30d", "the 30 days before"),
                                   ("usage_vs_quarter_ago", "the same 30 days a quarter ago"))
             if not missing(m.get(name))]
    if moves:
        text += f" Events in the last 30 days are {listing(moves)}."
    from tenure.charts.adoption import weekly_usage

    return Section("usage", title, narrative=[text],
                   charts=[Chart("Events and active users a week, last 26 weeks",
                                 weekly_usage(facts.usage, height=90))])


def value_part(facts: Facts) -> Section:
    title = "Value and success criteria"
    metrics = facts.view.metrics
    values = metrics[metrics["family"] == "value"]
    value = pd.DataFrame({"value_driver": values["metric"].str.removeprefix("value_").str.removesuffix("_90d")
                          .str.replace("_", " "), "last_90_days": values["value"], "unit": values["unit"]})
    text, tables = [], []
    if not value.empty and facts.paying:
        realised = [f"{r.value_driver} {count(r.last_90_days)} {r.unit}" for r in value.itertuples()]
        text.append(f"Value realised in the last 90 days: {listing(realised)}.")
    if facts.workflow is not None:
        plans = facts.workflow.plans
        criteria = plans[plans["text"] != ""]
        if plans.empty:
            text.append("No success plan is recorded.")
        for (objective, status), mine in plans.groupby(["objective", "plan_status"], sort=False):
            listed = mine[mine["text"] != ""]
            still_open = listed[listed["status"] != "done"]["text"].tolist()
            said = (f"Success plan “{objective}” ({status}): {count((listed['status'] == 'done').sum())} of "
                    f"{count(len(listed))} criteria met")
            text.append(said + (f"; still open: {listing(still_open)}." if still_open else "."))
        if not criteria.empty:
            shown = criteria[["objective", "text", "before_signature", "status", "evidence"]].rename(
                columns={"text": "criterion", "before_signature": "agreed_before_signature"})
            tables.append(Table("Success criteria", shown.assign(
                agreed_before_signature=shown["agreed_before_signature"].map({True: "yes", False: "no"}))))
    if not text:
        return Section("value", title, no_data="no value driver is configured and no workflow store holds plans")
    return Section("value", title, narrative=text, tables=tables)


def risk_part(facts: Facts, signals: pd.DataFrame) -> Section:
    raised = [f"{s} ({r})" for s, r in zip(signals["signal"], signals["reading"], strict=True)]
    text = [f"Risk signals: {listing(raised)}." if raised else "No risk signal is raised."]
    tables = []
    if facts.workflow is not None:
        ctas = facts.workflow.ctas
        if ctas.empty:
            text.append("No CTA is open.")
        else:
            overdue = int((ctas["days_overdue"] > 0).sum())
            text.append(f"{plural(len(ctas), 'CTA')} open, {count(overdue)} of them overdue.")
            tables.append(Table("Open CTAs, most overdue first", ctas.head(LISTED),
                                {"id": "text", "due_date": "date", "days_overdue": "days"}))
    return Section("risks", "Risks", narrative=text, tables=tables)


def people_part(facts: Facts) -> Section:
    title = "Stakeholders"
    people = facts.people
    if people is None or people.empty:
        return Section("people", title, no_data="no contact is recorded at the customer")
    here = facts.current_people()
    named = {role: [_person(r) for r in here[here["role"] == role].itertuples()] for role in SPONSORS}
    text = [f"Executive sponsor: {listing(named['exec_sponsor'])}." if named["exec_sponsor"]
            else "No executive sponsor is on record.",
            f"Champion: {listing(named['champion'])}." if named["champion"] else "No champion is on record."]
    gone = people[~people.index.isin(here.index) & people["role"].isin(SPONSORS)]
    text += [f"{_person(r)}, {r.role.replace('_', ' ')}, left on {_day(r.left_at)}." for r in gone.itertuples()]
    if facts.csm:
        text.append(f"Our CSM is {facts.csm}.")
    return Section("people", title, narrative=[" ".join(text)])


def _person(row) -> str:
    name = row.name if isinstance(row.name, str) and row.name else row.email
    title = getattr(row, "title", None)
    return f"{name} ({title})" if isinstance(title, str) and title else str(name)


def _day(value) -> str:
    from tenure.metrics.calendar import to_date

    day = to_date(value)
    return day.isoformat() if day is not None else "n/a"
