"""Lookups: turning an external key (a Stripe customer id, a Salesforce Account Id, a company name)
into a key of the data contract through another file.

    lookups:
      stripe_account: {file: "crm_accounts*.csv", key: Stripe Customer ID, value: Account ID}
    ...
      derived: {account_id: lookup('stripe_account', customer)}

A lookup file is read once per load into a two-column table (key, value). A key that appears
twice with different values is a problem of the lookup file; a key of the export that the
lookup file does not hold is a problem of the export's row (`unknown_key`).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import duckdb

from tenure.contract.mapping.model import Lookup, Mapping
from tenure.contract.mapping.names import Header, UnknownColumn
from tenure.contract.mapping.reading import read
from tenure.contract.staging import Stager, literal, quote
from tenure.errors import Problem

EXAMPLES = 10


def matches(path: Path, pattern: str) -> bool:
    """A file name glob (case-insensitive); a pattern with '/' matches the end of the path."""
    pattern = pattern.lower()
    if "/" in pattern:
        return PurePosixPath(path.as_posix().lower()).match(pattern)
    return fnmatch.fnmatchcase(path.name.lower(), pattern)


@dataclass(frozen=True)
class LookupTable:
    """A lookup read into the staging connection: `table` has unique `k` and their `v`."""

    name: str
    table: str
    files: str  # the file names, for messages
    key: str
    ignore_case: bool


class Lookups:
    """The lookups of one load, each read the first time a mapped file uses it."""

    def __init__(self, mapping: Mapping, inputs: list[Path]):
        self.mapping = mapping
        self.inputs = inputs
        self._read: dict[str, LookupTable | None] = {}

    def forget(self) -> None:
        self._read.clear()

    def files_of(self, lookup: Lookup) -> list[Path]:
        """The lookup's files: among the loaded files, else next to the mapping file."""
        found = [path for path in self.inputs if matches(path, lookup.file)]
        if not found and lookup._base is not None:
            found = sorted(p for p in lookup._base.glob(lookup.file) if p.is_file())
        return found

    def uses(self, path: Path) -> bool:
        """Whether a loaded file is one of the lookups' files."""
        return any(matches(path, lookup.file) for lookup in self.mapping.lookups.values())

    def get(self, name: str, stager: Stager) -> LookupTable | None:
        """The lookup, read now if needed; None once its problems are reported."""
        if name not in self._read:
            self._read[name] = self._load(name, self.mapping.lookups[name], stager)
        return self._read[name]

    def _load(self, name: str, lookup: Lookup, stager: Stager) -> LookupTable | None:
        files = self.files_of(lookup)
        if not files:
            stager.problems.append(Problem(
                lookup._origin, None, None, lookup.file, "missing_file",
                f"the lookup {name!r} needs a file matching {lookup.file!r}: load it with the other files, "
                "or put it next to the mapping file"))
            return None
        selects = []
        for path in files:
            select = self._select(stager, name, lookup, path)
            if select is None:
                return None
            selects.append(select)
        index = len(self._read)
        raw, table = quote(f"_stage_lookup_raw_{index}"), quote(f"_stage_lookup_{index}")
        con = stager.con
        try:
            con.execute(f"CREATE TEMP TABLE {raw} AS {' UNION ALL '.join(selects)}").fetchall()
        except duckdb.Error as exc:
            stager.problems.append(Problem(", ".join(str(p) for p in files), None, None, None, "unreadable",
                                           f"the lookup {name!r} cannot be read: {str(exc).splitlines()[0]}"))
            return None
        conflicts = con.execute(
            f"SELECT k, min(__file), min(__row), list(DISTINCT __row ORDER BY __row)[1:5] "
            f"FROM {raw} WHERE k IS NOT NULL GROUP BY k HAVING count(DISTINCT coalesce(v, chr(0))) > 1 "
            f"ORDER BY min(__file), min(__row) LIMIT {EXAMPLES}").fetchall()
        if conflicts:
            for key, file, row, rows in conflicts:
                stager.problems.append(Problem(
                    file, row, lookup.key, key, "duplicate_key",
                    f"the lookup {name!r} gives this key different {lookup.value} values "
                    f"(rows {', '.join(map(str, rows))})"))
            return None
        con.execute(f"CREATE TEMP TABLE {table} AS SELECT DISTINCT k, v FROM {raw} WHERE k IS NOT NULL").fetchall()
        con.execute(f"DROP TABLE {raw}").fetchall()
        return LookupTable(name, table, ", ".join(p.name for p in files), lookup.key, lookup.ignore_case)

    def _select(self, stager: Stager, name: str, lookup: Lookup, path: Path) -> str | None:
        def report(row, column, value, rule, message):
            stager.problems.append(Problem(str(path), row, column, value, rule, f"lookup {name!r}: {message}"))

        source = read(stager.con, path, lookup, report)
        if source is None:
            return None
        header = Header(source.columns)
        found = {}
        for part in ("key", "value"):
            try:
                found[part] = header.find(getattr(lookup, part))
            except UnknownColumn as exc:
                report(0, getattr(lookup, part), None, "unknown_column", f"{exc} (key {lookup._origin}.{part})")
                return None
        key = f"trim({quote(found['key'])})"
        key = f"lower({key})" if lookup.ignore_case else key
        return (f"SELECT {literal(str(path))} AS __file, __row, {key} AS k, {quote(found['value'])} AS v "
                f"FROM ({source.select})")
