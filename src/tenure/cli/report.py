"""`tenure report gaps [--months 3]`: churn reasons and feature requests ranked by ARR; `tenure report board
--period 2026Q3`: the board pack (HTML and PDF)."""

from __future__ import annotations

from pathlib import Path

import typer

from tenure.cli.context import AS_OF, FORMAT, Format, options, parse_date
from tenure.cli.workflow_common import open_store

app = typer.Typer(help="Reports.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    from tenure.cli import report_account

    report_account.register(app)
    root.add_typer(app, name="report")


@app.command("gaps")
def gaps(ctx: typer.Context, as_of: str = AS_OF,
         months: int = typer.Option(3, "--months", min=1, max=36, help="Window of lost ARR, in months."),
         top: int = typer.Option(15, "--top", min=1), fmt: Format = FORMAT) -> None:
    """The list a director takes to the product team: churn reasons and requested features, with dollars."""
    from tenure.cli.predict import _records
    from tenure.cli.render import console, dump_json, frame
    from tenure.reports.gaps import gaps as build

    ws, store = open_store(ctx)
    with store.session() as session:
        result = build(ws, session, as_of=parse_date(as_of), months=months)
    if fmt is not Format.table:
        dump_json({"since": result.since, "as_of": result.as_of, "lost_arr": result.lost_arr,
                   "interviewed_arr": result.interviewed_arr, "reasons": _records(result.reasons),
                   "features": _records(result.features)})
        return
    span = f"{result.since} to {result.as_of}"
    frame(result.reasons.head(top), fmt=fmt, title=f"Churn reasons by ARR lost, {span}")
    share = result.interviewed_arr / result.lost_arr if result.lost_arr else 0.0
    console.print(f"  Lost ARR in the window {result.lost_arr:,.0f}; {share:.0%} of it was exit-interviewed.")
    frame(result.features.head(top), fmt=fmt, title="Feature requests by ARR lost and at risk among the accounts "
                                                    "that asked (with open pipeline)")


@app.command("board")
def board(ctx: typer.Context,
          period: str = typer.Option(..., "--period", help="2026Q3 (a quarter), 2026-07 (a month) or 2026 (a year)."),
          as_of: str = typer.Option(None, "--as-of", help="What the pack knows (YYYY-MM-DD); default the period end."),
          formats: str = typer.Option("html,pdf", "--format", "-f", help="html, pdf or html,pdf."),
          out: Path = typer.Option(Path("."), "--out", help="Folder the pack is written to (created if missing)."),
          llm_url: str = typer.Option(None, "--llm-url", help="An OpenAI-compatible chat endpoint that rewrites "
                                      "the interpretation; figures are checked and the computed text kept if any "
                                      "differs.")) -> None:
    """The board pack for a period: headline, ARR bridge, retention, health, risk, forecast and CS results,
    each with charts, tables and a written interpretation; printed paths of the HTML and PDF written."""
    from tenure.cli.render import console, errors, progress_bar
    from tenure.reports.board.document import build_board
    from tenure.reports.render import parse_formats, render_html, write_report

    wanted = parse_formats(formats)
    ws = options(ctx).open()
    when = parse_date(as_of) if as_of is not None else None
    with progress_bar("board pack") as update:
        pack = build_board(ws, period, as_of=when, progress=update)
    if llm_url:
        from tenure.reports.llm import rewrite_sections

        for note in rewrite_sections(pack.sections, url=llm_url):
            errors.print(f"  {note}")
    html = render_html(title=pack.title, subtitle=pack.subtitle, sections=pack.sections, currency=pack.currency)
    with progress_bar("writing") as update:
        update(" and ".join(wanted), 0, 1)
        paths = write_report(html, out, pack.stem, wanted)
    for path in paths:
        console.print(str(path), soft_wrap=True, highlight=False, markup=False)
