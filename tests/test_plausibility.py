"""Valid but implausible values: a warning naming the likely unit mix-up; --strict refuses."""

import warnings

import pytest
from click.testing import CliRunner

from scenarios.errors import ScenarioError
from scenarios.loader import load_scenario
from scenarios.plausibility import PLAUSIBLE, PlausibilityWarning, implausible, strict
from scenarios.sources import builtin_names
from simulate.cli.main import main

MIXUPS = {
    "power.spot_price_usd_per_mwh=0.08": "USD/kWh",
    "facility.pue=135": "percentage",
    "scenario.horizon_years=36": "months",
}


@pytest.mark.parametrize(("override", "hint"), MIXUPS.items())
def test_each_mixup_is_named(override, hint):
    with pytest.warns(PlausibilityWarning, match=hint) as caught:
        load_scenario("default", [override])
    message = str(caught[0].message)
    key = override.split("=")[0]
    assert message.startswith(f"builtin:default: {key} = ") and "real deployments" in message


def test_every_built_in_scenario_is_plausible():
    for name in builtin_names():
        with warnings.catch_warnings():
            warnings.simplefilter("error", PlausibilityWarning)
            load_scenario(name)


def test_a_factor_is_judged_by_its_median_and_zero_means_unused():
    scenario = load_scenario("default")
    assert implausible(scenario) == []
    with pytest.warns(PlausibilityWarning, match="median"):
        load_scenario(
            "default",
            ['power.spot_price_usd_per_mwh={dist="uniform", low=0.05, high=0.12}'],
        )
    assert all(rule.low > 0 for rule in PLAUSIBLE.values())  # 0 (unused) is never flagged


def test_strict_makes_them_errors_and_does_not_leak():
    token = strict.set(True)
    try:
        with pytest.raises(ScenarioError, match="--strict"):
            load_scenario("default", ["facility.pue=135"])
    finally:
        strict.reset(token)
    runner = CliRunner()
    strict_run = runner.invoke(main, ["calc", "--strict", "--set", "facility.pue=135"])
    assert strict_run.exit_code == 1 and "percentage" in strict_run.output
    grouped = runner.invoke(main, ["--strict", "calc", "--set", "facility.pue=135"])
    assert grouped.exit_code == 1
    relaxed = runner.invoke(main, ["calc", "--set", "facility.pue=135"])
    assert relaxed.exit_code == 0
    assert "Warning: builtin:default: facility.pue = 135" in relaxed.output
