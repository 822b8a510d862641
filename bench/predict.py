"""Benchmark: training rows, model training, backtest, scoring and forecast on a generated company.

    python bench/predict.py --accounts 5000 [--months 36] [--out DIR] [--reuse]

Generates and loads a company (or reuses the workspace in `--out`), then times each stage
with its peak memory: the point-in-time training rows of every monthly cutoff (built once,
then cached), `predict train`, the 12-cutoff rolling backtest with the health-score
validation and the forecast backtest, scoring today's book, and the four-quarter forecast.
Prints the backtest figures the closing notes quote.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import tempfile
from pathlib import Path

from measure import stage

from tenure.contract.load import load
from tenure.demo.simulator import generate
from tenure.metrics.calendar import index_of, month_end_of_index
from tenure.predict.dataset import first_cutoff, month_ends, training_rows
from tenure.predict.score import score
from tenure.predict.train import train
from tenure.views.predict import backtest, outlook
from tenure.workspace import Workspace


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=5_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--out", type=Path, default=None, help="Workspace folder (default: a temporary one).")
    parser.add_argument("--reuse", action="store_true", help="Reuse the workspace already built in --out.")
    args = parser.parse_args()
    root = args.out or Path(tempfile.mkdtemp(prefix="tenure-bench-predict-"))
    end = month_end_of_index(index_of(dt.date.today()) - 1)
    results: list = []
    if not (args.reuse and (root / "tenure.yaml").exists()):
        shutil.rmtree(root, ignore_errors=True)
        ws = Workspace.init(root)
        with stage(f"generate {args.accounts:,} accounts", results):
            generate(root / "data", accounts=args.accounts, months=args.months, end=end)
        with stage("load", results):
            load([root / "data"], warehouse=ws.warehouse, base_currency="USD")
        ws.close()
    ws = Workspace.open(root)
    shutil.rmtree(root / "cache", ignore_errors=True)
    shutil.rmtree(root / "models", ignore_errors=True)
    cutoffs = month_ends(first_cutoff(ws), month_end_of_index(index_of(end) - 3))
    with stage(f"training rows, {len(cutoffs)} cutoffs", results):
        rows = training_rows(ws, cutoffs)
    print(f"  {len(rows):,} account-cutoff rows, {rows['outcome'].notna().sum():,} with an outcome")
    with stage("predict train (cached rows)", results):
        version, metadata = train(ws, as_of=end)
    with stage("predict backtest", results):
        result = backtest(ws, as_of=end)
    with stage("predict score", results):
        score(ws, as_of=end)
    with stage("forecast, 1,000 draws", results):
        future = outlook(ws, as_of=end)
    overall = result.model.iloc[0]
    health = result.health.iloc[0]
    print(f"\nbacktest {result.cutoffs[0]}..{result.cutoffs[-1]}: {int(overall['rows']):,} renewals, "
          f"{int(overall['churned']):,} churned; model ROC-AUC {overall['roc_auc']:.3f}, "
          f"PR-AUC {overall['pr_auc']:.3f}, "
          f"Brier {overall['brier']:.4f} (base rate {overall['brier_base_rate']:.4f}), "
          f"lift {overall['lift_top_decile']:.2f}; health score ROC-AUC {health['roc_auc']:.3f}")
    print(f"lead time: {result.lead}")
    print(result.model.to_string(index=False))
    if not result.forecast.empty:
        f = result.forecast
        print(f"forecast backtest: GRR mean abs error {f['grr_error_pp'].abs().mean():.2f} pp, held "
              f"{int(f['grr_covered'].sum())}/{len(f)}; NRR {f['nrr_error_pp'].abs().mean():.2f} pp, held "
              f"{int(f['nrr_covered'].sum())}/{len(f)}")
    total = future.forecast["all"].iloc[-1]
    print(f"next 12 months: GRR {total['grr']:.3f} [{total['grr_low']:.3f}, {total['grr_high']:.3f}], "
          f"NRR {total['nrr']:.3f} [{total['nrr_low']:.3f}, {total['nrr_high']:.3f}]; model v{version}, "
          f"holdout {metadata['holdout'].get('roc_auc')}")


if __name__ == "__main__":
    main()
