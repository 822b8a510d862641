"""The return-on-CS-spend view: team and programme cost against the ARR served, and the cost to serve
per segment and motion (operating/spend.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tenure.errors import NotFound
from tenure.operating.coverage import active_people
from tenure.operating.spend import cost_by, cost_to_serve, role_costs, spend_summary, staff_costs
from tenure.views.book import book_at

if TYPE_CHECKING:
    import pandas as pd

    from tenure.workspace import Workspace

BOOK_COLUMNS = ("account_id", "name", "segment", "motion", "dedicated", "arr", "owner", "effort_hours")


@dataclass
class SpendView:
    as_of: dt.date
    summary: dict
    roles: pd.DataFrame
    segments: pd.DataFrame
    motions: pd.DataFrame
    uncosted_roles: list[str]  # roles on staff that `costs.roles` gives no cost (not CS spend)


def spend_at(ws: Workspace, *, as_of: dt.date, owners: Mapping[str, str] | None = None) -> SpendView:
    """Return on CS spend at `as_of`, with the owners set in tenure applied."""
    team = ws.warehouse.table("team")
    if team is None:
        raise NotFound("the return on CS spend needs the team table (who is on staff, in which role); "
                       "load a team file first")
    costs = ws.config.costs
    book = book_at(ws, as_of=as_of, owners=owners)
    book = book.select(*BOOK_COLUMNS).cache()
    staff = staff_costs(team, costs, as_of=as_of).cache()
    accounts = cost_to_serve(book, staff, costs).cache()
    execute = ws.warehouse.execute
    summary = execute(spend_summary(accounts, staff, costs)).to_dict("records")[0]
    roles = execute(role_costs(staff).order_by("role"))
    on_staff = active_people(team, as_of, role=None)
    present = set(execute(on_staff.select("role").distinct())["role"])
    return SpendView(as_of, summary, roles, execute(cost_by(accounts, "segment")), execute(cost_by(accounts, "motion")),
                     sorted(present - set(costs.roles)))
