"""How a figure is written in a report, once: the narrative and the tables use the same words.

Every number in a written interpretation is produced by one of these functions from the
same value the table or chart beside it shows, so a test (or a reader) can find each figure
of the text in its table. `FIGURE` matches any figure these functions write.
"""

from __future__ import annotations

import math
import re

FIGURE = re.compile(r"[-+]?\d+(?:,\d{3})*(?:\.\d+)?(?:[KMB]|%| pp| days)?")  # a comma after a figure ends it


def missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def money(value: float | None, currency: str = "") -> str:
    """An amount: 1,234 below ten thousand, then 12.3K, 4.56M, 1.2B (three significant figures)."""
    if missing(value):
        return "n/a"
    sign = "-" if value < 0 else ""
    value = abs(value)
    prefix = f"{currency} " if currency else ""
    if value < 10_000:
        return f"{sign}{prefix}{value:,.0f}"
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if value >= size:
            scaled = value / size
            digits = 2 if scaled < 10 else 1 if scaled < 100 else 0
            return f"{sign}{prefix}{scaled:.{digits}f}{suffix}"
    return f"{sign}{prefix}{value:,.0f}"


def percent(value: float | None, digits: int = 1) -> str:
    """A rate (0.973 → 97.3%)."""
    return "n/a" if missing(value) else f"{value * 100:.{digits}f}%"


def points(value: float | None, digits: int = 1) -> str:
    """A difference of two rates in percentage points, signed (+1.2 pp)."""
    return "n/a" if missing(value) else f"{value * 100:+.{digits}f} pp"


def count(value: int | float | None) -> str:
    return "n/a" if missing(value) else f"{value:,.0f}"


def days(value: float | None) -> str:
    return "n/a" if missing(value) else f"{value:,.0f} days"


def figures_in(text: str) -> list[str]:
    """The figures written in a text, as written (for comparing a narrative with its tables)."""
    return [m.group(0).lstrip("+-") for m in FIGURE.finditer(text)]
