"""Health: ARR per health band at the period end, and how much ARR moved between bands in the period.

Health is read from the stored daily history (`tenure run`), never recomputed here, so the
pack shows the bands the team saw at the time. The end snapshot is the last stored day within
the period; the start snapshot the last stored day on or before the period's first day's eve,
within the prior period. A move is an account paying at both snapshots whose band differs;
it is counted at its ARR in the end snapshot. Bands are ordered as in tenure.yaml, lowest
(at risk) first, so "down" means towards the at-risk band.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import ibis
import pandas as pd

from tenure.charts.health import arr_by_band, band_movement
from tenure.reports.board.prose import listing, up_or_down
from tenure.reports.board.section import Chart, Section, Table
from tenure.reports.figures import money, percent

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from tenure.reports.board.context import BoardContext

TITLE = "Health"
NO_BAND = "(no data)"
LARGEST = 5


def build(ctx: BoardContext) -> Section:
    from tenure.history import HEALTH_HISTORY, history

    stored = history(ctx.ws, HEALTH_HISTORY)
    if stored is None:
        return Section("health", TITLE, no_data="no health history is stored; `tenure run` stores it daily "
                                                "(`tenure run --from DATE --to DATE` backfills it)")
    end_day = last_stored(ctx, stored, ctx.period.start, ctx.period.end)
    if end_day is None:
        return Section("health", TITLE, no_data=f"no health snapshot is stored within {ctx.period.label}; "
                                                "backfill it with `tenure run --from DATE --to DATE`")
    start_day = last_stored(ctx, stored, ctx.prior.start, ctx.period.book_date)
    bands = list(ctx.ws.config.health.bands)
    at_end = day_of(stored, end_day)
    at_start = day_of(stored, start_day) if start_day is not None else None
    per_band = band_table(ctx, at_start, at_end, bands)
    snapshots = pd.DataFrame({"snapshot": ["period start", "period end"], "date": [start_day, end_day]})
    tables = [Table("Health snapshots compared", snapshots, {"date": "date"}),
              Table(f"ARR per health band ({ctx.currency})", per_band,
                    {"accounts_start": "count", "arr_start": "money", "accounts_end": "count", "arr_end": "money",
                     "share_of_arr": "percent", "arr_change": "money"})]
    charts = [Chart(f"ARR per health band on {end_day}", arr_by_band(per_band.rename(columns={"arr_end": "arr"})))]
    narrative = [band_sentence(per_band, end_day)]
    if at_start is not None:
        moves = movement_table(ctx, at_start, at_end, bands)
        directions = direction_table(moves, bands)
        movers = into_lowest(ctx, at_start, at_end, bands)
        tables += [Table(f"Band moves of accounts paying at both snapshots ({ctx.currency})", directions,
                         {"accounts": "count", "arr": "money"}),
                   Table(f"ARR by band at the start and at the end ({ctx.currency})", moves,
                         {"accounts": "count", "arr": "money"})]
        if not movers.empty:
            tables.append(Table(f"Largest accounts that moved into {bands[0]}", movers, {"arr": "money"}))
        charts.append(Chart(f"ARR by band on {start_day} (rows) and on {end_day} (columns)", band_movement(moves)))
        narrative += [movement_sentence(directions, moves, bands, start_day, end_day),
                      lowest_sentence(ctx, per_band, movers)]
    else:
        narrative.append(f"No health snapshot is stored for the start of {ctx.period.label}, so band movements "
                         "in the period cannot be shown.")
    return Section("health", TITLE, narrative=[s for s in narrative if s], charts=charts, tables=tables)


def last_stored(ctx: BoardContext, stored: ir.Table, first: dt.date, last: dt.date) -> dt.date | None:
    """The latest stored day from `first` to `last` (both included), or None."""
    inside = stored.filter((stored.as_of >= ibis.literal(first, type="date"))
                           & (stored.as_of <= ibis.literal(last, type="date")))
    day = ctx.ws.warehouse.execute(inside.as_of.max())
    return None if day is None or pd.isna(day) else pd.Timestamp(day).date()


def day_of(stored: ir.Table, day: dt.date) -> ir.Table:
    """One stored day: account, band (or NO_BAND when no score could be made) and ARR."""
    rows = stored.filter(stored.as_of == ibis.literal(day, type="date"))
    return rows.select("account_id", band=ibis.coalesce(rows.band.cast("string"), ibis.literal(NO_BAND)),
                       arr=rows.arr.cast("float64"))


def band_table(ctx: BoardContext, at_start: ir.Table | None, at_end: ir.Table, bands: list[str]) -> pd.DataFrame:
    """Accounts and ARR per band at both snapshots, the band's share of ARR at the end and its change."""
    execute = ctx.ws.warehouse.execute
    end = execute(at_end.group_by("band").aggregate(accounts_end=at_end.count(), arr_end=at_end.arr.sum()))
    frame = pd.DataFrame({"band": [*bands, NO_BAND]}).merge(end, on="band", how="left")
    if at_start is not None:
        start = execute(at_start.group_by("band").aggregate(accounts_start=at_start.count(),
                                                            arr_start=at_start.arr.sum()))
        frame = frame.merge(start, on="band", how="left")
    else:
        frame = frame.assign(accounts_start=None, arr_start=None)
    frame = frame[(frame["band"] != NO_BAND) | frame["accounts_end"].notna() | frame["accounts_start"].notna()]
    for column in ("accounts_end", "arr_end"):
        frame[column] = frame[column].fillna(0)
    if at_start is not None:
        for column in ("accounts_start", "arr_start"):
            frame[column] = frame[column].fillna(0)
    total = frame["arr_end"].sum()
    frame["share_of_arr"] = frame["arr_end"] / total if total else None
    frame["arr_change"] = frame["arr_end"] - frame["arr_start"] if at_start is not None else None
    columns = ["band", "accounts_start", "arr_start", "accounts_end", "arr_end", "share_of_arr", "arr_change"]
    return frame[columns].reset_index(drop=True)


