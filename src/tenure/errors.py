"""One error tree for tenure, translated to exit codes (CLI) or statuses (web) in one place."""

from __future__ import annotations

from dataclasses import dataclass


class TenureError(Exception):
    """Any error tenure reports to a user as a message rather than a traceback."""

    exit_code = 1


class ConfigError(TenureError):
    """The workspace configuration is missing or invalid; the message names file and key."""

    exit_code = 2


class NotFound(TenureError):
    """A workspace, table, account or file the user named does not exist."""

    exit_code = 3


class Forbidden(TenureError):
    """The current user may not see or change the thing asked for."""

    exit_code = 4


@dataclass(frozen=True)
class Problem:
    """One violation of the data contract: where it is, what value, which rule."""

    file: str
    row: int | None  # 1-based data row (the header is not counted); None for file-level problems
    column: str | None
    value: str | None
    rule: str
    message: str

    def location(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        return ", ".join(parts)


class DataContractError(TenureError):
    """Input data breaks the data contract; carries every problem found, not only the first."""

    exit_code = 5

    def __init__(self, problems: list[Problem], total_by_rule: dict[str, int] | None = None):
        self.problems = problems
        self.total_by_rule = total_by_rule or {}
        first = problems[0] if problems else None
        summary = f"{first.location()}: {first.message}" if first else "invalid data"
        count = sum(self.total_by_rule.values()) or len(problems)
        super().__init__(f"{count} problem(s) in the input; first: {summary}")
