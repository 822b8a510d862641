"""The mapping expression language: a small, safe subset of Python expression syntax.

An expression derives one contract column from the columns of a source file, e.g.
`amount / interval_months` or `canceled_at or current_period_end if status == 'canceled' else None`.
The text is parsed by Python's own parser (`ast.parse(mode="eval")`, which only builds a syntax
tree and never runs anything), then every node is checked against a whitelist and turned into
this module's own small tree. Nothing is ever evaluated in Python: the tree is compiled to a
DuckDB SQL expression (`compiler.py`), so a 10-million-row export is mapped in the engine.

Grammar (Python's precedence):

    expr      := cond
    cond      := or_expr ["if" or_expr "else" cond]
    or_expr   := and_expr ("or" and_expr)*
    and_expr  := not_expr ("and" not_expr)*
    not_expr  := "not" not_expr | compare
    compare   := sum (("==" | "!=" | "<" | "<=" | ">" | ">=") sum)*
               | sum ["not"] "in" "(" literal ("," literal)* ")"
               | sum "is" ["not"] "None"
    sum       := term (("+" | "-") term)*
    term      := unary (("*" | "/" | "%") unary)*
    unary     := ("-" | "+") unary | atom
    atom      := NUMBER | STRING | True | False | None | NAME | NAME "(" [expr ("," expr)*] ")" | "(" expr ")"

A NAME is a column of the source file (matched case-insensitively, and with spaces and
punctuation read as `_`: `monthly_amount` is the column "Monthly Amount"); `col('Exact Name')`
names any column. `true`, `false` and `null` are literals too. Calls are limited to FUNCTIONS.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

MAX_LENGTH = 2000
MAX_DEPTH = 100

# name -> (fewest, most) arguments; None: any number
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "coalesce": (1, None),
    "lower": (1, 1),
    "upper": (1, 1),
    "strip": (1, 1),
    "replace": (3, 3),
    "concat": (1, None),
    "contains": (2, 2),
    "starts_with": (2, 2),
    "round": (1, 2),
    "abs": (1, 1),
    "min": (2, None),
    "max": (2, None),
    "number": (1, 1),
    "date": (1, 2),
    "timestamp": (1, 2),
    "months_between": (2, 2),
    "days_between": (2, 2),
    "add_months": (2, 2),
    "add_days": (2, 2),
    "lookup": (2, 2),
    "col": (1, 1),
}

LITERAL_NAMES = {"true": True, "false": False, "null": None, "none": None}

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Mod: "%"}
_COMPARE = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_REFUSED = {
    ast.Attribute: "attribute access ('.') is not allowed",
    ast.Subscript: "subscripts ('[...]') are not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.NamedExpr: "assignment (':=') is not allowed",
    ast.JoinedStr: "f-strings are not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.Await: "await is not allowed",
    ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed",
    ast.Starred: "starred arguments ('*x') are not allowed",
    ast.Dict: "dictionaries are not allowed",
    ast.Set: "sets are not allowed",
    ast.Slice: "slices are not allowed",
}
_OPERATOR_NAMES = {ast.FloorDiv: "'//'", ast.Pow: "'**'", ast.LShift: "'<<'", ast.RShift: "'>>'",
                   ast.BitOr: "'|'", ast.BitAnd: "'&'", ast.BitXor: "'^'", ast.MatMult: "'@'", ast.Invert: "'~'"}


class ExpressionError(ValueError):
    """An expression that is not valid in the mapping language; the message says why."""


# -- the tree ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expr:
    """A node of a parsed expression."""


@dataclass(frozen=True)
class Literal(Expr):
    value: object  # str, int, float, bool, None, datetime.date


@dataclass(frozen=True)
class Column(Expr):
    name: str  # as written: a NAME, or the argument of col('...')


@dataclass(frozen=True)
class Unary(Expr):
    op: str  # "-" or "not"
    operand: Expr


@dataclass(frozen=True)
class Binary(Expr):
    op: str  # + - * / %
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Logic(Expr):
    op: str  # "and" or "or"
    values: tuple[Expr, ...]


@dataclass(frozen=True)
class Compare(Expr):
    op: str  # == != < <= > >=
    left: Expr
    right: Expr


@dataclass(frozen=True)
class IsNull(Expr):
    operand: Expr
    negated: bool


@dataclass(frozen=True)
class InList(Expr):
    operand: Expr
    values: tuple[Literal, ...]
    negated: bool


@dataclass(frozen=True)
class Cond(Expr):
    test: Expr
    then: Expr
    otherwise: Expr


@dataclass(frozen=True)
class Call(Expr):
    name: str
    args: tuple[Expr, ...]


# -- parsing ----------------------------------------------------------------------------------------


def parse(text: str) -> Expr:
    """Parse an expression of the mapping language, or raise ExpressionError saying what is wrong."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("the expression is empty")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is longer than {MAX_LENGTH} characters")
    source = " ".join(text.strip().splitlines())
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        where = f" at character {exc.offset}" if exc.offset else ""
        raise ExpressionError(f"not a valid expression: {exc.msg}{where}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("the expression is nested too deeply") from None
    return _convert(tree.body, 0)


def columns_of(expr: Expr) -> set[str]:
    """The column names an expression reads."""
    found: set[str] = set()
    _walk(expr, lambda node: found.add(node.name) if isinstance(node, Column) else None)
    return found


def lookups_of(expr: Expr) -> set[str]:
    """The names of the lookups an expression calls."""
    found: set[str] = set()

    def visit(node: Expr) -> None:
        if isinstance(node, Call) and node.name == "lookup":
            first = node.args[0]
            if isinstance(first, Literal) and isinstance(first.value, str):
                found.add(first.value)

    _walk(expr, visit)
    return found


def _walk(node: Expr, visit) -> None:
    visit(node)
    for child in _children(node):
        _walk(child, visit)


def _children(node: Expr) -> tuple[Expr, ...]:
    if isinstance(node, Unary | IsNull):
        return (node.operand,)
    if isinstance(node, Binary | Compare):
        return (node.left, node.right)
    if isinstance(node, Logic):
        return node.values
    if isinstance(node, InList):
        return (node.operand, *node.values)
    if isinstance(node, Cond):
        return (node.test, node.then, node.otherwise)
    if isinstance(node, Call):
        return node.args
    return ()


def _convert(node: ast.AST, depth: int) -> Expr:
    if depth > MAX_DEPTH:
        raise ExpressionError(f"the expression is nested more than {MAX_DEPTH} levels deep")
    for kind, message in _REFUSED.items():
        if isinstance(node, kind):
            raise ExpressionError(message)
    down = depth + 1
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool | int | float | str) or node.value is None:
            return Literal(node.value)
        raise ExpressionError(f"literal {node.value!r} is not allowed (only numbers, 'text', True, False, None)")
    if isinstance(node, ast.Name):
        return _name(node.id)
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.Not):
            return Unary("not", _convert(node.operand, down))
        if isinstance(node.op, ast.USub):
            operand = _convert(node.operand, down)
            if isinstance(operand, Literal) and isinstance(operand.value, int | float) \
                    and not isinstance(operand.value, bool):
                return Literal(-operand.value)
            return Unary("-", operand)
        if isinstance(node.op, ast.UAdd):
            return _convert(node.operand, down)
        raise ExpressionError(f"operator {_OPERATOR_NAMES.get(type(node.op), type(node.op).__name__)} "
                              "is not supported")
    if isinstance(node, ast.BinOp):
        op = _BINARY.get(type(node.op))
        if op is None:
            name = _OPERATOR_NAMES.get(type(node.op), type(node.op).__name__)
            raise ExpressionError(f"operator {name} is not supported (use + - * / %)")
        return Binary(op, _convert(node.left, down), _convert(node.right, down))
    if isinstance(node, ast.BoolOp):
        op = "and" if isinstance(node.op, ast.And) else "or"
        return Logic(op, tuple(_convert(v, down) for v in node.values))
    if isinstance(node, ast.Compare):
        return _compare(node, down)
    if isinstance(node, ast.IfExp):
        return Cond(_convert(node.test, down), _convert(node.body, down), _convert(node.orelse, down))
    if isinstance(node, ast.Call):
        return _call(node, down)
    if isinstance(node, ast.Tuple | ast.List):
        raise ExpressionError("a list of values is only allowed after 'in' or 'not in'")
    raise ExpressionError(f"{type(node).__name__} is not allowed in an expression")


