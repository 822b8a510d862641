"""Rendering report sections to one self-contained HTML document, and that document to PDF.

The HTML carries everything inline — CSS, charts as SVG text, no external URL — so it opens
offline, can be mailed as one file, and prints the same as the PDF. The PDF is drawn by
WeasyPrint from the same HTML, with fonts from the system. Tables are written with
`tenure.reports.figures` by each column's kind, the same functions the narrative's figures
come from: `format_table` is what a reader (and the figure check) sees.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from tenure.errors import TenureError
from tenure.reports import figures

if TYPE_CHECKING:
    import jinja2
    import pandas as pd

    from tenure.reports.board.section import Section, Table

TEMPLATES = Path(__file__).with_name("templates")
FORMATS = ("html", "pdf")
ACRONYMS = {"arr": "ARR", "mrr": "MRR", "grr": "GRR", "nrr": "NRR", "acv": "ACV", "csm": "CSM", "cta": "CTA",
            "ctas": "CTAs", "pp": "pp", "id": "ID", "nps": "NPS", "csat": "CSAT"}
SHORT_TABLE = 15  # rows a table may have and still be kept whole on one page
NUMERIC = ("money", "percent", "points", "count", "days")  # the kinds written by tenure.reports.figures


def format_cell(value, kind: str | None) -> str:
    """One table cell as the reader sees it, written by the figures function of its column's kind.

    Amounts carry no currency code: the document states its currency once, under the title."""
    if kind in NUMERIC:
        return getattr(figures, kind)(None if _is_na(value) else value)
    if _is_na(value):
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    return str(value)[:10] if kind == "date" else str(value)


def format_table(table: Table) -> pd.DataFrame:
    """The table's frame with every cell written as text, by `Table.formats` (unlisted columns as text)."""
    frame = table.frame
    out = frame.copy().astype(object)
    for column in frame.columns:
        kind = table.formats.get(column)
        out[column] = [format_cell(value, kind) for value in frame[column]]
    return out


def heading(column: str) -> str:
    """A column name as a header: `arr_start` → `ARR start`."""
    return " ".join(ACRONYMS.get(word, word) for word in column.split("_"))


def render_html(*, title: str, subtitle: str, sections: list[Section], currency: str,
                page_per_section: bool = True) -> str:
    """One self-contained HTML document: each section's narrative, charts (inline SVG) and tables.

    Printed, each section starts a page (a board pack); with `page_per_section=False` sections
    flow on and only avoid being split (a one-page account brief)."""
    from markupsafe import Markup

    from tenure.charts.render import to_svg

    views = []
    for section in sections:
        charts = [] if section.no_data else [{"title": c.title, "svg": Markup(_bare_svg(to_svg(c.chart)))}
                                             for c in section.charts]
        tables = [] if section.no_data else [_table_view(t) for t in section.tables]
        views.append({"key": section.key, "title": section.title, "narrative": section.narrative,
                      "no_data": section.no_data, "charts": charts, "tables": tables})
    return _environment().get_template("report.html.j2").render(
        title=title, subtitle=subtitle, currency=currency, sections=views, page_per_section=page_per_section,
        style=(TEMPLATES / "report.css").read_text(encoding="utf-8"))


def write_pdf(html: str, path: Path) -> None:
    """Print the HTML document to PDF with WeasyPrint (inline SVG drawn as vectors, system fonts, no network)."""
    import weasyprint

    path.parent.mkdir(parents=True, exist_ok=True)
    weasyprint.HTML(string=html, url_fetcher=_no_fetching).write_pdf(path)


def parse_formats(formats: str | Iterable[str]) -> list[str]:
    """The output formats asked for (`html,pdf`, or a list of names), each once; a clear error for others."""
    names = formats.split(",") if isinstance(formats, str) else list(formats)
    wanted = list(dict.fromkeys(f.strip().lower() for f in names if f.strip()))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise TenureError(f"--format takes {' and/or '.join(FORMATS)} (e.g. html,pdf), not "
                          f"{','.join(unknown) or 'nothing'!r}")
    return wanted


def write_report(html: str, out_dir: Path, stem: str, formats: str | Iterable[str]) -> list[Path]:
    """Write `stem.html` and/or `stem.pdf` into `out_dir` (created when missing); the paths written."""
    wanted = parse_formats(formats)
    if out_dir.exists() and not out_dir.is_dir():
        raise TenureError(f"--out {out_dir} is a file, not a folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in wanted:
        path = out_dir / f"{stem}.{kind}"
        if kind == "html":
            path.write_text(html, encoding="utf-8")
        else:
            write_pdf(html, path)
        written.append(path)
    return written


def _table_view(table: Table) -> dict:
    shown = format_table(table)
    numeric = [table.formats.get(c) in NUMERIC for c in shown.columns]
    return {"title": table.title, "columns": [heading(c) for c in shown.columns], "numeric": numeric,
            "rows": list(shown.itertuples(index=False, name=None)), "short": len(shown) <= SHORT_TABLE}


def _bare_svg(svg: str) -> str:
    """An SVG document as an element to inline in HTML (without its XML declaration)."""
    return svg[svg.index("<svg"):] if "<svg" in svg else svg


def _is_na(value) -> bool:
    import pandas as pd

    return bool(pd.api.types.is_scalar(value) and pd.isna(value))


def _no_fetching(url: str, *_args, **_kwargs):
    """WeasyPrint's URL fetcher: the document is self-contained, so nothing is ever fetched."""
    raise ValueError(f"the report refers to {url}; reports are self-contained and fetch nothing")


@cache
def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=jinja2.select_autoescape(),
                              trim_blocks=True, lstrip_blocks=True)
