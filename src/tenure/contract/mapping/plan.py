"""Which file goes where: each loaded file to the file mappings whose pattern it matches.

A file matched by a file mapping is read through it (a file may feed several tables, one per
matching file mapping). A file no pattern matches is a data-contract file, placed by its name
or `--table` as `tenure load` always does; a file that only serves a lookup is read for that.
Every file that cannot be placed is reported at once, before anything is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tenure.contract.mapping.engine import MappedFile, Run
from tenure.contract.mapping.lookups import Lookups, matches
from tenure.contract.mapping.model import Mapping
from tenure.contract.mapping.reading import kind_of
from tenure.contract.schemas import TABLES
from tenure.contract.sources import SourceFile, collect, table_for
from tenure.errors import DataContractError, Problem


@dataclass
class Plan:
    """The sources of one load, in order, and the files read only for a lookup."""

    sources: list[SourceFile | MappedFile]
    lookup_only: list[Path] = field(default_factory=list)

    @property
    def mapped(self) -> list[MappedFile]:
        return [s for s in self.sources if isinstance(s, MappedFile)]


def plan(paths: list[Path], mapping: Mapping | None, *, table: str | None = None) -> Plan:
    """Place every file; without file mappings this is exactly the data contract's `collect`."""
    if mapping is None or not mapping.files:
        return Plan(list(collect(paths, table=table)))
    if table is not None and table not in TABLES:
        collect([], table=table)  # reports the unknown table as a plain load does
    problems: list[Problem] = []
    files: list[Path] = []
    for path in paths:
        if not path.exists():
            problems.append(Problem(str(path), None, None, None, "missing_file", "no such file or folder"))
        elif path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and kind_of(p) is not None)
            if not found:
                problems.append(Problem(str(path), None, None, None, "empty_folder",
                                        "the folder holds no .csv, .tsv, .parquet or .json files"))
            files.extend(found)
        else:
            files.append(path)
    run = Run(mapping, Lookups(mapping, files))
    result = Plan([])
    patterns = "; ".join(", ".join(spec.patterns()) for spec in mapping.files)
    for file in files:
        specs = [spec for spec in mapping.files if any(matches(file, p) for p in spec.patterns())]
        contract = file.suffix.lower() in (".csv", ".parquet")
        if specs:
            result.sources.extend(MappedFile(file, spec, run) for spec in specs)
        elif run.lookups.uses(file) and not (contract and table_for(file)):
            result.lookup_only.append(file)  # a contract file (accounts.csv) used by a lookup still loads
        elif kind_of(file) is None:
            problems.append(Problem(str(file), None, None, None, "file_type",
                                    "only .csv, .tsv, .parquet, .json, .jsonl and .ndjson files can be read"))
        else:
            target = table or table_for(file)
            if target is None or not contract:
                problems.append(Problem(str(file), None, None, None, "unknown_table",
                                        f"no file mapping matches this file (patterns: {patterns}), and its name "
                                        "is not a table of the data contract; add a file mapping or pass --table"))
            else:
                result.sources.append(SourceFile(file, target))
    if problems:
        raise DataContractError(problems)
    return result
