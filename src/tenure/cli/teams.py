"""`tenure teams`: each account's people by role, who owns its renewal and its expansion, and the
executive sponsor and executive touch of strategic accounts."""

from __future__ import annotations

import typer

from tenure.cli.context import AS_OF, FORMAT, Format, options, parse_date

TEAM_COLUMNS = ["account_id", "name", "segment", "arr", "csm", "tam", "onboarding", "renewal_specialist", "ae",
                "executive_sponsor", "renewal_owner", "renewal_owner_source", "expansion_owner",
                "expansion_owner_source"]
STRATEGIC_COLUMNS = ["account_id", "name", "segment", "arr", "strategic_reason", "csm", "executive_sponsor",
                     "sponsor_missing", "last_executive_touch", "days_since_executive_touch", "executive_touch",
                     "executive_touch_overdue", "flags"]
OWNER_COLUMNS = ["renewal_owner", "renewal_owner_source", "expansion_owner", "expansion_owner_source", "strategic",
                 "strategic_reason", "sponsor_missing", "last_executive_touch", "days_since_executive_touch",
                 "executive_touch", "executive_touch_overdue"]


def register(app: typer.Typer) -> None:
    @app.command("teams")
    def teams(
        ctx: typer.Context,
        as_of: str = AS_OF,
        strategic: bool = typer.Option(False, "--strategic",
                                       help="Only strategic accounts, with executive sponsor and touch status."),
        account: str = typer.Option(None, "--account", help="One account's team, owners and sponsor status."),
        fmt: Format = FORMAT,
    ) -> None:
        """Account teams, with the renewal and expansion owners that `ownership:` gives each paying account.

        Renewals go to the CSM, the renewal specialist or the AE (ownership.renewal: cs, renewal, sales).
        Expansion goes to the CSM or the AE (ownership.expansion: cs, sales).
        An account without that person falls back to its CSM; the *_owner_source column says so.
        Strategic accounts (ownership.strategic_arr_min, ownership.strategic_segments) need an executive sponsor.
        Their executive touch is due every ownership.executive_touch_days days.
        """
        import ibis

        from tenure.cli.workflow_common import owner_overrides_of
        from tenure.errors import TenureError
        from tenure.views.ownership import account_teams_at

        if strategic and account is not None:
            raise TenureError("--account and --strategic do not go together: --account shows one account")
        ws = options(ctx).open()
        when = parse_date(as_of)
        table = account_teams_at(ws, as_of=when, owners=owner_overrides_of(ws))
        if account is not None:
            _one(ws, table.filter(table.account_id == account), account, when, fmt)
            return
        if strategic:
            table = table.filter(table.strategic)
        data = ws.warehouse.execute(table.order_by([ibis.desc("arr"), "account_id"]))
        if strategic:
            _strategic(ws, data, when, fmt)
        else:
            _listing(ws, data, when, fmt)


def _listing(ws, data, when, fmt) -> None:
    from tenure.cli.render import console, frame

    config = ws.config.ownership
    title = f"Account teams as of {when} ({len(data):,} paying accounts)"
    if fmt is not Format.table:
        frame(data[TEAM_COLUMNS], fmt=fmt, title=title)
        return
    shown = data[["account_id", "name", "segment", "arr", "csm", "tam", "onboarding", "renewal_specialist", "ae",
                  "executive_sponsor"]]
    shown = shown.rename(columns={"renewal_specialist": "renewal", "executive_sponsor": "sponsor"})
    shown["renewal_owner"] = _with_source(data, "renewal_owner")
    shown["expansion_owner"] = _with_source(data, "expansion_owner")
    frame(shown, fmt=fmt, title=title)
    console.print(f"  Renewals owned by {config.renewal} (ownership.renewal): " + _counts(data["renewal_owner_source"]))
    console.print(f"  Expansion owned by {config.expansion} (ownership.expansion): "
                  + _counts(data["expansion_owner_source"]))


