"""Flat-table mode: how well can churn be predicted from an export with one row per customer?

Many teams start with a spreadsheet: a churn flag and whatever columns the CRM had. This
reads any such table as it comes — text categories, yes/no flags, numbers stored as text
("$1,234.50", "12%", blanks, "N/A"), dates — and reports cross-validated ROC-AUC, PR-AUC and
Brier score with the columns that matter most. Columns that cannot help are dropped with a
note (empty, constant, identifiers), and so are columns that alone predict the label almost
perfectly: in an export those are nearly always written after the fact ("churn reason",
"cancellation date"), and a model that learns them would look perfect and be useless.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from tenure.errors import NotFound, TenureError
from tenure.predict.evaluation import separation
from tenure.predict.model import Model, is_text

EMPTY = {"", "na", "n/a", "nan", "null", "none", "-", "--", "?", "#n/a", "nil", "missing"}
YES = {"yes", "y", "true", "t", "1"}
NO = {"no", "n", "false", "f", "0"}
CHURN_WORDS = ("churn", "attrit", "cancel", "lost", "left", "exit", "terminat", "closed")
PARSED_SHARE = 0.95  # a text column is numeric (or dates) when this share of its values parse
LEAK_AUC = 0.99
ID_LIKE = 0.9  # a text column whose values are this unique is an identifier
MAX_LEVELS = 50
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


@dataclass
class Evaluation:
    rows: int
    positives: int
    positive_label: str
    folds: int
    figures: dict
    importance: pd.Series
    notes: list[str] = field(default_factory=list)


def read_table(path: Path) -> pd.DataFrame:
    """A CSV (any common delimiter, UTF-8 or Latin-1), JSON-lines or Parquet file as text-preserving columns."""
    if not path.is_file():
        raise NotFound(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return pd.read_parquet(path)
    if suffix in (".jsonl", ".ndjson", ".json"):
        try:
            return pd.read_json(path, lines=suffix != ".json", dtype=False)
        except ValueError as exc:
            raise TenureError(f"{path}: not readable as JSON: {exc}") from None
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "utf-16", "latin-1"):
        try:
            text = raw.decode(encoding)
            if encoding == "utf-16" and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                continue
            break
        except UnicodeDecodeError:
            continue
    try:
        dialect = csv.Sniffer().sniff(text[:65536], delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    from io import StringIO

    try:
        frame = pd.read_csv(StringIO(text), sep=delimiter, dtype=str, keep_default_na=False)
    except pd.errors.ParserError as exc:
        raise TenureError(f"{path}: not a readable table: {exc}") from None
    if frame.empty:
        raise TenureError(f"{path}: no data rows")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def find_column(frame: pd.DataFrame, name: str, what: str) -> str:
    """The column called `name` (exactly, else ignoring case and spaces), or a clear error listing them."""
    if name in frame.columns:
        return name
    key = name.strip().lower()
    matches = [c for c in frame.columns if c.strip().lower() == key]
    if len(matches) == 1:
        return matches[0]
    raise TenureError(f"{what} column {name!r} is not in the table; columns: {', '.join(map(str, frame.columns))}")


def churn_label(values: pd.Series, positive: str | None) -> tuple[pd.Series, str]:
    """The label as True (churned) / False, and the value taken as churned. Empty labels are NaN."""
    text = values.map(lambda v: None if _empty(v) else str(v).strip())
    present = text.dropna()
    levels = sorted(present.unique(), key=str)
    if positive is not None:
        matched = [v for v in levels if v.lower() == positive.strip().lower()]
        if not matched:
            raise TenureError(f"--positive {positive!r} is not a value of the label; values: {', '.join(levels[:20])}")
        chosen = matched[0]
    elif len(levels) != 2:
        raise TenureError(f"the label has {len(levels)} distinct values ({', '.join(levels[:20])}); "
                          "say which one means churned with --positive")
    else:
        chosen = _churn_value(levels)
    return text.map(lambda v: None if pd.isna(v) else v.lower() == chosen.lower()).astype(object), chosen


def _churn_value(levels: list[str]) -> str:
    lowered = [v.lower() for v in levels]
    if set(lowered) <= YES | NO:
        return levels[lowered.index(next(v for v in lowered if v in YES))]
    worded = [v for v in levels if any(w in v.lower() for w in CHURN_WORDS)]
    if len(worded) == 1:
        return worded[0]
    raise TenureError(f"cannot tell which label value means churned ({levels[0]!r} or {levels[1]!r}); "
                      "say it with --positive")


def prepare(frame: pd.DataFrame, *, exclude: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Columns a model can learn from, typed: numbers and flags as floats, dates as days, text as categories."""
    notes, out = [], {}
    for column in frame.columns:
        if column in exclude:
            continue
        values = frame[column].map(lambda v: np.nan if _empty(v) else v)
        present = values.dropna()
        if present.empty:
            notes.append(f"{column}: dropped, always empty")
            continue
        typed, kind = _typed(values)
        if typed.dropna().nunique() <= 1:
            notes.append(f"{column}: dropped, the same value in every row")
            continue
        if kind == "text":
            levels = typed.dropna().nunique()
            if levels > 20 and levels >= ID_LIKE * typed.notna().sum():
                notes.append(f"{column}: dropped, an identifier ({levels:,} distinct values)")
                continue
            if levels > MAX_LEVELS:
                common = typed.value_counts().index[:MAX_LEVELS]
                typed = typed.where(typed.isin(common) | typed.isna(), "(other)")
                notes.append(f"{column}: {levels:,} categories, the {MAX_LEVELS} most common kept, the rest as (other)")
        out[column] = typed
    return pd.DataFrame(out, index=frame.index), notes


