"""Renewal and GRR/NRR forecast: simulate every account's outcomes over the next quarters.

Each draw walks today's book forward one quarter at a time. An account whose renewal falls in
the quarter churns, contracts, renews flat or expands with the model's probabilities, by an
ARR change drawn from the changes seen at past renewals of that kind; an account on a monthly
plan does so with its horizon probabilities scaled to a quarter; any other account takes a
mid-term change drawn from past quarters without a renewal (add-ons, seat changes). Each draw
also shifts every churn probability by a common amount, drawn from how much churn rates have
varied between past periods beyond what sampling explains, so the intervals hold the
uncertainty of the period, not only that of individual accounts.

GRR and NRR of a quarter are those of the book at its start (new logos are not forecast):
ARR at the end from the accounts paying at the start, capped at their starting ARR for GRR,
over their starting ARR. The 12-month figure is the same over the whole window.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from tenure.metrics.calendar import index_of, month_end_of_index
from tenure.predict.train import labelled

DRAWS = 1000
INTERVAL = (10, 90)  # an 80% interval
CLASSES = ("churned", "contracted", "flat", "expanded")
QUARTER_DAYS = 91.3


@dataclass
class Experience:
    """What past cutoffs say about ARR changes: per outcome at renewals, mid-term per quarter, period swings."""

    renewal_ratios: dict[str, np.ndarray]
    mid_term_ratios: np.ndarray
    churn_logit_sd: float
    quarter_sd: dict[str, float] = field(default_factory=dict)  # how much the book's quarterly GRR and NRR varied

    @classmethod
    def learn(cls, rows: pd.DataFrame) -> Experience:
        """From training rows (features and outcomes of past cutoffs)."""
        data = labelled(rows)
        ratio = data["arr_after"] / data["arr_before"]
        renewal = {name: ratio[data["outcome"] == name].to_numpy() for name in CLASSES}
        renewal["churned"] = np.zeros(1)
        renewal = {k: (v if len(v) else np.ones(1)) for k, v in renewal.items()}
        quiet = rows[(rows["term_months"] > 1) & (rows["arr_at_cutoff"] > 0)
                     & (pd.to_datetime(rows["renewal_date"]) > rows["cutoff"].map(_quarter_end))]
        quiet = quiet[quiet["cutoff"].map(_quarter_end) <= rows["cutoff"].max()]  # quarters fully observed
        mid = (quiet["arr_next_quarter"] / quiet["arr_at_cutoff"]).to_numpy()
        return cls(renewal, mid if len(mid) else np.ones(1), _between_period_sd(data), _quarter_sd(rows))


def _quarter_sd(rows: pd.DataFrame) -> dict[str, float]:
    """Standard deviation of the book's GRR and NRR over the quarter after each past cutoff (4+ cutoffs).

    The rows are those of cutoffs whose outcomes are known, so the quarter after each is known too.
    """
    paying = rows[rows["arr_at_cutoff"] > 0]
    if paying["cutoff"].nunique() < 4:
        return {}
    by_cutoff = paying.assign(capped=np.minimum(paying["arr_next_quarter"], paying["arr_at_cutoff"])) \
        .groupby("cutoff")[["arr_at_cutoff", "capped", "arr_next_quarter"]].sum()
    start, capped, end = by_cutoff["arr_at_cutoff"], by_cutoff["capped"], by_cutoff["arr_next_quarter"]
    return {"grr": float((capped / start).std(ddof=1)), "nrr": float((end / start).std(ddof=1))}


def _quarter_end(cutoff: pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(month_end_of_index(index_of(pd.Timestamp(cutoff).date()) + 3))


def _between_period_sd(data: pd.DataFrame) -> float:
    """Spread of churn log-odds between renewal months beyond binomial noise (0 when sampling explains it).

    Each contract renewal counts once, in the month it fell due (a renewal is labelled at every
    cutoff that sees it coming, and those overlapping cutoffs would smooth the swings away).
    """
    renewals = data[data["term_months"] > 1].drop_duplicates(["account_id", "renewal_date"])
    month = pd.to_datetime(renewals["renewal_date"]).dt.to_period("M")
    per = renewals.groupby(month)["outcome"].agg(n="size", rate=lambda s: (s == "churned").mean())
    per = per[(per["rate"] > 0) & (per["rate"] < 1) & (per["n"] >= 20)]
    if len(per) < 3:
        return 0.25  # too few periods to measure: a moderate default
    logit = np.log(per["rate"] / (1 - per["rate"]))
    noise = (1 / (per["n"] * per["rate"] * (1 - per["rate"]))).mean()
    return float(np.sqrt(max(logit.var(ddof=1) - noise, 0.0)))


def quarter_windows(as_of: dt.date, quarters: int) -> list[tuple[dt.date, dt.date]]:
    """Consecutive three-month windows (start exclusive, end inclusive) from the month-end of `as_of`."""
    base = index_of(as_of) if as_of == month_end_of_index(index_of(as_of)) else index_of(as_of) - 1
    return [(month_end_of_index(base + 3 * q), month_end_of_index(base + 3 * (q + 1))) for q in range(quarters)]


def renewal_dates(book: pd.DataFrame, windows: list[tuple[dt.date, dt.date]]) -> np.ndarray:
    """accounts × quarters: whether an account's renewal (its next one, then every term after) falls in each window.

    Windows are whole months, so the month of each renewal decides its window.
    """
    first = pd.to_datetime(book["renewal_date"])
    month = (first.dt.year * 12 + first.dt.month - 1).to_numpy(dtype="float64")
    term = book["term_months"].fillna(12).clip(lower=1).to_numpy(dtype="float64")
    base = index_of(windows[0][0])
    out = np.zeros((len(book), len(windows)), dtype=bool)
    for q in range(len(windows)):
        low, high = base + 3 * q + 1, base + 3 * q + 3
        # the first renewal k ≥ 0 at or after `low`: month + k × term
        k = np.ceil(np.clip(low - month, 0, None) / term)
        out[:, q] = (month + k * term) <= high
    return out & ~np.isnan(month)[:, None]


def simulate(book: pd.DataFrame, experience: Experience, windows: list[tuple[dt.date, dt.date]], *,
             horizon_days: int, draws: int = DRAWS, seed: int = 0,
             groups: dict[str, pd.Series] | None = None) -> dict[str, pd.DataFrame]:
    """Simulated GRR, NRR and ARR movements per quarter (and over the window) for the book and its groups.

    `book` has one row per paying account: `arr`, `renewal_date`, `term_months` and `p_churned`,
    `p_contracted`, `p_flat`, `p_expanded`. Returns, for "all" and each group column, a frame with
    one row per (group, period) and the mean and interval of GRR and NRR and the expected movements.
    """
    rng = np.random.default_rng(seed)
    n, quarters = len(book), len(windows)
    arr0 = book["arr"].fillna(0).to_numpy(dtype="float64")
    monthly = (book["term_months"].fillna(12) <= 1).to_numpy()
    renews = renewal_dates(book, windows) & ~monthly[:, None]
    p = np.column_stack([book[f"p_{c}"].fillna(0).to_numpy(dtype="float64") for c in CLASSES])
    scale = QUARTER_DAYS / horizon_days
    p_monthly = p.copy()
    p_monthly[:, [0, 1, 3]] = 1 - (1 - p[:, [0, 1, 3]]) ** scale
    p_monthly[:, 2] = np.clip(1 - p_monthly[:, [0, 1, 3]].sum(axis=1), 0, 1)
    labels = {"all": pd.Series("all", index=book.index), **(groups or {})}
    codes = {name: pd.factorize(series.fillna("(none)").astype(str)) for name, series in labels.items()}
    members = {name: sparse.csr_matrix((np.ones(n), (code, np.arange(n))), shape=(len(uniques), n))
               for name, (code, uniques) in codes.items()}
    sums = {name: np.zeros((draws, len(uniques), quarters + 1, 6)) for name, (_c, uniques) in codes.items()}
    chunk = max(1, min(draws, 2_000_000 // max(n, 1)))
    for first in range(0, draws, chunk):
        size = min(chunk, draws - first)
        shift = rng.normal(0, experience.churn_logit_sd, size)
        arr = np.repeat(arr0[:, None], size, axis=1)
        for q in range(quarters):
            start = arr.copy()
            probs = np.where(monthly[:, None, None], p_monthly[:, None, :], p[:, None, :])
            probs = _shift_churn(np.broadcast_to(probs, (n, size, 4)).copy(), shift)
            outcome = _draw(rng, probs)
            ratio = _ratios(rng, outcome, experience)
            quiet = ~(renews[:, q] | monthly)
            ratio[quiet] = rng.choice(experience.mid_term_ratios, size=(int(quiet.sum()), size))
            arr = start * ratio
            _accumulate(sums, members, first, q, start, arr)
        _accumulate(sums, members, first, quarters, np.repeat(arr0[:, None], size, axis=1), arr)
    return {name: _summarise(sums[name], codes[name][1], windows,
                             experience.quarter_sd if name == "all" else {}) for name in codes}


def _shift_churn(probs: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """Move each draw's churn probability by a common log-odds shift; the other outcomes take up the rest."""
    churn = np.clip(probs[..., 0], 1e-6, 1 - 1e-6)
    moved = 1 / (1 + np.exp(-(np.log(churn / (1 - churn)) + shift[None, :])))
    rest = probs[..., 1:].sum(axis=-1)
    factor = np.where(rest > 0, (1 - moved) / np.where(rest > 0, rest, 1), 0)
    probs[..., 0] = moved
    probs[..., 1:] *= factor[..., None]
    return probs


