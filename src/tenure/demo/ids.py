"""Identifiers as fixed-width strings, built a whole column at a time.

Formatting ids one Python string at a time would dominate the run time at 100 million
events, so each id column is assembled as a byte matrix (literal parts copied, numbers
written digit by digit) and handed to Arrow as a string array without copying.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

Part = str | tuple[np.ndarray, int]  # a literal, or (numbers, digits)


def width_for(count: int, minimum: int) -> int:
    """Digits needed to number `count` things, at least `minimum` (A000001 has 6)."""
    return max(minimum, len(str(max(count, 1))))


def fixed_width_ids(*parts: Part) -> pa.StringArray:
    """Strings made of literal parts and zero-padded numbers: ("A", (n, 6), "-U", (u, 4))."""
    lengths = [len(p) if isinstance(p, str) else p[1] for p in parts]
    rows = next(len(p[0]) for p in parts if not isinstance(p, str))
    width = sum(lengths)
    matrix = np.empty((rows, width), dtype=np.uint8)
    column = 0
    for part, length in zip(parts, lengths, strict=True):
        if isinstance(part, str):
            matrix[:, column:column + length] = np.frombuffer(part.encode("ascii"), dtype=np.uint8)
        else:
            numbers = np.asarray(part[0], dtype=np.int64)
            powers = 10 ** np.arange(length - 1, -1, -1, dtype=np.int64)
            matrix[:, column:column + length] = (numbers[:, None] // powers) % 10 + ord("0")
        column += length
    offsets = np.arange(rows + 1, dtype=np.int32) * width  # chunks stay far below 2 GiB of text
    return pa.StringArray.from_buffers(rows, pa.py_buffer(offsets), pa.py_buffer(matrix))


def account_digits(accounts: int) -> int:
    """Digits of the account ids of a company with this many accounts (A000001: at least 6)."""
    return width_for(accounts, 6)


def numbered(prefix: str, count: int, minimum: int) -> pa.StringArray:
    """Ids prefix + 1..count, zero-padded: numbered("A", 3, 6) → A000001, A000002, A000003."""
    return fixed_width_ids(prefix, (np.arange(1, count + 1), width_for(count, minimum)))