def movement_table(ctx: BoardContext, at_start: ir.Table, at_end: ir.Table, bands: list[str]) -> pd.DataFrame:
    """Accounts paying at both snapshots, by (band at the start, band at the end), with their ARR at the end."""
    start = at_start.select("account_id", from_band=at_start.band)
    joined = at_end.join(start, "account_id")
    grouped = joined.group_by(["from_band", joined.band.name("to_band")]).aggregate(
        accounts=joined.count(), arr=joined.arr.sum())
    frame = ctx.ws.warehouse.execute(grouped)
    order = {band: i for i, band in enumerate([*bands, NO_BAND])}
    frame = frame.sort_values(["from_band", "to_band"], key=lambda s: s.map(order)).reset_index(drop=True)
    return frame[["from_band", "to_band", "accounts", "arr"]]


def into_lowest(ctx: BoardContext, at_start: ir.Table, at_end: ir.Table, bands: list[str]) -> pd.DataFrame:
    """The largest accounts that were in a higher band at the start and are in the lowest band at the end."""
    lowest = bands[0]
    start = at_start.select("account_id", from_band=at_start.band)
    moved = at_end.join(start, "account_id")
    moved = moved.filter((moved.band == lowest) & moved.from_band.isin(bands[1:]))
    accounts = ctx.ws.warehouse.table("accounts")
    named = moved.left_join(accounts.select("account_id", "name"), "account_id")
    top = named.order_by([ibis.desc("arr"), "account_id"]).limit(LARGEST)
    frame = ctx.ws.warehouse.execute(top.select(
        account=ibis.coalesce(top.name.cast("string"), top.account_id.cast("string")),
        from_band=top.from_band, to_band=top.band, arr=top.arr))
    return frame.sort_values("arr", ascending=False, kind="stable").reset_index(drop=True)


def band_sentence(per_band: pd.DataFrame, end_day: dt.date) -> str:
    parts = [f"{money(row['arr_end'])} {row['band']} ({percent(row['share_of_arr'])})"
             for _, row in per_band.iloc[::-1].iterrows() if row["accounts_end"]]
    return f"On {end_day.isoformat()} the ARR of paying accounts was {listing(parts)}."


def direction_table(moves: pd.DataFrame, bands: list[str]) -> pd.DataFrame:
    """The movement matrix summed by direction: down towards the at-risk band, unchanged, up."""
    rank = {band: i for i, band in enumerate(bands)}
    scored = moves[moves["from_band"].isin(rank) & moves["to_band"].isin(rank)]
    step = scored["to_band"].map(rank) - scored["from_band"].map(rank)
    direction = step.map(lambda s: "down" if s < 0 else "up" if s > 0 else "unchanged")
    sums = scored.groupby(direction)[["accounts", "arr"]].sum()
    return sums.reindex(["down", "unchanged", "up"], fill_value=0).rename_axis("moved").reset_index()


def movement_sentence(directions: pd.DataFrame, moves: pd.DataFrame, bands: list[str], start_day: dt.date,
                      end_day: dt.date) -> str:
    by = directions.set_index("moved")
    span = f"Between {start_day.isoformat()} and {end_day.isoformat()}"
    if not by.loc["down", "accounts"] and not by.loc["up", "accounts"]:
        return f"{span} no paying account changed band."
    rank = {band: i for i, band in enumerate(bands)}
    down = moves[moves["to_band"].map(rank) < moves["from_band"].map(rank)]
    text = (f"{span}, accounts with {money(by.loc['down', 'arr'])} of ARR moved down a band or more and accounts "
            f"with {money(by.loc['up', 'arr'])} moved up.")
    if not down.empty:
        worst = down.loc[down["arr"].idxmax()]
        text += f" The largest move down was {worst['from_band']} to {worst['to_band']} ({money(worst['arr'])})."
    return text


def lowest_sentence(ctx: BoardContext, per_band: pd.DataFrame, movers: pd.DataFrame) -> str | None:
    lowest = ctx.ws.config.health.lowest_band
    row = per_band[per_band["band"] == lowest]
    if row.empty:
        return None
    row = row.iloc[0]
    text = (f"ARR in {lowest} went from {money(row['arr_start'])} to {money(row['arr_end'])} "
            f"({up_or_down(row['arr_change'])} {money(abs(row['arr_change']))}).")
    if not movers.empty:
        named = [f"{r['account']} ({money(r['arr'])}, from {r['from_band']})" for _, r in movers.head(2).iterrows()]
        text += f" The largest accounts that fell into it were {listing(named)}."
    return text
