"""tenure.yaml validation: defaults, and errors that name the file and the key."""

from __future__ import annotations

import pytest

from tenure.config import default_yaml, load_config, parse_config
from tenure.errors import ConfigError, NotFound
from tenure.workspace import Workspace


def test_default_yaml_round_trips_to_the_defaults(tmp_path):
    path = tmp_path / "tenure.yaml"
    path.write_text(default_yaml(base_currency="EUR"))
    config = load_config(path)
    assert config.base_currency == "EUR"
    assert config.targets.grr == 0.90 and config.targets.nrr == 1.10
    assert config.revenue.reactivation_window_months is None
    assert config.revenue.retention_window_months == 12


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({"targets": {"grr": 2}}, "targets.grr"),
        ({"targets": {"gr": 0.9}}, "targets.gr"),
        ({"fiscal_year_start_month": 13}, "fiscal_year_start_month"),
        ({"base_currency": "XYZ"}, "base_currency"),
        ({"revenue": {"reactivation_window_months": -1}}, "revenue.reactivation_window_months"),
        ({"revenue": "yes"}, "revenue"),
        ({"unknown_section": {}}, "unknown_section"),
    ],
)
def test_invalid_values_name_the_key(raw, key):
    with pytest.raises(ConfigError) as raised:
        parse_config(raw, source="ws/tenure.yaml")
    assert f"ws/tenure.yaml: key '{key}'" in str(raised.value)


@pytest.mark.parametrize("text", ["targets: [1, 2", "- a\n- b\n", "\xff"])
def test_broken_files_are_config_errors(tmp_path, text):
    path = tmp_path / "tenure.yaml"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert str(path) in str(raised.value)


def test_workspace_init_and_open(tmp_path):
    ws = Workspace.init(tmp_path / "ws", base_currency="GBP")
    assert (tmp_path / "ws" / "tenure.yaml").is_file()
    assert ws.warehouse.url.endswith("warehouse.duckdb")
    assert Workspace.open(tmp_path / "ws").config.base_currency == "GBP"
    with pytest.raises(ConfigError, match="already"):
        Workspace.init(tmp_path / "ws")
    with pytest.raises(NotFound, match="tenure init"):
        Workspace.open(tmp_path / "elsewhere")


def test_empty_config_file_means_defaults(tmp_path):
    (tmp_path / "tenure.yaml").write_text("")
    assert load_config(tmp_path / "tenure.yaml").base_currency == "USD"