def _name(name: str) -> Expr:
    if name.startswith("__"):
        raise ExpressionError(f"names starting with '__' are not allowed ({name!r})")
    if name.lower() in LITERAL_NAMES:
        return Literal(LITERAL_NAMES[name.lower()])
    return Column(name)


def _compare(node: ast.Compare, depth: int) -> Expr:
    parts: list[Expr] = []
    left_node = node.left
    for op, right_node in zip(node.ops, node.comparators, strict=True):
        left = _convert(left_node, depth)
        if isinstance(op, ast.In | ast.NotIn):
            if not isinstance(right_node, ast.Tuple | ast.List) or not right_node.elts:
                raise ExpressionError("'in' needs a list of values, e.g. status in ('canceled', 'unpaid')")
            values = []
            for element in right_node.elts:
                value = _convert(element, depth + 1)
                if not isinstance(value, Literal) or value.value is None:
                    raise ExpressionError("the values after 'in' must be literal numbers or 'text'")
                values.append(value)
            parts.append(InList(left, tuple(values), isinstance(op, ast.NotIn)))
        elif isinstance(op, ast.Is | ast.IsNot):
            right = _convert(right_node, depth)
            if not (isinstance(right, Literal) and right.value is None):
                raise ExpressionError("'is' only compares with None; use == to compare values")
            parts.append(IsNull(left, isinstance(op, ast.IsNot)))
        else:
            right = _convert(right_node, depth)
            symbol = _COMPARE[type(op)]
            if isinstance(right, Literal) and right.value is None and symbol in ("==", "!="):
                parts.append(IsNull(left, symbol == "!="))
            elif isinstance(left, Literal) and left.value is None and symbol in ("==", "!="):
                parts.append(IsNull(right, symbol == "!="))
            else:
                parts.append(Compare(symbol, left, right))
        left_node = right_node
    return parts[0] if len(parts) == 1 else Logic("and", tuple(parts))


