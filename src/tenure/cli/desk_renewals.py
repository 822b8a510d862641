"""`tenure desk renewals | call | calls | accuracy | review`: the renewal pipeline with the model and the
owners' forecast calls side by side, call accuracy after the fact, and the joint CS and Sales review list."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from tenure.cli.context import AS_OF, FORMAT, Format, parse_date
from tenure.cli.workflow_common import ACTOR, known_account, known_account_ids, open_store

calls_app = typer.Typer(help="Forecast calls with their history; import calls from a CSV.",
                        invoke_without_command=True)


class Rollup(StrEnum):
    month = "month"
    segment = "segment"
    owner = "owner"


class AccuracyBy(StrEnum):
    owner = "owner"
    month = "month"


# what a terminal shows (column: header); CSV and JSON carry every column under its own name
LIST_COLUMNS = {"account_id": "account_id", "name": "name", "arr": "arr",
                "renewal_date": "renewal", "days_to_renewal": "days", "owner": "owner", "churn_probability": "p_churn",
                "contraction_probability": "p_contract", "expansion_probability": "p_expand",
                "expected_renewed_arr": "model_renewed", "open_ctas": "ctas", "open_escalations": "escalations",
                "call": "call"}
ROLLUP_TABLE = {"renewals": "renewals", "arr": "arr", "scored_renewals": "scored",
                "expected_renewed_arr": "model_renewed", "called_renewals": "called", "committed_arr": "committed",
                "best_case_arr": "best_case", "at_risk_arr": "at_risk", "lost_arr": "lost", "uncalled_arr": "uncalled"}
ACCURACY_TABLE = {"renewals": "renewals", "calls_right": "calls_right", "call_accuracy": "call_accuracy",
                  "model_scored": "model_scored", "model_right": "model_right", "model_accuracy": "model_accuracy",
                  "actual_renewed_arr": "renewed", "called_renewed_arr": "called", "model_expected_arr": "model",
                  "call_error_arr": "call_miss", "model_error_arr": "model_miss", "closer": "closer"}
MONEY = ("arr", "expected_renewed_arr", "committed_arr", "best_case_arr", "at_risk_arr", "lost_arr", "uncalled_arr",
         "actual_renewed_arr", "called_renewed_arr", "model_expected_arr", "call_error_arr", "model_error_arr",
         "expansion_amount")
SHARES = ("churn_probability", "contraction_probability", "expansion_probability", "call_accuracy", "model_accuracy")
CLOSER = {"call": "the calls were closer", "model": "the model was closer", "tie": "a tie"}


def register(app: typer.Typer) -> None:
    app.command("renewals")(renewals)
    app.command("call")(call)
    app.add_typer(calls_app, name="calls")
    app.command("accuracy")(accuracy)
    app.command("review")(review)


def renewals(
    ctx: typer.Context,
    days: int = typer.Option(None, "--days", min=1, max=730, help="Renewals due within this many days "
                                                                  "(default desk.renewal_days, 180)."),
    owner: str = typer.Option(None, "--owner", help="Only renewals of this renewal owner (team person_id)."),
    segment: str = typer.Option(None, "--segment", help="Only renewals of this segment."),
    by: Rollup = typer.Option(None, "--by", help="Roll up by month (the default), segment or owner."),
    as_of: str = AS_OF,
    fmt: Format = FORMAT,
) -> None:
    """The renewal pipeline: each renewal with ARR, owner, the model's probabilities and expected renewed ARR,
    open CTAs and escalations and the owner's current call; then the roll-up, model beside the calls.

    Expected renewed ARR = ARR × (1 − p_churn) − ARR × p_contraction × depth (desk.contraction_depth, else
    learned from the latest model's training rows). Committed = ARR called commit; best case = commit +
    best-case. CSV prints the list, or the roll-up when --by is given; JSON holds both.
    """
    from tenure.cli.render import console, dump_json, frame
    from tenure.cli.workflow_common import owner_overrides_of
    from tenure.desk.renewals import rollup
    from tenure.views.desk_renewals import renewal_pipeline
    from tenure.workflow.calls import call_history, open_work

    ws, store = open_store(ctx)
    when = parse_date(as_of)
    window = days or ws.config.desk.renewal_days
    with store.session() as session:
        history, work = call_history(session), open_work(session, as_of=when)
    learned: list[float | None] = []
    data = renewal_pipeline(ws, as_of=when, days=window, owners=owner_overrides_of(ws), calls=history, work=work,
                            depth=lambda: _depth(ws, learned))
    depth = learned[0] if learned else None
    if owner is not None:
        data = data[data["owner"] == owner]
    if segment is not None:
        data = data[data["segment"] == segment]
    group = (by or Rollup.month).value
    rolled, total = rollup(data, by=group), rollup(data).to_dict("records")[0]
    scope = "".join([f", owner {owner}" if owner else "", f", segment {segment}" if segment else ""])
    if fmt is Format.json:
        dump_json({"as_of": when, "days": window, "owner": owner, "segment": segment, "contraction_depth": depth,
                   "renewals": _records(data), "rollup": {"by": group, "rows": _records(rolled)},
                   "totals": _record(total)})
        return
    if fmt is Format.csv:
        frame(rolled if by is not None else data, fmt=fmt)
        return
    frame(_table(data, LIST_COLUMNS), fmt=fmt,
          title=f"Renewals due in the {window} days after {when}{scope} ({len(data):,})")
    frame(_table(rolled, {group: group, **ROLLUP_TABLE}), fmt=fmt,
          title=f"By {group}: renewal ARR, the model's expected renewed ARR and the calls")
    console.print("  " + _summary(total, depth))


def call(
    ctx: typer.Context,
    account_id: str = typer.Argument(..., help="The account whose renewal you call."),
    word: str = typer.Argument(..., metavar="CALL", help="commit, best-case, at-risk or lost."),
    note: str = typer.Option(None, "--note", help="Why (goes on the timeline with the call)."),
    user: str = ACTOR,
    as_of: str = typer.Option(None, "--as-of", help="The day the call is made (default today); the renewal and "
                                                    "its ARR are the pipeline's that day."),
) -> None:
    """Record a forecast call on the account's renewal in the pipeline (every call is kept; the latest counts)."""
    import datetime as dt

    from tenure.cli.render import console
    from tenure.cli.workflow_common import owner_overrides_of
    from tenure.views.desk_renewals import renewal_of
    from tenure.workflow.calls import check_call, record_call
    from tenure.workflow.models import utcnow
    from tenure.workflow.store import SYSTEM

    check_call(word)
    ws, store = open_store(ctx)
    known_account(ws, account_id)
    when = parse_date(as_of)
    called_at = utcnow() if as_of is None else dt.datetime.combine(when, dt.time(23, 59, 59))
    renewal = renewal_of(ws, account_id, as_of=when, owners=owner_overrides_of(ws))
    with store.session(actor=user or SYSTEM) as session:
        entry = record_call(session, account_id=account_id, call=word, renewal=renewal, as_of=when,
                            window_days=ws.config.desk.renewal_days, note=note, called_at=called_at,
                            actor=user or SYSTEM)
        console.print(f"Called {entry.call} on the renewal of {account_id} on {entry.renewal_date} "
                      f"({entry.arr:,.0f} ARR, owner {entry.owner_person_id or '—'}).")


@calls_app.callback()
def calls_default(ctx: typer.Context) -> None:
    """With no subcommand, list every call."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_calls, ctx=ctx, account=None, fmt=Format.table)


@calls_app.command("list")
def list_calls(ctx: typer.Context, account: str = typer.Option(None, "--account", help="Only this account's calls."),
               fmt: Format = FORMAT) -> None:
    """Every call with its history: `current` marks the latest on each renewal."""
    from tenure.cli.render import frame
    from tenure.desk.renewals import current_calls
    from tenure.workflow.calls import call_history

    ws, store = open_store(ctx)
    if account is not None:
        known_account(ws, account)
    with store.session() as session:
        data = call_history(session, account_id=account)
    latest = set(current_calls(data, as_of=data["called_at"].max().date()).get("id", [])) if len(data) else set()
    data = data.assign(current=data["id"].isin(latest),
                       called_at=[t.isoformat(timespec="seconds") for t in data["called_at"]])
    renewals = data[["account_id", "renewal_date"]].drop_duplicates()
    frame(data, fmt=fmt, title=f"{len(data):,} forecast call(s) on {len(renewals):,} renewal(s)")


@calls_app.command("import")
def import_file(ctx: typer.Context,
                path: Path = typer.Argument(..., help="CSV: account_id, renewal_date, call, called_at, arr"
                                                      "[, owner_person_id][, note]."),
                user: str = ACTOR) -> None:
    """Import forecast calls from a CSV (a CRM export, the demo's calls); all rows or none."""
    import pandas as pd

    from tenure.cli.render import console
    from tenure.errors import NotFound
    from tenure.workflow.calls import import_calls
    from tenure.workflow.store import SYSTEM

    if not path.is_file():
        raise NotFound(f"{path}: no such file")
    ws, store = open_store(ctx)
    known = known_account_ids(ws)
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    with store.session(actor=user or SYSTEM) as session:
        imported, skipped = import_calls(session, rows, known_accounts=known, actor=user or SYSTEM, source=str(path))
    console.print(f"Imported {imported:,} forecast call(s) from {path}; {skipped:,} were already recorded.")


def accuracy(
    ctx: typer.Context,
    months: int = typer.Option(12, "--months", min=1, max=60, help="Renewals of the last this many months."),
    by: AccuracyBy = typer.Option(AccuracyBy.owner, "--by", help="Per owner (who made the call) or per month."),
    as_of: str = AS_OF,
    fmt: Format = FORMAT,
) -> None:
    """Call accuracy after the fact: each owner's last call before the renewal and the model's prediction as of
    that call, against what happened; which was closer in ARR."""
    from tenure.cli.render import console, dump_json, frame
    from tenure.desk.accuracy import accuracy as accuracy_by
    from tenure.views.desk_renewals import judged_calls
    from tenure.workflow.calls import call_history

    ws, store = open_store(ctx)
    when = parse_date(as_of)
    with store.session() as session:
        history = call_history(session)
    judged = judged_calls(ws, as_of=when, months=months, calls=history, depth=lambda: _depth(ws, []))
    groups, total = accuracy_by(judged, by=by.value), accuracy_by(judged).to_dict("records")[0]
    if fmt is Format.json:
        dump_json({"as_of": when, "months": months, "by": by.value, "groups": _records(groups),
                   "total": _record(total), "renewals": _records(judged)})
        return
    shown = _table(groups, {by.value: by.value, **ACCURACY_TABLE}) if fmt is Format.table else groups
    frame(shown, fmt=fmt, title=f"Forecast calls and the model against what happened, renewals of the {months} "
                                 f"months to {when}, by {by.value}")
    if fmt is Format.table:
        console.print("  " + _accuracy_summary(total))


def review(
    ctx: typer.Context,
    min_arr: float = typer.Option(None, "--min-arr", min=0, help="The ARR tier (default desk.review_min_arr)."),
    as_of: str = AS_OF,
    fmt: Format = FORMAT,
) -> None:
    """The joint CS and Sales review list: accounts at or above the ARR tier with renewal and expansion side by
    side, risks and the next step, largest first."""
    from tenure.cli.render import console, dump_json, frame
    from tenure.cli.workflow_common import owner_overrides_of
    from tenure.views.desk_review import joint_review
    from tenure.workflow.calls import call_history, open_work

    ws, store = open_store(ctx)
    when = parse_date(as_of)
    with store.session() as session:
        history, work = call_history(session), open_work(session, as_of=when)
    result = joint_review(ws, as_of=when, min_arr=min_arr, owners=owner_overrides_of(ws), calls=history, work=work)
    data = result.accounts
    if fmt is Format.json:
        opportunities = {a: _records(rows.drop(columns="account_id"))
                         for a, rows in result.expansions.groupby("account_id")}
        dump_json({"as_of": when, "min_arr": result.min_arr, "accounts": [
            {**row, "expansions": opportunities.get(row["account_id"], [])} for row in _records(data)]})
        return
    if fmt is Format.csv:
        frame(data, fmt=fmt)
        return
    frame(_review_table(data), fmt=fmt,
          title=f"Joint review as of {when}: {len(data):,} accounts with ARR ≥ {result.min_arr:,.0f}")
    soon = data[(data["days_to_renewal"] <= 90) & (data["term_months"] > 1)]
    console.print(f"  {len(data):,} accounts, {data['arr'].sum():,.0f} ARR; {len(soon):,} contracts renew in the next "
                  f"90 days "
                  f"({soon['arr'].sum():,.0f} ARR, {int(soon['call'].isna().sum()):,} not called); open expansion "
                  f"pipeline {data['expansion_amount'].sum():,.0f} on "
                  f"{int((data['expansion_opportunities'] > 0).sum()):,} accounts; "
                  f"{int(((data['open_risk_ctas'] > 0) | (data['open_escalations'] > 0)).sum()):,} with an open "
                  "risk CTA or escalation.")


def _table(data, columns: dict[str, str]):
    """The columns a terminal shows, renamed, with money in whole units, shares in percent and long text cut."""
    import pandas as pd

    from tenure.cli.render import MONEY as SHOWN_AS_MONEY
    from tenure.cli.render import PERCENT as SHOWN_AS_PERCENT

    out = data[list(columns)].copy()
    for column in out.columns:
        if columns[column] in SHOWN_AS_MONEY or columns[column] in SHOWN_AS_PERCENT:
            continue  # the renderer writes these out itself
        if column in MONEY:
            out[column] = [f"{v:,.0f}" if pd.notna(v) else "—" for v in out[column]]
        elif column in SHARES:
            out[column] = [f"{v:.0%}" if pd.notna(v) else "—" for v in out[column]]
        elif column in ("name", "top_driver", "next_step"):
            out[column] = [v if not isinstance(v, str) or len(v) <= 24 else v[:23] + "…" for v in out[column]]
    return out.rename(columns=columns)


def _review_table(data):
    """The review list as a terminal shows it: expansion, risks and next step each in one cell."""
    import pandas as pd

    shown = _table(data, {"account_id": "account_id", "name": "name", "arr": "arr", "renewal_date": "renewal",
                          "call": "call", "churn_probability": "p_churn", "band": "band", "top_driver": "top_driver"})
    rows = data.to_dict("records")
    shown["call"] = ["monthly plan" if r["term_months"] <= 1 else r["call"] for r in rows]
    shown.insert(6, "expansions", [
        f"{r['expansion_amount']:,.0f} ({r['expansion_opportunities']}), first {r['expansion_close_date']}"
        if r["expansion_opportunities"] else "—" for r in rows])
    shown["risks"] = [", ".join([f"{r['open_risk_ctas']} risk CTA"] * bool(r["open_risk_ctas"])
                                + [f"{r['open_escalations']} escalation"] * bool(r["open_escalations"])) or "—"
                      for r in rows]
    shown["next_step"] = [f"{r['next_step'][:30]} (due {r['next_step_due']})" if isinstance(r["next_step"], str)
                          and pd.notna(r["next_step_due"]) else "—" for r in rows]
    return shown


def _depth(ws, learned: list) -> float | None:
    """The contraction depth (config, else learned from the latest model's training rows), kept in `learned`."""
    from tenure.cli.render import progress_bar
    from tenure.views.desk_renewals import contraction_depth

    with progress_bar("contraction depth") as update:
        learned.append(contraction_depth(ws, progress=update))
    return learned[-1]


def _summary(total: dict, depth: float | None) -> str:
    model = ("no model scored these renewals" if not total["scored_renewals"] else
             f"the model expects {total['expected_renewed_arr']:,.0f} renewed ({total['scored_renewals']:,} of "
             f"{total['renewals']:,} scored" + (f", contraction depth {depth:.0%})" if depth is not None else
                                                ", no contraction depth: set desk.contraction_depth)"))
    return (f"{total['renewals']:,} renewals, {total['arr']:,.0f} ARR; {model}; calls: committed "
            f"{total['committed_arr']:,.0f}, best case {total['best_case_arr']:,.0f}, at risk "
            f"{total['at_risk_arr']:,.0f}, lost {total['lost_arr']:,.0f}, uncalled {total['uncalled_arr']:,.0f}.")


def _accuracy_summary(total: dict) -> str:
    if not total["calls_made"]:
        return "No renewal in the window was called before its date."
    text = (f"{total['calls_made']:,} renewals called: {total['calls_right']:,} calls right "
            f"({total['call_accuracy']:.0%})")
    if total["model_scored"]:
        text += (f"; the model, as of each call, was right on {total['model_right']:,} of {total['model_scored']:,} "
                 f"({total['model_accuracy']:.0%})")
        if total["closer"] is not None:
            text += (f"; in ARR the calls missed by {total['call_error_arr']:,.0f} and the model by "
                     f"{total['model_error_arr']:,.0f} on the {total['compared']:,} renewals both judged: "
                     + CLOSER[total["closer"]])
    else:
        text += "; no stored prediction was made on or before any of these calls"
    return text + "."


def _records(data) -> list[dict]:
    from tenure.cli.render import clean

    return [{k: clean(v) for k, v in row.items()} for row in data.to_dict(orient="records")]


def _record(row: dict) -> dict:
    from tenure.cli.render import clean

    return {k: clean(v) for k, v in row.items()}
