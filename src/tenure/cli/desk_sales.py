"""`tenure desk expansions | vet | advocates | advocacy add|list|import`: the desk's work with Sales —
the shared expansion pipeline and its leads, deal vetting before signature, and advocacy."""

from __future__ import annotations

from pathlib import Path

import typer

from tenure.cli.context import AS_OF, FORMAT, Format, options, parse_date
from tenure.cli.workflow_common import ACTOR, known_account, known_account_ids, open_store

advocacy_app = typer.Typer(help="Advocacy records: reference calls, referrals, case studies and reviews.",
                           no_args_is_help=True)

# table view columns (csv and json keep every column under its full name); renamed for width and formatting
PIPELINE_SHOWN = {"opportunity_id": "opportunity_id", "account_id": "account_id", "name": "name", "arr": "arr",
                  "band": "band", "seat_utilisation": "utilisation", "expansion_probability": "p_expand",
                  "amount": "pipeline", "stage": "stage", "close_date": "close_date",
                  "expansion_owner": "expansion_owner", "signals": "signals"}
LEADS_SHOWN = {"account_id": "account_id", "name": "name", "arr": "arr", "band": "band", "signal": "signal",
               "detail": "detail", "expansion_owner": "expansion_owner", "open_pipeline": "pipeline"}
VET_SHOWN = {"opportunity_id": "opportunity_id", "name": "name", "segment": "segment", "amount": "amount",
             "close_date": "close_date", "success_criteria_agreed": "criteria_agreed", "fit_score": "fit_score",
             "flags": "flags", "fit_drivers": "fit_drivers"}
ADVOCATES_SHOWN = {"account_id": "account_id", "name": "name", "segment": "segment", "owner": "owner", "arr": "arr",
                   "feature_breadth_30d": "breadth_30d", "nps_score": "nps", "nps_on": "nps_on",
                   "nps_contact_id": "contact", "churn_probability": "p_churn", "last_ask": "last_ask"}

def register(app: typer.Typer) -> None:
    app.command("expansions")(expansions)
    app.command("vet")(vet)
    app.command("advocates")(advocates)
    app.add_typer(advocacy_app, name="advocacy")


def expansions(
    ctx: typer.Context,
    as_of: str = AS_OF,
    leads: bool = typer.Option(False, "--leads", help="Expansion leads: one row per paying account and signal."),
    open_ctas: bool = typer.Option(False, "--open-ctas", help="Open an expansion CTA for each lead's expansion owner "
                                                              "(one open per account and signal; implies --leads)."),
    export: Path = typer.Option(None, "--export", help="Write the leads to this CSV for the CRM (implies --leads)."),
    bookings: bool = typer.Option(False, "--bookings", help="Expansion bookings per quarter, year over year, with "
                                                            "the CS/Sales credit split."),
    quarters: int = typer.Option(8, "--quarters", min=1, max=40, help="Quarters of bookings shown."),
    user: str = ACTOR,
    fmt: Format = FORMAT,
) -> None:
    """The expansion pipeline shared with Sales: open expansion opportunities with health, seat utilisation,
    expansion probability, the account team and the account's signals.

    Signals (desk: in tenure.yaml): utilisation above desk.expansion_utilisation_above, expansion probability above
    desk.expansion_probability_above, a new team (active users up desk.expansion_user_growth_min with
    desk.expansion_new_users_min first-time users). Leads go to the expansion owner (ownership.expansion).
    """
    from tenure.cli.workflow_common import owner_overrides_of
    from tenure.errors import TenureError
    from tenure.views.desk_expansions import expansion_accounts

    if bookings and (leads or open_ctas or export is not None):
        raise TenureError("--bookings shows bookings per quarter; it does not go with --leads, --open-ctas or --export")
    ws = options(ctx).open()
    when = parse_date(as_of)
    if bookings:
        _bookings(ws, when, quarters, fmt)
        return
    owners = owner_overrides_of(ws)
    accounts = expansion_accounts(ws, as_of=when, owners=owners)
    if leads or open_ctas or export is not None:
        _leads(ctx, ws, when, accounts, owners, open_ctas=open_ctas, export=export, user=user, fmt=fmt)
    else:
        _pipeline(ws, when, accounts, owners, fmt)


