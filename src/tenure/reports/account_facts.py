"""The facts an account brief is written from: the account 360 and its contract, weekly usage, people, workflow.

Each function reads one kind of fact for one account at `as_of` (nothing after it), from the
warehouse (engine expressions, executed once) or the workflow store, and returns a small frame
or dict; `gather` collects them all. `tenure.reports.brief` turns them into sentences.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ibis
import pandas as pd

from tenure.metrics.accounts import arr_on
from tenure.metrics.calendar import to_date
from tenure.metrics.renewals import BILLING_TERMS, next_renewals
from tenure.metrics.window import Day
from tenure.reports.figures import missing
from tenure.views.account import account_360
from tenure.views.revenue import paying_lines

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tenure.views.account import Account360
    from tenure.workspace import Workspace

WEEKS = 26
CONTACT_COLUMNS = ["name", "title", "role", "email", "left_at"]
DEFAULT_RISK_THRESHOLD = 0.3  # as tenure.reports.gaps: a churn probability that flags a renewal at risk


@dataclass
class Workflow:
    """What people recorded about the account in the workflow store."""

    plans: pd.DataFrame  # plan, objective, plan_status, criterion, text, before_signature, status, evidence
    ctas: pd.DataFrame  # id, kind, priority, owner, due_date, days_overdue, reason: the open ones, most overdue first


@dataclass
class Facts:
    """Everything a brief is written from, for one account at `as_of`."""

    as_of: dt.date
    view: Account360
    metrics: dict  # metric → value at as_of
    terms: dict  # renewal_date, days_to_renewal, term_months, acv, arr, arr_a_year_ago
    lines: pd.DataFrame
    usage: pd.DataFrame | None  # None without an events table
    people: pd.DataFrame | None  # None without a contacts table
    workflow: Workflow | None  # None without a workflow store
    csm: str | None
    lowest_band: str
    risk_threshold: float

    @property
    def name(self) -> str:
        return str(self.view.profile.get("name") or self.view.profile["account_id"])

    @property
    def paying(self) -> bool:
        return self.view.health is not None

    def current_people(self) -> pd.DataFrame:
        """The contacts still at the customer on `as_of` (empty without contacts)."""
        if self.people is None:
            return pd.DataFrame(columns=CONTACT_COLUMNS)
        left = pd.to_datetime(self.people["left_at"])
        return self.people[left.isna() | (left > pd.Timestamp(self.as_of))]


def gather(ws: Workspace, account_id: str, *, as_of: dt.date) -> Facts:
    """Every fact of the brief; a NotFound naming the id when the account is unknown."""
    from tenure.reports.board.context import migrated_store
    from tenure.views.targets import person_names

    view = account_360(ws, account_id, as_of=as_of)
    terms, lines = contract(ws, account_id, as_of=as_of)
    store = migrated_store(ws)
    recorded = None
    if store is not None:
        try:
            with store.session() as session:
                recorded = workflow(session, account_id, as_of=as_of)
        finally:
            store.dispose()
    owner = view.profile.get("owner_csm_id")
    config = ws.config
    return Facts(as_of=as_of, view=view, metrics=dict(zip(view.metrics["metric"], view.metrics["value"], strict=True)),
                 terms=terms, lines=lines, usage=weekly_usage(ws, account_id, as_of=as_of),
                 people=contacts(ws, account_id), workflow=recorded,
                 csm=person_names(ws).get(str(owner), str(owner)) if not missing(owner) else None,
                 lowest_band=config.health.lowest_band,
                 risk_threshold=config.predict.risk_threshold or DEFAULT_RISK_THRESHOLD)


def contract(ws: Workspace, account_id: str, *, as_of: dt.date) -> tuple[dict, pd.DataFrame]:
    """The next renewal (renewal_date, days_to_renewal, term_months, acv), ARR a year ago, and the lines active
    at `as_of` (product, start_date, end_date, term_months, arr)."""
    default_term = ws.config.revenue.default_term_months
    lines = paying_lines(ws, as_of=as_of)
    mine = lines.filter(lines.account_id == account_id)
    planned = next_renewals(mine, as_of=as_of, default_term_months=default_term)
    renewal = ws.warehouse.execute(planned.mutate(acv=planned.acv.cast("float64"), arr=planned.arr.cast("float64")))
    year_ago = ws.warehouse.execute(arr_on(mine, as_of - dt.timedelta(days=365)))
    active = mine.filter((mine.start_date <= as_of) & (mine.end_date.isnull() | (mine.end_date > as_of))
                         & (mine.mrr > 0))
    term = ibis.coalesce(active.term_months, active.billing_period.cases(*BILLING_TERMS.items(), else_=None),
                         ibis.literal(default_term))
    frame = ws.warehouse.execute(active.select(
        "product", "start_date", "end_date", term_months=term.cast("int64"),
        arr=(active.mrr * 12).cast("float64")).order_by([ibis.desc("arr"), "product"]))
    facts = renewal.iloc[0].to_dict() if not renewal.empty else {}
    if facts:
        facts["renewal_date"] = to_date(facts["renewal_date"])
    facts["arr_a_year_ago"] = float(year_ago["arr"].iloc[0]) if not year_ago.empty else 0.0
    return facts, frame


def weekly_usage(ws: Workspace, account_id: str, *, as_of: dt.date, weeks: int = WEEKS) -> pd.DataFrame | None:
    """Events and active users in each of the `weeks` seven-day weeks ending on `as_of` (oldest first; `week` is
    the first day); None without an events table."""
    events = ws.warehouse.table("events")
    if events is None:
        return None
    day = Day(as_of)
    mine = events.filter((events.account_id == account_id) & (events.timestamp >= day.since(weeks * 7))
                         & (events.timestamp < day.end))
    mine = mine.mutate(_weeks_back=(day.days_since(mine.timestamp) // 7).cast("int64"))
    counted = ws.warehouse.execute(mine.group_by("_weeks_back").aggregate(
        events=ibis.coalesce(mine["count"], 1).sum().cast("int64"), active_users=mine.user_id.nunique()))
    frame = counted.set_index("_weeks_back").reindex(range(weeks), fill_value=0).sort_index(ascending=False)
    starts = [as_of - dt.timedelta(days=7 * back + 6) for back in frame.index]
    return frame.reset_index(drop=True).assign(week=starts)[["week", "events", "active_users"]]


def contacts(ws: Workspace, account_id: str) -> pd.DataFrame | None:
    """The account's contacts, champions and executive sponsors first; None without a contacts table."""
    table = ws.warehouse.table("contacts")
    if table is None:
        return None
    mine = table.filter(table.account_id == account_id)
    frame = ws.warehouse.execute(mine.select(*(c for c in CONTACT_COLUMNS if c in mine.columns)))
    rank = {"exec_sponsor": 0, "champion": 1, "power_user": 2, "admin": 3, "user": 4}
    order = frame["role"].map(rank).fillna(len(rank))
    return frame.assign(_rank=order).sort_values(["_rank", "name"]).drop(columns="_rank").reset_index(drop=True)


def workflow(session: Session, account_id: str, *, as_of: dt.date) -> Workflow:
    from tenure.workflow.plans import plans
    from tenure.workflow.timeline import open_ctas

    ctas = open_ctas(session, account_id)
    overdue = (pd.Timestamp(as_of) - pd.to_datetime(ctas["due_date"])).dt.days.clip(lower=0)
    ctas.insert(5, "days_overdue", overdue.astype("int64"))
    ctas = ctas.sort_values(["days_overdue", "due_date"], ascending=[False, True], ignore_index=True)
    return Workflow(plans(session, account_id), ctas)
