"""The TCO index: bounds bracket the base case; the index is in [0, 1] and ordered."""

import numpy as np
import pytest

from scenarios.loader import load_scenario
from simulate.model.base_case import calculate
from simulate.model.tco_index import DEFINITION, IndexBounds, pooled_bounds, scenario_bounds


def test_bounds_bracket_the_base_case():
    case = calculate(load_scenario())
    assert case.bounds.best_usd < case.outputs["lifecycle_total"] < case.bounds.worst_usd
    assert 0.0 < case.tco_index < 1.0


def test_best_case_uses_cost_minimising_lever_ends():
    bounds = scenario_bounds(load_scenario())
    # Longer release cadence means fewer retrainings: the best case takes the long end.
    assert bounds.best_values["release.cadence_days"] == 365.0
    assert bounds.worst_values["release.cadence_days"] == 90.0
    # The worst case takes the high end of the spot price.
    assert (
        bounds.worst_values["power.spot_price_usd_per_mwh"]
        > bounds.best_values["power.spot_price_usd_per_mwh"]
    )


def test_index_is_clipped_and_ordered():
    bounds = IndexBounds(100.0, 300.0, {}, {})
    np.testing.assert_allclose(bounds.index([50.0, 100.0, 200.0, 300.0, 900.0]), [0, 0, 0.5, 1, 1])
    assert np.isnan(bounds.index(np.nan))
    assert IndexBounds(5.0, 5.0, {}, {}).index(5.0) == 0.0


@pytest.mark.parametrize("best, worst", [(100.0, 300.0), (5.0, 5.0)])
def test_index_in_place_equals_the_fresh_array(best, worst):
    bounds = IndexBounds(best, worst, {}, {})
    totals = np.array([50.0, 100.0, 150.0, 299.0, 400.0, np.nan, 5.0])
    expected = (
        np.clip((totals - best) / (worst - best), 0, 1)
        if worst > best
        else np.where(np.isnan(totals), np.nan, 0.0)
    )
    fresh = bounds.index(totals)
    np.testing.assert_array_equal(fresh, expected)
    in_place = totals.copy()
    assert bounds.index(in_place, out=in_place) is in_place
    np.testing.assert_array_equal(in_place, expected)


def test_pooled_bounds_cover_each_scenario():
    a = load_scenario("default")
    b = load_scenario("default", ["fleet.ownership=cloud"])
    pooled = pooled_bounds([a, b])
    for scenario in (a, b):
        own = scenario_bounds(scenario)
        assert pooled.best_usd <= own.best_usd and pooled.worst_usd >= own.worst_usd


def test_definition_is_stated():
    assert "clipped to [0, 1]" in DEFINITION and "pooled" in DEFINITION
    assert pytest.approx(0.5) == IndexBounds(0.0, 2.0, {}, {}).index(1.0)