def _strategic(ws, data, when, fmt) -> None:
    from tenure.cli.render import console, frame

    config = ws.config.ownership
    data = data.assign(flags=[_flags(row) for row in data.to_dict("records")])
    rule = " or ".join([f"ARR ≥ {config.strategic_arr_min:,.0f}"] * (config.strategic_arr_min is not None)
                       + [f"segment in {', '.join(config.strategic_segments)}"] * bool(config.strategic_segments))
    title = f"Strategic accounts as of {when} ({rule or 'no rule set'})"
    if fmt is not Format.table:
        frame(data[STRATEGIC_COLUMNS], fmt=fmt, title=title)
        return
    shown = data[["account_id", "name", "segment", "arr", "csm", "executive_sponsor", "last_executive_touch",
                  "days_since_executive_touch", "executive_touch", "flags"]]
    frame(shown.rename(columns={"executive_sponsor": "sponsor", "last_executive_touch": "last_exec_touch",
                                "days_since_executive_touch": "days_since", "executive_touch": "touch"}),
          fmt=fmt, title=title)
    no_data = (data["executive_touch"] == "no data").any()
    touch = ("no activities with exec_present loaded: executive touch is no data" if no_data else
             f"executive touch overdue (none in {config.executive_touch_days} days): "
             f"{int(data['executive_touch_overdue'].fillna(False).astype(bool).sum()):,}")
    console.print(f"  {len(data):,} strategic accounts, {data['arr'].sum():,.0f} ARR; without an executive "
                  f"sponsor: {int(data['sponsor_missing'].astype(bool).sum()):,}; {touch}")


def _one(ws, table, account_id, when, fmt) -> None:
    from tenure.cli.render import clean, console, dump_json, frame
    from tenure.cli.workflow_common import known_account
    from tenure.views.ownership import members_of

    known_account(ws, account_id)
    found = ws.warehouse.execute(table)
    people = members_of(ws, account_id, as_of=when)
    row = {k: clean(v) for k, v in found.iloc[0].to_dict().items()} if len(found) else None
    if fmt is Format.json:
        owners = {c: (row or {}).get(c) for c in OWNER_COLUMNS}
        dump_json({"account_id": account_id, "as_of": when, "paying": row is not None, **owners,
                   "people": [{k: clean(v) for k, v in p.items()} for p in people.to_dict("records")]})
        return
    frame(people, fmt=fmt, title=f"Team of {account_id} as of {when}")
    if fmt is not Format.table:
        return
    if row is None:
        console.print(f"  {account_id} is not paying on {when}: no renewal or expansion to own.")
        return
    console.print(f"  Renewal owner: {row['renewal_owner'] or '—'} ({row['renewal_owner_source']});  "
                  f"expansion owner: {row['expansion_owner'] or '—'} ({row['expansion_owner_source']})")
    if row["strategic"]:
        sponsor = row["executive_sponsor"] or "MISSING"
        touch = row["executive_touch"]
        if row["last_executive_touch"] is not None:
            touch += f", last {row['last_executive_touch']} ({row['days_since_executive_touch']:.0f} days ago)"
        console.print(f"  Strategic ({row['strategic_reason']}): executive sponsor {sponsor}; executive touch {touch}")
    else:
        console.print("  Not strategic.")


def _with_source(data, column: str) -> list[str]:
    """`P023 (csm)`: the owner and where the choice came from, in one table cell."""
    return [f"{owner if isinstance(owner, str) else '—'} ({source})"
            for owner, source in zip(data[column], data[f"{column}_source"], strict=True)]


def _flags(row: dict) -> str:
    flags = []
    if row.get("sponsor_missing"):
        flags.append("no executive sponsor")
    if row.get("executive_touch_overdue") is True:
        flags.append("executive touch overdue" if row.get("executive_touch") == "overdue" else "never met an executive")
    return "; ".join(flags)


def _counts(values) -> str:
    counts = values.value_counts()
    return "   ".join(f"{name} {int(n):,}" for name, n in counts.items()) or "no accounts"
