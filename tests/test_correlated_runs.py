"""Correlated factors declared in a scenario, end to end through tco run."""

import numpy as np
import pytest
from scipy.stats import kstest, spearmanr

from scenarios.errors import ScenarioError
from scenarios.loader import parse_scenario
from scenarios.sources import builtin_text
from simulate.engine.montecarlo import run

CORRELATED = (
    builtin_text("default")
    + """
[[correlation]]
between = ["power.spot_price_usd_per_mwh", "facility.pue"]
spearman = 0.4

[[correlation]]
between = ["serving.request_tokens_mean", "fleet.utilization_achieved_ratio"]
spearman = -0.3
"""
)


@pytest.fixture(scope="module")
def correlated_run():
    scenario = parse_scenario(CORRELATED, "correlated.toml")
    return scenario, run(scenario, n=100_000, seed=9)


def test_achieved_rank_correlations_match_the_targets(correlated_run):
    _, ds = correlated_run
    pairs = [
        ("power.spot_price_usd_per_mwh", "facility.pue", 0.4),
        ("serving.request_tokens_mean", "fleet.utilization_achieved_ratio", -0.3),
        ("power.spot_price_usd_per_mwh", "serving.request_tokens_mean", 0.0),
    ]
    for a, b, target in pairs:
        achieved = spearmanr(ds[a].values, ds[b].values).statistic
        assert achieved == pytest.approx(target, abs=0.02), (a, b)


def test_marginals_are_unchanged_by_the_copula(correlated_run):
    scenario, ds = correlated_run
    for item in scenario.factors():
        assert kstest(ds[item.path].values, item.distribution.cdf).pvalue > 1e-4, item.path


def test_correlations_recorded_in_provenance(correlated_run):
    _, ds = correlated_run
    assert "power.spot_price_usd_per_mwh ~ facility.pue: spearman 0.4" in ds.attrs["correlations"]
    assert "Gaussian copula" in ds.attrs["correlation_method"]


def test_correlating_a_lever_is_rejected():
    text = builtin_text("default") + (
        '[[correlation]]\nbetween = ["power.hedge_share", "facility.pue"]\nspearman = 0.3\n'
    )
    with pytest.raises(ScenarioError, match=r"'power.hedge_share' is not an uncertain factor"):
        parse_scenario(text, "bad.toml")


def test_impossible_matrix_is_repaired_with_a_warning():
    text = (
        builtin_text("default")
        + """
[correlation_matrix]
names = ["power.spot_price_usd_per_mwh", "facility.pue", "serving.decode_mbu"]
spearman = [[1, 0.9, 0.9], [0.9, 1, -0.9], [0.9, -0.9, 1]]
"""
    )
    scenario = parse_scenario(text, "repair.toml")
    assert scenario.copula.warning
    rho = scenario.copula.effective_spearman
    assert np.all(np.linalg.eigvalsh(scenario.copula.normal_corr) > 0)
    assert abs(rho[0, 1] - 0.9) < 0.5
