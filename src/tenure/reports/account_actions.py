"""What to worry about on an account and what to do next: the judgement rules of the account brief.

Risk signals (each raised when its measure is known and past its threshold): the account is in
the lowest health band; its churn probability is at or above the risk threshold; events in 30
days are down at least 20% on the 30 days before; under half of its seats are active; a
champion or executive sponsor left in 180 days; an urgent ticket is open; no executive met us
in 90 days; the latest NPS answer is a detractor's (0–6); it is a zombie; a CTA is overdue.

Next actions follow from the signals and the facts, the most urgent first: overdue CTAs, a save
plan for a red or likely-to-churn account, a renewal within 120 days (on a contract longer than a
month), a missing sponsor or
champion, an adoption review, the success plan, executive contact, and expansion when nearly
every seat is in use. With nothing to act on, the review is for next year's objectives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from tenure.reports.board.prose import listing, plural
from tenure.reports.figures import count, days, missing, percent

if TYPE_CHECKING:
    from tenure.reports.account_facts import Facts

USAGE_DROP = -0.2
LOW_UTILISATION = 0.5
HIGH_UTILISATION = 0.9
EXEC_TOUCH_DAYS = 90
DETRACTOR = 6
RENEWAL_SOON_DAYS = 120
LOW_BAND = "health in the lowest band"
LIKELY_CHURN = "churn probability at or above the risk threshold"
OVERDUE = "CTAs overdue"
ADOPTION = ("usage falling", "seats unused", "zombie account")
NO_EXEC = "no executive contact"


def risk_signals(facts: Facts) -> pd.DataFrame:
    """signal, reading: each risk the facts raise, in the order of the module docstring."""
    m, health, prediction = facts.metrics, facts.view.health, facts.view.prediction
    rows = []
    if health is not None and health["band"] == facts.lowest_band:
        rows.append((LOW_BAND, f"score {count(health['score'])}, {health['band']}"))
    if prediction is not None and prediction["churn_probability"] >= facts.risk_threshold:
        rows.append((LIKELY_CHURN, percent(prediction["churn_probability"])))
    if _known(m, "usage_trend_30d") and m["usage_trend_30d"] <= USAGE_DROP:
        rows.append((ADOPTION[0], f"events down {percent(abs(m['usage_trend_30d']))} on the 30 days before"))
    if _known(m, "seat_utilisation") and m["seat_utilisation"] < LOW_UTILISATION:
        rows.append((ADOPTION[1], f"{percent(m['seat_utilisation'])} of seats active"))
    if _known(m, "sponsor_departed_180d") and bool(m["sponsor_departed_180d"]):
        rows.append(("champion or sponsor left", "in the last 180 days"))
    if _known(m, "open_urgent_tickets") and m["open_urgent_tickets"] > 0:
        rows.append(("urgent tickets open", count(m["open_urgent_tickets"])))
    if _known(m, "days_since_exec_activity") and m["days_since_exec_activity"] > EXEC_TOUCH_DAYS:
        rows.append((NO_EXEC, f"last one {days(m['days_since_exec_activity'])} ago"))
    if _known(m, "nps_latest") and m["nps_latest"] <= DETRACTOR:
        rows.append(("detractor", f"latest NPS answer {count(m['nps_latest'])}"))
    if _known(m, "zombie") and bool(m["zombie"]):
        rows.append((ADOPTION[2], "logs in but adopts nothing new"))
    overdue = _overdue(facts)
    if not overdue.empty:
        rows.append((OVERDUE, plural(len(overdue), "CTA")))
    return pd.DataFrame(rows, columns=["signal", "reading"])


def next_actions(facts: Facts, signals: pd.DataFrame) -> list[str]:
    """Recommended next actions, as plain sentences, the most urgent first."""
    raised, terms, actions = set(signals["signal"]), facts.terms, []
    overdue = _overdue(facts)
    if not overdue.empty:
        named = [f"#{i} ({reason})" for i, reason in zip(overdue["id"], overdue["reason"], strict=True)]
        actions.append(f"Close the overdue CTAs first: {listing(named)}.")
    if {LOW_BAND, LIKELY_CHURN} & raised:
        actions.append("Open a save plan with your manager before the call: agree the executive outreach and what "
                       "the customer must see change.")
    if (facts.paying and not missing(terms.get("days_to_renewal")) and terms["days_to_renewal"] <= RENEWAL_SOON_DAYS
            and terms["term_months"] > 1):  # a monthly contract renews every month: no renewal call to prepare
        actions.append(f"Prepare the renewal of {terms['renewal_date']}: confirm the decision maker, the budget and "
                       "the value delivered against the success criteria before the call.")
    if facts.people is not None and not facts.people.empty:
        roles = set(facts.current_people()["role"])
        if "exec_sponsor" not in roles:
            actions.append("Find an executive sponsor at the customer and invite them to the review.")
        if "champion" not in roles:
            actions.append("Name a new champion among the power users.")
    if set(ADOPTION) & raised:
        actions.append("Run an adoption review with the power users: show the features their peers use and agree "
                       "who will be trained.")
    if facts.workflow is not None:
        plans = facts.workflow.plans
        still_open = plans[(plans["text"] != "") & (plans["status"] != "done")]["text"].tolist()
        if plans.empty:
            actions.append("Agree a success plan with measurable criteria at the review.")
        elif still_open:
            actions.append(f"Bring evidence for the open success criteria: {listing(still_open)}.")
    if NO_EXEC in raised:
        actions.append("Book time with an executive of the customer: the last executive meeting is too long ago.")
    utilisation = facts.metrics.get("seat_utilisation")
    if not missing(utilisation) and utilisation >= HIGH_UTILISATION and LOW_BAND not in raised:
        actions.append("Raise expansion: nearly every seat is in use.")
    if not actions:
        actions.append("Nothing is at risk: use the review to agree next year's objectives and ask for a reference "
                       "or a case study.")
    return actions


def _known(metrics: dict, name: str) -> bool:
    return not missing(metrics.get(name))


def _overdue(facts: Facts) -> pd.DataFrame:
    if facts.workflow is None:
        return pd.DataFrame(columns=["id", "reason"])
    ctas = facts.workflow.ctas
    return ctas[ctas["days_overdue"] > 0]
