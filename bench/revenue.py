"""Benchmark: generate a company, load it, compute the revenue metrics; print time and memory.

    python bench/revenue.py --accounts 10000 [--months 36] [--event-density 1.0] [--out DIR]

Prints rows per table, seconds per stage and the peak resident memory of each stage
(sampled from /proc), so that regressions in speed or memory show up as figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import tempfile
from pathlib import Path

from measure import stage

from tenure.contract.load import load
from tenure.demo import usage
from tenure.demo.simulator import generate
from tenure.views.cohorts import cohort_table
from tenure.views.renewals import renewal_table
from tenure.views.revenue import revenue_summary
from tenure.workspace import Workspace


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--event-density", type=float, default=1.0,
                        help="Scale the simulator's product-usage events (rows grow about in proportion).")
    parser.add_argument("--out", type=Path, default=None, help="Keep the workspace here (default: a temp dir).")
    args = parser.parse_args()
    root = args.out or Path(tempfile.mkdtemp(prefix="tenure-bench-"))
    end = dt.date(2026, 9, 30)
    as_of = end
    results: list = []
    usage.EVENT_DENSITY = args.event_density
    print(f"tenure revenue benchmark: {args.accounts:,} accounts, {args.months} months, in {root}")

    with stage("generate", results):
        rows = generate(root / "data", accounts=args.accounts, months=args.months, seed=args.seed, end=end)
    print("   rows: " + ", ".join(f"{k} {v:,}" for k, v in rows.items()))
    shutil.rmtree(root / "workspace", ignore_errors=True)  # a fresh warehouse on every run
    ws = Workspace.init(root / "workspace")
    with stage("load (validate + apply)", results):
        load([root / "data"], warehouse=ws.warehouse, base_currency=ws.config.base_currency)
    with stage("revenue summary + bridge", results):
        summary = revenue_summary(ws, as_of=as_of)
    with stage("revenue by segment", results):
        revenue_summary(ws, as_of=as_of, by="segment")
    with stage("revenue by product", results):
        revenue_summary(ws, as_of=as_of, by="product")
    with stage("cohorts (quarterly)", results):
        cohorts = cohort_table(ws, as_of=as_of, period="quarter")
    with stage("renewals", results):
        renewals = renewal_table(ws, as_of=as_of)
    h = summary.headline
    print(f"   ARR {h['arr']:,.0f}  GRR {h['grr']:.3f}  NRR {h['nrr']:.3f}  logo churn {h['logo_churn']:.3f}  "
          f"cohort rows {len(cohorts):,}  renewals {len(renewals):,}")
    total = sum(r[1] for r in results)
    print(f"{'total':<28} {total:8.2f} s   peak RSS {max(r[2] for r in results):8.0f} MiB")


if __name__ == "__main__":
    main()
