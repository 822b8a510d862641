"""Finding a file's columns by the names a mapping uses for them.

A mapping may name a column exactly as the export writes it ("Monthly Amount"), in another
case ("monthly amount"), or as an identifier with spaces and punctuation read as `_`
(`monthly_amount`), which is how expressions name columns.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field


def normalize(name: str) -> str:
    """`Monthly Amount (USD)` -> `monthly_amount_usd`."""
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


class UnknownColumn(LookupError):
    """A name that matches no column of the file, or more than one."""


@dataclass
class Header:
    """The columns of one source file, as read."""

    columns: list[str]
    _lower: dict[str, list[str]] = field(init=False, repr=False)
    _normal: dict[str, list[str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._lower, self._normal = {}, {}
        for column in self.columns:
            self._lower.setdefault(column.lower(), []).append(column)
            self._normal.setdefault(normalize(column), []).append(column)

    def find(self, name: str) -> str:
        """The file's column called `name` (exactly, in any case, or normalized)."""
        if name in self.columns:
            return name
        for table, key in ((self._lower, name.lower()), (self._normal, normalize(name))):
            found = table.get(key, [])
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise UnknownColumn(f"{name!r} matches several columns of the file: "
                                    f"{', '.join(repr(c) for c in found)}; use col('exact name')")
        close = difflib.get_close_matches(normalize(name), list(self._normal), n=1)
        hint = f" (did you mean {self._normal[close[0]][0]!r}?)" if close else ""
        shown = ", ".join(repr(c) for c in self.columns[:30]) + (", ..." if len(self.columns) > 30 else "")
        raise UnknownColumn(f"the file has no column {name!r}{hint}; its columns: {shown}")

    def get(self, name: str) -> str | None:
        try:
            return self.find(name)
        except UnknownColumn:
            return None
