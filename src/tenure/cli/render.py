"""Rendering results as Rich tables, CSV or JSON with stable snake_case keys."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.table import Table

from tenure.cli.context import Format

# Off a terminal (pipes, CI logs) Rich would wrap at 80 columns; tables read better wider.
console = Console(width=None if sys.stdout.isatty() else 160)
errors = Console(stderr=True, width=None if sys.stderr.isatty() else 160)

PERCENT = {"grr", "nrr", "logo_churn", "dollar_churn", "logo_retention", "revenue_retention", "churn_rate",
           "p_churn", "p_expand", "arr_share", "utilisation", "cadence_kept", "ctas_on_time_share"}
PERCENT_PREFIXES = ("grr_", "nrr_")
MONEY = {"arr_at_risk", "arr", "arr_start", "arr_end", "new", "expansion", "contraction", "churn", "reactivation",
         "acv", "mrr", "cohort_mrr", "mrr_start", "mrr_end", "arr_up", "expected_renewed", "expected_churn",
         "expected_contraction", "expected_expansion", "arr_lost", "pipeline", "lost_arr",
         "target_arr", "red_arr", "renewals_due_arr", "average_arr", "arr_per_csm",
         "red_arr_start", "red_arr_end", "red_arr_change"}


def clean(value: Any) -> Any:
    """A JSON-safe value: no NaN, dates as ISO strings, numpy scalars as Python numbers."""
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if type(value).__name__ in ("date", "Timestamp") else value.isoformat()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if type(value).__name__ == "Decimal":
        return float(value)
    return value


def show_value(name: str, value: Any) -> str:
    value = clean(value)
    if value is None:
        return "—"
    if name in PERCENT or name.startswith(PERCENT_PREFIXES) and not name.endswith(("_pp", "_covered")):
        return f"{value * 100:.1f}%"
    if name.endswith(("_auc", "brier", "brier_base_rate")):
        return f"{value:.3f}"
    if name.endswith("_pp"):
        return f"{value:+.1f}"
    if name in MONEY:
        return f"{value:,.0f}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def frame(data, *, fmt: Format, title: str | None = None) -> None:
    """Print a pandas DataFrame in the chosen format."""
    records = [{k: clean(v) for k, v in row.items()} for row in data.to_dict(orient="records")]
    if fmt is Format.json:
        json.dump(records, sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif fmt is Format.csv:
        data.to_csv(sys.stdout, index=False)
    else:
        table = Table(title=title)
        for column in data.columns:
            table.add_column(str(column), justify="left" if data[column].dtype == object else "right")
        for row in records:
            table.add_row(*(show_value(c, row[c]) for c in data.columns))
        console.print(table)


def dump_json(payload: dict) -> None:
    json.dump(payload, sys.stdout, indent=2, default=clean)
    sys.stdout.write("\n")


@contextmanager
def progress_bar(title: str) -> Iterator[Callable[[str, int, int], None]]:
    """A transient progress bar on stderr; yields `update(description, done, total)`."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=errors, transient=True) as bar:
        task = bar.add_task(title, total=None)

        def update(description: str, done: int, total: int) -> None:
            bar.update(task, description=f"{title}: {description}", completed=done, total=total)

        yield update
