"""Company-wide frames behind every account page: each account's analytics at the app's date, read in one pass.

An account page must answer in milliseconds for a 20,000-account company under load, and the
warehouse serves one query at a time; so instead of a handful of queries per account, the app
reads every account's figures once per data version (a few engine queries, each over the whole
company) and a page cuts its account from these frames with index lookups.

Every frame keeps the definitions of the views it mirrors: metrics and health from the stored
snapshot of `tenure run` (`history`; computed by `views.health` when that day was not stored),
health measures by `views.health.measures_at`, the latest stored churn score as in
`views.account`, the last twelve month-end ARRs of `views.revenue.account_mrr`, weekly usage as in
`reports.account_facts.weekly_usage` (seven-day weeks ending on the date), per-feature use over
the last 30 days (distinct users of each event, over the account's 30-day active users), contacts
(champions and executive sponsors first), and the meetings and tickets of the last 180 days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ibis
import numpy as np
import pandas as pd

from tenure.errors import NotFound
from tenure.metrics.window import Day
from tenure.views.account import ARR_MONTHS

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from tenure.workspace import Workspace

WEEKS = 26
FEATURE_DAYS = 30
HISTORY_DAYS = 180
MEASURES = ["group", "metric", "value", "score", "weight", "points", "points_lost"]
SCORE = ["churn_probability", "contraction_probability", "expansion_probability", "driver_1", "driver_2", "driver_3"]
TIMELINE = ["occurred_at", "kind", "text", "author"]
CONTACTS = ["name", "title", "role", "email", "left_at"]
ROLE_ORDER = {"exec_sponsor": 0, "champion": 1, "power_user": 2, "admin": 3, "user": 4}


@dataclass
class ByAccount:
    """A frame's rows grouped by account: one account's rows are a slice found by a dictionary lookup.

    Built once from a frame indexed by account_id, so a page never searches a 20,000-account index.
    """

    frame: pd.DataFrame  # the rows, sorted by account, without the account_id
    spans: dict[str, tuple[int, int]]  # account_id → (first row, row after the last)

    @classmethod
    def of(cls, frame: pd.DataFrame) -> ByAccount:
        ordered = frame.sort_index(kind="stable")
        keys, starts, counts = np.unique(ordered.index.to_numpy(dtype=object), return_index=True,
                                         return_counts=True)
        spans = dict(zip(keys.tolist(), zip(starts.tolist(), (starts + counts).tolist(), strict=True), strict=True))
        return cls(ordered.reset_index(drop=True), spans)

    def rows(self, account_id: str) -> pd.DataFrame:
        """The account's rows (none when it has none)."""
        start, stop = self.spans.get(account_id, (0, 0))
        return self.frame.iloc[start:stop].reset_index(drop=True)

    def row(self, account_id: str) -> dict | None:
        """The account's first row as a dict, or None."""
        span = self.spans.get(account_id)
        return None if span is None else self.frame.iloc[span[0]].to_dict()


@dataclass
class AccountsAt:
    """Every account's analytics at one date, each frame grouped by account for lookups."""

    as_of: dt.date
    profiles: ByAccount  # the accounts table
    metrics: ByAccount  # every metric of each account paying at as_of, with customer_since and renewal_date
    measures: ByAccount  # MEASURES per account, most points lost first
    health: ByAccount  # scorecard, score, band, score_change_30d
    scores: ByAccount  # the latest stored churn score on or before as_of: scored_on, model_version, SCORE
    arr: ByAccount  # month_end, arr: the last ARR_MONTHS month-ends with ARR, oldest first
    trend: ByAccount  # as_of, score, band: every stored health snapshot up to as_of, oldest first
    weekly: ByAccount | None  # week (its first day), events, active_users (None without events)
    features: ByAccount | None  # event, is_key, users, user_share over FEATURE_DAYS days (None without events)
    contacts: ByAccount | None  # CONTACTS, champions and sponsors first (None without contacts)
    activity: ByAccount  # TIMELINE rows from the warehouse: meetings, calls, emails, tickets


