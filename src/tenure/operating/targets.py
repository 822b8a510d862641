"""Targets that cascade from the company to segments, managers' teams and CSMs, by their book.

The cascade (all yearly figures are fractions, as in `targets:` of tenure.yaml):

1. The company holds yearly targets `targets.grr`, `targets.nrr` and `targets.expansion`
   (expansion ARR in a year as a share of the ARR at its start).
2. A segment's yearly target is its `targets.segments.<segment>` override, else the company's.
3. A book's yearly target (a CSM's, a manager's team's, a segment's) is the ARR-weighted
   average of its accounts' segment targets, each account weighted by its ARR at the period
   start: a CSM with 2M of Enterprise ARR at 95% and 1M of SMB at 85% is held to 91.7%.
   The company's own row is held to the company targets (with no segment overrides both agree).
4. A period's target comes from the yearly one: GRR and NRR compound (yearly^(months/12), so a
   90% year is a 97.4% quarter), expansion prorates (yearly × months/12).

Every result carries actual, target and the gap in percentage points (actual − target) × 100.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import ibis

from tenure.operating.book_results import book_results

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from tenure.config import Targets
    from tenure.operating.periods import Period

METRICS = ("grr", "nrr", "expansion")
COMPOUNDED = ("grr", "nrr")


def segment_target(targets: Targets, segment: str | None, metric: str) -> float:
    """A segment's yearly target for `metric` (grr, nrr, expansion): its override, else the company's."""
    if metric not in METRICS:
        raise ValueError(f"no target for {metric!r}; targets are {', '.join(METRICS)}")
    override = targets.segments.get(segment or "")
    value = getattr(override, metric) if override is not None else None
    return float(getattr(targets, metric) if value is None else value)


def period_target(yearly: float, metric: str, months: int) -> float:
    """A period's target from a yearly one: grr/nrr (and other retention rates) compound, expansion prorates."""
    return yearly * months / 12 if metric in ("expansion", "expansion_arr") else yearly ** (months / 12)


def account_targets(accounts: ir.Table, targets: Targets) -> ir.Table:
    """Add each account's yearly segment targets: `grr_target_yearly`, `nrr_target_yearly` and
    `expansion_target_yearly`."""
    columns = {}
    for metric in METRICS:
        cases = [(accounts.segment == name, ibis.literal(segment_target(targets, name, metric)))
                 for name, override in targets.segments.items() if getattr(override, metric) is not None]
        default = ibis.literal(float(getattr(targets, metric)))
        columns[f"{metric}_target_yearly"] = (ibis.cases(*cases, else_=default) if cases else default).cast("float64")
    return accounts.mutate(**columns)


def results_against_targets(accounts: ir.Table, targets: Targets, *, period: Period,
                            by: Sequence[str] = ()) -> ir.Table:
    """`book_results` per book with its targets for the period and the gaps.

    `accounts` is `book_results.period_accounts(...)` (with `manager` for team books). Added
    columns: `<m>_target_yearly` (the cascaded yearly target), `<m>_target` (the period's),
    `<m>_gap_pp` for m in grr, nrr, expansion (the expansion actual is `expansion_rate`), and
    `expansion_target_arr` = arr_start × expansion_target. With `by` empty the row is the
    company's, held to the company targets.
    """
    weighted = account_targets(accounts, targets)
    results = book_results(weighted, by=by)
    if by:
        weights = {f"_w_{m}": (weighted.arr_start * weighted[f"{m}_target_yearly"]).sum() for m in METRICS}
        sums = weighted.group_by(list(by)).aggregate(_w=weighted.arr_start.sum(), **weights)
        results = results.join(sums, list(by))
        # rounded so that a book whose accounts share one target gets exactly it, not it ± float noise
        yearly = {f"{m}_target_yearly": (results[f"_w_{m}"] / results._w).round(9) for m in METRICS}
        results = results.mutate(**yearly).drop("_w", *(f"_w_{m}" for m in METRICS))
    else:
        results = results.mutate(**{f"{m}_target_yearly": ibis.literal(float(getattr(targets, m)))
                                    for m in METRICS})
    fraction = period.months / 12
    results = results.mutate(
        grr_target=results.grr_target_yearly ** fraction,
        nrr_target=results.nrr_target_yearly ** fraction,
        expansion_target=results.expansion_target_yearly * fraction,
    )
    return results.mutate(
        expansion_target_arr=results.arr_start * results.expansion_target,
        grr_gap_pp=(results.grr - results.grr_target) * 100,
        nrr_gap_pp=(results.nrr - results.nrr_target) * 100,
        expansion_gap_pp=(results.expansion_rate - results.expansion_target) * 100,
    )
