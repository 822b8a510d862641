"""The risk-tiered engagement model: each account's motion, touch cadence and expected CSM effort.

The motion is the `engagement.matrix` cell of the account's segment (its row, else the "*"
row) and health band (its column, else the row's "*", else the catch-all). With
`churn_override`, a churn probability at or above the threshold moves the account to the
override motion whatever its band. Effort is the motion's hours a month.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from tenure.operating.config import Engagement


def motion_expr(segment: ir.StringValue, band: ir.StringValue, config: Engagement) -> ir.StringValue:
    """The matrix lookup as one engine expression, with the same fallbacks as `Engagement.motion_of`."""
    catch_all = config.matrix["*"]["*"]
    cases = []
    named = {s: row for s, row in config.matrix.items() if s != "*"}
    for seg, row in named.items():
        cases += [((segment == seg) & (band == b), m) for b, m in row.items() if b != "*"]
    cases += [(segment == seg, row.get("*", catch_all)) for seg, row in named.items()]
    cases += [(band == b, m) for b, m in config.matrix["*"].items() if b != "*"]
    cases = [(ibis.coalesce(condition, False), ibis.literal(motion)) for condition, motion in cases]
    return ibis.cases(*cases, else_=ibis.literal(catch_all)) if cases else ibis.literal(catch_all)


def assign_motions(book: ir.Table, config: Engagement) -> ir.Table:
    """Add `motion`, `cadence_days`, `effort_hours` (a month) and `dedicated` to a table with
    `segment`, `band` and, optionally, `churn_probability`."""
    motion = motion_expr(book.segment, book.band, config)
    if config.churn_override is not None and "churn_probability" in book.columns:
        override = config.churn_override
        motion = ibis.ifelse(ibis.coalesce(book.churn_probability >= override.probability, False),
                             ibis.literal(override.motion), motion)
    book = book.mutate(motion=motion)

    def attribute(name: str, kind: str) -> ir.Value:
        cells = [(book.motion == m, ibis.literal(getattr(spec, name), type=kind))
                 for m, spec in config.motions.items()]
        return ibis.cases(*cells, else_=ibis.null(kind))

    return book.mutate(cadence_days=attribute("cadence_days", "int64"),
                       effort_hours=attribute("hours_per_month", "float64"),
                       dedicated=attribute("dedicated", "boolean"))
