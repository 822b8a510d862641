"""Support and sentiment: ticket load and its trend, urgent open tickets, resolution, CSAT, NPS."""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from tenure.metrics.window import Day

URGENT = ("high", "urgent")
CLOSED_STATUSES = ("solved", "closed")


def ticket_metrics(tickets: ir.Table, *, as_of: dt.date) -> ir.Table:
    """Per account with tickets: volume, trend, urgent open tickets, resolution time and CSAT.

    A ticket is open at `as_of` when it was created by then and not resolved by then; one with
    no `resolved_at` but a solved or closed status counts as resolved (the time is unknown).
    """
    day = Day(as_of)
    known = tickets.filter(tickets.created_at < day.end)
    created = known.created_at
    resolved = known.resolved_at
    resolved_by_now = resolved < day.end
    is_open = ibis.ifelse(resolved.isnull(), ~known.status.fill_null("open").isin(CLOSED_STATUSES),
                          ~resolved_by_now)
    resolved_90d = resolved_by_now & (resolved >= day.since(90))
    hours = resolved.epoch_seconds() - created.epoch_seconds()
    per_account = known.group_by("account_id").aggregate(
        tickets_30d=(created >= day.since(30)).sum(),
        _tickets_prior_90d=((created >= day.since(120)) & (created < day.since(30))).sum(),
        open_urgent_tickets=(is_open & known.priority.isin(URGENT)).sum(),
        median_resolution_hours_90d=(hours / 3600.0).median(where=resolved_90d),
        csat_90d=known.csat.cast("float64").mean(where=resolved_90d),
    )
    return per_account.select(
        "account_id", "tickets_30d",
        ticket_trend=(per_account.tickets_30d + 1) / (per_account._tickets_prior_90d / 3.0 + 1),
        open_urgent_tickets=per_account.open_urgent_tickets,
        median_resolution_hours_90d=per_account.median_resolution_hours_90d,
        csat_90d=per_account.csat_90d,
    )


def nps_metrics(surveys: ir.Table, *, as_of: dt.date) -> ir.Table:
    """Per account with NPS responses: the latest score and its change from the one before it."""
    day = Day(as_of)
    nps = surveys.filter((surveys.type == "nps") & (surveys.submitted_at < day.end))
    order = ibis.window(group_by="account_id", order_by=[ibis.desc("submitted_at"), ibis.desc("response_id")])
    ranked = nps.mutate(_rank=ibis.row_number().over(order), _score=nps.score.cast("float64"))
    latest = ranked.filter(ranked._rank <= 1)
    per_account = latest.group_by("account_id").aggregate(
        nps_latest=latest._score.max(where=latest._rank == 0),
        _previous=latest._score.max(where=latest._rank == 1),
    )
    return per_account.select("account_id", "nps_latest", nps_change=per_account.nps_latest - per_account._previous)