def _pipeline(ws, when, accounts, owners, fmt) -> None:
    from tenure.cli.render import console, frame
    from tenure.views.desk_expansions import expansion_leads, expansion_pipeline

    data = expansion_pipeline(ws, as_of=when, owners=owners, accounts=accounts)
    title = f"Open expansion opportunities on {when} ({len(data):,})"
    if fmt is not Format.table:
        frame(data, fmt=fmt, title=title)
        return
    if ws.warehouse.table("opportunities") is None:
        console.print("No opportunities table is loaded: the CRM pipeline is no data (leads still work: --leads).")
        return
    frame(_shown(data, PIPELINE_SHOWN), fmt=fmt, title=title)
    weighted = (data["amount"] * data["probability"].astype(float)).sum(min_count=1)
    leads = expansion_leads(ws, as_of=when, owners=owners, accounts=accounts)
    unworked = leads[leads["open_pipeline"] <= 0]["account_id"].nunique()
    console.print(f"  Pipeline {data['amount'].sum():,.0f}" + (f", weighted by probability {weighted:,.0f}"
                                                               if weighted == weighted else "")
                  + f"; {leads['account_id'].nunique():,} accounts show an expansion signal, {unworked:,} of them "
                    "with no open expansion opportunity (`tenure desk expansions --leads`).")


def _leads(ctx, ws, when, accounts, owners, *, open_ctas, export, user, fmt) -> None:
    from tenure.cli.render import console, frame
    from tenure.views.desk_expansions import crm_export, expansion_leads
    from tenure.workflow.store import SYSTEM

    data = expansion_leads(ws, as_of=when, owners=owners, accounts=accounts)
    if export is not None:
        export.parent.mkdir(parents=True, exist_ok=True)
        crm_export(data, as_of=when).to_csv(export, index=False)
    shown = dict(LEADS_SHOWN)
    if open_ctas:
        from tenure.workflow.deals import open_lead_ctas

        _ws, store = open_store(ctx)
        with store.session(actor=user or SYSTEM) as session:
            data = open_lead_ctas(session=session, leads=data, as_of=when,
                                  due_days=ws.config.desk.expansion_lead_due_days)
        shown.update(action="action", cta_id="cta_id")
    frame(data if fmt is not Format.table else _shown(data, shown), fmt=fmt,
          title=f"Expansion leads on {when} ({len(data):,} signals on {data['account_id'].nunique():,} accounts)")
    if fmt is not Format.table:
        return
    counts = data["signal"].value_counts()
    console.print("  Signals: " + ("   ".join(f"{s} {int(n):,}" for s, n in counts.items()) or "none")
                  + f"; expansion owned by {ws.config.ownership.expansion} (ownership.expansion).")
    if open_ctas:
        opened = int((data["action"] == "opened").sum())
        console.print(f"  Expansion CTAs: {opened:,} opened, {int((data['action'] == 'already_open').sum()):,} "
                      f"already open (rule desk:<signal>), {int((data['action'] == 'covered').sum()):,} on accounts "
                      "with another open expansion CTA.")
    if export is not None:
        console.print(f"  Wrote {len(data):,} lead(s) to {export}.")


def _bookings(ws, when, quarters, fmt) -> None:
    from tenure.cli.render import console, dump_json, frame
    from tenure.views.desk_expansions import expansion_bookings

    data = expansion_bookings(ws, as_of=when, quarters=quarters)
    share = ws.config.desk.expansion_credit_cs_share
    if fmt is Format.json:
        dump_json({"as_of": when, "cs_share": share, "quarters": _records(data)})
        return
    shown = data if fmt is not Format.table else _formatted(
        data, money=["booked", "cs_credit", "sales_credit", "booked_year_ago", "expansion_arr",
                     "expansion_arr_year_ago"], percent=["booked_yoy", "expansion_arr_yoy"])
    frame(shown, fmt=fmt, title=f"Expansion bookings from existing customers to {when} (quarter to date last)")
    if fmt is Format.table:
        console.print(f"  Bookings: won expansion opportunities by close date, credited {share:.0%} to CS and "
                      f"{1 - share:.0%} to Sales (desk.expansion_credit_cs_share); expansion_arr: the expansion "
                      "movements of the revenue engine in the same quarter (month-ends to the date).")


