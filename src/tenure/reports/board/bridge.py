"""ARR bridge: how the period's ARR went from start to end — new, expansion, reactivation, contraction, churn.

The bridge is views.revenue's (month-end snapshots, start + movements = end exactly), rolled
up to the period; the segments and accounts behind it come from the same monthly movements,
so the contributions add up to the bridge. An account's segment here is the one its largest
ARR in the period places it in (the segment rules of tenure.yaml, or its loaded segment).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis
import pandas as pd

from tenure.charts.revenue import BRIDGE_STEPS, arr_bridge
from tenure.metrics import revenue
from tenure.metrics.calendar import index_of
from tenure.reports.board.prose import gain_or_loss, listing
from tenure.reports.board.section import Chart, Section, Table
from tenure.reports.figures import money

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from tenure.reports.board.context import BoardContext

TITLE = "ARR bridge"
PERIODS = 4
LARGEST = 5  # accounts listed per direction (gains, losses)
SPOKEN = 2  # of them, named in the narrative
GAINS = ("new", "expansion", "reactivation")
LOSSES = ("contraction", "churn")


def build(ctx: BoardContext) -> Section:
    from tenure.views.revenue import revenue_summary

    summary = revenue_summary(ctx.ws, as_of=ctx.period.end, period=ctx.kind, periods=PERIODS)
    bridge = summary.bridge.assign(net_change=summary.bridge["arr_end"] - summary.bridge["arr_start"])
    reported = bridge[bridge["period"] == ctx.period.label]
    if reported.empty or not (reported[["arr_start", "arr_end"]].to_numpy().any()):
        return Section("bridge", TITLE, no_data=f"no account paid in {ctx.period.label}")
    row = reported.iloc[0]
    steps = waterfall(row)
    moves = period_movements(ctx)
    segments = by_segment(ctx, moves)
    accounts = largest_movements(ctx, moves)
    money_columns = ["arr_start", *GAINS, *LOSSES, "arr_end", "net_change"]
    tables = [Table(f"ARR bridge by period ({ctx.currency})", bridge[["period", *money_columns]],
                    dict.fromkeys(money_columns, "money")),
              Table(f"Movements by segment, {ctx.period.label}", segments,
                    dict.fromkeys([*GAINS, *LOSSES, "net_change"], "money")),
              Table(f"Largest account movements, {ctx.period.label}", accounts, {"arr_change": "money"})]
    narrative = [bridge_sentence(ctx, bridge, row), movement_sentence(row), segment_sentence(segments),
                 account_sentence(accounts)]
    return Section("bridge", TITLE, narrative=[s for s in narrative if s],
                   charts=[Chart(f"ARR bridge, {ctx.period.label}", arr_bridge(steps))], tables=tables)


def waterfall(row: pd.Series) -> pd.DataFrame:
    """The waterfall's steps: start, each movement (signed, as the bridge holds it), end."""
    values = {"start": row["arr_start"], "end": row["arr_end"], **{m: row[m] for m in (*GAINS, *LOSSES)}}
    return pd.DataFrame({"step": list(BRIDGE_STEPS), "arr": [float(values[s]) for s in BRIDGE_STEPS]})


def period_movements(ctx: BoardContext) -> ir.Table:
    """Each account's ARR change per kind of movement over the period's months (an expression)."""
    from tenure.views.revenue import account_mrr

    ws = ctx.ws
    mrr = account_mrr(ws, as_of=ctx.period.end)
    moves = revenue.movements(mrr, as_of=ctx.period.end,
                              reactivation_window_months=ws.config.revenue.reactivation_window_months)
    inside = moves.filter((moves.month >= index_of(ctx.period.start)) & (moves.month <= index_of(ctx.period.end))
                          & (moves.movement != "flat"))
    return inside.group_by(["account_id", "movement"]).aggregate(
        arr_change=(inside.change * 12).sum().cast("float64"),
        arr_basis=(ibis.greatest(inside.mrr_start.max(), inside.mrr_end.max()) * 12).cast("float64"))