def _typed(values: pd.Series) -> tuple[pd.Series, str]:
    """A column as numbers (kind "number"), or as text categories (kind "text")."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype("float64"), "number"
    if pd.api.types.is_numeric_dtype(values):
        return values.astype("float64"), "number"
    if pd.api.types.is_datetime64_any_dtype(values):
        return _days(values), "number"
    present = values.dropna().astype(str).str.strip()
    lowered = present.str.lower()
    if lowered.isin(YES | NO).all():
        return values.map(lambda v: np.nan if pd.isna(v) else float(str(v).strip().lower() in YES)), "number"
    numbers = present.map(_number)
    if numbers.notna().mean() >= PARSED_SHARE:
        return values.map(lambda v: np.nan if pd.isna(v) else _number(str(v).strip())).astype("float64"), "number"
    if present.str.contains(r"\d[-/.]\d", regex=True).mean() >= PARSED_SHARE:
        dates = pd.to_datetime(present, errors="coerce", format="mixed")
        if dates.notna().mean() >= PARSED_SHARE:
            return _days(pd.to_datetime(values.astype("string").str.strip(), errors="coerce", format="mixed")), \
                "number"
    return values.map(lambda v: np.nan if pd.isna(v) else str(v).strip()), "text"


def _number(text: str) -> float:
    """A number written the way exports write them: "$1,234.50", "12%", "(300)", "1 234", "€ 5"; NaN if not one."""
    cleaned = re.sub(r"[\s$€£¥₹]|USD|EUR|GBP", "", text)
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    cleaned = cleaned.strip("()")
    percent = cleaned.endswith("%")
    cleaned = cleaned.rstrip("%")
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", cleaned):
        cleaned = cleaned.replace(",", "")
    elif re.fullmatch(r"[+-]?\d+,\d+", cleaned) and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # decimal comma
    if not NUMBER.match(cleaned):
        return np.nan
    number = float(cleaned) * (-1 if negative else 1)
    return number / 100 if percent else number


def _days(dates: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(dates, errors="coerce", utc=True)
    return ((stamps - pd.Timestamp("1970-01-01", tz="UTC")).dt.total_seconds() / 86400).astype("float64")


def _empty(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and value.strip().lower() in EMPTY


def evaluate(frame: pd.DataFrame, *, label: str, id_column: str | None = None, positive: str | None = None,
             folds: int = 5, seed: int = 0) -> Evaluation:
    """Cross-validated churn figures for a flat table, with the most important columns."""
    from sklearn.model_selection import StratifiedKFold

    label = find_column(frame, label, "label")
    exclude = [label]
    if id_column is not None:
        exclude.append(find_column(frame, id_column, "id"))
    churned, chosen = churn_label(frame[label], positive)
    notes = []
    unlabelled = int(churned.isna().sum())
    if unlabelled:
        notes.append(f"{unlabelled:,} row(s) with an empty label left out")
    keep = churned.notna()
    frame, churned = frame[keep], churned[keep].astype(bool)
    positives = int(churned.sum())
    if positives < folds or len(churned) - positives < folds:
        raise TenureError(f"{positives} churned and {len(churned) - positives} retained rows: cross-validation "
                          f"with {folds} folds needs at least {folds} of each")
    features, dropped = prepare(frame, exclude=exclude)
    notes += dropped
    features, leaks = _without_leaks(features, churned)
    notes += leaks
    if features.empty:
        raise TenureError("no column is left to learn from; " + "; ".join(notes))
    outcome = churned.map({True: "churned", False: "retained"})
    predicted = np.zeros(len(features))
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(features, outcome):
        model = Model.fit(features.iloc[train], outcome.iloc[train], features=list(features.columns), seed=seed)
        predicted[test] = model.probability(features.iloc[test], "churned")
    model = Model.fit(features, outcome, features=list(features.columns), seed=seed)
    return Evaluation(len(features), positives, chosen, folds, separation(churned, predicted),
                      model.importance(features, "churned"), notes)


def _without_leaks(features: pd.DataFrame, churned: pd.Series) -> tuple[pd.DataFrame, list[str]]:
    """Drop columns that alone separate churned from retained almost perfectly (written after the outcome)."""
    from sklearn.metrics import roc_auc_score

    notes, leaks = [], []
    y = churned.to_numpy()
    for column in features.columns:
        values = features[column]
        if is_text(values):
            if values.nunique() * 10 > len(values):
                continue  # too few rows per category to tell a leak from chance
            rate = churned.groupby(values.fillna("(empty)")).mean()
            score = values.fillna("(empty)").map(rate).to_numpy(dtype="float64")
        else:
            score = values.fillna(values.min() - 1 if values.notna().any() else 0).to_numpy(dtype="float64")
            if values.isna().any():  # emptiness itself can leak ("cancelled_at" filled only for churned)
                empty_auc = roc_auc_score(y, values.isna().to_numpy())
                if max(empty_auc, 1 - empty_auc) >= LEAK_AUC:
                    leaks.append(column)
                    notes.append(f"{column}: dropped, whether it is empty alone tells churned from retained "
                                 f"(ROC-AUC {max(empty_auc, 1 - empty_auc):.3f}); it is probably recorded after churn")
                    continue
        auc = roc_auc_score(y, score)
        if max(auc, 1 - auc) >= LEAK_AUC:
            leaks.append(column)
            notes.append(f"{column}: dropped, alone it tells churned from retained (ROC-AUC {max(auc, 1 - auc):.3f}); "
                         "it is probably recorded after churn or derived from the label")
    return features.drop(columns=leaks), notes