def _draw(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """An outcome index per account and draw from its probabilities."""
    cumulative = probs.cumsum(axis=-1)
    u = rng.random(probs.shape[:-1])[..., None] * cumulative[..., -1:]
    return (u > cumulative).sum(axis=-1).clip(0, len(CLASSES) - 1)


def _ratios(rng: np.random.Generator, outcome: np.ndarray, experience: Experience) -> np.ndarray:
    ratio = np.ones(outcome.shape)
    for i, name in enumerate(CLASSES):
        hit = outcome == i
        if hit.any():
            ratio[hit] = rng.choice(experience.renewal_ratios[name], size=int(hit.sum()))
    return ratio


def _accumulate(sums, members, first: int, q: int, start: np.ndarray, end: np.ndarray) -> None:
    """Add one quarter's (or the window's) sums per group and draw: start, capped end, end, churn,
    contraction and expansion ARR."""
    loss = np.clip(start - end, 0, None)
    churn = np.where(end <= 0, start, 0.0)
    figures = [start, np.minimum(end, start), end, churn, loss - churn, np.clip(end - start, 0, None)]
    size = start.shape[1]
    for name, matrix in members.items():
        for k, values in enumerate(figures):
            sums[name][first:first + size, :, q, k] = (matrix @ values).T


def _summarise(sums: np.ndarray, groups, windows, floor: dict[str, float]) -> pd.DataFrame:
    """Mean and 80% interval per group and period. `floor` holds the standard deviation past quarters
    showed; where the simulated futures of a period spread less, they are pulled out from their mean to
    match it (a quarter's spread is also the least the whole window's may have), since what the model
    cannot know still varies. GRR stays at most 100%."""
    records = []
    labels = [f"{s + dt.timedelta(days=1):%Y-%m}..{e:%Y-%m}" for s, e in windows]
    labels.append(f"next {3 * len(windows)} months")
    low, high = INTERVAL
    for g, group in enumerate(groups):
        for q, label in enumerate(labels):
            start, capped, end, churn, contraction, expansion = (sums[:, g, q, k] for k in range(6))
            valid = start > 0
            if not valid.any():
                continue
            grr, nrr = capped[valid] / start[valid], end[valid] / start[valid]
            grr, nrr = np.minimum(_widen(grr, floor.get("grr")), 1.0), _widen(nrr, floor.get("nrr"))
            records.append({
                "group": group, "period": label, "window": "total" if q == len(windows) else "quarter",
                "arr_start": float(start.mean()), "expected_churn": float(churn.mean()),
                "expected_contraction": float(contraction.mean()), "expected_expansion": float(expansion.mean()),
                "grr": float(grr.mean()), "grr_low": float(np.percentile(grr, low)),
                "grr_high": float(np.percentile(grr, high)),
                "nrr": float(nrr.mean()), "nrr_low": float(np.percentile(nrr, low)),
                "nrr_high": float(np.percentile(nrr, high)),
            })
    return pd.DataFrame(records)


def _widen(values: np.ndarray, sd: float | None) -> np.ndarray:
    spread = values.std()
    if not sd or spread >= sd or len(values) < 2:
        return values
    mean = values.mean()
    return mean + (values - mean) * (sd / spread if spread > 0 else 1.0) + (
        0 if spread > 0 else np.random.default_rng(0).normal(0, sd, len(values)))


def renewals_by_month(book: pd.DataFrame, experience: Experience, as_of: dt.date, months: int = 12) -> pd.DataFrame:
    """Renewals due per month (next renewal only): count, ARR up, expected renewed, churned and contracted ARR,
    and expected expansion, from the model's probabilities and the changes seen at past renewals."""
    due = book[(book["term_months"].fillna(12) > 1)].copy()
    due["month"] = pd.to_datetime(due["renewal_date"]).dt.to_period("M")
    first = pd.Period(as_of, "M") + (0 if as_of != month_end_of_index(index_of(as_of)) else 1)
    due = due[(due["month"] >= first) & (due["month"] < first + months)]
    mean = {k: float(np.mean(v)) for k, v in experience.renewal_ratios.items()}
    arr = due["arr"]
    due = due.assign(
        renewals=1, arr_up=arr,
        expected_churn=arr * due["p_churned"],
        expected_contraction=arr * due["p_contracted"] * (1 - mean["contracted"]),
        expected_expansion=arr * due["p_expanded"] * (mean["expanded"] - 1)
        + arr * due["p_flat"] * max(mean["flat"] - 1, 0),
    )
    due["expected_renewed"] = due["arr_up"] - due["expected_churn"] - due["expected_contraction"] \
        + due["expected_expansion"]
    columns = ["renewals", "arr_up", "expected_renewed", "expected_churn", "expected_contraction", "expected_expansion"]
    out = due.groupby("month")[columns].sum().reindex(pd.period_range(first, periods=months, freq="M"), fill_value=0)
    out.index = out.index.astype(str)
    return out.rename_axis("month").reset_index()


def forecast_backtest(rows: pd.DataFrame, cutoffs: list[pd.Timestamp], *, horizon_days: int,
                      training_months: int | None = None, draws: int = DRAWS, seed: int = 0) -> pd.DataFrame:
    """For each past quarter start: the GRR/NRR forecast of the next quarter, made with what was known
    then, beside what happened; error in percentage points and whether the 80% interval held it."""
    from tenure.errors import TenureError
    from tenure.predict.train import fit, known_before

    records = []
    for cutoff in cutoffs:
        earlier = known_before(rows, cutoff, horizon_days, training_months)
        try:
            model = fit(earlier, seed=seed)
        except TenureError:
            continue
        book = rows[(rows["cutoff"] == cutoff) & (rows["arr_at_cutoff"] > 0)]
        book = book.assign(arr=book["arr_at_cutoff"]).join(model.probabilities(book))
        for name in CLASSES:
            if f"p_{name}" not in book:
                book[f"p_{name}"] = 0.0
        windows = quarter_windows(pd.Timestamp(cutoff).date(), 1)
        result = simulate(book, Experience.learn(earlier), windows, horizon_days=horizon_days, draws=draws,
                          seed=seed)["all"]
        quarter = result[result["window"] == "quarter"].iloc[0]
        start, end = book["arr_at_cutoff"], book["arr_next_quarter"]
        actual = {"grr": float(np.minimum(start, end).sum() / start.sum()), "nrr": float(end.sum() / start.sum())}
        record = {"cutoff": pd.Timestamp(cutoff).date(), "period": quarter["period"]}
        for measure in ("grr", "nrr"):
            record |= {
                f"{measure}_forecast": quarter[measure], f"{measure}_low": quarter[f"{measure}_low"],
                f"{measure}_high": quarter[f"{measure}_high"], f"{measure}_actual": actual[measure],
                f"{measure}_error_pp": 100 * (quarter[measure] - actual[measure]),
                f"{measure}_covered": bool(quarter[f"{measure}_low"] <= actual[measure] <= quarter[f"{measure}_high"]),
            }
        records.append(record)
    return pd.DataFrame(records)
