"""Return on CS spend: what the CS team costs against the ARR it serves, and the cost to serve each
account, segment and motion.

Definitions (as implemented), for a date:

- Team cost: the yearly loaded cost of `costs.roles[role]` for every person on staff at the
  date (`team.hired_at` empty or on or before it, `left_at` empty or after it) whose role has a
  cost; roles without a cost (account executives, executives) are not CS spend. A run rate:
  someone hired in the year counts a full year. CS cost = team cost + `costs.programme_per_year`.
- ARR served: the ARR of the accounts paying at the date (the book). CS cost ÷ ARR is the
  spend per dollar of ARR; ARR per CSM and accounts per CSM divide by the CSMs on staff.
- Cost to serve an account, so that the accounts' costs add up to the CS cost:
  * each CSM's cost goes to the accounts they own (the effective owner) in proportion to each
    account's effort hours (its motion's hours a month);
  * every other role's cost, and the cost of a CSM whose book takes no effort hours (no
    accounts), is shared over all accounts by ARR share;
  * the digital programme cost is shared equally over the accounts on a non-dedicated (digital)
    motion; with no such account it is shared over all accounts by ARR share.
  Cost per account is the yearly cost to serve it; a segment's or motion's cost is the sum over
  its accounts.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from tenure.metrics.columns import ratio
from tenure.operating.config import Costs
from tenure.operating.coverage import active_people

ACCOUNT_COSTS = ("csm_cost", "shared_cost", "programme_cost", "cost")


def staff_costs(team: ir.Table, costs: Costs, *, as_of: dt.date) -> ir.Table:
    """person_id, name, role, cost (a year) of everyone on staff at `as_of` whose role has a cost."""
    staff = active_people(team, as_of, role=None)
    roles = {role: float(cost) for role, cost in costs.roles.items()}
    if not roles:
        return staff.filter(ibis.literal(False)).select("person_id", "name", "role", cost=ibis.literal(0.0))
    staff = staff.filter(staff.role.isin(list(roles)))
    cost = ibis.cases(*((staff.role == role, ibis.literal(value)) for role, value in roles.items()),
                      else_=ibis.literal(0.0))
    return staff.select("person_id", "name", "role", cost=cost)


def role_costs(staff: ir.Table) -> ir.Table:
    """Per costed role: people on staff, yearly cost of one, and of all of them."""
    return staff.group_by("role").aggregate(people=staff.count(), cost_per_person=staff.cost.max(),
                                            cost=staff.cost.sum())


def cost_to_serve(book: ir.Table, staff: ir.Table, costs: Costs) -> ir.Table:
    """The book (account_id, segment, motion, arr, owner, effort_hours, dedicated) with each account's
    yearly `csm_cost`, `shared_cost` (other roles), `programme_cost` and their sum `cost`."""
    csms = staff.filter(staff.role == "csm").select(_csm=staff.person_id, _csm_cost=staff.cost)
    hours = book.group_by(_csm=book.owner).aggregate(_book_hours=book.effort_hours.sum())
    accounts = book.left_join(csms, book.owner == csms._csm).drop("_csm")
    accounts = accounts.left_join(hours, accounts.owner == hours._csm).drop("_csm")
    effort = accounts.effort_hours.fill_null(0)
    direct = ibis.ifelse(accounts._csm_cost.notnull() & (accounts._book_hours > 0),
                         accounts._csm_cost * effort / accounts._book_hours, 0.0)
    digital = ~accounts.dedicated.fill_null(True)
    accounts = accounts.mutate(csm_cost=direct.cast("float64"), _digital=digital)
    book_totals = accounts.aggregate(_arr_total=accounts.arr.sum(), _allocated=accounts.csm_cost.sum(),
                                     _digital_accounts=accounts._digital.sum().cast("int64"))
    staff_totals = staff.aggregate(_csm_total=staff.cost.sum(where=staff.role == "csm"),
                                   _other_total=staff.cost.sum(where=staff.role != "csm"))
    accounts = accounts.cross_join(book_totals).cross_join(staff_totals)
    share = ratio(accounts.arr, accounts._arr_total).fill_null(0)
    pooled = (accounts._other_total.fill_null(0) + accounts._csm_total.fill_null(0)
              - accounts._allocated.fill_null(0))
    programme = ibis.literal(float(costs.programme_per_year))
    programme_cost = ibis.ifelse(accounts._digital_accounts > 0,
                                 ibis.ifelse(accounts._digital, programme / accounts._digital_accounts, 0.0),
                                 programme * share)
    accounts = accounts.mutate(shared_cost=(pooled * share).cast("float64"),
                               programme_cost=programme_cost.cast("float64"))
    accounts = accounts.mutate(cost=accounts.csm_cost + accounts.shared_cost + accounts.programme_cost)
    return accounts.select(*book.columns, *ACCOUNT_COSTS)


def cost_by(accounts: ir.Table, key: str) -> ir.Table:
    """Cost to serve per `key` (segment or motion): accounts, ARR, each kind of cost, cost per account
    and cost ÷ ARR."""
    grouped = accounts.group_by(key).aggregate(
        accounts=accounts.count(), arr=accounts.arr.sum(),
        **{column: accounts[column].sum() for column in ACCOUNT_COSTS})
    grouped = grouped.mutate(cost_per_account=ratio(grouped.cost, grouped.accounts),
                             cost_to_arr=ratio(grouped.cost, grouped.arr))
    return grouped.order_by([grouped.arr.desc(), key])


def spend_summary(accounts: ir.Table, staff: ir.Table, costs: Costs) -> ir.Table:
    """One row: CS cost (team + programme), ARR served, accounts, CSMs on staff, and the ratios."""
    team = staff.aggregate(team_cost=staff.cost.sum(), csms=(staff.role == "csm").sum().cast("int64"))
    book = accounts.aggregate(arr=accounts.arr.sum(), accounts=accounts.count())
    row = team.cross_join(book)
    team_cost = row.team_cost.fill_null(0).cast("float64")
    row = row.mutate(team_cost=team_cost, csms=row.csms.fill_null(0), arr=row.arr.fill_null(0).cast("float64"),
                     programme_cost=ibis.literal(float(costs.programme_per_year)))
    row = row.mutate(cost=row.team_cost + row.programme_cost)
    return row.select(
        "cost", "team_cost", "programme_cost", "arr", "accounts", "csms",
        cost_to_arr=ratio(row.cost, row.arr), arr_per_csm=ratio(row.arr, row.csms),
        accounts_per_csm=ratio(row.accounts, row.csms), cost_per_account=ratio(row.cost, row.accounts))
