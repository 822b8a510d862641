"""Printing data-contract problems: grouped by rule, capped, with file, row, column and value.

One problem per line, so that messages stay readable in a narrow terminal and greppable in
a CI log.
"""

from __future__ import annotations

from collections import defaultdict

from rich.markup import escape

from tenure.cli.render import errors
from tenure.errors import DataContractError, Problem

VALUE_WIDTH = 60


def describe(problem: Problem) -> str:
    """`file, row 4, column mrr, value '-5': must be at least 0 [range]`."""
    where = problem.location()
    if problem.value is not None:
        value = problem.value if len(problem.value) <= VALUE_WIDTH else problem.value[:VALUE_WIDTH - 3] + "..."
        where += f", value {value!r}"
    return f"{where}: {problem.message} [{problem.rule}]"


def show_warnings(warnings: list[Problem], totals: dict[str, int], *, examples: int = 3) -> None:
    """Warnings grouped by rule: the count and the first few rows of each."""
    grouped: dict[str, list[Problem]] = defaultdict(list)
    for warning in warnings:
        grouped[warning.rule].append(warning)
    errors.print("[yellow]Warnings (the data was loaded anyway):[/]")
    for rule, found in grouped.items():
        count = next((n for where, n in totals.items() if where.endswith(f": {rule}")), len(found))
        errors.print(f"  [bold]{rule}[/]: {count:,} row(s); for example:")
        for warning in found[:examples]:
            errors.print("    " + escape(describe(warning)), highlight=False, soft_wrap=True)


def show_problems(exc: DataContractError) -> None:
    """Every problem, grouped by rule, then the count per rule; nothing was loaded."""
    grouped: dict[str, list[Problem]] = defaultdict(list)
    for problem in exc.problems:
        grouped[problem.rule].append(problem)
    errors.print("[bold red]The load was rejected; the warehouse is unchanged.[/]")
    for rule, problems in grouped.items():
        errors.print(f"[bold]rule {rule}[/]:")
        for problem in problems:
            errors.print("  " + escape(describe(problem)), highlight=False, soft_wrap=True)
    if exc.total_by_rule:
        errors.print("[bold]rows per rule[/] (the first 10 of each are listed above):")
        for where, count in exc.total_by_rule.items():
            errors.print(f"  {escape(where)}: {count:,}", highlight=False)
