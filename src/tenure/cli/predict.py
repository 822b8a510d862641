"""`tenure predict train|score|backtest|evaluate`: the renewal model, its track record, flat exports."""

from __future__ import annotations

from pathlib import Path

import typer

from tenure.cli.context import AS_OF, FORMAT, Format, options, parse_date

app = typer.Typer(help="Renewal and churn prediction: train, score, backtest, evaluate a flat export.",
                  no_args_is_help=True)

FIGURES = ["rows", "churned", "churn_rate", "roc_auc", "pr_auc", "brier", "brier_base_rate", "lift_top_decile"]


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="predict")


@app.command("train")
def train(ctx: typer.Context, as_of: str = AS_OF, fmt: Format = FORMAT) -> None:
    """Train a model on past cutoffs whose outcomes are known, check it on the latest, store a new version."""
    from tenure.cli.render import console, dump_json, progress_bar
    from tenure.predict.train import train as fit_and_store

    ws = options(ctx).open()
    when = parse_date(as_of)
    with progress_bar("training set") as update:
        version, metadata = fit_and_store(ws, as_of=when, progress=update)
    if fmt is not Format.table:
        dump_json(metadata)
        return
    first, last = metadata["training_window"]
    outcomes = ", ".join(f"{k} {v:,}" for k, v in sorted(metadata["outcomes"].items()))
    console.print(f"Model v{version} stored in {ws.root / 'models'}: {metadata['rows']:,} renewals of "
                  f"{metadata['accounts']:,} accounts at {metadata['cutoffs']} monthly cutoffs {first} to {last} "
                  f"({outcomes}); {len(metadata['features'])} features.")
    holdout = metadata["holdout"]
    if "skipped" in holdout:
        console.print(f"  Holdout check skipped: {holdout['skipped']}")
    else:
        console.print(f"  Holdout ({', '.join(holdout['cutoffs'])}, trained only on what was known before): "
                      f"{_figures(holdout)}")


@app.command("score")
def score(
    ctx: typer.Context,
    as_of: str = AS_OF,
    within: int = typer.Option(90, "--renewing-within", min=1, help="Show renewals due within this many days."),
    top: int = typer.Option(15, "--top", min=1, help="Show this many of the riskiest renewals."),
    fmt: Format = FORMAT,
) -> None:
    """Score every paying account with the latest model and store it; show the riskiest renewals with drivers."""
    from tenure.predict.score import score as score_accounts

    ws = options(ctx).open()
    when = parse_date(as_of)
    version, scored = score_accounts(ws, as_of=when)
    show_riskiest(scored, version=version, as_of=when, within=within, top=top, fmt=fmt)


def show_riskiest(scored, *, version: int, as_of, within: int, top: int, fmt: Format) -> None:
    """The renewals due within `within` days, riskiest first (all scored accounts in CSV and JSON)."""
    from tenure.cli.render import console, frame

    if fmt is not Format.table:
        frame(scored, fmt=fmt)
        return
    due = scored[scored["days_to_renewal"] <= within].sort_values("churn_probability", ascending=False)
    shown = due.head(top)[["account_id", "arr", "renewal_date", "churn_probability", "expansion_probability",
                           "driver_1", "driver_2", "driver_3"]].rename(
        columns={"churn_probability": "p_churn", "expansion_probability": "p_expand"})
    console.print(f"Scored {len(scored):,} accounts as of {as_of} with model v{version}; stored in prediction_history.")
    expected = (due["arr"] * due["churn_probability"]).sum()
    frame(shown, fmt=fmt, title=f"Riskiest renewals in the next {within} days ({len(due):,} due, "
                                f"{due['arr'].sum():,.0f} ARR; expected churn {expected:,.0f})")


