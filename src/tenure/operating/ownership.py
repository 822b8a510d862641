"""Account teams and ownership: who works on each account, who owns its renewal and its expansion,
and whether a strategic account has an executive sponsor who actually meets it.

Definitions (as implemented):

- An `account_team` row counts at a date when its `since` is on or before the date (an empty
  `since` always counts) and its person is on staff then (`team.hired_at` empty or on or before
  the date, `team.left_at` empty or after it). When several people hold one role on an account,
  the one with the latest `since` holds it (the earlier rows are the history of the role).
- The account's CSM is its effective owner (a reassignment made in tenure, else the loaded
  `owner_csm_id`), else the `csm` of its account team.
- `ownership.renewal`: `cs` gives the renewal to the CSM; `renewal` to the account's renewal
  specialist; `sales` to its account executive (AE). `ownership.expansion`: `cs` or `sales`.
  An account with no such person falls back to the CSM, and `renewal_owner_source` /
  `expansion_owner_source` say so (`csm (no renewal specialist)`, `csm (no ae)`); `none` when
  not even a CSM is on record.
- Strategic: ARR at the date ≥ `strategic_arr_min`, or the segment is in `strategic_segments`.
  A strategic account needs an internal executive sponsor (account team role `executive`).
- Executive touch: the last activity with `exec_present` true that occurred on or before the
  date; overdue when more than `executive_touch_days` days ago, or when there never was one.
  Without an activities table (or its `exec_present` column) the status is `no data`, never
  overdue.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from tenure.metrics.columns import join_on_account
from tenure.metrics.window import Day
from tenure.operating.config import Ownership
from tenure.operating.coverage import active_people

# account_team role → column of the wide account-team table
ROLE_COLUMNS = {"csm": "team_csm", "tam": "tam", "onboarding": "onboarding", "renewal": "renewal_specialist",
                "ae": "ae", "executive": "executive_sponsor"}
PEOPLE_COLUMNS = tuple(ROLE_COLUMNS.values())
RENEWAL_HOLDERS = {"renewal": ("renewal_specialist", "renewal", "renewal specialist"), "sales": ("ae", "ae", "ae")}
NO_DATA = "no data"


def current_team(account_team: ir.Table, team: ir.Table | None, *, as_of: dt.date) -> ir.Table:
    """One row per account and role at `as_of`: account_id, role, person_id, since (the role's holder)."""
    rows = account_team.filter(account_team.role.isin(list(ROLE_COLUMNS)))
    since = rows.since.cast("date") if "since" in rows.columns else ibis.null("date")
    rows = rows.select("account_id", "role", "person_id", since=since)
    rows = rows.filter(rows.since.isnull() | (rows.since <= as_of))
    if team is not None:
        gone = team.select("person_id").anti_join(active_people(team, as_of, role=None).select("person_id"),
                                                  "person_id")
        rows = rows.anti_join(gone, "person_id")
    latest = ibis.row_number().over(group_by=[rows.account_id, rows.role],
                                    order_by=[ibis.desc(rows.since, nulls_first=False), rows.person_id])
    rows = rows.mutate(_rank=latest)
    return rows.filter(rows._rank == 0).drop("_rank")


def account_people(current: ir.Table) -> ir.Table:
    """The current team as one row per account: a column per role (`team_csm`, `tam`, `onboarding`,
    `renewal_specialist`, `ae`, `executive_sponsor`) holding a person_id."""
    return current.group_by("account_id").aggregate(
        **{column: current.person_id.max(where=current.role == role) for role, column in ROLE_COLUMNS.items()})


def route(accounts: ir.Table, config: Ownership) -> ir.Table:
    """Add renewal and expansion owners (and where each came from) to a table with `csm`,
    `renewal_specialist` and `ae` columns."""
    renewal, renewal_source = _owner(accounts, config.renewal)
    expansion, expansion_source = _owner(accounts, "cs" if config.expansion == "cs" else "sales")
    return accounts.mutate(renewal_owner=renewal, renewal_owner_source=renewal_source,
                           expansion_owner=expansion, expansion_owner_source=expansion_source)


def _owner(accounts: ir.Table, choice: str) -> tuple[ir.StringValue, ir.StringValue]:
    csm = accounts.csm
    if choice == "cs":
        return csm, ibis.ifelse(csm.notnull(), "csm", "none")
    column, source, title = RENEWAL_HOLDERS[choice]
    holder = accounts[column]
    owner = ibis.coalesce(holder, csm)
    fallback = ibis.ifelse(csm.notnull(), f"csm (no {title})", "none")
    return owner, ibis.ifelse(holder.notnull(), source, fallback)


def last_executive_touch(activities: ir.Table | None, *, as_of: dt.date) -> ir.Table | None:
    """Per account: the date of its last activity with an executive present, on or before `as_of`
    (None when there is no activities table or no `exec_present` column: no data)."""
    if activities is None or "exec_present" not in activities.columns:
        return None
    day = Day(as_of)
    known = activities.filter((activities.occurred_at < day.end) & activities.exec_present.fill_null(False))
    return known.group_by("account_id").aggregate(last_executive_touch=known.occurred_at.max().cast("date"))


def account_teams(book: ir.Table, people: ir.Table | None, config: Ownership, *, as_of: dt.date,
                  touches: ir.Table | None) -> ir.Table:
    """One row per account of `book` (account_id, name, segment, arr, owner): its team, the renewal and
    expansion owners, whether it is strategic, its executive sponsor and executive touch status.

    `people` is `account_people(...)` (None: no account_team table); `touches` is
    `last_executive_touch(...)` (None: no data).
    """
    base = book.select("account_id", "name", "segment", "arr", _owner=book.owner)
    parts = [people] if people is not None else []
    if touches is not None:
        parts.append(touches)
    teams = join_on_account(base, *parts) if parts else base
    missing = {c: ibis.null("string") for c in PEOPLE_COLUMNS if c not in teams.columns}
    if touches is None:
        missing["last_executive_touch"] = ibis.null("date")
    teams = teams.mutate(**missing)
    teams = teams.mutate(csm=ibis.coalesce(teams._owner, teams.team_csm))
    teams = route(teams, config)
    teams = teams.mutate(**_strategic(teams, config))
    teams = teams.mutate(sponsor_missing=teams.strategic & teams.executive_sponsor.isnull())
    days = Day(as_of).days_since(teams.last_executive_touch)
    teams = teams.mutate(days_since_executive_touch=days)
    status, overdue = _touch_status(teams, config, known=touches is not None)
    teams = teams.mutate(executive_touch=status, executive_touch_overdue=overdue)
    return teams.select(
        "account_id", "name", "segment", "arr", "csm", "tam", "onboarding", "renewal_specialist", "ae",
        "executive_sponsor", "renewal_owner", "renewal_owner_source", "expansion_owner", "expansion_owner_source",
        "strategic", "strategic_reason", "sponsor_missing", "last_executive_touch", "days_since_executive_touch",
        "executive_touch", "executive_touch_overdue")


def _strategic(teams: ir.Table, config: Ownership) -> dict[str, ir.Value]:
    by_arr = (ibis.coalesce(teams.arr >= config.strategic_arr_min, False)
              if config.strategic_arr_min is not None else ibis.literal(False))
    by_segment = (ibis.coalesce(teams.segment.isin(config.strategic_segments), False)
                  if config.strategic_segments else ibis.literal(False))
    reason = ibis.cases((by_arr & by_segment, "arr and segment"), (by_arr, "arr"), (by_segment, "segment"),
                        else_=ibis.null("string"))
    return {"strategic": by_arr | by_segment, "strategic_reason": reason}


def _touch_status(teams: ir.Table, config: Ownership, *, known: bool) -> tuple[ir.StringValue, ir.BooleanValue]:
    """`ok`, `overdue`, `never` (overdue too) or `no data` for strategic accounts; empty for the others."""
    if not known:
        status = ibis.ifelse(teams.strategic, NO_DATA, ibis.null("string"))
        return status, ibis.null("boolean")
    late = teams.days_since_executive_touch > config.executive_touch_days
    status = ibis.cases((~teams.strategic, ibis.null("string")), (teams.last_executive_touch.isnull(), "never"),
                        (late, "overdue"), else_="ok")
    overdue = ibis.ifelse(teams.strategic, teams.last_executive_touch.isnull() | late, ibis.null("boolean"))
    return status, overdue