def vet(
    ctx: typer.Context,
    as_of: str = AS_OF,
    record: bool = typer.Option(False, "--record", help="Record the flags (once per deal and rule)."),
    user: str = ACTOR,
    fmt: Format = FORMAT,
) -> None:
    """Deal vetting: open new-business deals with a fit score and flags (no-success-criteria, known-gap, low-fit),
    and what became of the deals flagged before against those not flagged.

    The fit score is the probability that a deal is retained a year after signature, from a model of the won
    deals whose year is up, on what was known at signature. low-fit: below desk.vet_min_fit.
    """
    from tenure.cli.render import clean, console, dump_json, frame
    from tenure.views.desk_vetting import flagged_outcomes
    from tenure.views.desk_vetting import vet as vet_deals
    from tenure.workflow.deals import feature_request_statuses, get_all_flags, record_flags
    from tenure.workflow.store import SYSTEM

    ws, store = open_store(ctx)
    when = parse_date(as_of)
    with store.session() as session:
        requests = feature_request_statuses(session=session)
    result = vet_deals(ws, as_of=when, requests=requests)
    recorded = None
    with store.session(actor=user or SYSTEM) as session:
        if record:
            recorded = record_flags(session=session, flags=result.flags, as_of=when)
        flags = get_all_flags(session=session)
    outcomes = flagged_outcomes(ws, as_of=when, flags=flags)
    if fmt is Format.json:
        dump_json({"as_of": when, "min_fit": ws.config.desk.vet_min_fit,
                   "model": {k: clean(v) for k, v in result.model.items()}, "deals": _records(result.deals),
                   "flags": _records(result.flags), "recorded": None if recorded is None else recorded[0],
                   "outcomes": _records(outcomes)})
        return
    title = f"Open new-business deals on {when} ({len(result.deals):,}, {result.flags['opportunity_id'].nunique():,} "\
            "flagged)"
    frame(result.deals if fmt is Format.csv else _formatted(_shown(result.deals, VET_SHOWN), money=["amount"]),
          fmt=fmt, title=title)
    if fmt is not Format.table:
        return
    model = result.model
    if model.get("note"):
        console.print(f"  Fit model: {model['note']}.")
    else:
        auc = f"{model['cv_auc']:.2f}" if model.get("cv_auc") is not None else "—"
        console.print(f"  Fit model: logistic regression on {model['trained_on']:,} won deals closed by "
                      f"{model['closed_through']} whose year is up ({model['retained_rate']:.0%} retained); "
                      f"cross-validated ROC-AUC {auc}. low-fit below {ws.config.desk.vet_min_fit:.2f}.")
    counts = result.flags["rule"].value_counts()
    console.print("  Flags: " + ("   ".join(f"{r} {int(n):,}" for r, n in counts.items()) or "none"))
    if recorded is not None:
        console.print(f"  Recorded {recorded[0]:,} flag(s); {recorded[1]:,} were already recorded.")
    if outcomes.empty:
        console.print("  No flags recorded yet: `tenure desk vet --record` records them, and this shows what became "
                      "of the flagged deals.")
    else:
        frame(_formatted(outcomes, money=["won_amount"], percent=["win_rate", "retention_rate"]), fmt=fmt,
              title=f"What became of vetted deals (flags recorded to {when})")


