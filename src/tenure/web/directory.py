"""The account directory every request's scope is cut from: owners, restrictions and account people."""

from __future__ import annotations

import pandas as pd

from tenure.web.access import Directory
from tenure.workflow.plans import owner_overrides
from tenure.workflow.store import WorkflowStore
from tenure.workspace import Workspace


def build_directory(ws: Workspace, store: WorkflowStore) -> Directory:
    """Read the accounts, team, account team and opportunity owners once, and apply tenure's reassignments."""
    warehouse = ws.warehouse
    accounts = warehouse.table("accounts")
    columns = ["account_id", "name", "owner", "restricted"]
    if accounts is None:
        return Directory(pd.DataFrame(columns=columns), {}, {}, {})
    wanted = {"account_id": accounts.account_id, "name": accounts.name}
    wanted["owner"] = accounts.owner_csm_id if "owner_csm_id" in accounts.columns else accounts.account_id.isnull()
    wanted["restricted"] = (accounts.restricted.fill_null(False) if "restricted" in accounts.columns
                            else accounts.account_id.isnull())
    frame = warehouse.execute(accounts.select(**wanted))
    if "owner_csm_id" not in accounts.columns:
        frame["owner"] = None
    frame["restricted"] = frame["restricted"].astype(bool)
    with store.session() as session:
        overrides = owner_overrides(session)
    if overrides:
        frame["owner"] = frame["account_id"].map(overrides).fillna(frame["owner"])
    frame = frame.astype({"owner": object}).where(frame.notna(), None)

    reports_to, names = {}, {}
    team = warehouse.table("team")
    if team is not None:
        people = warehouse.execute(team.select("person_id", "name", *(["manager_id"] if "manager_id" in team.columns
                                                                       else [])))
        names = dict(zip(people["person_id"], people["name"], strict=True))
        if "manager_id" in people:
            reports_to = {p: m for p, m in zip(people["person_id"], people["manager_id"], strict=True)
                          if isinstance(m, str)}
    sales: dict[str, set[str]] = {}
    for name, column in (("account_team", "person_id"), ("opportunities", "owner_id")):
        table = warehouse.table(name)
        if table is None or column not in table.columns:
            continue
        pairs = warehouse.execute(table.select("account_id", person=table[column]).filter(
            lambda t: t.person.notnull()).distinct())
        for account, person in zip(pairs["account_id"], pairs["person"], strict=True):
            sales.setdefault(account, set()).add(person)
    return Directory(accounts=frame[columns].reset_index(drop=True), reports_to=reports_to,
                     sales_people={a: frozenset(p) for a, p in sales.items()}, names=names)
