"""Writing contract tables as Parquet or CSV, typed exactly as the data contract says.

The simulator hands over numpy columns in its own units (day numbers, seconds, floats) and
this module turns them into the contract's types: dates as date32, timestamps as UTC
microseconds, money rounded to cents (rates and probabilities to 4 decimals), booleans as
booleans, nulls where a value is absent (a numpy masked array, or None in a text column).
CSV text is formatted a whole column at a time for the same reason ids are (see `ids`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from tenure.contract.schemas import TABLES, Kind
from tenure.demo.ids import fixed_width_ids
from tenure.demo.timeline import SECONDS_PER_DAY

FORMATS = ("parquet", "csv")
ARROW_TYPES = {
    Kind.STRING: pa.string(),
    Kind.DATE: pa.date32(),
    Kind.TIMESTAMP: pa.timestamp("us", tz="UTC"),
    Kind.DECIMAL: pa.float64(),
    Kind.INTEGER: pa.int64(),
    Kind.BOOLEAN: pa.bool_(),
}
RATE_COLUMNS = frozenset({"probability", "rate_to_base"})  # 4 decimals; other decimals are money (2)
EVENTS_PART_ROWS = 4_000_000  # rows per events part file (a part is streamed chunk by chunk)


def arrow_table(name: str, columns: dict[str, object]) -> pa.Table:
    """A contract table from simulator columns; every contract column must be given, no other."""
    spec = TABLES[name]
    if set(columns) != set(spec.column_by_name):
        odd = sorted(set(columns) ^ set(spec.column_by_name))
        raise ValueError(f"{name}: columns {odd} do not match the contract")
    arrays = [_arrow_column(column.kind, column.name, columns[column.name]) for column in spec.columns]
    return pa.Table.from_arrays(arrays, schema=schema(name))


def schema(name: str) -> pa.Schema:
    """The Arrow schema of a contract table as the simulator writes it."""
    columns = TABLES[name].columns
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.kind], nullable=not c.required) for c in columns])


def _arrow_column(kind: Kind, name: str, values: object) -> pa.Array:
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values.cast(ARROW_TYPES[kind])
    mask = np.ma.getmaskarray(values) if isinstance(values, np.ma.MaskedArray) else None
    data = np.ma.getdata(values)
    if kind is Kind.DATE:
        data = data.astype(np.int32)
    elif kind is Kind.TIMESTAMP:
        data = data.astype(np.int64) * 1_000_000
    elif kind is Kind.DECIMAL:
        data = np.round(data.astype(np.float64), 4 if name in RATE_COLUMNS else 2)
    return pa.array(data, type=ARROW_TYPES[kind], mask=mask)


def write_table(path: Path, table: pa.Table) -> None:
    """One table (or events part) as Parquet or CSV, by the path's suffix."""
    if path.suffix == ".parquet":
        pq.write_table(table, path)
    else:
        pacsv.write_csv(_as_text(table), path)


def clear_outputs(out_dir: Path) -> None:
    """Remove files an earlier run wrote here (in either format), so no stale part is loaded."""
    for name in TABLES:
        for suffix in FORMATS:
            (out_dir / f"{name}.{suffix}").unlink(missing_ok=True)
    parts = out_dir / "events"
    if parts.is_dir():
        for suffix in FORMATS:
            for part in parts.glob(f"part-*.{suffix}"):
                part.unlink()


class EventParts:
    """Event chunks streamed into events/part-00000.<format>, part-00001, ... as they are generated.

    Each chunk is written at once (a Parquet row group, or a block of CSV lines) and a new
    part begins after `rows_per_part` rows, so memory holds one chunk however many events
    there are, and files stay few and large enough to scan fast.
    """

    def __init__(self, out_dir: Path, file_format: str, rows_per_part: int = EVENTS_PART_ROWS):
        self.folder = out_dir / "events"
        self.file_format = file_format
        self.rows_per_part = rows_per_part
        self.rows = 0
        self.parts = 0
        self._writer: pq.ParquetWriter | pacsv.CSVWriter | None = None
        self._rows_in_part = 0

    def add(self, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        if self._writer is None:
            self.folder.mkdir(exist_ok=True)
            path = self.folder / f"part-{self.parts:05d}.{self.file_format}"
            self._writer = (pq.ParquetWriter(path, table.schema) if self.file_format == "parquet"
                            else pacsv.CSVWriter(path, _as_text(table).schema))
            self.parts += 1
        self._writer.write_table(table if self.file_format == "parquet" else _as_text(table))
        self.rows += table.num_rows
        self._rows_in_part += table.num_rows
        if self._rows_in_part >= self.rows_per_part:
            self._close_part()

    def close(self) -> int:
        """Finish the last part; return the rows written (with none, no part is written)."""
        self._close_part()
        return self.rows

    def _close_part(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._writer, self._rows_in_part = None, 0


def _as_text(table: pa.Table) -> pa.Table:
    """Every column as the contract's CSV text: ISO dates, ISO timestamps with Z, true/false."""
    columns = []
    for column in table.columns:
        array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        if pa.types.is_timestamp(array.type):
            text = _iso(_numbers(array) // 1_000_000, with_time=True)
        elif pa.types.is_date32(array.type):
            text = _iso(_numbers(array) * SECONDS_PER_DAY, with_time=False)
        else:
            columns.append(array.cast(pa.string()))
            continue
        columns.append(pc.if_else(array.is_valid(), text, pa.scalar(None, pa.string())))
    return pa.Table.from_arrays(columns, names=table.column_names)


def _numbers(array: pa.Array) -> np.ndarray:
    """A date or timestamp column's underlying integers (0 where null; the caller masks those)."""
    integers = array.cast(pa.int32() if pa.types.is_date32(array.type) else pa.int64())
    return pc.fill_null(integers, 0).to_numpy().astype(np.int64)


def _iso(seconds: np.ndarray, *, with_time: bool) -> pa.StringArray:
    """Seconds since the epoch as 2024-03-05 or 2024-03-05T14:02:11Z."""
    days = seconds // SECONDS_PER_DAY
    moment = days.astype("datetime64[D]")
    year = moment.astype("datetime64[Y]").astype(np.int64) + 1970
    month = moment.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (moment - moment.astype("datetime64[M]")).astype(np.int64) + 1
    parts: list = [(year, 4), "-", (month, 2), "-", (day, 2)]
    if with_time:
        clock = seconds - days * SECONDS_PER_DAY
        parts += ["T", (clock // 3600, 2), ":", (clock // 60 % 60, 2), ":", (clock % 60, 2), "Z"]
    return fixed_width_ids(*parts)