def _call(node: ast.Call, depth: int) -> Expr:
    for kind, message in _REFUSED.items():
        if isinstance(node.func, kind):
            raise ExpressionError(message)
    if not isinstance(node.func, ast.Name):
        if isinstance(node.func, ast.Attribute):
            raise ExpressionError("attribute access ('.') is not allowed")
        raise ExpressionError("only the functions of the mapping language can be called")
    name = node.func.id
    if name.startswith("__"):
        raise ExpressionError(f"names starting with '__' are not allowed ({name!r})")
    if name not in FUNCTIONS:
        raise ExpressionError(f"unknown function {name!r} (known: {', '.join(sorted(FUNCTIONS))})")
    if node.keywords:
        raise ExpressionError(f"{name}(): keyword arguments are not allowed")
    args = tuple(_convert(a, depth) for a in node.args)
    fewest, most = FUNCTIONS[name]
    if len(args) < fewest or (most is not None and len(args) > most):
        wanted = str(fewest) if fewest == most else f"{fewest} or more" if most is None else f"{fewest} to {most}"
        raise ExpressionError(f"{name}() takes {wanted} argument(s), got {len(args)}")
    if name in ("col", "lookup"):
        first = args[0]
        if not (isinstance(first, Literal) and isinstance(first.value, str) and first.value):
            what = "a column name" if name == "col" else "the name of a lookup"
            raise ExpressionError(f"{name}(): the first argument must be {what} in quotes")
        if name == "col":
            return Column(first.value)
    if name in ("date", "timestamp") and len(args) == 2:
        fmt = args[1]
        if not (isinstance(fmt, Literal) and isinstance(fmt.value, str) and "%" in fmt.value):
            raise ExpressionError(f"{name}(): the second argument must be a strptime format in quotes, "
                                  "e.g. '%d/%m/%Y'")
    if name == "round" and len(args) == 2:
        digits = args[1]
        if not (isinstance(digits, Literal) and isinstance(digits.value, int) and not isinstance(digits.value, bool)
                and 0 <= digits.value <= 10):
            raise ExpressionError("round(): the number of digits must be a whole number from 0 to 10")
    return Call(name, args)
