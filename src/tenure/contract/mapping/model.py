"""Source mappings as configuration: the `sources:` section of `tenure.yaml` or of a mapping file.

    sources:
      timezone: America/New_York          # zone of timestamps written without an offset
      lookups:                            # external key -> tenure key, through another file
        stripe_account: {file: "crm_accounts*.csv", key: Stripe Customer ID, value: Account ID}
      files:
        - pattern: "stripe_subscriptions*.csv"
          table: subscriptions
          columns: {subscription_id: id, product: Plan}
          constants: {currency: USD}
          derived:
            account_id: lookup('stripe_account', customer)
            mrr: amount / interval_months
          values: {billing_period: {monthly: month, yearly: year}}
          formats: {amount: number, Created (UTC): {type: timestamp, format: "%Y-%m-%d %H:%M"}}

Everything is checked when the file is read: tables and columns exist, each contract column is
filled once, expressions parse, use only the language's functions, and fit the types of the
columns they fill. Whether a named source column exists is checked per file, when it is read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from tenure.contract.mapping.compiler import CompileError, Typed
from tenure.contract.mapping.expressions import ExpressionError, lookups_of, parse
from tenure.contract.mapping.formats import SQL_TYPE, YAML_BOOLEAN_WORDS, Format, Type, reading, type_of
from tenure.contract.mapping.names import normalize
from tenure.contract.mapping.targets import DEFAULT_KEY, compile_target, explicit_targets
from tenure.contract.schemas import TABLES
from tenure.contract.staging import quote

ENCODINGS = ("utf-8", "latin-1", "utf-16")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _expression(text: str) -> str:
    try:
        parse(text)
    except ExpressionError as exc:
        raise ValueError(f"{exc} (in {text!r})") from None
    return text


Expression = Annotated[str, AfterValidator(_expression)]


class FileOptions(_Strict):
    """How a source file is written (CSV options; Parquet and JSON need none)."""

    delimiter: str = Field(default=",", description="Field separator of CSV files: ',', ';', '|' or a tab.")
    encoding: Literal["utf-8", "latin-1", "utf-16"] = "utf-8"
    null_values: list[str] = Field(default_factory=list,
                                   description="Values that mean empty (besides an empty cell), e.g. N/A, -.")

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, value: str) -> str:
        if len(value) != 1 or value in "\"\r\n":
            raise ValueError("the delimiter is one character, e.g. ',' or ';' or '\\t'")
        return value

    @field_validator("null_values", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        return [str(v) for v in value] if isinstance(value, list) else value


class Lookup(FileOptions):
    """A file that turns an external key into a contract key (a Stripe customer id into account_id)."""

    file: str = Field(description="Glob of the lookup file among the loaded files; else a path relative "
                                  "to the mapping file (tenure.yaml: the workspace).")
    key: str = Field(description="Column of the lookup file holding the external key.")
    value: str = Field(description="Column of the lookup file holding the value (e.g. the account_id).")
    ignore_case: bool = False
    _origin: str = PrivateAttr(default="sources.lookups")
    _base: Path | None = PrivateAttr(default=None)


class FileMapping(FileOptions):
    """How the files matching `pattern` fill one contract table."""

    pattern: str | list[str] = Field(description="Glob(s) of file names, e.g. 'stripe_*.csv'.")
    table: str
    columns: dict[str, str] = Field(default_factory=dict, description="contract column: source column")
    constants: dict[str, Any] = Field(default_factory=dict, description="contract column: value")
    derived: dict[str, Expression] = Field(default_factory=dict, description="contract column: expression")
    values: dict[str, dict[str, Any]] = Field(default_factory=dict,
                                              description="contract column: {value as written: value}")
    formats: dict[str, Format] = Field(default_factory=dict, description="source column: how it is written")
    timezone: str | None = None
    _origin: str = PrivateAttr(default="sources.files")

    @field_validator("values", mode="before")
    @classmethod
    def _value_keys(cls, value: Any) -> Any:
        """Keys are matched trimmed and case-insensitively; a YAML boolean key (Yes:) stands for its words."""
        if not isinstance(value, dict):
            return value
        cleaned: dict[Any, Any] = {}
        for column, mapping in value.items():
            if not isinstance(mapping, dict):
                cleaned[column] = mapping
                continue
            keys: dict[str, Any] = {}
            for key, out in mapping.items():
                words = YAML_BOOLEAN_WORDS[key] if isinstance(key, bool) else ("" if key is None else str(key),)
                for word in words:
                    word = word if word == DEFAULT_KEY else word.strip().lower()
                    if word in keys and keys[word] != out:
                        raise ValueError(f"{column}: {word!r} is mapped twice")
                    keys[word] = out
            cleaned[column] = keys
        return cleaned

    @field_validator("pattern")
    @classmethod
    def _patterns(cls, value: str | list[str]) -> str | list[str]:
        if not value or (isinstance(value, list) and not all(p.strip() for p in value)):
            raise ValueError("give a file name pattern, e.g. 'subscriptions*.csv'")
        return value

    @model_validator(mode="after")
    def _fits_the_contract(self) -> FileMapping:
        problems = check_file_mapping(self)
        if problems:
            raise ValueError("\n".join(f"{key}: {message}" for key, message in problems))
        return self

    def patterns(self) -> list[str]:
        return [self.pattern] if isinstance(self.pattern, str) else list(self.pattern)

    def declared(self) -> dict[str, Format]:
        """Declared formats by normalized source column name."""
        return {normalize(name): fmt for name, fmt in self.formats.items()}

    def origin(self) -> str:
        return self._origin


class Mapping(_Strict):
    """The `sources:` section: lookups and file mappings (empty: files load in the data contract's format)."""

    timezone: str | None = Field(default=None, description="Zone of timestamps written without an offset.")
    lookups: dict[str, Lookup] = Field(default_factory=dict)
    files: list[FileMapping] = Field(default_factory=list)
    _base: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _lookups_known(self) -> Mapping:
        problems = []
        for i, spec in enumerate(self.files):
            for name, text in spec.derived.items():
                for used in sorted(lookups_of(parse(text)) - set(self.lookups)):
                    known = ", ".join(self.lookups) or "none is declared"
                    problems.append(f"files.{i}.derived.{name}: unknown lookup {used!r} (known: {known})")
        if problems:
            raise ValueError("\n".join(problems))
        return self.located(None, "")

    def located(self, base: Path | None, origin: str) -> Mapping:
        """Record where the mapping was read from: lookups resolve paths there, messages name it."""
        self._base = base
        for name, lookup in self.lookups.items():
            lookup._origin, lookup._base = f"{origin}sources.lookups.{name}", base
        for i, spec in enumerate(self.files):
            spec._origin = f"{origin}sources.files.{i}"
        return self


class MappingFile(_Strict):
    """A mapping file (or a preset): a `sources:` section, and what it is for."""

    description: str | None = None
    sources: Mapping


# -- checks ------------------------------------------------------------------------------------------


class _Symbolic:
    """A scope in which every name is a column: types are checked before any file is read."""

    def __init__(self, declared: dict[str, Format]):
        self.declared = declared

    def column(self, name: str, want: Type | None, pattern: str | None = None) -> Typed:
        fmt = reading(self.declared.get(normalize(name)), want, pattern)
        kind = Type.TEXT if fmt is None else type_of(fmt)
        return Typed(f"CAST({quote(name)} AS {SQL_TYPE[kind]})", kind)

    def lookup(self, name: str, key: Typed, source: str | None) -> Typed:
        return Typed("CAST(NULL AS VARCHAR)", Type.TEXT)


def check_file_mapping(spec: FileMapping) -> list[tuple[str, str]]:
    """(key, message) for every way the mapping does not fit its table."""
    if spec.table not in TABLES:
        return [("table", f"unknown table {spec.table!r}; known tables: {', '.join(sorted(TABLES))}")]
    table = TABLES[spec.table]
    problems: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for origin in ("columns", "constants", "derived", "values"):
        for name in getattr(spec, origin):
            if name not in table.column_by_name:
                problems.append((f"{origin}.{name}", f"{spec.table} has no column {name!r} "
                                 f"(its columns: {', '.join(table.column_by_name)})"))
            elif origin != "values":
                if name in seen:
                    problems.append((f"{origin}.{name}", f"{name} is already filled by {seen[name]}.{name}"))
                seen[name] = origin
    if problems:
        return problems
    scope = _Symbolic(spec.declared())
    for target in explicit_targets(spec.columns, spec.constants, dict(spec.derived)):
        try:
            compile_target(target, table.column(target.column), scope, spec.values.get(target.column))
        except CompileError as exc:
            problems.append((target.key, f"{exc} ({table.name}.{target.column} is "
                                         f"{table.column(target.column).kind.value})"))
    return problems
