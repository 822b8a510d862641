"""Coverage: each CSM's and each segment's load against the targets of `coverage:`.

A CSM's book is the accounts they own (the effective owner). Their effort load is the sum of
the monthly hours their accounts' motions take; utilisation is load ÷ monthly capacity, where
monthly capacity is the person's `capacity_hours` (hours a week), else `coverage.capacity_hours`,
× 52/12. The account ratio counts the
accounts on dedicated motions only (a digital programme's accounts are not a CSM's book to
call on); the ARR ratio counts every account. A CSM is overloaded when utilisation is above
`overloaded_above` or a book exceeds either ratio of the CSM's segment, idle when utilisation
is below `idle_below`. Owners who are not CSMs on record and unassigned accounts are shown,
flagged, so that no ARR drops out of the coverage picture.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from tenure.operating.config import WEEKS_PER_MONTH, Coverage

UNASSIGNED = "(unassigned)"


def active_people(team: ir.Table, as_of: dt.date, role: str | None = "csm") -> ir.Table:
    """Team members of `role` (all roles when None) on staff at `as_of`: hired by then and not yet left."""
    people = team if role is None else team.filter(team.role == role)
    if "hired_at" in people.columns:
        people = people.filter(people.hired_at.isnull() | (people.hired_at.cast("date") <= as_of))
    if "left_at" in people.columns:
        people = people.filter(people.left_at.isnull() | (people.left_at.cast("date") > as_of))
    return people


def book_load(book: ir.Table, *, lowest_band: str, renewal_days: int) -> ir.Table:
    """Per owner: accounts, dedicated accounts, ARR, effort hours, red ARR and renewals due."""
    owner = ibis.coalesce(book.owner, ibis.literal(UNASSIGNED))
    book = book.mutate(_owner=owner)
    due = book.days_to_renewal <= renewal_days
    return book.group_by(person_id=book._owner).aggregate(
        accounts=book.count(),
        dedicated_accounts=book.dedicated.sum().cast("int64"),
        arr=book.arr.sum(),
        effort_hours=book.effort_hours.sum(),
        red_arr=book.arr.sum(where=book.band == lowest_band),
        renewals_due=due.sum().cast("int64"),
        renewals_due_arr=book.arr.sum(where=due),
    )


def _ratio_table(config: Coverage) -> ir.Table:
    segments = list(config.ratios)
    return ibis.memtable({
        "_ratio_segment": segments,
        "target_accounts": [config.ratios[s].accounts_per_csm for s in segments],
        "target_arr": [config.ratios[s].arr_per_csm for s in segments],
    }, schema={"_ratio_segment": "string", "target_accounts": "int64", "target_arr": "float64"})


def csm_coverage(book: ir.Table, team: ir.Table | None, config: Coverage, *, as_of: dt.date,
                 lowest_band: str) -> ir.Table:
    """One row per CSM on staff (an empty book included) and per other owner of accounts."""
    load = book_load(book, lowest_band=lowest_band, renewal_days=config.renewal_days)
    if team is not None:
        csms = active_people(team, as_of)
        capacity = csms.capacity_hours.cast("float64") if "capacity_hours" in csms.columns else ibis.null("float64")
        people = csms.select(
            person_id=csms.person_id.cast("string"), csm=csms.name.cast("string"),
            team_segment=csms.segment.cast("string") if "segment" in csms.columns else ibis.null("string"),
            manager_id=csms.manager_id.cast("string") if "manager_id" in csms.columns else ibis.null("string"),
            capacity_hours=ibis.coalesce(capacity, config.capacity_hours), on_record=ibis.literal(True))
    else:
        people = ibis.memtable({"person_id": [], "csm": [], "team_segment": [], "manager_id": [],
                                "capacity_hours": [], "on_record": []},
                               schema={"person_id": "string", "csm": "string", "team_segment": "string",
                                       "manager_id": "string", "capacity_hours": "float64", "on_record": "boolean"})
    joined = people.outer_join(load, people.person_id == load.person_id)
    zero = {c: ibis.coalesce(joined[c], 0) for c in ("accounts", "dedicated_accounts", "arr", "effort_hours",
                                                        "red_arr", "renewals_due", "renewals_due_arr")}
    rows = joined.select(
        person_id=ibis.coalesce(joined.person_id, joined.person_id_right),
        csm=joined.csm, segment=joined.team_segment, manager_id=joined.manager_id,
        capacity_hours=ibis.coalesce(joined.capacity_hours, config.capacity_hours),
        on_record=ibis.coalesce(joined.on_record, False), **zero)
    ratios = _ratio_table(config)
    rows = rows.left_join(ratios, rows.segment == ratios._ratio_segment).drop("_ratio_segment")
    utilisation = rows.effort_hours / (rows.capacity_hours * WEEKS_PER_MONTH)
    over_accounts = ibis.coalesce(rows.dedicated_accounts > rows.target_accounts, False)
    over_arr = ibis.coalesce(rows.arr > rows.target_arr, False)
    overloaded = (utilisation > config.overloaded_above) | over_accounts | over_arr
    flag = ibis.cases(
        (rows.person_id == UNASSIGNED, "unassigned accounts"),
        (~rows.on_record, "owner is not a CSM on record"),
        (overloaded, "overloaded"),
        (utilisation < config.idle_below, "idle"),
        else_="",
    )
    return rows.mutate(utilisation=utilisation, flag=flag).order_by(
        [ibis.desc("utilisation"), "person_id"])


def segment_coverage(book: ir.Table, team: ir.Table | None, config: Coverage, *, as_of: dt.date,
                     lowest_band: str) -> ir.Table:
    """One row per segment: book, CSMs of the segment on staff, actual ratios against target, CSMs the ratios need."""
    due = book.days_to_renewal <= config.renewal_days
    by_segment = book.group_by("segment").aggregate(
        accounts=book.count(), dedicated_accounts=book.dedicated.sum().cast("int64"), arr=book.arr.sum(),
        effort_hours=book.effort_hours.sum(), red_arr=book.arr.sum(where=book.band == lowest_band),
        renewals_due=due.sum().cast("int64"))
    if team is not None and "segment" in team.columns:
        csms = active_people(team, as_of)
        heads = csms.group_by(_csm_segment=csms.segment.cast("string")).aggregate(csms=csms.count())
        by_segment = by_segment.left_join(heads, by_segment.segment == heads._csm_segment).drop("_csm_segment")
    else:
        by_segment = by_segment.mutate(csms=ibis.null("int64"))
    ratios = _ratio_table(config)
    out = by_segment.left_join(ratios, by_segment.segment == ratios._ratio_segment).drop("_ratio_segment")
    csms = ibis.coalesce(out.csms, 0)
    per_csm = ibis.ifelse(csms > 0, csms, ibis.null("int64"))
    needed = ibis.greatest(
        ibis.coalesce((out.dedicated_accounts / out.target_accounts).ceil(), 0),
        ibis.coalesce((out.arr / out.target_arr).ceil(), 0),
    ).cast("int64")
    return out.mutate(
        csms=csms, accounts_per_csm=out.dedicated_accounts / per_csm, arr_per_csm=out.arr / per_csm,
        csms_by_ratio=ibis.ifelse(out.target_accounts.notnull() | out.target_arr.notnull(), needed,
                                  ibis.null("int64")),
    ).order_by(ibis.desc("arr"))
