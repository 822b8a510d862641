"""The renewal model: gradient-boosted trees (LightGBM) with calibrated probabilities.

One multiclass model gives, for each account, the probability that its next renewal (or, on
a monthly plan, the horizon) ends churned, contracted, flat or expanded, so the four add up
to one and the forecast can simulate them together. Probabilities are calibrated on
out-of-fold predictions grouped by account (an account never sits in both halves of a
fold), and explained with LightGBM's exact tree SHAP contributions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tenure.errors import TenureError

# columns of a feature frame that identify a row or describe its label rather than the account
NOT_FEATURES = frozenset({
    "account_id", "cutoff", "renewal_date", "health_band", "renewal_due", "outcome", "arr_before", "arr_after",
    "churn_date", "arr_at_cutoff", "arr_next_quarter",
})
# Shallow, slow, heavily regularised trees: churn data are small and noisy (a few hundred churns,
# the same account at many cutoffs), and these settings held up on demo companies and flat exports
# without per-file tuning. Leaves need at least 1/50 of the rows, between 20 and 200.
TREES = {
    "n_estimators": 200, "learning_rate": 0.04, "num_leaves": 4, "subsample": 0.8, "subsample_freq": 1,
    "colsample_bytree": 0.5, "reg_lambda": 1.0, "verbose": -1, "deterministic": True, "force_row_wise": True,
}
MIN_ROWS = 40
FOLDS = 3


@dataclass
class Model:
    """A fitted, calibrated classifier and what it needs to read new rows the way it read training rows."""

    estimator: object
    features: list[str]
    categories: dict[str, list[str]]
    classes: list[str]
    typical: dict[str, float] = field(default_factory=dict)  # medians, to say "typical" in drivers

    @classmethod
    def fit(cls, rows: pd.DataFrame, label: pd.Series, *, groups: pd.Series | None = None,
            features: list[str] | None = None, seed: int = 0) -> Model:
        """Fit on `rows` (a feature frame) against `label` (class names); `groups` keep an account in one fold."""
        from lightgbm import LGBMClassifier
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.model_selection import GroupKFold, StratifiedKFold

        label = label.astype(str)
        counts = label.value_counts()
        if len(counts) < 2:
            raise TenureError(f"cannot train: every outcome is {counts.index[0]!r}; a model needs at least two")
        if len(label) < MIN_ROWS or counts.min() < FOLDS:
            raise TenureError(f"cannot train: {len(label)} labelled rows ({_counts(counts)}); "
                              f"a model needs at least {MIN_ROWS} rows and {FOLDS} of each outcome")
        features = features if features is not None else feature_columns(rows)
        categories = {c: sorted(rows[c].dropna().astype(str).unique().tolist())
                      for c in features if is_text(rows[c])}
        model = cls(None, features, categories, sorted(counts.index))
        x = model.matrix(rows)
        if groups is not None and groups.nunique() >= FOLDS:
            splits = list(GroupKFold(FOLDS).split(x, label, groups))
        else:
            splits = list(StratifiedKFold(FOLDS, shuffle=True, random_state=seed).split(x, label))
        trees = LGBMClassifier(random_state=seed, min_child_samples=max(20, min(200, len(label) // 50)), **TREES)
        method = "isotonic" if len(label) >= 10_000 else "sigmoid"
        model.estimator = CalibratedClassifierCV(trees, method=method, cv=splits, ensemble=False).fit(x, label)
        model.typical = {c: float(x[c].median()) for c in features if c not in categories}
        return model

    def matrix(self, rows: pd.DataFrame) -> pd.DataFrame:
        """The model's columns of `rows`: numbers as floats, text as the training categories."""
        missing = [c for c in self.features if c not in rows.columns]
        if missing:
            raise TenureError(f"the rows lack the model's columns: {', '.join(missing)}")
        x = pd.DataFrame(index=rows.index)
        for c in self.features:
            if c in self.categories:
                x[c] = pd.Categorical(rows[c].astype("string"), categories=self.categories[c])
            else:
                x[c] = _numbers(rows[c])
        return x

    def probabilities(self, rows: pd.DataFrame) -> pd.DataFrame:
        """One column per outcome class (`p_<class>`), rows in the order given."""
        p = self.estimator.predict_proba(self.matrix(rows))
        return pd.DataFrame(p, index=rows.index, columns=[f"p_{c}" for c in self.estimator.classes_])

    def probability(self, rows: pd.DataFrame, outcome: str) -> np.ndarray:
        """The probability of one outcome class for each row (zero if the class never occurred in training)."""
        p = self.probabilities(rows)
        return p[f"p_{outcome}"].to_numpy() if f"p_{outcome}" in p else np.zeros(len(rows))

    def contributions(self, rows: pd.DataFrame, outcome: str) -> pd.DataFrame:
        """Each feature's SHAP contribution (log-odds) to `outcome` for each row: positive raises it."""
        trees = self.estimator.calibrated_classifiers_[0].estimator
        x = self.matrix(rows)
        raw = np.asarray(trees.predict(x, pred_contrib=True))
        width = len(self.features) + 1
        classes = list(trees.classes_)
        if outcome not in classes:
            return pd.DataFrame(0.0, index=rows.index, columns=self.features)
        if len(classes) == 2:  # binary: one set of contributions, for the second class
            sign = 1.0 if classes.index(outcome) == 1 else -1.0
            values = sign * raw[:, :width - 1]
        else:
            start = classes.index(outcome) * width
            values = raw[:, start:start + width - 1]
        return pd.DataFrame(values, index=rows.index, columns=self.features)

    def importance(self, rows: pd.DataFrame, outcome: str) -> pd.Series:
        """Mean absolute contribution of each feature to `outcome`, largest first."""
        return self.contributions(rows, outcome).abs().mean().sort_values(ascending=False)


def feature_columns(rows: pd.DataFrame) -> list[str]:
    """The columns of a feature frame a model learns from: all but identifiers and labels, and not all-empty."""
    return [c for c in rows.columns if c not in NOT_FEATURES and rows[c].notna().any()]


def is_text(column: pd.Series) -> bool:
    """Whether a column holds text categories rather than numbers or yes/no flags."""
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return False
    present = column.dropna()
    return not present.map(lambda v: isinstance(v, bool | int | float | np.number | np.bool_)).all()


def _numbers(column: pd.Series) -> pd.Series:
    """A numeric or yes/no column as float64 (flags as 1/0), empty values as NaN."""
    if pd.api.types.is_bool_dtype(column) or column.dtype == object:
        column = column.map(lambda v: np.nan if v is None or v is pd.NA else float(v))
    return pd.to_numeric(column, errors="coerce").astype("float64")


def _counts(counts: pd.Series) -> str:
    return ", ".join(f"{name} {n}" for name, n in counts.items())
