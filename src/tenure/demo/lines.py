"""Subscription lines as immutable price periods, opened and closed a batch of accounts at a time.

A price change never edits a line: the old line ends on the change date (exclusive) and a new
one starts the same day. So the book of lines is append-only, except that a line's
`end_date` is filled in when it closes.
"""

from __future__ import annotations

import numpy as np

BILLING_PERIODS = ("month", "quarter", "year")
MONTHLY, QUARTERLY, YEARLY = range(len(BILLING_PERIODS))
OPEN = -1  # end day of a line still active at the end of history; also "no renewal date"

_FIELDS = {
    "account": np.int64, "product": np.int64, "start": np.int64, "end": np.int64, "seats": np.int64,
    "mrr": np.float64, "billing": np.int64, "term": np.int64, "renewal": np.int64, "auto_renew": np.bool_,
}


class LineBook:
    """Growable columns of subscription lines (account index, product index, days, price)."""

    def __init__(self, capacity: int = 1024):
        self._columns = {name: np.empty(capacity, dtype=kind) for name, kind in _FIELDS.items()}
        self._size = 0

    def open(self, account: np.ndarray, product: np.ndarray | int, start: np.ndarray, *, seats: np.ndarray,
             mrr: np.ndarray, billing: np.ndarray, term: np.ndarray, auto_renew: np.ndarray,
             renewal: np.ndarray | int = OPEN, end: np.ndarray | int = OPEN) -> np.ndarray:
        """Append one line per account; return the new lines' numbers."""
        count = len(account)
        self._reserve(self._size + count)
        rows = np.arange(self._size, self._size + count)
        values = {"account": account, "product": product, "start": start, "end": end, "seats": seats,
                  "mrr": np.round(mrr, 2), "billing": billing, "term": term, "renewal": renewal,
                  "auto_renew": auto_renew}
        for name, value in values.items():
            self._columns[name][rows] = value
        self._size += count
        return rows

    def close(self, rows: np.ndarray, day: np.ndarray) -> None:
        """End lines (exclusive end day); rows of -1 (no open line) are ignored."""
        live = rows >= 0
        self._columns["end"][rows[live]] = np.broadcast_to(day, rows.shape)[live]

    def columns(self) -> dict[str, np.ndarray]:
        """The lines so far, in the order they were opened."""
        return {name: column[: self._size] for name, column in self._columns.items()}

    def _reserve(self, size: int) -> None:
        capacity = len(self._columns["account"])
        if size <= capacity:
            return
        while capacity < size:
            capacity *= 2
        for name, column in self._columns.items():
            grown = np.empty(capacity, dtype=column.dtype)
            grown[: self._size] = column[: self._size]
            self._columns[name] = grown
