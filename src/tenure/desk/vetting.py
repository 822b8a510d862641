"""Deal vetting before signature: a fit score for new business, rules that flag bad fits, and what
became of flagged deals.

Pure builders (pandas over the deals, one Ibis expression for ARR on given days);
`views/desk_vetting.py` composes them for a workspace. Definitions (as implemented):

- **Attributes known at signature** (the model's only inputs): the deal's amount, use case, number
  of promised integrations and whether success criteria were agreed, from its `opportunities` row;
  the account's segment, industry, region and employees, as loaded (the account's attributes are
  read as they are now, as everywhere in tenure). Nothing that happens after the deal closes —
  usage, revenue, tickets, later opportunities — is an input.
- **Outcome** of a won new-business deal, a year on: compare the account's ARR on the first
  anniversary of the close date plus `predict.grace_days` with its ARR 30 days after the close
  (the first contract, live): *churned* (no ARR left), *contracted* (below 1 − `predict.flat_tolerance`
  of it), *expanded* (above 1 + tolerance), else *flat*. Retained = flat or expanded. A deal whose
  first contract was not live 30 days after the close is retained when the account pays on the
  anniversary. Known only once the anniversary plus grace is on or before `as_of`.
- **Fit score** of a deal: the probability that it is retained, from a logistic regression
  (`DealFit`) trained on the won new-business deals whose outcome is known on `as_of`.
- **Rules**: `no-success-criteria` (success criteria not agreed, or not recorded as agreed);
  `known-gap` (a promised integration or the use case matches the title of a feature request not
  shipped — status under review, planned, beta or declined —: one contains the other, ignoring case);
  `low-fit` (fit score below `desk.vet_min_fit`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import TYPE_CHECKING

import ibis
import numpy as np

from tenure.errors import TenureError

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

TEXT_FEATURES = ("segment", "industry", "region", "use_case")
NUMBER_FEATURES = ("employees", "amount", "integrations", "success_criteria_agreed")
FEATURES = TEXT_FEATURES + NUMBER_FEATURES
LOGGED = ("employees", "amount")  # sizes: the model reads log(1 + x)
RULES = ("no-success-criteria", "known-gap", "low-fit")
GAP_STATUSES = ("under review", "planned", "beta", "declined")
OUTCOMES = ("churned", "contracted", "flat", "expanded")
RETAINED = ("flat", "expanded")
PENDING = "pending"
LIVE_AFTER_DAYS = 30
MIN_DEALS = 20
MIN_EACH = 5
NONE = "(none)"
FLAG_COLUMNS = ["opportunity_id", "account_id", "rule", "detail", "fit_score"]
OUTCOME_COLUMNS = ["group", "deals", "open", "lost", "won", "win_rate", "won_amount", "pending", "churned",
                   "contracted", "retained", "retention_rate"]
SEPARATORS = re.compile(r"[;,|]")


def integrations(text) -> list[str]:
    """Promised integrations as a list: the text split on `;`, `,` or `|`, blanks dropped."""
    if not isinstance(text, str):
        return []
    return [part.strip() for part in SEPARATORS.split(text) if part.strip()]


def deal_features(deals: pd.DataFrame) -> pd.DataFrame:
    """The attributes known at signature (FEATURES) of each deal, indexed like `deals`.

    `deals` has the opportunity's amount, use_case, promised_integrations and
    success_criteria_agreed and the account's segment, industry, region and employees (missing
    columns are empty).
    """
    import pandas as pd

    out = pd.DataFrame(index=deals.index)
    for column in TEXT_FEATURES:
        values = deals[column] if column in deals.columns else pd.Series(None, index=deals.index, dtype=object)
        out[column] = [v.strip() if isinstance(v, str) and v.strip() else NONE for v in values]
    for column in ("employees", "amount"):
        values = deals[column] if column in deals.columns else pd.Series(np.nan, index=deals.index)
        out[column] = pd.to_numeric(values, errors="coerce").astype(float)
    promised = deals["promised_integrations"] if "promised_integrations" in deals.columns else [None] * len(deals)
    out["integrations"] = [float(len(integrations(v))) for v in promised]
    agreed = deals["success_criteria_agreed"] if "success_criteria_agreed" in deals.columns else [None] * len(deals)
    out["success_criteria_agreed"] = [_flag(v) for v in agreed]
    return out


def anniversary(day: dt.date) -> dt.date:
    """The same day a year later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def arr_on_days(lines: ir.Table, days: ir.Table) -> ir.Table:
    """ARR of an account on given days: `days` (key, account_id, day) → key, arr (0 when nothing is active).

    ARR = 12 × the MRR of the account's lines with start_date ≤ day < end_date (empty end: open).
    """
    joined = days.left_join(lines, days.account_id == lines.account_id)
    active = (joined.start_date <= joined.day) & (joined.end_date.isnull() | (joined.end_date > joined.day))
    mrr = ibis.ifelse(active, joined.mrr.cast("float64"), 0.0)
    return joined.group_by("key").aggregate(arr=(mrr.sum() * 12).fill_null(0.0))


