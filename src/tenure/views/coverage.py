"""The segment and coverage views: the book by segment, and each CSM's and segment's load against target."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tenure.operating.coverage import csm_coverage, segment_coverage
from tenure.views.book import book_at

if TYPE_CHECKING:
    import pandas as pd

    from tenure.workspace import Workspace


def segments_at(ws: Workspace, *, as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Accounts and ARR per segment (with how many took the loaded segment or a rule), and each account's segment."""
    book = book_at(ws, as_of=as_of, health=False).cache()
    summary = book.group_by("segment").aggregate(
        accounts=book.count(), arr=book.arr.sum(), average_arr=book.arr.mean(),
        loaded=(book.segment_source == "loaded").sum().cast("int64"),
        by_rule=book.segment_source.startswith("rule").sum().cast("int64"),
        unmatched=(book.segment_source == "unmatched").sum().cast("int64"),
    )
    summary = summary.mutate(arr_share=summary.arr / summary.arr.sum())  # a window over every segment
    summary = summary.select("segment", "accounts", "arr", "arr_share", "average_arr", "loaded", "by_rule",
                             "unmatched").order_by([summary.arr.desc(), "segment"])
    accounts = book.select("account_id", "name", "segment", "segment_source", "arr").order_by("account_id")
    return ws.warehouse.execute(summary), ws.warehouse.execute(accounts)


@dataclass
class CoverageView:
    as_of: dt.date
    csms: pd.DataFrame
    segments: pd.DataFrame


def coverage_at(ws: Workspace, *, as_of: dt.date, owners: Mapping[str, str] | None = None) -> CoverageView:
    """Coverage per CSM and per segment at `as_of`, with the owners set in tenure applied."""
    book = book_at(ws, as_of=as_of, owners=owners).cache()
    team = ws.warehouse.table("team")
    lowest = ws.config.health.lowest_band
    config = ws.config.coverage
    csms = csm_coverage(book, team, config, as_of=as_of, lowest_band=lowest)
    segments = segment_coverage(book, team, config, as_of=as_of, lowest_band=lowest)
    return CoverageView(as_of, ws.warehouse.execute(csms), ws.warehouse.execute(segments))


def motions_at(ws: Workspace, *, as_of: dt.date,
               owners: Mapping[str, str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Accounts, ARR and monthly effort per segment and motion, and each account's motion and effort."""
    book = book_at(ws, as_of=as_of, owners=owners).cache()
    summary = book.group_by("segment", "motion").aggregate(
        accounts=book.count(), arr=book.arr.sum(), effort_hours=book.effort_hours.sum(),
    ).order_by(["segment", "motion"])
    accounts = book.select("account_id", "name", "segment", "band", "churn_probability", "motion", "cadence_days",
                           "effort_hours", "owner", "arr").order_by("account_id")
    return ws.warehouse.execute(summary), ws.warehouse.execute(accounts)