def accounts_at(ws: Workspace, *, as_of: dt.date) -> AccountsAt:
    """Read every account's figures at `as_of`: from the stored snapshot when `tenure run` stored one, else computed."""
    from tenure.history import METRICS_HISTORY, stored_day
    from tenure.views.book import health_on
    from tenure.views.health import measures_at, metrics_at

    accounts = ws.warehouse.table("accounts")
    if accounts is None:
        raise NotFound("no accounts are loaded in this workspace; run `tenure load` first")
    stored = stored_day(ws, METRICS_HISTORY, as_of)
    metrics = stored.drop("as_of") if stored is not None else metrics_at(ws, as_of=as_of).cache()
    measures = measures_at(ws, as_of=as_of, metrics=metrics)
    health = health_on(ws, as_of).select("account_id", "scorecard", "score", "band", "score_change_30d")
    events = ws.warehouse.table("events")
    features = ws.warehouse.table("features")
    return AccountsAt(
        as_of=as_of, profiles=_indexed(ws, accounts), metrics=_indexed(ws, metrics),
        measures=_indexed(ws, measures.select("account_id", *MEASURES), ibis.desc("points_lost"), "metric"),
        health=_indexed(ws, health), scores=_latest_scores(ws, as_of), arr=_arr_history(ws, as_of),
        trend=_trend(ws, as_of),
        weekly=_weekly(ws, metrics, events, as_of) if events is not None else None,
        features=_feature_use(ws, metrics, events, features, as_of) if events is not None else None,
        contacts=_contacts(ws), activity=_activity(ws, as_of))


def _indexed(ws: Workspace, table: ir.Table, *order) -> ByAccount:
    """Execute `table` ordered by account then `order`, grouped by account."""
    return ByAccount.of(ws.warehouse.execute(table.order_by(["account_id", *order])).set_index("account_id"))


def _arr_history(ws: Workspace, as_of: dt.date) -> ByAccount:
    from tenure.metrics.calendar import month_end
    from tenure.views.revenue import account_mrr

    mrr = account_mrr(ws, as_of=as_of)
    recent = mrr.mutate(_n=ibis.row_number().over(group_by="account_id", order_by=ibis.desc("month")))
    recent = recent.filter(recent._n < ARR_MONTHS)
    return _indexed(ws, recent.select("account_id", month_end=month_end(recent.month),
                                      arr=recent.mrr.cast("float64") * 12), "month_end")


def _latest_scores(ws: Workspace, as_of: dt.date) -> ByAccount:
    """Each account's most recent stored score (`tenure run` or `tenure predict score`) up to `as_of`."""
    from tenure.predict.score import PREDICTIONS

    backend = ws.warehouse.backend
    if PREDICTIONS not in backend.list_tables():
        return _empty(["scored_on", "model_version", *SCORE])
    table = backend.table(PREDICTIONS)
    known = table.filter(table.as_of <= ibis.literal(as_of, type="date"))
    ranked = known.mutate(_n=ibis.row_number().over(group_by="account_id", order_by=ibis.desc("as_of")))
    latest = ranked.filter(ranked._n == 0)
    return _indexed(ws, latest.select("account_id", *SCORE, scored_on=latest.as_of,
                                      model_version=latest.model_version.cast("int64")))


def _trend(ws: Workspace, as_of: dt.date) -> ByAccount:
    from tenure.history import history

    stored = history(ws)
    if stored is None:
        return _empty(["as_of", "score", "band"])
    known = stored.filter(stored.as_of <= ibis.literal(as_of, type="date"))
    return _indexed(ws, known.select("account_id", "as_of", "score", "band"), "as_of")


