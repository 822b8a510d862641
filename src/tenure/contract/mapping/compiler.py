"""Compiling a parsed mapping expression to a typed DuckDB SQL expression.

Types flow from the contract column being filled (`mrr` wants a number) down into the
expression, so that a column of the export is read as what its use needs: in `amount / 12`
the column `amount` is read as a number (with its declared format, or the default one), in
`status == 'canceled'` as text. Values that do not read are reported by the mapping engine,
row by row; the compiler itself only builds SQL from whitelisted pieces: column names and
text go through `quote` and `literal`, functions map to fixed SQL.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from tenure.contract.mapping.expressions import (
    Binary,
    Call,
    Column,
    Compare,
    Cond,
    Expr,
    InList,
    IsNull,
    Literal,
    Logic,
    Unary,
)
from tenure.contract.mapping.formats import FALSE_WORDS, SQL_TYPE, TRUE_WORDS, Type
from tenure.contract.staging import literal

A = {Type.TEXT: "text", Type.NUMBER: "a number", Type.DATE: "a date", Type.TIMESTAMP: "a timestamp",
     Type.BOOLEAN: "a boolean", Type.NULL: "None"}
NUMBER_RE = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)")


class CompileError(ValueError):
    """An expression whose types do not fit (text where a number is needed, ...)."""


@dataclass(frozen=True)
class Typed:
    """A compiled expression: its SQL and the type of its value."""

    sql: str
    type: Type


class Scope(Protocol):
    """What an expression can read: the columns of one source file, and the mapping's lookups."""

    def column(self, name: str, want: Type | None, pattern: str | None = None) -> Typed:
        """The column `name` read as `want` (None: as declared, else as text); `pattern` a strptime format."""

    def lookup(self, name: str, key: Typed, source: str | None) -> Typed:
        """The value the lookup `name` gives for `key` (text); `source` the column the key is, if it is one."""


def compile_expr(node: Expr, scope: Scope, want: Type | None = None) -> Typed:
    """SQL for `node`, of type `want` where the expression allows it (the caller coerces)."""
    return _Compiler(scope).run(node, want)


def coerce(value: Typed, want: Type, what: str) -> Typed:
    """`value` as `want`: NULL fits any type, dates and timestamps convert; anything else is an error."""
    if value.type == want:
        return value
    if value.type is Type.NULL:
        return Typed(f"CAST(NULL AS {SQL_TYPE[want]})", want)
    if value.type is Type.DATE and want is Type.TIMESTAMP:
        return Typed(f"CAST({value.sql} AS TIMESTAMP)", want)
    if value.type is Type.TIMESTAMP and want is Type.DATE:
        return Typed(f"CAST({value.sql} AS DATE)", want)
    raise CompileError(f"{what} is {A[value.type]}, but {A[want]} is needed here")


def text_of(value: Typed) -> str:
    """SQL for a value written as text: whole numbers without '.0', dates and timestamps in ISO form."""
    if value.type is Type.NUMBER:
        return (f"(CASE WHEN {value.sql} = trunc({value.sql}) AND abs({value.sql}) < 1e18 "
                f"THEN CAST(CAST({value.sql} AS BIGINT) AS VARCHAR) ELSE CAST({value.sql} AS VARCHAR) END)")
    if value.type is Type.TIMESTAMP:
        return f"strftime({value.sql}, '%Y-%m-%dT%H:%M:%SZ')"
    if value.type in (Type.TEXT, Type.NULL):
        return value.sql if value.type is Type.TEXT else "CAST(NULL AS VARCHAR)"
    return f"CAST({value.sql} AS VARCHAR)"


