"""`tenure report account ID`: the account brief for an executive business review or a renewal call, as HTML/PDF."""

from __future__ import annotations

from pathlib import Path

import typer

from tenure.cli.context import AS_OF, options, parse_date


def register(app: typer.Typer) -> None:
    """Add `account` to the `report` command group."""

    @app.command("account")
    def account(
        ctx: typer.Context,
        account_id: str = typer.Argument(..., help="The account_id."),
        as_of: str = AS_OF,
        formats: str = typer.Option("html,pdf", "--format", "-f", help="html, pdf or both (html,pdf)."),
        out: Path = typer.Option(Path("."), "--out", help="Folder the brief is written to (created if missing)."),
        llm_url: str = typer.Option(None, "--llm-url", help="An OpenAI-compatible chat endpoint that rewrites the "
                                    "text more fluently; figures are checked and the computed text kept if any "
                                    "differs. Key from TENURE_LLM_API_KEY, model from TENURE_LLM_MODEL."),
    ) -> None:
        """The account brief for an EBR or a renewal call, as HTML and/or PDF; prints the paths written.

        ARR and contract, health and why, usage, value against the success criteria, risks and open CTAs,
        stakeholders and the recommended next actions, in plain sentences.
        """
        from tenure.cli.render import console, errors
        from tenure.reports.brief import build_brief
        from tenure.reports.render import parse_formats, render_html, write_report

        wanted = parse_formats(formats)
        ws = options(ctx).open()
        day = parse_date(as_of)
        title, subtitle, sections = build_brief(ws, account_id, as_of=day)
        notes = []
        if llm_url:
            from tenure.reports.llm import rewrite_sections

            notes = rewrite_sections(sections, url=llm_url)
        html = render_html(title=title, subtitle=subtitle, sections=sections, currency=ws.config.base_currency,
                           page_per_section=False)
        for note in notes:
            errors.print(f"  {note}", highlight=False, markup=False)
        for path in write_report(html, out, f"account-{_safe(account_id)}-{day}", wanted):
            console.print(str(path), highlight=False, markup=False, soft_wrap=True)


def _safe(account_id: str) -> str:
    """The account id as part of a file name: letters, digits, dot, dash and underscore kept, the rest `_`."""
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in account_id)
