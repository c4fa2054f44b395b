"""Scenario inheritance: ``extends = "default"`` plus the keys that change."""

import pytest

from scenarios.errors import ScenarioError
from scenarios.loader import load_scenario
from simulate.model.base_case import calculate

CHILD = 'extends = "default"\n\n[hardware]\naccelerator = "B200"\n\n[release]\nfinetune_cadence_days = 30\n'


def test_a_child_is_its_parent_with_the_changed_keys(tmp_path):
    path = tmp_path / "b200.toml"
    path.write_text(CHILD)
    child = calculate(load_scenario(path)).outputs
    same = calculate(
        load_scenario("default", ["hardware.accelerator=B200", "release.finetune_cadence_days=30"])
    ).outputs
    for name in ("lifecycle_total", "token_cost_per_1k", "finetunes_in_horizon"):
        assert child[name] == pytest.approx(same[name], rel=1e-12)
    scenario = load_scenario(path)
    assert scenario.name == "default"  # inherited, as the description is
    assert "# extends builtin:default (SHA-256 " in scenario.text


def test_chains_relative_parents_and_the_hash_follow_the_parent(tmp_path):
    (tmp_path / "base.toml").write_text('extends = "default"\n[power]\nhedge_share = 0.9\n')
    (tmp_path / "child.toml").write_text('extends = "base.toml"\n[release]\ncadence_days = 120\n')
    first = load_scenario(tmp_path / "child.toml")
    assert first.inputs["power.hedge_share"].value == 0.9
    (tmp_path / "base.toml").write_text('extends = "default"\n[power]\nhedge_share = 0.5\n')
    second = load_scenario(tmp_path / "child.toml")
    assert second.inputs["power.hedge_share"].value == 0.5
    assert first.sha256 != second.sha256  # the child file did not change; its parent did


def test_bad_extends_are_clear_errors(tmp_path):
    loop_a, loop_b = tmp_path / "a.toml", tmp_path / "b.toml"
    loop_a.write_text('extends = "b.toml"\n')
    loop_b.write_text('extends = "a.toml"\n')
    with pytest.raises(ScenarioError, match="makes a loop"):
        load_scenario(loop_a)
    missing = tmp_path / "m.toml"
    missing.write_text('extends = "no-such-parent"\n')
    with pytest.raises(ScenarioError, match="no-such-parent"):
        load_scenario(missing)
    wrong = tmp_path / "w.toml"
    wrong.write_text("extends = 3\n")
    with pytest.raises(ScenarioError, match="as a string"):
        load_scenario(wrong)
