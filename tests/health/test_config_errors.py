"""A broken `health:` section is a ConfigError naming the key path and the problem.

Each case starts from the `tenure.yaml` that `tenure init` writes (parsed with PyYAML) and
breaks one thing in it. Key paths count from 0, as in the message:
scorecards.0 is `standard` (groups adoption, engagement, support, sentiment, financial),
scorecards.1 is `digital` (segments [SMB]).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from tenure.config import default_yaml, parse_config
from tenure.errors import ConfigError
from tenure.metrics.scorecard import default_health

from .conftest import tenure

SOURCE = "ws/tenure.yaml"
DEFAULT = yaml.safe_load(default_yaml())

Raw = dict[str, Any]


def measure(raw: Raw, card: int, group: int, index: int) -> dict[str, Any]:
    return raw["health"]["scorecards"][card]["groups"][group]["measures"][index]


def error_of(raw: Raw) -> str:
    with pytest.raises(ConfigError) as raised:
        parse_config(raw, source=SOURCE)
    return str(raised.value)


def test_the_default_yaml_is_valid_and_is_the_default_health():
    config = parse_config(copy.deepcopy(DEFAULT), source=SOURCE)
    assert config.health == default_health()
    assert [card.name for card in config.health.scorecards] == ["standard", "digital"]
    assert list(config.health.bands) == ["red", "yellow", "green"]
    assert parse_config({}).health == default_health()


def _unknown_metric(raw: Raw) -> None:
    measure(raw, 0, 0, 0)["metric"] = "seat_utilization"


def _group_weights(raw: Raw) -> None:
    raw["health"]["scorecards"][0]["groups"][1]["weight"] = 30  # 45 + 30 + 20 + 5 + 5


def _measure_weights(raw: Raw) -> None:
    measure(raw, 0, 1, 0)["weight"] = 40  # engagement: 40 + 25 + 25


def _linear_flat(raw: Raw) -> None:
    measure(raw, 0, 0, 1)["linear"] = {"worst": 8, "best": 8}


def _steps_descending(raw: Raw) -> None:
    measure(raw, 0, 2, 1)["steps"] = {"thresholds": [2, 1], "scores": [100, 40, 0]}


def _steps_repeated(raw: Raw) -> None:
    measure(raw, 1, 1, 1)["steps"] = {"thresholds": [1, 1], "scores": [100, 40, 0]}


def _steps_scores(raw: Raw) -> None:
    measure(raw, 0, 2, 1)["steps"] = {"thresholds": [1, 2], "scores": [100, 0]}


def _band_gap(raw: Raw) -> None:
    raw["health"]["bands"]["yellow"] = [50, 70]


def _band_overlap(raw: Raw) -> None:
    raw["health"]["bands"]["yellow"] = [40, 70]


def _bands_short(raw: Raw) -> None:
    raw["health"]["bands"]["green"] = [70, 90]


def _band_backwards(raw: Raw) -> None:
    raw["health"]["bands"] = {"red": [0, 45], "yellow": [45, 45], "green": [45, 100]}


def _two_defaults(raw: Raw) -> None:
    del raw["health"]["scorecards"][1]["segments"]


def _no_default(raw: Raw) -> None:
    raw["health"]["scorecards"][0]["segments"] = ["Enterprise"]


def _segment_twice(raw: Raw) -> None:
    extra = copy.deepcopy(raw["health"]["scorecards"][1])
    extra.update(name="smb-led", segments=["Mid-Market", "SMB"])
    raw["health"]["scorecards"].append(extra)


def _same_name(raw: Raw) -> None:
    raw["health"]["scorecards"][1]["name"] = "standard"


def _flag_as_linear(raw: Raw) -> None:
    zombie = measure(raw, 0, 0, 5)
    del zombie["flag"]
    zombie["linear"] = {"worst": 1, "best": 0}


def _number_as_flag(raw: Raw) -> None:
    seats = measure(raw, 1, 0, 0)
    del seats["linear"]
    seats["flag"] = {"if_true": 100, "if_false": 0}


def _two_functions(raw: Raw) -> None:
    measure(raw, 0, 2, 0)["steps"] = {"thresholds": [1.5], "scores": [100, 0]}


def _no_function(raw: Raw) -> None:
    del measure(raw, 0, 3, 0)["linear"]


def _unknown_measure_key(raw: Raw) -> None:
    measure(raw, 0, 1, 2)["colour"] = "red"


def _unknown_health_key(raw: Raw) -> None:
    raw["health"]["band"] = raw["health"]["bands"]


def _unknown_linear_key(raw: Raw) -> None:
    measure(raw, 0, 4, 0)["linear"]["target"] = 0


def _weight_zero(raw: Raw) -> None:
    measure(raw, 0, 3, 0)["weight"] = 0


def _flag_score_too_high(raw: Raw) -> None:
    measure(raw, 0, 1, 2)["flag"]["if_false"] = 120


CASES: list[tuple[str, Callable[[Raw], None], str, list[str]]] = [
    ("unknown metric", _unknown_metric, "health.scorecards.0.groups.0.measures.0.metric",
     ["unknown metric 'seat_utilization'", "seat_utilisation"]),
    ("group weights", _group_weights, "health.scorecards.0", ["group weights", "'standard'", "105", "not 100"]),
    ("measure weights", _measure_weights, "health.scorecards.0.groups.1",
     ["measure weights", "'engagement'", "90", "not 100"]),
    ("linear worst == best", _linear_flat, "health.scorecards.0.groups.0.measures.1.linear", ["worst", "best", "8"]),
    ("steps not ascending", _steps_descending, "health.scorecards.0.groups.2.measures.1.steps",
     ["thresholds", "strictly up", "[2.0, 1.0]"]),
    ("steps repeated", _steps_repeated, "health.scorecards.1.groups.1.measures.1.steps", ["strictly up"]),
    ("step scores", _steps_scores, "health.scorecards.0.groups.2.measures.1.steps", ["need 3 scores", "got 2"]),
    ("band gap", _band_gap, "health.bands", ["'yellow'", "50", "45", "gap"]),
    ("band overlap", _band_overlap, "health.bands", ["'yellow'", "40", "45", "overlap"]),
    ("bands short of 100", _bands_short, "health.bands", ["90", "end at 100"]),
    ("empty band", _band_backwards, "health.bands", ["'yellow'", "upper bound"]),
    ("two default scorecards", _two_defaults, "health", ["exactly one scorecard", "found 2", "standard, digital"]),
    ("no default scorecard", _no_default, "health", ["exactly one scorecard", "found 0"]),
    ("segment in two scorecards", _segment_twice, "health", ["segment 'SMB'", "'digital'", "'smb-led'"]),
    ("scorecard names", _same_name, "health", ["unique", "standard"]),
    ("flag metric scored linear", _flag_as_linear, "health.scorecards.0.groups.0.measures.5",
     ["zombie", "flag"]),
    ("numeric metric scored as flag", _number_as_flag, "health.scorecards.1.groups.0.measures.0",
     ["seat_utilisation", "a number", "linear"]),
    ("two scoring functions", _two_functions, "health.scorecards.0.groups.2.measures.0",
     ["exactly one scoring function", "linear", "steps"]),
    ("no scoring function", _no_function, "health.scorecards.0.groups.3.measures.0",
     ["exactly one scoring function", "none"]),
    ("unknown measure key", _unknown_measure_key, "health.scorecards.0.groups.1.measures.2.colour", ["unknown key"]),
    ("unknown health key", _unknown_health_key, "health.band", ["unknown key"]),
    ("unknown linear key", _unknown_linear_key, "health.scorecards.0.groups.4.measures.0.linear.target",
     ["unknown key"]),
    ("zero weight", _weight_zero, "health.scorecards.0.groups.3.measures.0.weight", ["greater than 0"]),
    ("flag score above 100", _flag_score_too_high, "health.scorecards.0.groups.1.measures.2.flag.if_false",
     ["less than or equal to 100", "120"]),
]


@pytest.mark.parametrize(("breaks", "key", "problem"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_a_broken_health_section_names_the_key_and_the_problem(breaks, key, problem):
    raw = copy.deepcopy(DEFAULT)
    breaks(raw)
    message = error_of(raw)
    assert f"{SOURCE}: key '{key}':" in message, message
    for words in problem:
        assert words in message, f"{words!r} not in {message!r}"
    assert "Traceback" not in message and "pydantic" not in message.lower()


def test_a_bad_missing_policy_names_the_measures_missing_key():
    raw = copy.deepcopy(DEFAULT)
    measure(raw, 0, 1, 0)["missing"] = "zero"
    message = error_of(raw)
    # The user wrote `missing:`; the key shown must be that key, not Pydantic's union branches.
    key = "health.scorecards.0.groups.1.measures.0.missing"
    assert f"key '{key}':" in message, message
    assert "'zero'" in message and "skip" in message


def test_every_unknown_metric_is_listed_at_once():
    raw = copy.deepcopy(DEFAULT)
    measure(raw, 0, 0, 0)["metric"] = "seat_utilization"
    measure(raw, 1, 3, 0)["metric"] = "arr_growth"
    message = error_of(raw)
    assert "key 'health.scorecards.0.groups.0.measures.0.metric': unknown metric 'seat_utilization'" in message
    assert "key 'health.scorecards.1.groups.3.measures.0.metric': unknown metric 'arr_growth'" in message


def test_a_value_metric_may_be_scored_once_configured():
    raw = copy.deepcopy(DEFAULT)
    measure(raw, 0, 3, 0).update(metric="value_hours_saved_90d", linear={"worst": 0, "best": 50})
    assert "value_hours_saved_90d" in error_of(copy.deepcopy(raw))
    raw["value"] = [{"name": "hours_saved", "event": "report_created", "per_event": 0.5, "unit": "hours"}]
    config = parse_config(raw, source=SOURCE)
    assert config.health.scorecards[0].groups[3].measures[0].metric == "value_hours_saved_90d"


def test_the_cli_reports_a_bad_health_section_without_a_traceback(tmp_path):
    raw = copy.deepcopy(DEFAULT)
    _measure_weights(raw)
    (tmp_path / "tenure.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    result = tenure("health", "--as-of", "2025-06-15", cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "health.scorecards.0.groups.1" in output
    assert "'engagement'" in output and "not 100" in output
    assert "tenure.yaml" in output
    assert "Traceback" not in output


def test_the_cli_reports_an_unknown_metric_with_the_workspace_option(tmp_path):
    raw = copy.deepcopy(DEFAULT)
    _unknown_metric(raw)
    folder = tmp_path / "ws"
    folder.mkdir()
    (folder / "tenure.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    result = tenure("--workspace", str(folder), "health", "--as-of", "2025-06-15")
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "health.scorecards.0.groups.0.measures.0.metric" in output and "seat_utilization" in output
    assert "Traceback" not in output