def outcome_of(live_arr: float, later_arr: float, *, tolerance: float) -> str:
    """churned, contracted, flat or expanded: ARR a year on against ARR once live (see the module docstring)."""
    if later_arr <= 0:
        return "churned"
    if live_arr <= 0:
        return "flat"
    if later_arr < (1 - tolerance) * live_arr:
        return "contracted"
    if later_arr > (1 + tolerance) * live_arr:
        return "expanded"
    return "flat"


class DealFit:
    """Logistic regression of whether a won deal is retained a year on, on the attributes known at signature.

    Sizes are read as log(1 + x); a missing number is imputed with the training median and flagged
    in an indicator column; numbers are standardised; text is one-hot encoded (values seen fewer than
    `min_frequency` times pooled, unseen ones ignored). Learned state ends in `_`.
    """

    def __init__(self, *, c: float = 1.0, min_frequency: int = 3, max_iter: int = 2000):
        self.c = c
        self.min_frequency = min_frequency
        self.max_iter = max_iter

    def fit(self, features: pd.DataFrame, retained: pd.Series) -> DealFit:
        """Learn from deal features (deal_features) and whether each was retained (bool)."""
        from sklearn.compose import ColumnTransformer
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import OneHotEncoder, StandardScaler

        y = np.asarray(retained, dtype=bool)
        kept, lost = int(y.sum()), int((~y).sum())
        if len(y) < MIN_DEALS or min(kept, lost) < MIN_EACH:
            raise TenureError(f"cannot train the fit model: {len(y)} won deals with a known outcome ({kept} retained, "
                              f"{lost} not); it needs at least {MIN_DEALS}, with {MIN_EACH} of each")
        numbers = Pipeline([("impute", SimpleImputer(strategy="median", add_indicator=True)),
                            ("scale", StandardScaler())])
        text = OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=self.min_frequency,
                             sparse_output=False, feature_name_combiner=lambda f, c: f"{f}={c}")
        self.encoder_ = ColumnTransformer([("number", numbers, list(NUMBER_FEATURES)),
                                           ("text", text, list(TEXT_FEATURES))], verbose_feature_names_out=False)
        matrix = self.encoder_.fit_transform(self._prepared(features))
        self.model_ = LogisticRegression(C=self.c, max_iter=self.max_iter).fit(matrix, y)
        self.columns_ = [_feature_of(name) for name in self.encoder_.get_feature_names_out()]
        self.center_ = matrix.mean(axis=0)
        self.deals_ = len(y)
        self.retained_rate_ = kept / len(y)
        return self

    def probability(self, features: pd.DataFrame) -> np.ndarray:
        """The fit score of each deal: its probability of being retained a year after signature."""
        self._check()
        if len(features) == 0:
            return np.zeros(0)
        return self.model_.predict_proba(self.encoder_.transform(self._prepared(features)))[:, 1]

    def contributions(self, features: pd.DataFrame) -> pd.DataFrame:
        """Each attribute's contribution (log-odds) to each deal's fit score against the average training deal."""
        import pandas as pd

        self._check()
        matrix = self.encoder_.transform(self._prepared(features))
        parts = (matrix - self.center_) * self.model_.coef_[0]
        frame = pd.DataFrame(parts, index=features.index, columns=range(parts.shape[1]))
        return frame.T.groupby(np.asarray(self.columns_)).sum().T.reindex(columns=list(FEATURES), fill_value=0.0)

    def drivers(self, features: pd.DataFrame, *, top: int = 2) -> list[str]:
        """The attributes that pull each deal's fit score down most, in words ("success criteria agreed: no")."""
        pulls = self.contributions(features)
        out = []
        for index, row in pulls.iterrows():
            worst = [name for name, value in row.sort_values().items() if value < -0.05][:top]
            out.append("; ".join(describe(name, features.at[index, name]) for name in worst))
        return out

    def _prepared(self, features: pd.DataFrame) -> pd.DataFrame:
        missing = [c for c in FEATURES if c not in features.columns]
        if missing:
            raise TenureError(f"deal features lack {', '.join(missing)}")
        frame = features[list(FEATURES)].copy()
        for column in LOGGED:
            frame[column] = np.log1p(frame[column].astype(float).clip(lower=0))
        for column in TEXT_FEATURES:
            frame[column] = frame[column].astype(object)
        return frame

    def _check(self) -> None:
        if not hasattr(self, "model_"):
            raise TenureError("the fit model is not trained: call fit() first")


def cross_validated_auc(features: pd.DataFrame, retained: pd.Series, *, folds: int = 5, seed: int = 0) -> float | None:
    """ROC-AUC of fit scores each predicted by a model that did not see the deal (stratified folds)."""
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    y = np.asarray(retained, dtype=bool)
    k = min(folds, int(y.sum()), int((~y).sum()))
    if k < 2:
        return None
    scores = np.zeros(len(y))
    for train, test in StratifiedKFold(k, shuffle=True, random_state=seed).split(features, y):
        try:
            model = DealFit().fit(features.iloc[train], y[train])
        except TenureError:
            return None
        scores[test] = model.probability(features.iloc[test])
    return float(roc_auc_score(y, scores))


