"""The simulated company laid out as the data contract's tables.

The simulation works on indexes, day numbers and codes; this module is the one place that
turns them into contract columns: string ids (A000001, S0000001, P001, ...), names of
segments, products and roles, and nulls where a value is absent. Table columns go to
`writer.arrow_table`, which types them.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tenure.demo.catalog import EVENT_NAMES, IS_KEY, PRODUCTS
from tenure.demo.company import CURRENCIES, REGIONS, SEGMENTS, Customers
from tenure.demo.contacts import ROLES, Contacts
from tenure.demo.contracts import ContractHistory
from tenure.demo.fx import FxRates
from tenure.demo.ids import account_digits, fixed_width_ids, numbered, width_for
from tenure.demo.lines import BILLING_PERIODS, OPEN
from tenure.demo.team import Team

Columns = dict[str, object]
RECORD_DIGITS = 7  # S0000001, C0000001, T0000001, ...


class Ids:
    """String ids of accounts, people and contacts, as wide as their counts need."""

    def __init__(self, accounts: int, people: int, contacts: int):
        self.account_width = account_digits(accounts)
        self.person_width = width_for(people, 3)
        self.contact_width = width_for(contacts, RECORD_DIGITS)

    def account(self, index: np.ndarray) -> pa.Array:
        return _nullable(fixed_width_ids("A", (index + 1, self.account_width)), index >= 0)

    def person(self, index: np.ndarray) -> pa.Array:
        return _nullable(fixed_width_ids("P", (index + 1, self.person_width)), index >= 0)

    def contact(self, index: np.ndarray) -> pa.Array:
        return fixed_width_ids("C", (index + 1, self.contact_width))


def _nullable(array: pa.Array, valid: np.ndarray) -> pa.Array:
    return array if valid.all() else pc.if_else(pa.array(valid), array, pa.scalar(None, array.type))


def _days(days: np.ndarray) -> np.ma.MaskedArray:
    """Day numbers with OPEN as null."""
    return np.ma.masked_array(days, mask=days == OPEN)


def _text(values: np.ndarray) -> np.ndarray:
    """Text with empty strings as null."""
    return np.where(values == "", None, values).astype(object)


def accounts(ids: Ids, customers: Customers, team: Team) -> Columns:
    c = customers
    index = np.arange(c.size)
    return {
        "account_id": ids.account(index), "name": c.name, "created_at": c.created_at,
        "industry": c.industry, "region": np.asarray(REGIONS, dtype=object)[c.region],
        "employees": c.employees,
        "owner_csm_id": ids.person(team.csm), "parent_account_id": ids.account(c.parent),
        "segment": np.asarray(SEGMENTS, dtype=object)[c.segment], "restricted": c.restricted,
    }


def subscriptions(ids: Ids, customers: Customers, history: ContractHistory) -> Columns:
    lines = history.lines
    order = np.lexsort((lines["product"], lines["start"], lines["account"]))
    line = {name: column[order] for name, column in lines.items()}
    core = line["product"] == 0
    return {
        "subscription_id": numbered("S", len(order), RECORD_DIGITS),
        "account_id": ids.account(line["account"]),
        "product": np.asarray(PRODUCTS, dtype=object)[line["product"]], "start_date": line["start"],
        "mrr": line["mrr"],
        "currency": np.asarray(CURRENCIES, dtype=object)[customers.currency[line["account"]]],
        "end_date": _days(line["end"]), "quantity": np.ma.masked_array(line["seats"], mask=~core),
        "billing_period": np.asarray(BILLING_PERIODS, dtype=object)[line["billing"]],
        "term_months": line["term"],
        "renewal_date": _days(line["renewal"]), "auto_renew": line["auto_renew"],
    }


def team_members(ids: Ids, team: Team) -> Columns:
    index = np.arange(len(team.role))
    return {
        "person_id": ids.person(index), "name": team.name, "role": team.role, "email": team.email,
        "manager_id": ids.person(team.manager), "segment": team.segment,
        "capacity_hours": np.ma.masked_invalid(team.capacity_hours), "hired_at": team.hired_at,
        "left_at": _days(team.left_at),
    }


def account_team(ids: Ids, customers: Customers, team: Team) -> Columns:
    """Who works on each account in which role, and since when."""
    c = customers
    start = c.relationship_start
    renewal_manager = np.where(team.role[team.renewal_owner] == "renewal", team.renewal_owner, OPEN)
    csm_since = np.where(team.handover_day != OPEN, team.handover_day, start)
    blocks = [
        ("csm", team.csm, csm_since),
        ("ae", team.ae, np.maximum(c.created_at, team.hired_at[team.ae])),
        ("renewal", renewal_manager, start), ("tam", team.tam, start),
        ("executive", team.executive, start), ("onboarding", team.onboarding, start),
    ]
    account, person, role, since = [], [], [], []
    for name, who, day in blocks:
        has = np.flatnonzero(who >= 0)
        account.append(has)
        person.append(who[has])
        role.append(np.full(len(has), name, dtype=object))
        since.append(np.maximum(day[has], team.hired_at[who[has]]))
    account, person, role, since = (np.concatenate(x) for x in (account, person, role, since))
    order = np.lexsort((person, account))
    return {"account_id": ids.account(account[order]), "person_id": ids.person(person[order]),
            "role": role[order], "since": since[order]}


def features(released: np.ndarray) -> Columns:
    return {"event": np.asarray(EVENT_NAMES, dtype=object), "released_at": released, "is_key": IS_KEY}


def fx_rates(fx: FxRates) -> Columns:
    months = fx.rate.shape[1]
    foreign = np.arange(1, len(CURRENCIES))
    return {"currency": np.repeat(np.asarray(CURRENCIES, dtype=object)[foreign], months),
            "date": np.tile(fx.days, len(foreign)), "rate_to_base": fx.rate[foreign].ravel()}


def contacts(ids: Ids, people: Contacts) -> Columns:
    return {
        "contact_id": ids.contact(np.arange(len(people.account))), "account_id": ids.account(people.account),
        "email": people.email, "name": people.name, "title": people.title,
        "role": np.asarray(ROLES, dtype=object)[people.role], "left_at": _days(people.left_at),
    }


def tickets(ids: Ids, rows: dict[str, np.ndarray]) -> Columns:
    return {
        "ticket_id": numbered("T", len(rows["account"]), RECORD_DIGITS),
        "account_id": ids.account(rows["account"]), "created_at": rows["created"],
        "priority": rows["priority"],
        "resolved_at": np.ma.masked_array(rows["resolved"], mask=rows["resolved"] < 0),
        "status": rows["status"],
        "csat": np.ma.masked_invalid(rows["csat"]),
    }


def activities(ids: Ids, rows: dict[str, np.ndarray]) -> Columns:
    return {
        "activity_id": numbered("ACT", len(rows["account"]), RECORD_DIGITS),
        "account_id": ids.account(rows["account"]),
        "occurred_at": rows["seconds"], "type": rows["type"], "exec_present": rows["exec_present"],
        "person_id": ids.person(rows["person"]),
    }


def surveys(ids: Ids, rows: dict[str, np.ndarray]) -> Columns:
    return {
        "response_id": numbered("R", len(rows["account"]), RECORD_DIGITS),
        "account_id": ids.account(rows["account"]), "submitted_at": rows["seconds"], "type": rows["type"],
        "score": rows["score"], "contact_id": ids.contact(rows["contact"]),
        "comment": rows["comment"],
    }


def opportunities(ids: Ids, rows: dict[str, np.ndarray]) -> Columns:
    return {
        "opportunity_id": numbered("O", len(rows["account"]), RECORD_DIGITS),
        "account_id": ids.account(rows["account"]), "type": rows["kind"], "amount": rows["amount"],
        "close_date": rows["close"], "stage": rows["stage"], "probability": rows["probability"],
        "status": rows["status"], "churn_reason": rows["churn_reason"], "owner_id": ids.person(rows["owner"]),
        "created_at": rows["created"], "use_case": rows["use_case"],
        "promised_integrations": _text(rows["integrations"]),
        "success_criteria_agreed": rows["success_criteria"],
    }
