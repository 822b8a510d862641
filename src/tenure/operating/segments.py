"""Segmentation: the segment of every paying account at a date, from the rules in `segments:`.

The first rule whose every condition holds names the segment; an account with a `segment`
loaded from the source system keeps it (a manual segment overrides the rules); an account no
rule matches is `segments.unmatched`. ARR conditions use the ARR at the date asked for, so a
segment history is reproducible; the other attributes are the account's loaded values.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from tenure.errors import ConfigError
from tenure.operating.config import SegmentRule, Segments

ATTRIBUTE_KEYS = {"industry": "industry", "region": "region"}


def segment_accounts(accounts: ir.Table, arr: ir.Table, config: Segments) -> ir.Table:
    """One row per account of `arr` (account_id, arr): its `segment` and where it came from.

    `segment_source` is `loaded` (the account's own segment), `rule N` (1-based, the rule that
    matched) or `unmatched`.
    """
    joined = arr.left_join(accounts, arr.account_id == accounts.account_id).drop("account_id_right")
    cases = [(_matches(joined, rule, i), ibis.literal(rule.name)) for i, rule in enumerate(config.rules)]
    sources = [(condition, ibis.literal(f"rule {i + 1}")) for i, (condition, _) in enumerate(cases)]
    by_rule = ibis.cases(*cases, else_=ibis.literal(config.unmatched)) if cases else ibis.literal(config.unmatched)
    rule_source = ibis.cases(*sources, else_=ibis.literal("unmatched")) if sources else ibis.literal("unmatched")
    if "segment" in joined.columns:
        loaded = joined.segment.strip().nullif("")
        segment = ibis.coalesce(loaded, by_rule)
        source = ibis.ifelse(loaded.notnull(), ibis.literal("loaded"), rule_source)
    else:
        segment, source = by_rule, rule_source
    return joined.select("account_id", "arr", segment=segment, segment_source=source)


def _matches(table: ir.Table, rule: SegmentRule, index: int) -> ir.BooleanValue:
    """Every condition of the rule, ANDed; a condition on an attribute the account lacks is false."""
    holds = ibis.literal(True)
    if rule.arr_min is not None:
        holds &= table.arr >= rule.arr_min
    if rule.arr_max is not None:
        holds &= table.arr < rule.arr_max
    for bound, op in ((rule.employees_min, "ge"), (rule.employees_max, "lt")):
        if bound is not None:
            column = _column(table, "employees", index)
            holds &= ibis.coalesce(column >= bound if op == "ge" else column < bound, False)
    wanted = {key: getattr(rule, key) for key in ATTRIBUTE_KEYS if getattr(rule, key) is not None}
    wanted.update(rule.where)
    for name, values in wanted.items():
        holds &= ibis.coalesce(_column(table, name, index).cast("string").isin(values), False)
    return holds


def _column(table: ir.Table, name: str, index: int) -> ir.Column:
    if name not in table.columns:
        raise ConfigError(f"tenure.yaml: key 'segments.rules.{index}': the accounts table has no column {name!r} "
                          f"(columns: {', '.join(c for c in table.columns if c != 'arr')})")
    return table[name]
