"""Versioned models in the workspace: `models/renewal-v<N>.joblib` beside its metadata JSON.

A version is never overwritten, so a score can always be traced to the model that made it
and the window that model learned from.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tenure.errors import NotFound

if TYPE_CHECKING:
    from pathlib import Path

    from tenure.predict.model import Model
    from tenure.workspace import Workspace

FOLDER = "models"
NAME = re.compile(r"^renewal-v(\d+)\.json$")


@dataclass
class StoredModel:
    version: int
    model: Model
    metadata: dict


def versions(ws: Workspace) -> list[int]:
    folder = ws.root / FOLDER
    if not folder.is_dir():
        return []
    return sorted(int(m.group(1)) for p in folder.iterdir() if (m := NAME.match(p.name)))


def save(ws: Workspace, model: Model, metadata: dict) -> int:
    """Store a new version; returns its number."""
    import joblib

    folder = ws.root / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    version = (versions(ws) or [0])[-1] + 1
    metadata = {"version": version, **metadata}
    _write(folder / f"renewal-v{version}.joblib", lambda p: joblib.dump(model, p))
    _write(folder / f"renewal-v{version}.json",
           lambda p: p.write_text(json.dumps(metadata, indent=2, default=str), encoding="utf-8"))
    return version


def latest(ws: Workspace, *, required: bool = True) -> StoredModel | None:
    """The newest stored model, or None (or a clear error when `required`) before the first `predict train`."""
    import joblib

    found = versions(ws)
    if not found:
        if required:
            raise NotFound(f"no model in {ws.root / FOLDER}; run `tenure predict train` first")
        return None
    version = found[-1]
    folder = ws.root / FOLDER
    metadata = json.loads((folder / f"renewal-v{version}.json").read_text(encoding="utf-8"))
    return StoredModel(version, joblib.load(folder / f"renewal-v{version}.joblib"), metadata)


def _write(path: Path, write) -> None:
    """Write through a temporary file so a crash never leaves half a model under the real name."""
    temporary = path.with_name(path.name + ".tmp")
    write(temporary)
    temporary.replace(path)
