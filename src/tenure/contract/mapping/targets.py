"""Where each contract column of a mapped file comes from, and its SQL.

A contract column is filled by exactly one of: a rename (`columns: {account_id: Customer ID}`),
a constant (`constants: {currency: USD}`), an expression (`derived: {mrr: amount / 12}`), or,
when the mapping names it nowhere, the source column of the same name. A value map
(`values: {status: {Attrited Customer: churned}}`) then rewrites the value as written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tenure.contract.mapping.compiler import Scope, Typed, coerce, compile_expr, constant, show, text_of
from tenure.contract.mapping.expressions import Column as ColumnRef
from tenure.contract.mapping.expressions import Expr, Literal, parse
from tenure.contract.mapping.formats import Type
from tenure.contract.schemas import Column, Kind
from tenure.contract.staging import literal

WANT = {Kind.STRING: Type.TEXT, Kind.DATE: Type.DATE, Kind.TIMESTAMP: Type.TIMESTAMP, Kind.DECIMAL: Type.NUMBER,
        Kind.INTEGER: Type.NUMBER, Kind.BOOLEAN: Type.BOOLEAN}
ORIGINS = ("columns", "constants", "derived")
DEFAULT_KEY = "*"


@dataclass(frozen=True)
class Target:
    """One contract column of a mapped file and what fills it."""

    column: str
    origin: str  # columns | constants | derived | same name
    node: Expr
    key: str  # the mapping key that says so, e.g. "derived.mrr"

    @property
    def source(self) -> str | None:
        """The source column, for a rename or a column taken by its name."""
        return self.node.name if isinstance(self.node, ColumnRef) else None

    def label(self) -> str:
        """How problems name the column: `Customer ID (account_id)`, `mrr (derived)`."""
        if self.source is not None:
            return self.column if self.source == self.column else f"{self.source} ({self.column})"
        return f"{self.column} ({'constant' if self.origin == 'constants' else 'derived'})"


def explicit_targets(columns: dict[str, str], constants: dict[str, object],
                     derived: dict[str, str]) -> list[Target]:
    """The targets a file mapping names (expressions already checked by the model)."""
    targets = [Target(name, "columns", ColumnRef(source), f"columns.{name}") for name, source in columns.items()]
    targets += [Target(name, "constants", Literal(value), f"constants.{name}") for name, value in constants.items()]
    targets += [Target(name, "derived", parse(text), f"derived.{name}") for name, text in derived.items()]
    return targets


def compile_target(target: Target, column: Column, scope: Scope, values: dict[str, object] | None) -> Typed:
    """SQL for a contract column: of the column's type, or text that the contract's own parser reads."""
    want = WANT[column.kind]
    if values is not None:
        written = compile_expr(target.node, scope, Type.TEXT)
        return Typed(value_map(text_of(written), values), Type.TEXT)
    value = compile_expr(target.node, scope, want)
    if value.type in (want, Type.TEXT):
        return value
    if want is Type.TEXT:
        return Typed(text_of(value), Type.TEXT)
    return coerce(value, want, show(target.node))


def value_map(text: str, values: dict[str, object]) -> str:
    """SQL replacing a value as written (trimmed, case-insensitive) by its mapped value; `*` maps any other."""
    branches = []
    for key, out in values.items():
        if key == DEFAULT_KEY:
            continue
        branches.append(f"WHEN {literal(key)} THEN {_mapped(out)}")
    otherwise = _mapped(values[DEFAULT_KEY]) if DEFAULT_KEY in values else text
    if not branches:
        return f"(CASE WHEN {text} IS NULL THEN NULL ELSE {otherwise} END)"
    return f"(CASE WHEN {text} IS NULL THEN NULL ELSE (CASE lower(trim({text})) {' '.join(branches)} " \
           f"ELSE {otherwise} END) END)"


def _mapped(out: object) -> str:
    if out is None:
        return "CAST(NULL AS VARCHAR)"
    if isinstance(out, bool):
        return literal("true" if out else "false")
    if isinstance(out, dt.date | int | float):
        return text_of(constant(out, None, "value"))
    return literal(str(out))

