"""What every section of the board pack (and the account brief) is made of.

A section is built from the numbers only: its `narrative` sentences are written with
`tenure.reports.figures`, from the same values its `tables` hold, so each figure of the text
can be found in a table. A section whose data is missing says so in `no_data` instead of
failing or showing zeros.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import altair as alt
    import pandas as pd

Kind = Literal["money", "percent", "points", "count", "days", "date", "text"]


@dataclass
class Table:
    """A table as the reader sees it: `formats` says how each column's figures are written."""

    title: str
    frame: pd.DataFrame
    formats: dict[str, Kind] = field(default_factory=dict)


@dataclass
class Chart:
    title: str
    chart: alt.TopLevelMixin


@dataclass
class Section:
    key: str
    title: str
    narrative: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    no_data: str | None = None  # why the section is empty ("no tickets loaded"), when it is
