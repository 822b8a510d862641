"""Mistakes in the operating-model sections of tenure.yaml are reported by key, never as a traceback."""

from __future__ import annotations

import pytest

from cli.helpers import tenure
from tenure.config import parse_config
from tenure.errors import ConfigError
from tenure.workspace import Workspace

CASES = [
    ({"segments": {"rules": [{"name": "X", "arr_minimum": 5}]}}, ["segments.rules.0.arr_minimum", "unknown key"]),
    ({"segments": {"rules": [{"arr_min": 5}]}}, ["segments.rules.0.name", "Field required"]),
    ({"engagement": {"matrix": {"SMB": {"red": "white-glove"}, "*": {"*": "digital"}}}},
     ["engagement", "matrix.SMB.red: unknown motion 'white-glove'"]),
    ({"engagement": {"matrix": {"SMB": {"red": "pooled"}}}}, ["engagement", "needs a catch-all"]),
    ({"engagement": {"churn_override": {"probability": 1.5, "motion": "pooled"}}},
     ["engagement.churn_override.probability"]),
    ({"engagement": {"motions": {"digital": {"cadence_days": 0, "hours_per_month": 1}}}},
     ["engagement.motions.digital.cadence_days"]),
    ({"coverage": {"idle_below": 0.9, "overloaded_above": 0.8}}, ["coverage", "idle_below (0.9) must be below"]),
    ({"coverage": {"ratios": {"SMB": {"accounts_per_csm": 0}}}}, ["coverage.ratios.SMB.accounts_per_csm"]),
    ({"capacity": {"attrition_per_year": 1.2}}, ["capacity.attrition_per_year"]),
    ({"ownership": {"renewal": "finance"}}, ["ownership.renewal", "'cs', 'renewal' or 'sales'"]),
    ({"costs": {"roles": {"csm": -1}}}, ["costs.roles.csm"]),
    ({"compensation": {"plans": {"csm": {"on_target_earnings": 100000, "variable_share": 0.2, "components": [
        {"metric": "grr", "weight": 0.6}, {"metric": "nrr", "weight": 0.6}]}}}},
     ["compensation.plans.csm", "weights add up to 1.2"]),
    ({"compensation": {"plans": {"csm": {"on_target_earnings": 100000, "variable_share": 0.2, "components": [
        {"metric": "arr", "weight": 1}]}}}}, ["compensation.plans.csm.components.0.metric"]),
    ({"targets": {"segments": {"SMB": {"grr": 1.5}}}}, ["targets.segments.SMB.grr"]),
    ({"desk": {"review_min_arr": -5}}, ["desk.review_min_arr"]),
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_operating_config_errors_name_the_key(raw, expected):
    with pytest.raises(ConfigError) as caught:
        parse_config(raw)
    for text in expected:
        assert text in str(caught.value)


@pytest.mark.slow
def test_a_command_reports_a_bad_section_and_exits_2(tmp_path):
    Workspace.init(tmp_path / "ws").close()
    path = tmp_path / "ws" / "tenure.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "coverage:\n  capacity_hours: 0\n", encoding="utf-8")
    done = tenure("coverage", cwd=tmp_path / "ws")
    assert done.returncode == 2, done
    assert "key 'coverage.capacity_hours'" in done.stderr and "Traceback" not in done.output