def advocates(
    ctx: typer.Context,
    as_of: str = AS_OF,
    all_accounts: bool = typer.Option(False, "--all", help="Every paying account with each criterion, not only "
                                                           "the candidates."),
    fmt: Format = FORMAT,
) -> None:
    """Advocate candidates: green health, high adoption, a promoter NPS, no open escalation, renewal not at risk,
    and not asked too recently (desk.advocate_min_days_between_asks, desk.advocate_max_asks_per_year)."""
    from tenure.cli.render import console, frame
    from tenure.cli.workflow_common import owner_overrides_of
    from tenure.desk.advocacy import CRITERIA
    from tenure.views.desk_advocacy import advocate_candidates, referral_sourced, risk_threshold, top_band
    from tenure.workflow.advocacy import get_all, open_escalations

    ws, store = open_store(ctx)
    when = parse_date(as_of)
    with store.session() as session:
        records = get_all(session=session)
        escalated = open_escalations(session=session, as_of=when)
    data = advocate_candidates(ws, as_of=when, asks=records[["account_id", "occurred_on"]], escalated=escalated,
                               owners=owner_overrides_of(ws))
    shown = data if all_accounts else data[data["candidate"]]
    title = f"Advocate candidates on {when} ({int(data['candidate'].sum()):,} of {len(data):,} paying accounts)"
    if fmt is not Format.table:
        frame(shown, fmt=fmt, title=title)
        return
    table = _shown(shown, {**ADVOCATES_SHOWN, **({"why_not": "why_not"} if all_accounts else {})})
    for column in ("breadth_30d", "nps"):  # whole numbers
        table[column] = [None if value != value or value is None else int(value) for value in table[column]]
    frame(table, fmt=fmt, title=title)
    threshold, source = risk_threshold(ws)
    failing = "   ".join(f"{c.replace('_', ' ')} {int((~data[c]).sum()):,}" for c in CRITERIA)
    console.print(f"  Accounts failing each test: {failing}  (green = band {top_band(ws)}; renewal safe = churn "
                  f"probability below {threshold:.0%}, {source})")
    sourced = referral_sourced(ws, as_of=when, records=records)
    console.print(f"  Advocacy records: {len(records):,}; referral-sourced ARR {sourced['referred_arr'].sum():,.0f} "
                  f"from {len(sourced):,} referral(s).")


@advocacy_app.command("add")
def add(
    ctx: typer.Context,
    account_id: str = typer.Argument(..., help="The advocate's account."),
    kind: str = typer.Option(..., "--kind", help="reference_call, referral, case_study or review."),
    date: str = typer.Option(..., "--date", help="When the ask was made (YYYY-MM-DD)."),
    outcome: str = typer.Option(None, "--outcome", help="What came of it, e.g. 'held, prospect signed'."),
    referred: str = typer.Option(None, "--referred", help="A referral's referred account (account_id)."),
    contact: str = typer.Option(None, "--contact", help="The contact who advocated (contacts.contact_id)."),
    force: bool = typer.Option(False, "--force", help="Record it even though the advocacy guard refuses it."),
    user: str = ACTOR,
) -> None:
    """Record an advocacy ask; refused when it breaks the guard, unless --force (then noted on the timeline)."""
    import datetime as dt

    from tenure.cli.render import console
    from tenure.workflow.advocacy import create
    from tenure.workflow.store import SYSTEM

    day = parse_date(date, name="--date")
    ws, store = open_store(ctx)
    known_account(ws, account_id)
    if referred is not None:
        known_account(ws, referred)
    if contact is not None:
        _known_contact(ws, account_id, contact)
    desk = ws.config.desk
    with store.session(actor=user or SYSTEM) as session:
        record, broke = create(session=session, account_id=account_id, kind=kind, occurred_on=day,
                               actor=user or SYSTEM, min_days=desk.advocate_min_days_between_asks,
                               max_per_year=desk.advocate_max_asks_per_year, today=dt.date.today(),
                               outcome=outcome, contact_id=contact, referred_account_id=referred, force=force)
        console.print(f"Recorded advocacy #{record.id}: {record.kind} of {account_id} on {record.occurred_on}"
                      + (f", referred {referred}" if referred else "") + ".")
    if broke:
        console.print(f"  Recorded with --force although the guard refused it: {broke}.")


