"""A workspace: a folder holding `tenure.yaml` and, by default, the DuckDB warehouse.

The Workspace wires configuration to the warehouse; it holds no business logic, so the CLI,
the web app and Python users all reach the same engines through it.
"""

from __future__ import annotations

from pathlib import Path

from tenure.config import CONFIG_FILE, Config, default_yaml, load_config, parse_config
from tenure.errors import ConfigError, NotFound
from tenure.warehouse import Warehouse

WAREHOUSE_FILE = "warehouse.duckdb"


class Workspace:
    """A loaded workspace: its folder, validated config and warehouse connection."""

    def __init__(self, root: Path, config: Config, *, warehouse_url: str | None = None):
        self.root = root
        self.config = config
        url = warehouse_url or config.warehouse
        self.warehouse = Warehouse(url) if url else Warehouse.duckdb_file(root / WAREHOUSE_FILE)

    @classmethod
    def open(cls, root: Path | None = None, *, warehouse_url: str | None = None) -> Workspace:
        """Open the workspace in `root`, or in the current directory."""
        root = (root or Path.cwd()).resolve()
        if not (root / CONFIG_FILE).is_file():
            raise NotFound(f"{root} is not a tenure workspace (no {CONFIG_FILE}); "
                           "run `tenure init DIR` or pass --workspace DIR")
        return cls(root, load_config(root / CONFIG_FILE), warehouse_url=warehouse_url)

    @classmethod
    def init(cls, root: Path, *, base_currency: str = "USD", warehouse_url: str | None = None) -> Workspace:
        """Create a workspace folder with a default, commented `tenure.yaml`."""
        path = root / CONFIG_FILE
        blocking = next((p for p in (root, *root.parents) if p.exists() and not p.is_dir()), None)
        if blocking is not None:
            raise ConfigError(f"{blocking} is a file, not a folder; choose another place for the workspace")
        if path.exists():
            raise ConfigError(f"{path} already exists; this folder is already a workspace")
        text = default_yaml(base_currency=base_currency, warehouse=warehouse_url)
        parse_config({"base_currency": base_currency, "warehouse": warehouse_url}, source="tenure init")
        root.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        ws = cls.open(root)
        from tenure.workflow.store import WorkflowStore

        store = WorkflowStore.of(ws)
        store.upgrade()  # the workflow store is part of a workspace from the start
        store.dispose()
        return ws

    def close(self) -> None:
        self.warehouse.close()
