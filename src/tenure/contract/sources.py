"""Finding input files and telling which contract table each one feeds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tenure.contract.schemas import TABLES
from tenure.errors import DataContractError, Problem

SUFFIXES = (".csv", ".parquet")


@dataclass(frozen=True)
class SourceFile:
    """One input file and the contract table it is loaded into."""

    path: Path
    table: str

    @property
    def format(self) -> str:
        return self.path.suffix.lower().lstrip(".")


def table_for(path: Path) -> str | None:
    """The table a file feeds, from its name: `subscriptions.csv`, `events_2024-01.parquet`.

    Files inside a folder named after a table (`events/part-00001.parquet`) feed that table.
    """
    stem = path.stem.lower()
    if stem in TABLES:
        return stem
    for name in sorted(TABLES, key=len, reverse=True):
        if stem.startswith(name) and stem[len(name)] in "_-.":
            return name
    parent = path.parent.name.lower()
    return parent if parent in TABLES else None


def collect(paths: list[Path], *, table: str | None = None) -> list[SourceFile]:
    """Expand files and folders into source files, each assigned to a table.

    A folder contributes its CSV and Parquet files and those of sub-folders named after a
    table. Every file that cannot be placed is reported at once, before anything is read.
    """
    if table is not None and table not in TABLES:
        known = ", ".join(sorted(TABLES))
        raise DataContractError([Problem("--table", None, None, table, "unknown_table",
                                         f"unknown table {table!r}; known tables: {known}")])
    problems: list[Problem] = []
    found: list[SourceFile] = []
    for path in paths:
        if not path.exists():
            problems.append(Problem(str(path), None, None, None, "missing_file", "no such file or folder"))
            continue
        files = _files_in(path) if path.is_dir() else [path]
        if path.is_dir() and not files:
            problems.append(Problem(str(path), None, None, None, "empty_folder",
                                    "the folder holds no .csv or .parquet files"))
        for file in files:
            if file.suffix.lower() not in SUFFIXES:
                problems.append(Problem(str(file), None, None, None, "file_type",
                                        "only .csv and .parquet files can be loaded"))
                continue
            target = table or table_for(file)
            if target is None:
                problems.append(Problem(str(file), None, None, None, "unknown_table",
                                        "cannot tell the table from the file name; name the file after "
                                        "a table (e.g. subscriptions.csv) or pass --table"))
                continue
            found.append(SourceFile(file, target))
    if problems:
        raise DataContractError(problems)
    return found


def _files_in(folder: Path) -> list[Path]:
    files = [p for p in sorted(folder.iterdir()) if p.is_file() and p.suffix.lower() in SUFFIXES]
    for sub in sorted(folder.iterdir()):
        if sub.is_dir() and sub.name.lower() in TABLES:
            files.extend(p for p in sorted(sub.iterdir()) if p.is_file() and p.suffix.lower() in SUFFIXES)
    return files