def _weekly(ws: Workspace, paying: ir.Table, events: ir.Table, as_of: dt.date) -> ByAccount:
    """Each paying account's events and distinct active users in each of the WEEKS seven-day weeks ending on
    `as_of`, oldest first; `week` is the week's first day, and a week without events has zeros."""
    day = Day(as_of)
    recent = events.filter((events.timestamp >= day.since(WEEKS * 7)) & (events.timestamp < day.end))
    recent = recent.mutate(weeks_back=(day.days_since(recent.timestamp) // 7).cast("int64"))
    counted = recent.group_by(["account_id", "weeks_back"]).aggregate(
        events=ibis.coalesce(recent["count"], 1).sum().cast("int64"), active_users=recent.user_id.nunique())
    weeks = ibis.memtable({"weeks_back": list(range(WEEKS)),
                           "week": [as_of - dt.timedelta(days=7 * back + 6) for back in range(WEEKS)]})
    grid = paying.select("account_id").cross_join(weeks)
    weekly = grid.left_join(counted, ["account_id", "weeks_back"]).select(
        "account_id", "weeks_back", "week", events=ibis.coalesce(counted.events, 0),
        active_users=ibis.coalesce(counted.active_users, 0))
    return _indexed(ws, weekly.select("account_id", "week", "events", "active_users"), "week")


def _feature_use(ws: Workspace, paying: ir.Table, events: ir.Table, features: ir.Table | None,
                 as_of: dt.date) -> ByAccount:
    """Per paying account and feature: distinct users in the last FEATURE_DAYS days and their share of the
    account's active users; with a features table every listed feature shows, unused ones at 0."""
    from tenure.metrics.columns import ratio

    day = Day(as_of)
    recent = events.filter((events.timestamp >= day.since(FEATURE_DAYS)) & (events.timestamp < day.end))
    distinct = recent.select("account_id", "event", "user_id").distinct()
    used = distinct.group_by(["account_id", "event"]).aggregate(users=distinct.count())
    accounts = paying.select("account_id", active=paying.active_users_30d)
    if features is not None:
        grid = accounts.cross_join(features.select("event", is_key=features.is_key.fill_null(False)))
        table = grid.left_join(used, ["account_id", "event"]).select(
            "account_id", "event", "is_key", "active", users=ibis.coalesce(used.users, 0))
    else:
        table = used.join(accounts, "account_id").select("account_id", "event", "active", "users",
                                                         is_key=ibis.null("boolean"))
    table = table.select("account_id", "event", "is_key", "users", user_share=ratio(table.users, table.active))
    return _indexed(ws, table, ibis.desc("users"), "event")


def _contacts(ws: Workspace) -> ByAccount | None:
    table = ws.warehouse.table("contacts")
    if table is None:
        return None
    found = ws.warehouse.execute(table.select("account_id", *(c for c in CONTACTS if c in table.columns)))
    rank = found["role"].map(ROLE_ORDER).fillna(len(ROLE_ORDER)) if "role" in found else 0
    return ByAccount.of(found.assign(_rank=rank).sort_values(["account_id", "_rank", "name"]).drop(columns="_rank")
                        .set_index("account_id"))


def _activity(ws: Workspace, as_of: dt.date) -> ByAccount:
    """Meetings, calls and emails (activities) and tickets of the last HISTORY_DAYS days, as timeline rows."""
    day = Day(as_of)
    parts = []
    activities = ws.warehouse.table("activities")
    if activities is not None:
        recent = activities.filter((activities.occurred_at >= day.since(HISTORY_DAYS))
                                   & (activities.occurred_at < day.end))
        found = ws.warehouse.execute(recent.select(
            "account_id", "occurred_at", "type",
            exec_present=_column(recent, "exec_present", "boolean"), person=_column(recent, "person_id", "string")))
        kind = found["type"].astype(str)
        parts.append(pd.DataFrame({
            "account_id": found["account_id"], "occurred_at": found["occurred_at"], "kind": kind,
            "text": kind.str.upper().where(kind.isin(["qbr", "ebr"]), kind.str.title())
            + found["exec_present"].map({True: " with an executive present"}).fillna(""),
            "author": found["person"]}))
    tickets = ws.warehouse.table("tickets")
    if tickets is not None:
        recent = tickets.filter((tickets.created_at >= day.since(HISTORY_DAYS)) & (tickets.created_at < day.end))
        found = ws.warehouse.execute(recent.select("account_id", "ticket_id", "created_at", "priority",
                                                   status=_column(recent, "status", "string")))
        parts.append(pd.DataFrame({
            "account_id": found["account_id"], "occurred_at": found["created_at"], "kind": "ticket",
            "text": "Ticket " + found["ticket_id"].astype(str) + " (" + found["priority"].astype(str) + ")"
            + (", " + found["status"]).fillna(""), "author": None}))
    rows = [p for p in parts if not p.empty]
    if not rows:
        return _empty(TIMELINE)
    return ByAccount.of(pd.concat(rows, ignore_index=True).sort_values(["account_id", "occurred_at"])
                        .set_index("account_id"))


def _column(table: ir.Table, name: str, kind: str) -> ir.Value:
    """An optional contract column, or an empty one when the loaded table has none."""
    return table[name] if name in table.columns else ibis.null(kind)


def _empty(columns: list[str]) -> ByAccount:
    return ByAccount(pd.DataFrame(columns=columns), {})
