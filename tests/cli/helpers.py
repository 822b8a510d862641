"""Running the real `tenure` command as a user does, and reading what it prints.

`python -m tenure.cli.main` is not a way to run tenure: the module has no `__main__` guard, so
it imports and exits 0 without doing anything. The tests run the installed console script,
`tenure`, next to the interpreter running them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tenure.workspace import Workspace

TENURE = Path(sys.executable).parent / "tenure"
MOVEMENTS = ("new", "expansion", "contraction", "churn", "reactivation")
BRIDGE_COLUMNS = ("arr_start", *MOVEMENTS, "arr_end")
# each of the seven bridge figures is rounded to the cent on its own, so a row foots within 3.5 cents
CENTS = 0.05


@dataclass(frozen=True)
class Result:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def __str__(self) -> str:  # what a failed assertion shows
        return (f"$ tenure {' '.join(self.args)}\nexit {self.returncode}\n--- stdout\n{self.stdout}\n"
                f"--- stderr\n{self.stderr}")


def tenure(*args: object, cwd: Path, timeout: float = 300) -> Result:
    """Run `tenure ARGS...` in `cwd` (always explicit: never the repository, never a workspace by accident)."""
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "160"}
    env.pop("FORCE_COLOR", None)
    argv = tuple(str(a) for a in args)
    done = subprocess.run([str(TENURE), *argv], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    return Result(argv, done.returncode, done.stdout, done.stderr)


def _not_json(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON (RFC 8259)")


def strict_json(text: str):
    """Parse JSON as any other tool would: NaN and Infinity are not JSON."""
    return json.loads(text, parse_constant=_not_json)


def lenient_json(text: str):
    return json.loads(text)


def assert_error(result: Result, code: int, *words: str) -> None:
    """A failure reported as a message on stderr with its exit code: no traceback, every key word present."""
    assert "Traceback" not in result.output, str(result)
    assert result.returncode == code, str(result)
    message = " ".join(result.stderr.split())  # off a terminal, long messages wrap at 160 columns
    for word in words:
        assert " ".join(word.split()) in message, f"{word!r} not in the message\n{result}"


def fingerprint(root: Path) -> dict[str, tuple[int, str]]:
    """Row count and content hash of every contract table; the workspace is closed again (single writer)."""
    ws = Workspace.open(root)
    try:
        return ws.warehouse.fingerprint()
    finally:
        ws.close()


def all_tables(root: Path) -> set[str]:
    """Every table in the workspace's warehouse, contract or derived."""
    ws = Workspace.open(root)
    try:
        return set(ws.warehouse.backend.list_tables())
    finally:
        ws.close()


def row_count(root: Path, table: str) -> int:
    ws = Workspace.open(root)
    try:
        return int(ws.warehouse.raw().execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
    finally:
        ws.close()
