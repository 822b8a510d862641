"""Pagination of API lists: `page` and `per_page` in, the slice and the totals out."""

from __future__ import annotations

import math

import pandas as pd
from fastapi import Query

MAX_PER_PAGE = 500


class Paging:
    def __init__(self, page: int = Query(1, ge=1, description="Page number, from 1."),
                 per_page: int = Query(50, ge=1, le=MAX_PER_PAGE, description="Rows per page.")):
        self.page, self.per_page = page, per_page

    def slice(self, frame: pd.DataFrame) -> pd.DataFrame:
        start = (self.page - 1) * self.per_page
        return frame.iloc[start:start + self.per_page]

    def envelope(self, frame: pd.DataFrame) -> dict:
        """{"items": [...], "page", "per_page", "total", "pages"}: the page's rows as JSON-safe records."""
        return {"items": records(self.slice(frame)), "page": self.page, "per_page": self.per_page,
                "total": len(frame), "pages": max(1, math.ceil(len(frame) / self.per_page))}


def records(frame: pd.DataFrame) -> list[dict]:
    """JSON-safe rows: dates as ISO strings, NaN and NaT as null."""
    import json

    return json.loads(frame.to_json(orient="records", date_format="iso", date_unit="s"))