def constant(value: object, want: Type | None, what: str) -> Typed:
    """A literal value (from an expression or a YAML constant) as SQL of the type it is, or of `want`."""
    if value is None:
        return Typed("NULL", Type.NULL)
    if isinstance(value, bool):
        return Typed("true" if value else "false", Type.BOOLEAN)
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise CompileError(f"{what}: the number is too large")
        return Typed(f"CAST({value!r} AS DOUBLE)", Type.NUMBER)
    if isinstance(value, dt.datetime):
        stamp = value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
        return Typed(f"TIMESTAMP '{stamp.isoformat(sep=' ')}'", Type.TIMESTAMP)
    if isinstance(value, dt.date):
        return Typed(f"DATE '{value.isoformat()}'", Type.DATE)
    text = str(value)
    if want in (None, Type.TEXT):
        return Typed(literal(text), Type.TEXT)
    return _text_as(text, want, what)


def _text_as(text: str, want: Type, what: str) -> Typed:
    """A text literal read as another type, checked now rather than row by row."""
    stripped = text.strip()
    try:
        if want is Type.NUMBER and NUMBER_RE.fullmatch(stripped):
            return Typed(f"CAST({float(stripped)!r} AS DOUBLE)", want)
        if want is Type.DATE:
            return Typed(f"DATE '{dt.date.fromisoformat(stripped).isoformat()}'", want)
        if want is Type.TIMESTAMP:
            return constant(dt.datetime.fromisoformat(stripped.replace("Z", "+00:00")), want, what)
    except ValueError:
        pass
    if want is Type.BOOLEAN and stripped.lower() in TRUE_WORDS + FALSE_WORDS:
        return Typed("true" if stripped.lower() in TRUE_WORDS else "false", want)
    raise CompileError(f"{text!r} is not {A[want]}")