@app.command("backtest")
def backtest(
    ctx: typer.Context,
    as_of: str = AS_OF,
    start: str = typer.Option(None, "--from", help="First test cutoff (default: 12 months before --to)."),
    end: str = typer.Option(None, "--to", help="Last test cutoff (default: the last with a known outcome)."),
    fmt: Format = FORMAT,
) -> None:
    """Rolling-origin backtest of the model, the health score and each measure, and the GRR/NRR forecast."""
    from tenure.cli.render import console, dump_json, frame, progress_bar
    from tenure.views.predict import backtest as run_backtest

    ws = options(ctx).open()
    when = parse_date(as_of)
    first = parse_date(start, name="--from") if start else None
    last = parse_date(end, name="--to") if end else None
    with progress_bar("backtest") as update:
        result = run_backtest(ws, as_of=when, start=first, end=last, progress=update)
    if fmt is not Format.table:
        payload = {"cutoffs": result.cutoffs, "model": _records(result.model), "lead_time": result.lead,
                   "health": _records(result.health), "weights": _records(result.weights),
                   "forecast": _records(result.forecast)}
        dump_json(payload)
        return
    span = f"{result.cutoffs[0]} to {result.cutoffs[-1]}"
    frame(result.model[["by", "group", *FIGURES]], fmt=fmt,
          title=f"Churn model backtest: {len(result.cutoffs)} monthly cutoffs {span}, each trained only on outcomes "
                "known before it")
    lead = result.lead
    if lead["churns"]:
        console.print(f"  Lead time: {lead['flagged']} of {lead['churns']} churns ({lead['flagged_share']:.0%}) were "
                      f"flagged at risk before they happened, a median {lead['median_lead_days']:.0f} days ahead; "
                      f"{lead['flagged_90_days_ahead']:.0%} of churns were flagged 90 days or more ahead.")
    overall = result.model.iloc[0]
    health = result.health.iloc[0]
    if overall["roc_auc"] is not None and health["roc_auc"] is not None:
        console.print(f"  The model's ROC-AUC is {overall['roc_auc']:.3f}; the configured health score's is "
                      f"{health['roc_auc']:.3f} on the same renewals.")
    frame(result.health[["predictor", "rows", "unscored", "churned", "roc_auc", "pr_auc", "lift_top_decile"]],
          fmt=fmt, title="Health score validation: the score and each measure alone as a predictor of churn")
    frame(result.weights, fmt=fmt, title="Measure weights: configured and fitted on past outcomes (out of 100)")
    if not result.forecast.empty:
        columns = ["period", "grr_forecast", "grr_low", "grr_high", "grr_actual", "grr_error_pp",
                   "nrr_forecast", "nrr_low", "nrr_high", "nrr_actual", "nrr_error_pp"]
        shown = result.forecast[columns]
        frame(shown, fmt=fmt, title="GRR/NRR forecast backtest: next quarter forecast at each quarter start, "
                                    "80% interval, against what happened")
        f = result.forecast
        console.print(f"  Mean absolute error: GRR {f['grr_error_pp'].abs().mean():.1f} pp, NRR "
                      f"{f['nrr_error_pp'].abs().mean():.1f} pp; the 80% interval held the actual GRR in "
                      f"{int(f['grr_covered'].sum())} of {len(f)} quarters and NRR in {int(f['nrr_covered'].sum())}.")


@app.command("evaluate")
def evaluate(
    ctx: typer.Context,
    table: Path = typer.Option(..., "--table", help="A flat export: CSV, JSON lines or Parquet, one row per customer."),
    label: str = typer.Option(..., "--label", help="The column that says whether the customer churned."),
    id_column: str = typer.Option(None, "--id", help="The customer id column (never used as a predictor)."),
    positive: str = typer.Option(None, "--positive", help="The label value that means churned (default: guessed "
                                                          "from yes/no, 1/0 or words such as churned)."),
    folds: int = typer.Option(5, "--folds", min=2, max=20, help="Cross-validation folds."),
    top: int = typer.Option(10, "--top", min=1, help="Show this many of the most important columns."),
    fmt: Format = FORMAT,
) -> None:
    """How well churn can be predicted from a flat export: cross-validated ROC-AUC, PR-AUC, Brier, key columns."""
    from tenure.cli.render import console, dump_json, frame
    from tenure.predict.flat import evaluate as evaluate_table
    from tenure.predict.flat import read_table

    result = evaluate_table(read_table(table), label=label, id_column=id_column, positive=positive, folds=folds)
    importance = result.importance.head(top).rename("importance").rename_axis("column").reset_index()
    if fmt is not Format.table:
        dump_json({"rows": result.rows, "churned": result.positives, "positive_label": result.positive_label,
                   "folds": result.folds, **{k: v for k, v in result.figures.items() if k not in ("rows", "churned")},
                   "importance": _records(importance), "notes": result.notes})
        return
    console.print(f"{table}: {result.rows:,} rows, {result.positives:,} churned ('{result.positive_label}'), "
                  f"{result.folds}-fold cross-validation.")
    console.print(f"  {_figures(result.figures)}")
    frame(importance, fmt=fmt, title="Most important columns (mean absolute SHAP contribution, log-odds)")
    for note in result.notes:
        console.print(f"  Note: {note}")


def _figures(figures: dict) -> str:
    parts = []
    for key, name in (("roc_auc", "ROC-AUC"), ("pr_auc", "PR-AUC"), ("brier", "Brier")):
        if figures.get(key) is not None:
            parts.append(f"{name} {figures[key]:.3f}")
    if figures.get("brier_base_rate") is not None:
        parts.append(f"(base-rate Brier {figures['brier_base_rate']:.3f})")
    if figures.get("lift_top_decile") is not None:
        parts.append(f"lift in the riskiest decile {figures['lift_top_decile']:.1f}×")
    if figures.get("churn_rate") is not None:
        parts.append(f"churn rate {figures['churn_rate']:.1%}")
    return ", ".join(parts)


def _records(data) -> list[dict]:
    from tenure.cli.render import clean

    return [{k: clean(v) for k, v in row.items()} for row in data.to_dict(orient="records")]