@advocacy_app.command("list")
def list_records(ctx: typer.Context, as_of: str = AS_OF, fmt: Format = FORMAT) -> None:
    """Every advocacy record, whether it broke the guard, and the referred account's ARR at the date."""
    from tenure.cli.render import console, frame
    from tenure.views.desk_advocacy import referral_sourced
    from tenure.workflow.advocacy import get_all, with_guard

    ws, store = open_store(ctx)
    when = parse_date(as_of)
    with store.session() as session:
        records = get_all(session=session)
    desk = ws.config.desk
    records = with_guard(records, min_days=desk.advocate_min_days_between_asks,
                         max_per_year=desk.advocate_max_asks_per_year)
    sourced = referral_sourced(ws, as_of=when, records=records)
    records = records.merge(sourced[["id", "referred_arr"]], on="id", how="left")
    frame(records, fmt=fmt, title=f"{len(records):,} advocacy record(s)")
    if fmt is Format.table:
        kinds = records["kind"].value_counts()
        console.print("  " + ("   ".join(f"{k} {int(n):,}" for k, n in kinds.items()) or "no records")
                      + f"; broke the guard: {int(records['broke_guard'].sum()):,}; referral-sourced ARR on {when}: "
                        f"{sourced['referred_arr'].sum():,.0f} from {len(sourced):,} referral(s).")


@advocacy_app.command("import")
def import_file(ctx: typer.Context,
                path: Path = typer.Argument(..., help="CSV: account_id, kind, occurred_on[, outcome][, contact_id]"
                                                      "[, referred_account_id]."),
                user: str = ACTOR) -> None:
    """Import past advocacy records from a CSV; all rows or none, a record already there is skipped."""
    import datetime as dt

    import pandas as pd

    from tenure.cli.render import console
    from tenure.errors import NotFound
    from tenure.workflow.advocacy import import_records
    from tenure.workflow.store import SYSTEM

    if not path.is_file():
        raise NotFound(f"{path}: no such file")
    ws, store = open_store(ctx)
    known = known_account_ids(ws)
    table = ws.warehouse.table("contacts")
    contacts = None if table is None else dict(ws.warehouse.execute(table.select("contact_id", "account_id"))
                                               .itertuples(index=False, name=None))
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    with store.session(actor=user or SYSTEM) as session:
        imported, skipped = import_records(session=session, rows=rows, known_accounts=known, today=dt.date.today(),
                                           actor=user or SYSTEM, source=str(path), contacts=contacts)
    console.print(f"Imported {imported:,} advocacy record(s) from {path}; {skipped:,} were already recorded.")


def _shown(data, columns: dict[str, str]):
    """The columns of a table view, renamed (`p_expand` and `p_churn` print as percentages, `arr` as money)."""
    return data[list(columns)].rename(columns=columns)


def _formatted(data, *, money: list[str] = (), percent: list[str] = ()):
    """A table view with amounts as whole numbers and rates as signed percentages (csv and json keep numbers)."""
    out = data.copy()
    for column in money:
        out[column] = ["—" if v is None or v != v else f"{v:,.0f}" for v in out[column]]
    for column in percent:
        out[column] = ["—" if v is None or v != v else f"{v * 100:+.0f}%" if column.endswith("_yoy")
                       else f"{v * 100:.0f}%" for v in out[column]]
    return out


def _records(data) -> list[dict]:
    """A frame's rows as JSON-safe records (no NaN: empty is null)."""
    from tenure.cli.render import clean

    return [{k: clean(v) for k, v in row.items()} for row in data.to_dict("records")]


def _known_contact(ws, account_id: str, contact_id: str) -> None:
    from tenure.errors import NotFound

    contacts = ws.warehouse.table("contacts")
    if contacts is None:
        raise NotFound(f"no contacts are loaded: contact {contact_id!r} cannot be checked; leave --contact out")
    found = contacts.filter((contacts.contact_id == contact_id) & (contacts.account_id == account_id))
    if not ws.warehouse.execute(found.count()):
        raise NotFound(f"no contact {contact_id!r} at account {account_id!r}")