class _Compiler:
    def __init__(self, scope: Scope):
        self.scope = scope

    def run(self, node: Expr, want: Type | None) -> Typed:
        method: Callable[[Expr, Type | None], Typed] = getattr(self, "_" + type(node).__name__.lower())
        return method(node, want)

    def want(self, node: Expr, want: Type) -> Typed:
        """Compile and coerce to `want`."""
        return coerce(self.run(node, want), want, show(node))

    # -- leaves ----------------------------------------------------------------------------------

    def _literal(self, node: Literal, want: Type | None) -> Typed:
        return constant(node.value, want, show(node))

    def _column(self, node: Column, want: Type | None) -> Typed:
        return self.scope.column(node.name, want)

    # -- operators -------------------------------------------------------------------------------

    def _unary(self, node: Unary, want: Type | None) -> Typed:
        if node.op == "not":
            return Typed(f"(NOT {self.want(node.operand, Type.BOOLEAN).sql})", Type.BOOLEAN)
        return Typed(f"(- {self.want(node.operand, Type.NUMBER).sql})", Type.NUMBER)

    def _binary(self, node: Binary, want: Type | None) -> Typed:
        if node.op == "+" and want is not Type.NUMBER:
            probe = Type.TEXT if want is Type.TEXT else None
            left, right = self.run(node.left, probe), self.run(node.right, probe)
            if {left.type, right.type} <= {Type.TEXT, Type.NULL} and want in (None, Type.TEXT):
                return Typed(f"({text_of(left)} || {text_of(right)})", Type.TEXT)
        left, right = self.want(node.left, Type.NUMBER), self.want(node.right, Type.NUMBER)
        return Typed(f"({left.sql} {node.op} {right.sql})", Type.NUMBER)

    def _compare(self, node: Compare, want: Type | None) -> Typed:
        left, right = self.run(node.left, None), self.run(node.right, None)
        if left.type != right.type and Type.NULL not in (left.type, right.type):
            if left.type is Type.TEXT:
                left = self.want(node.left, right.type)
            elif right.type is Type.TEXT:
                right = self.want(node.right, left.type)
            elif {left.type, right.type} == {Type.DATE, Type.TIMESTAMP}:
                left, right = coerce(left, Type.TIMESTAMP, ""), coerce(right, Type.TIMESTAMP, "")
            else:
                raise CompileError(f"{show(node)}: cannot compare {A[left.type]} with {A[right.type]}")
        op = {"==": "=", "!=": "<>"}.get(node.op, node.op)
        return Typed(f"({left.sql} {op} {right.sql})", Type.BOOLEAN)

    def _isnull(self, node: IsNull, want: Type | None) -> Typed:
        operand = self.run(node.operand, None)
        return Typed(f"({operand.sql} IS {'NOT ' if node.negated else ''}NULL)", Type.BOOLEAN)

    def _inlist(self, node: InList, want: Type | None) -> Typed:
        kinds = {constant(v.value, None, show(node)).type for v in node.values}
        if len(kinds) != 1:
            raise CompileError(f"{show(node)}: the values after 'in' mix types")
        kind = kinds.pop()
        operand = self.want(node.operand, kind)
        values = ", ".join(constant(v.value, kind, show(node)).sql for v in node.values)
        return Typed(f"({operand.sql} {'NOT ' if node.negated else ''}IN ({values}))", Type.BOOLEAN)

    def _logic(self, node: Logic, want: Type | None) -> Typed:
        if node.op == "or" and want is not Type.BOOLEAN:
            values = self.unify(node.values, want, show(node))
            if not all(v.type is Type.BOOLEAN for v in values):  # `a or b`: the first that is not empty
                return Typed(f"coalesce({', '.join(v.sql for v in values)})", values[0].type)
        values = [self.want(v, Type.BOOLEAN) for v in node.values]
        return Typed("(" + f" {node.op.upper()} ".join(v.sql for v in values) + ")", Type.BOOLEAN)

    def _cond(self, node: Cond, want: Type | None) -> Typed:
        test = self.want(node.test, Type.BOOLEAN)
        then, otherwise = self.unify((node.then, node.otherwise), want, show(node))
        return Typed(f"(CASE WHEN {test.sql} THEN {then.sql} ELSE {otherwise.sql} END)", then.type)

    def unify(self, nodes: tuple[Expr, ...], want: Type | None, what: str) -> list[Typed]:
        """Values of one type: `want` if given, else the type they share (text gives way to the other)."""
        if want is not None:
            values = [self.run(n, want) for n in nodes]
            types = {v.type for v in values} - {Type.NULL}
            if types <= {want}:
                return [coerce(v, want, what) for v in values]
        values = [self.run(n, None) for n in nodes]
        types = {v.type for v in values} - {Type.NULL}
        if types == {Type.DATE, Type.TIMESTAMP}:
            target = Type.TIMESTAMP
        elif len(types) == 2 and Type.TEXT in types:
            target = next(t for t in types if t is not Type.TEXT)
            values = [self.run(n, target) for n in nodes]
        elif len(types) <= 1:
            target = types.pop() if types else Type.NULL
        else:
            raise CompileError(f"{what}: the values are of different types "
                               f"({', '.join(sorted(A[t] for t in types))})")
        if target is Type.NULL:
            return values
        return [coerce(v, target, what) for v in values]

    # -- functions -------------------------------------------------------------------------------

    def _call(self, node: Call, want: Type | None) -> Typed:
        name, args = node.name, node.args
        if name == "coalesce":
            values = self.unify(args, want, show(node))
            return Typed(f"coalesce({', '.join(v.sql for v in values)})", values[0].type)
        if name in ("min", "max"):
            values = self.unify(args, want, show(node))
            function = "least" if name == "min" else "greatest"
            return Typed(f"{function}({', '.join(v.sql for v in values)})", values[0].type)
        if name in ("lower", "upper", "strip"):
            function = {"strip": "trim"}.get(name, name)
            return Typed(f"{function}({self.want(args[0], Type.TEXT).sql})", Type.TEXT)
        if name == "replace":
            parts = [self.want(a, Type.TEXT).sql for a in args]
            return Typed(f"replace({', '.join(parts)})", Type.TEXT)
        if name == "concat":
            return Typed(f"concat({', '.join(text_of(self.run(a, None)) for a in args)})", Type.TEXT)
        if name in ("contains", "starts_with"):
            text, part = self.want(args[0], Type.TEXT), self.want(args[1], Type.TEXT)
            return Typed(f"{name}({text.sql}, {part.sql})", Type.BOOLEAN)
        if name == "round":
            digits = args[1].value if len(args) == 2 else 0  # checked by the parser: 0..10
            return Typed(f"round({self.want(args[0], Type.NUMBER).sql}, {digits})", Type.NUMBER)
        if name == "abs":
            return Typed(f"abs({self.want(args[0], Type.NUMBER).sql})", Type.NUMBER)
        if name == "number":
            return self.want(args[0], Type.NUMBER)
        if name in ("date", "timestamp"):
            return self._read_as(node, Type.DATE if name == "date" else Type.TIMESTAMP)
        if name in ("months_between", "days_between"):
            start, end = self.when(args[0]), self.when(args[1])
            part = "month" if name == "months_between" else "day"
            function = "date_sub" if part == "month" else "date_diff"
            return Typed(f"CAST({function}('{part}', {start.sql}, {end.sql}) AS DOUBLE)", Type.NUMBER)
        if name in ("add_months", "add_days"):
            start, count = self.when(args[0]), self.want(args[1], Type.NUMBER)
            unit, most = ("to_months", 12_000) if name == "add_months" else ("to_days", 365_000)
            shifted = (f"(CASE WHEN abs({count.sql}) <= {most} "  # beyond: no date, rather than an engine error
                       f"THEN {start.sql} + {unit}(CAST(round({count.sql}) AS INTEGER)) END)")
            return Typed(f"CAST({shifted} AS {SQL_TYPE[start.type]})", start.type)
        if name == "lookup":
            key = self.run(args[1], Type.TEXT)
            source = args[1].name if isinstance(args[1], Column) else None
            return self.scope.lookup(args[0].value, Typed(text_of(key), Type.TEXT), source)
        raise CompileError(f"{name}() cannot be compiled")  # the parser admits only FUNCTIONS

    def when(self, node: Expr) -> Typed:
        """A date or timestamp argument (a column is read as a date)."""
        value = self.run(node, Type.DATE)
        if value.type in (Type.DATE, Type.TIMESTAMP):
            return value
        return coerce(value, Type.DATE, show(node))

    def _read_as(self, node: Call, kind: Type) -> Typed:
        source = node.args[0]
        pattern = node.args[1].value if len(node.args) == 2 else None
        if isinstance(source, Column):
            return coerce(self.scope.column(source.name, kind, pattern), kind, show(source))
        if pattern is not None:
            raise CompileError(f"{show(node)}: a format can only be given to read a column")
        return self.want(source, kind)


def show(node: Expr) -> str:
    """An expression written back as text, for messages."""
    if isinstance(node, Literal):
        return repr(node.value) if not isinstance(node.value, dt.date) else f"'{node.value.isoformat()}'"
    if isinstance(node, Column):
        return node.name if node.name.isidentifier() else f"col({node.name!r})"
    if isinstance(node, Unary):
        return f"{node.op}{' ' if node.op == 'not' else ''}{show(node.operand)}"
    if isinstance(node, Binary | Compare):
        return f"{show(node.left)} {node.op} {show(node.right)}"
    if isinstance(node, Logic):
        return f" {node.op} ".join(show(v) for v in node.values)
    if isinstance(node, IsNull):
        return f"{show(node.operand)} is {'not ' if node.negated else ''}None"
    if isinstance(node, InList):
        return f"{show(node.operand)} {'not ' if node.negated else ''}in ({', '.join(show(v) for v in node.values)})"
    if isinstance(node, Cond):
        return f"{show(node.then)} if {show(node.test)} else {show(node.otherwise)}"
    if isinstance(node, Call):
        return f"{node.name}({', '.join(show(a) for a in node.args)})"
    return "?"
