"""Benchmark: account metrics and health for one day, a 12-month weekly backfill, and a pandas baseline.

    python bench/health.py --accounts 10000 --events 10000000 [--months 18] [--weeks 52] [--out DIR] [--reuse]

Generates a company with about `--events` usage events (the simulator's event density is
scaled to hit it), loads it, then times: metrics + health as of the last day; a weekly
backfill of `--weeks` snapshots; and the same day's event-based adoption metrics written
plainly in pandas from the Parquet files, as a baseline, printing the ratio and checking
that both agree. `--reuse` keeps a workspace already built in `--out`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd
from measure import stage

from tenure.contract.load import load
from tenure.demo import usage
from tenure.demo.simulator import generate
from tenure.history import backfill, dates
from tenure.views.health import health_at, metrics_at
from tenure.workspace import Workspace

EVENTS_PER_ACCOUNT_MONTH = 135  # measured at event density 1.0 (10,000 accounts × 36 months: 48.6M events)
CHECKED = ("active_users_7d", "active_users_30d", "active_users_90d", "feature_breadth_30d", "feature_breadth_90d")


def pandas_adoption(events_dir: Path, as_of: dt.date) -> pd.DataFrame:
    """Active users and feature breadth as of a day, plainly in pandas (the baseline)."""
    end = pd.Timestamp(as_of + dt.timedelta(days=1), tz="UTC")
    start = end - pd.Timedelta(days=120)
    frame = pd.read_parquet(events_dir, columns=["account_id", "user_id", "event", "timestamp", "count"],
                            filters=[("timestamp", ">=", start), ("timestamp", "<", end)])
    out = {}
    for days in (7, 30, 90):
        recent = frame[frame["timestamp"] >= end - pd.Timedelta(days=days)]
        out[f"active_users_{days}d"] = recent.groupby("account_id")["user_id"].nunique()
        if days != 7:
            out[f"feature_breadth_{days}d"] = recent.groupby("account_id")["event"].nunique()
    last_30 = frame[frame["timestamp"] >= end - pd.Timedelta(days=30)]
    out["events_30d"] = last_30.groupby("account_id")["count"].sum()
    firsts = pd.read_parquet(events_dir, columns=["account_id", "event", "timestamp"],
                             filters=[("timestamp", "<", end)]).groupby(["account_id", "event"])["timestamp"].min()
    out["features_first_used_180d"] = (firsts >= end - pd.Timedelta(days=180)).groupby("account_id").sum()
    return pd.DataFrame(out).fillna(0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=10_000_000, help="About how many usage events to generate.")
    parser.add_argument("--months", type=int, default=18)
    parser.add_argument("--weeks", type=int, default=52, help="Snapshots in the weekly backfill.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None, help="Keep the data and workspace here.")
    parser.add_argument("--reuse", action="store_true", help="Use the workspace already built in --out.")
    args = parser.parse_args()
    root = args.out or Path(tempfile.mkdtemp(prefix="tenure-bench-health-"))
    end = dt.date(2026, 9, 30)
    results: list = []
    usage.EVENT_DENSITY = args.events / (args.accounts * args.months * EVENTS_PER_ACCOUNT_MONTH)
    print(f"tenure health benchmark: {args.accounts:,} accounts, ~{args.events:,} events, {args.months} months, "
          f"in {root}")
    if not (args.reuse and (root / "workspace" / "tenure.yaml").exists()):
        with stage("generate", results):
            rows = generate(root / "data", accounts=args.accounts, months=args.months, seed=args.seed, end=end)
        print("   rows: " + ", ".join(f"{k} {v:,}" for k, v in rows.items()))
        shutil.rmtree(root / "workspace", ignore_errors=True)
        ws = Workspace.init(root / "workspace")
        with stage("load", results):
            load([root / "data"], warehouse=ws.warehouse, base_currency=ws.config.base_currency)
    else:
        ws = Workspace.open(root / "workspace")
    events = int(ws.warehouse.execute(ws.warehouse.table("events").count()))
    print(f"   events in the warehouse: {events:,}")

    with stage("metrics + health, one day", results):
        metrics = metrics_at(ws, as_of=end).cache()
        health = ws.warehouse.execute(health_at(ws, as_of=end, metrics=metrics))
    print(f"   {len(health):,} accounts scored; bands: " + ", ".join(
        f"{band} {count:,}" for band, count in health["band"].value_counts().items()))

    days = dates(end - dt.timedelta(weeks=args.weeks - 1), end, "week")
    with stage(f"backfill, {len(days)} weekly snapshots", results):
        started = time.perf_counter()
        for _day, _rows in backfill(ws, days):
            pass
    print(f"   {(time.perf_counter() - started) / len(days):.2f} s per snapshot")

    engine_subset = ws.warehouse.execute(metrics.select("account_id", *CHECKED)).set_index("account_id")
    with stage("engine: adoption metrics, one day", results):
        ws.warehouse.execute(metrics_at(ws, as_of=end))
    engine_seconds = results[-1][1]
    with stage("pandas baseline: adoption subset", results):
        baseline = pandas_adoption(root / "data" / "events", end)
    pandas_seconds = results[-1][1]
    joined = engine_subset.merge(baseline[list(CHECKED)], left_index=True, right_index=True, how="left",
                                 suffixes=("", "_pandas")).fillna(0)
    mismatches = sum(int((joined[c] != joined[f"{c}_pandas"]).sum()) for c in CHECKED)
    print(f"   pandas baseline computes a subset ({', '.join(CHECKED)}, events_30d, features_first_used_180d) "
          f"in {pandas_seconds:.2f} s; the engine all {len(metrics.columns) - 3} metrics in {engine_seconds:.2f} s: "
          f"ratio {pandas_seconds / engine_seconds:.1f}×; mismatched values on the checked subset: {mismatches}")
    print(f"{'total':<40} {sum(r[1] for r in results):8.2f} s   peak RSS {max(r[2] for r in results):8.0f} MiB")


if __name__ == "__main__":
    main()