def by_segment(ctx: BoardContext, moves: ir.Table) -> pd.DataFrame:
    """Each segment's movements in the period and their net, largest net change first."""
    from tenure.operating.segments import segment_accounts

    basis = moves.group_by("account_id").aggregate(arr=moves.arr_basis.max())
    segments = segment_accounts(ctx.ws.warehouse.table("accounts"), basis, ctx.ws.config.segments)
    joined = moves.join(segments.select("account_id", "segment"), "account_id")
    sums = {name: ibis.coalesce(joined.arr_change.sum(where=joined.movement == name), 0.0)
            for name in (*GAINS, *LOSSES)}
    table = joined.group_by("segment").aggregate(**sums, net_change=joined.arr_change.sum())
    frame = ctx.ws.warehouse.execute(table.order_by([ibis.desc("net_change"), "segment"]))
    return frame[["segment", *GAINS, *LOSSES, "net_change"]]


def largest_movements(ctx: BoardContext, moves: ir.Table) -> pd.DataFrame:
    """The accounts behind the largest gains and the largest losses of the period, largest first."""
    accounts = ctx.ws.warehouse.table("accounts")
    gains = moves.filter(moves.arr_change > 0).order_by([ibis.desc("arr_change"), "account_id"]).limit(LARGEST)
    losses = moves.filter(moves.arr_change < 0).order_by(["arr_change", "account_id"]).limit(LARGEST)
    both = gains.union(losses)
    joined = both.left_join(accounts.select("account_id", "name"), "account_id")
    frame = ctx.ws.warehouse.execute(joined.select(
        "account_id", account=ibis.coalesce(joined.name.cast("string"), joined.account_id.cast("string")),
        movement=joined.movement, arr_change=joined.arr_change))
    frame = frame.assign(size=frame["arr_change"].abs()).sort_values(
        ["size", "account_id"], ascending=[False, True])
    return frame[["account", "movement", "arr_change"]].reset_index(drop=True)


def bridge_sentence(ctx: BoardContext, bridge: pd.DataFrame, row: pd.Series) -> str:
    net = row["net_change"]
    text = (f"ARR went from {money(row['arr_start'])} to {money(row['arr_end'])} in {ctx.period.label}, a net "
            f"{gain_or_loss(net)} of {money(abs(net))}.")
    before = bridge[bridge["period"] == ctx.prior.label]
    if len(before):
        prior = before.iloc[0]["net_change"]
        text += f" In {ctx.prior.label} the net {gain_or_loss(prior)} was {money(abs(prior))}."
    return text


def movement_sentence(row: pd.Series) -> str:
    gains = [(m, row[m]) for m in GAINS if row[m]]
    losses = [(m, -row[m]) for m in LOSSES if row[m]]
    parts = []
    if gains:
        largest = max(gains, key=lambda g: g[1])[0]
        parts.append("Gains: " + ", ".join(f"{m} {money(v)}" for m, v in gains) + f" ({largest} the largest)")
    if losses:
        largest = max(losses, key=lambda g: g[1])[0]
        parts.append("losses: " + ", ".join(f"{m} {money(v)}" for m, v in losses) + f" ({largest} the largest)")
    if not parts:
        return "No account's ARR changed in the period."
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."


def segment_sentence(segments: pd.DataFrame) -> str | None:
    if len(segments) < 2:
        return None
    top, bottom = segments.iloc[0], segments.iloc[-1]
    return (f"By segment, {top['segment']} added the most net ARR ({money(top['net_change'])}) and "
            f"{bottom['segment']} the least ({money(bottom['net_change'])}).")


def account_sentence(accounts: pd.DataFrame) -> str | None:
    parts = []
    for label, chosen in (("gains", accounts[accounts["arr_change"] > 0]),
                          ("losses", accounts[accounts["arr_change"] < 0])):
        named = [f"{row['account']} ({row['movement']}, {money(row['arr_change'])})"
                 for _, row in chosen.head(SPOKEN).iterrows()]
        if named:
            parts.append(f"the largest {label} came from {listing(named)}")
    if not parts:
        return None
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."