def known_gaps(requests: pd.DataFrame) -> pd.DataFrame:
    """The known-gaps list: feature requests (title, status) not shipped."""
    return requests[requests["status"].isin(GAP_STATUSES)][["title", "status"]].drop_duplicates("title")


def gap_matches(use_case, promised, gaps: pd.DataFrame) -> list[str]:
    """What a deal promised that is on the known-gaps list, in words; empty when nothing matches."""
    asked = [("promised integration", item) for item in integrations(promised)]
    if isinstance(use_case, str) and use_case.strip():
        asked.append(("use case", use_case.strip()))
    found = []
    for what, item in asked:
        needle = item.lower()
        for title, status in zip(gaps["title"], gaps["status"], strict=True):
            hay = str(title).lower()
            if needle in hay or hay in needle:
                found.append(f"{what} {item!r} matches feature request {title!r} ({status})")
    return found


def flag_deals(deals: pd.DataFrame, gaps: pd.DataFrame, *, min_fit: float) -> pd.DataFrame:
    """The rules each open deal breaks: one row per deal and rule (FLAG_COLUMNS).

    `deals` has opportunity_id, account_id, success_criteria_agreed, use_case, promised_integrations
    and fit_score (empty when no model could be trained: `low-fit` then never fires).
    """
    import pandas as pd

    rows = []
    for deal in deals.to_dict("records"):
        score = _number(deal.get("fit_score"))
        agreed = _flag(deal.get("success_criteria_agreed"))
        if agreed != 1.0:
            rows.append((deal["opportunity_id"], deal["account_id"], "no-success-criteria",
                         "success criteria not agreed" if agreed == 0.0 else "no record of agreed success criteria",
                         score))
        matches = gap_matches(deal.get("use_case"), deal.get("promised_integrations"), gaps)
        if matches:
            rows.append((deal["opportunity_id"], deal["account_id"], "known-gap", "; ".join(matches), score))
        if score is not None and score < min_fit:
            rows.append((deal["opportunity_id"], deal["account_id"], "low-fit",
                         f"fit score {score:.2f} below {min_fit:.2f}", score))
    return pd.DataFrame(rows, columns=FLAG_COLUMNS)


def vetting_outcomes(deals: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    """What became of flagged deals against unflagged ones (OUTCOME_COLUMNS), one row per group.

    `deals`: opportunity_id, status (open, won, lost), amount, outcome (OUTCOMES or `pending` for a
    won deal whose year is not up; empty otherwise); `flags`: opportunity_id, rule. Groups: `flagged`
    (any rule), `not flagged`, then `flagged: <rule>` for each rule that flagged a deal.
    """
    import pandas as pd

    flagged = set(flags["opportunity_id"])
    groups = [("flagged", deals[deals["opportunity_id"].isin(flagged)]),
              ("not flagged", deals[~deals["opportunity_id"].isin(flagged)])]
    for rule in RULES:
        ids = set(flags.loc[flags["rule"] == rule, "opportunity_id"])
        if ids:
            groups.append((f"flagged: {rule}", deals[deals["opportunity_id"].isin(ids)]))
    return pd.DataFrame([_tally(name, group) for name, group in groups], columns=OUTCOME_COLUMNS)


def _tally(name: str, group: pd.DataFrame) -> dict:
    status = group["status"].fillna("open")
    won = group[status == "won"]
    outcome = won["outcome"]
    churned, contracted = int((outcome == "churned").sum()), int((outcome == "contracted").sum())
    retained = int(outcome.isin(RETAINED).sum())
    decided = int((status == "won").sum() + (status == "lost").sum())
    known = churned + contracted + retained
    return {"group": name, "deals": len(group), "open": int((status == "open").sum()),
            "lost": int((status == "lost").sum()), "won": len(won),
            "win_rate": len(won) / decided if decided else None,
            "won_amount": float(won["amount"].astype(float).sum()), "pending": int((outcome == PENDING).sum()),
            "churned": churned, "contracted": contracted, "retained": retained,
            "retention_rate": retained / known if known else None}


def describe(feature: str, value) -> str:
    """An attribute and its value in words."""
    label = feature.replace("_", " ")
    if feature == "success_criteria_agreed":
        return f"{label}: {'unknown' if value is None or value != value else ('yes' if value else 'no')}"
    if feature == "integrations":
        return f"promised integrations: {int(value)}"
    if feature in LOGGED:
        return f"{label}: {'unknown' if value != value else f'{value:,.0f}'}"
    return f"{label}: {value}"


def _feature_of(column: str) -> str:
    """The attribute an encoded column came from (`segment=SMB` → segment, `missingindicator_x` → x)."""
    if "=" in column:
        return column.split("=", 1)[0]
    return column.removeprefix("missingindicator_")


def _flag(value) -> float:
    """1.0 for true, 0.0 for false, NaN when unknown."""
    if value is None:
        return math.nan
    if isinstance(value, str):
        text = value.strip().lower()
        return 1.0 if text in ("true", "1", "yes") else 0.0 if text in ("false", "0", "no") else math.nan
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return math.nan if math.isnan(number) else float(number != 0)


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number
