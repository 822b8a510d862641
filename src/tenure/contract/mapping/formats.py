"""How the text of a source column is read as a number, date, timestamp or boolean.

Exports write values their own way: "$1,234.50", "1.234,50 €", "(120.00)", "12%", "01/31/2024",
"Jan 31, 2024 3:04 PM", "Yes". A format says how one source column is written; reading it is
a DuckDB SQL expression that gives the typed value, or NULL when the text does not fit the
format (the mapping reports those cells as problems, row by row).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from tenure.contract.currencies import ISO_4217
from tenure.contract.staging import TS_BODY, TS_OFFSET, literal


class Type(StrEnum):
    """The type of a value inside the mapping engine."""

    TEXT = "text"
    NUMBER = "number"  # computed in double precision; stored with the contract's 4 decimals
    DATE = "date"
    TIMESTAMP = "timestamp"  # UTC, without zone, as the contract stores it
    BOOLEAN = "boolean"
    NULL = "null"  # the literal None: fits any type


SQL_TYPE = {Type.TEXT: "VARCHAR", Type.NUMBER: "DOUBLE", Type.DATE: "DATE", Type.TIMESTAMP: "TIMESTAMP",
            Type.BOOLEAN: "BOOLEAN", Type.NULL: "VARCHAR"}

TRUE_WORDS = ("true", "t", "yes", "y", "1", "on")
FALSE_WORDS = ("false", "f", "no", "n", "0", "off")
# YAML 1.1 reads yes/no/on/off/true/false as booleans: such a word in a list stands for all of its kind
YAML_BOOLEAN_WORDS = {True: ("true", "yes", "on"), False: ("false", "no", "off")}
# none holds '.', ',' or '-', so that in a valid number those can only be separators and signs
CURRENCY_SYMBOLS = ("US$", "A$", "C$", "NZ$", "HK$", "S$", "R$", "kr", "zł", "Kč",
                    "$", "€", "£", "¥", "₹", "₩", "₽", "₺", "₪", "₫", "₴", "₦", "฿", "₱")
SPACES = " \u00a0\u202f"
RULES = {Type.NUMBER: "number_format", Type.DATE: "date_format", Type.TIMESTAMP: "timestamp_format",
         Type.BOOLEAN: "boolean_format"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TextFormat(_Strict):
    """Text as written (the default of every column)."""

    type: Literal["text"] = "text"


class NumberFormat(_Strict):
    """A number: `decimal` separator, optional grouping, currency symbol or code, %, parentheses negatives."""

    type: Literal["number"] = "number"
    decimal: Literal[".", ","] = Field(default=".", description="The decimal separator.")
    thousands: str | None = Field(
        default=None, description="Characters accepted between groups of three digits; default: ',' (or '.' "
        "with a decimal comma), spaces and the apostrophe. '' accepts none.")

    @field_validator("thousands")
    @classmethod
    def _not_the_decimal(cls, value: str | None, info) -> str | None:
        if value is not None and any(ch.isdigit() for ch in value):
            raise ValueError("thousands separators cannot be digits")
        return value

    def grouping(self) -> str:
        if self.thousands is not None:
            return self.thousands.replace(self.decimal, "")
        return ("," if self.decimal == "." else ".") + SPACES + "'"


class DateFormat(_Strict):
    """A date, by strptime pattern(s) (`%d/%m/%Y`); default ISO (YYYY-MM-DD, a time after it is ignored)."""

    type: Literal["date"] = "date"
    format: str | list[str] | None = None

    @field_validator("format")
    @classmethod
    def _check_patterns(cls, value):
        return _patterns(value)


class TimestampFormat(_Strict):
    """A timestamp, by strptime pattern(s), `epoch` (seconds) or `epoch_ms`; default ISO 8601.

    Times written without an offset are local times of `timezone` (or of the source's, the
    mapping's, or the load's --timezone) and are stored in UTC.
    """

    type: Literal["timestamp"] = "timestamp"
    format: str | list[str] | None = None
    timezone: str | None = None

    @field_validator("format")
    @classmethod
    def _check_patterns(cls, value):
        if value in ("epoch", "epoch_ms", "iso"):
            return value
        return _patterns(value)


class BooleanFormat(_Strict):
    """A boolean: the words (case-insensitive) that mean true and false."""

    type: Literal["boolean"] = "boolean"
    true_values: list[str] = Field(default_factory=lambda: list(TRUE_WORDS))
    false_values: list[str] = Field(default_factory=lambda: list(FALSE_WORDS))

    @field_validator("true_values", "false_values", mode="before")
    @classmethod
    def _words(cls, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        words: list[str] = []
        for item in value:
            if isinstance(item, bool):
                words.extend(YAML_BOOLEAN_WORDS[item])
            else:
                words.append(str(item))
        return [w.strip().lower() for w in words]


def _patterns(value: str | list[str] | None) -> str | list[str] | None:
    for pattern in [value] if isinstance(value, str) else value or []:
        if "%" not in pattern:
            raise ValueError(f"{pattern!r} is not a strptime pattern (e.g. '%d/%m/%Y')")
    return value


def _shorthand(value: Any) -> Any:
    """`Amount: number` is `Amount: {type: number}`."""
    return {"type": value} if isinstance(value, str) else value


Format = Annotated[
    Annotated[TextFormat | NumberFormat | DateFormat | TimestampFormat | BooleanFormat, Field(discriminator="type")],
    BeforeValidator(_shorthand),
]

DEFAULTS: dict[Type, Any] = {Type.TEXT: TextFormat(), Type.NUMBER: NumberFormat(), Type.DATE: DateFormat(),
                             Type.TIMESTAMP: TimestampFormat(), Type.BOOLEAN: BooleanFormat()}


def type_of(fmt: Any) -> Type:
    return Type(fmt.type)


def describe(fmt: Any) -> str:
    """What a value of this format looks like, for problem messages."""
    if isinstance(fmt, NumberFormat):
        example = "1,234.50" if fmt.decimal == "." else "1.234,50"
        return f"a number like {example} (decimal {fmt.decimal!r}; $, € or a currency code, %, and (…) " \
               "for negatives allowed)"
    if isinstance(fmt, DateFormat):
        return f"a date in the format {_patterns_text(fmt.format)}" if fmt.format else \
            "an ISO date (YYYY-MM-DD)"
    if isinstance(fmt, TimestampFormat):
        if fmt.format in (None, "iso"):
            return "an ISO 8601 timestamp (e.g. 2024-03-01T09:30:00Z)"
        if fmt.format in ("epoch", "epoch_ms"):
            unit = "seconds" if fmt.format == "epoch" else "milliseconds"
            return f"a Unix time in {unit}"
        return f"a timestamp in the format {_patterns_text(fmt.format)}"
    if isinstance(fmt, BooleanFormat):
        return f"a boolean ({', '.join(fmt.true_values)} / {', '.join(fmt.false_values)})"
    return "text"


def _patterns_text(patterns: str | list[str]) -> str:
    return " or ".join(repr(p) for p in ([patterns] if isinstance(patterns, str) else patterns))


# -- reading: SQL ---------------------------------------------------------------------------------------


def read_sql(fmt: Any, raw: str, *, timezone: str | None) -> tuple[str, str | None]:
    """SQL giving the typed value of `raw` (NULL when it does not fit), and for timestamps without a
    known zone, SQL that is true when the value is a valid local time that lacks an offset."""
    text = f"trim({raw})"
    if isinstance(fmt, NumberFormat):
        return _number(fmt, text), None
    if isinstance(fmt, DateFormat):
        return _date(fmt, text), None
    if isinstance(fmt, TimestampFormat):
        return _timestamp(fmt, text, timezone)
    if isinstance(fmt, BooleanFormat):
        trues = ", ".join(literal(w) for w in fmt.true_values)
        falses = ", ".join(literal(w) for w in fmt.false_values)
        return f"(CASE WHEN lower({text}) IN ({trues}) THEN true WHEN lower({text}) IN ({falses}) THEN false END)", None
    return raw, None


def _class(chars: str) -> str:
    return "".join("\\" + ch if ch in r"\^]-[" else ch for ch in chars)


def _currency_pattern() -> str:
    symbols = sorted(CURRENCY_SYMBOLS, key=len, reverse=True)
    escaped = ["".join("\\" + ch if ch in r".$^*+?()[]{}|\\" else ch for ch in s) for s in symbols]
    return "(?:" + "|".join(escaped + sorted(ISO_4217)) + ")"


def number_pattern(fmt: NumberFormat) -> str:
    """An RE2 pattern for the text of a number (without parentheses), groups: sign, sign, digits, %."""
    group = _class(fmt.grouping())
    dec = "\\" + fmt.decimal
    digits = (rf"\d{{1,3}}(?:[{group}]\d{{3}})+(?:{dec}\d*)?|\d+(?:{dec}\d*)?|{dec}\d+" if group
              else rf"\d+(?:{dec}\d*)?|{dec}\d+")
    cur = _currency_pattern()
    return rf"^([-+]?)\s*(?:{cur})?\s*([-+]?)\s*({digits})\s*(?:{cur})?\s*(%?)$"


def _number(fmt: NumberFormat, text: str) -> str:
    """Validate the whole text with one (fast, DFA-run) match; then take the digits with plain string
    functions: in a valid value '-' can only be a sign and '%' only a percent sign."""
    paren = f"(starts_with({text}, '(') AND ends_with({text}, ')'))"
    inner = f"(CASE WHEN {paren} THEN trim(substr({text}, 2, length({text}) - 2)) ELSE {text} END)"
    valid = f"regexp_full_match({inner}, {literal(number_pattern(fmt))})"
    digits = f"regexp_replace({inner}, {literal('[^0-9' + _class(fmt.decimal) + ']')}, '', 'g')"
    if fmt.decimal == ",":
        digits = f"replace({digits}, ',', '.')"
    signs = f"length({inner}) - length(replace(replace({inner}, '-', ''), '+', ''))"
    negative = f"({paren} OR contains({inner}, '-'))"
    plain = f"regexp_full_match({text}, '-?\\d{{1,15}}(\\{fmt.decimal}\\d{{1,15}})?')"
    plain_value = f"CAST({text} AS DOUBLE)" if fmt.decimal == "." else f"CAST(replace({text}, ',', '.') AS DOUBLE)"
    return (
        f"(CASE WHEN {plain} THEN {plain_value} "
        f"WHEN {valid} AND {signs} <= 1 AND NOT ({paren} AND contains({inner}, '-')) THEN "
        f"TRY_CAST({digits} AS DOUBLE) * (CASE WHEN {negative} THEN -1 ELSE 1 END) "
        f"/ (CASE WHEN contains({inner}, '%') THEN 100 ELSE 1 END) END)"
    )


def _date(fmt: DateFormat, text: str) -> str:
    if not fmt.format:
        return (f"(CASE WHEN regexp_full_match({text}, '\\d{{4}}-\\d{{2}}-\\d{{2}}([T ].*)?') "
                f"THEN TRY_CAST(substr({text}, 1, 10) AS DATE) END)")
    return f"CAST(try_strptime({text}, {_format_list(fmt.format)}) AS DATE)"


def _timestamp(fmt: TimestampFormat, text: str, timezone: str | None) -> tuple[str, str | None]:
    if fmt.format in (None, "iso"):
        iso = rf"regexp_replace({text}, '^(\d{{4}}-\d{{2}}-\d{{2}}[T ]\d{{2}}:\d{{2}})([Zz+-]|$)', '\1:00\2')"
        iso = f"regexp_replace({iso}, 'z$', 'Z')"
        zoned = (f"(CASE WHEN regexp_full_match({iso}, '{TS_BODY}{TS_OFFSET}') "
                 f"THEN timezone('UTC', TRY_CAST({iso} AS TIMESTAMPTZ)) END)")
        naive = f"(CASE WHEN regexp_full_match({iso}, '{TS_BODY}') THEN TRY_CAST({iso} AS TIMESTAMP) END)"
    elif fmt.format in ("epoch", "epoch_ms"):
        scale, digits = ("", 11) if fmt.format == "epoch" else (" / 1000", 14)  # within years 0001-5000
        zoned = (f"(CASE WHEN regexp_full_match({text}, '-?\\d{{1,{digits}}}(\\.\\d+)?') "
                 f"THEN timezone('UTC', to_timestamp(CAST({text} AS DOUBLE){scale})) END)")
        naive = None
    else:
        patterns = [fmt.format] if isinstance(fmt.format, str) else fmt.format
        with_zone = [p for p in patterns if "%z" in p or "%Z" in p]
        without = [p for p in patterns if p not in with_zone]
        zoned = f"timezone('UTC', try_strptime({text}, {_format_list(with_zone)}))" if with_zone else None
        naive = f"try_strptime({text}, {_format_list(without)})" if without else None
    if naive is None:
        return zoned or "NULL::TIMESTAMP", None
    if timezone is not None:
        local = f"timezone('UTC', timezone({literal(timezone)}, {naive}))"
        return (f"coalesce({zoned}, {local})" if zoned else local), None
    return (zoned or "NULL::TIMESTAMP"), f"({naive}) IS NOT NULL"


def _format_list(patterns: str | list[str]) -> str:
    items = [patterns] if isinstance(patterns, str) else patterns
    return "[" + ", ".join(literal(p) for p in items) + "]"


def reading(declared: Any | None, want: Type | None, pattern: str | None = None) -> Any | None:
    """The format a column is read with where an expression needs `want` (None: the column's own type).

    None means the text as written: a column read as text, or one without a declared format
    where no other type is needed. Otherwise the declared format, or the default one of the type
    needed; a strptime `pattern` given in the expression (`date(signup, '%d/%m/%Y')`) wins.
    """
    if pattern is not None:
        return DateFormat(format=pattern) if want is Type.DATE else TimestampFormat(format=pattern)
    if want is Type.TEXT:
        return None
    if declared is not None and not isinstance(declared, TextFormat):
        return declared
    if want is None or want is Type.NULL:
        return None
    return DEFAULTS[want] if want in DEFAULTS and want is not Type.TEXT else None
