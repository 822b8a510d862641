"""The account-team view: each paying account's people by role, its renewal and expansion owners,
and the executive sponsor and executive touch status of strategic accounts (operating/ownership.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

import ibis

from tenure.operating.ownership import account_people, account_teams, current_team, last_executive_touch, route
from tenure.views.book import book_at

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

    from tenure.workspace import Workspace

ROUTED = ("renewal_owner", "renewal_owner_source", "expansion_owner", "expansion_owner_source")


def people_at(ws: Workspace, *, as_of: dt.date) -> ir.Table | None:
    """The current holder of each role on each account (long form), or None without an account_team table."""
    account_team = ws.warehouse.table("account_team")
    if account_team is None:
        return None
    return current_team(account_team, ws.warehouse.table("team"), as_of=as_of)


def account_teams_at(ws: Workspace, *, as_of: dt.date, owners: Mapping[str, str] | None = None) -> ir.Table:
    """Every account paying at `as_of` with its team, owners, strategic flag and executive touch (an expression)."""
    book = book_at(ws, as_of=as_of, owners=owners, health=False)
    current = people_at(ws, as_of=as_of)
    people = account_people(current) if current is not None else None
    touches = last_executive_touch(ws.warehouse.table("activities"), as_of=as_of)
    return account_teams(book, people, ws.config.ownership, as_of=as_of, touches=touches)


def members_of(ws: Workspace, account_id: str, *, as_of: dt.date) -> pd.DataFrame:
    """The account's people at `as_of`, one row per role: role, person_id, name, since."""
    import pandas as pd

    current = people_at(ws, as_of=as_of)
    if current is None:
        return pd.DataFrame(columns=["role", "person_id", "name", "since"])
    current = current.filter(current.account_id == account_id)
    team = ws.warehouse.table("team")
    if team is not None:
        names = team.select("person_id", "name")
        current = current.left_join(names, "person_id").drop("person_id_right")
    else:
        current = current.mutate(name=ibis.null("string"))
    return ws.warehouse.execute(current.select("role", "person_id", "name", "since").order_by("role"))


def routed_owners(ws: Workspace, owners: pd.DataFrame, *, as_of: dt.date) -> pd.DataFrame:
    """Renewal and expansion owners for accounts whose effective CSM is known (`owners`: account_id, owner).

    What the playbooks route renewal and expansion CTAs by: the same rule as the account-team view.
    """
    import pandas as pd

    frame = pd.DataFrame({"account_id": owners["account_id"].astype(str),
                          "csm": owners["owner"].astype(object).where(owners["owner"].notna(), None)})
    accounts = ibis.memtable(frame, schema={"account_id": "string", "csm": "string"})
    current = people_at(ws, as_of=as_of)
    if current is not None:
        people = account_people(current)
        accounts = accounts.left_join(people, "account_id").drop("account_id_right")
        accounts = accounts.mutate(csm=ibis.coalesce(accounts.csm, accounts.team_csm))
    else:
        accounts = accounts.mutate(renewal_specialist=ibis.null("string"), ae=ibis.null("string"))
    routed = route(accounts, ws.config.ownership)
    return ws.warehouse.execute(routed.select("account_id", *ROUTED))
