"""Committed (reserved) cloud capacity against on demand: known answers of the rent.

A fleet of ``L`` accelerators all day with ``C <= L`` committed pays ``d C 730.5 R`` less
a month than on demand (``R`` the rate, ``d`` the discount); above ``L`` the commitment is
paid idle, so the rent is ``C 730.5 R (1 - d)`` whatever the demand; an autoscaled fleet
committed at its off-peak level pays on demand only the peak hours above it and their
cold starts. Over the plan a fixed commitment meets a growing fleet: the on-demand share
grows year by year.
"""

from __future__ import annotations

import numpy as np
import pytest

from scenarios.loader import load_scenario
from simulate.model import columns as col
from simulate.model.batch import model_outputs
from simulate.model.inputs import base_matrix
from simulate.sensitivity.tornado import tornado


def _row(**columns):
    row = base_matrix(load_scenario("fleet-cloud"))[0].copy()
    for name, value in columns.items():
        row[col.INPUT_INDEX[name]] = value
    return row


def _outputs(rows):
    out, flags = model_outputs(np.array(rows))
    assert (flags & col.STRUCTURAL_FLAGS == 0).all()
    return out


def _rate(row):
    return row[col.IN_HW_CLOUD_USD_PER_HOUR] * row[col.IN_CLOUD_RATE_MULTIPLIER]


def test_a_commitment_below_the_fleet_saves_its_discount_on_its_hours():
    on_demand = _row()
    fleet = _outputs([on_demand])[0, col.OUT_INFERENCE_ACCELERATORS]
    committed = np.floor(0.6 * fleet)
    row = _row(committed_accelerators=committed, commit_discount=0.35)
    out = _outputs([on_demand, row])
    saved = out[0, col.OUT_CLOUD_RENT_MONTHLY] - out[1, col.OUT_CLOUD_RENT_MONTHLY]
    assert saved == pytest.approx(0.35 * committed * col.HOURS_PER_MONTH * _rate(row), rel=1e-12)
    # The fleet, its hours and its utilisation do not change: only the price of its hours.
    for line in (col.OUT_INFERENCE_ACCELERATORS, col.OUT_UTILIZATION):
        assert out[1, line] == out[0, line]


def test_a_commitment_above_the_fleet_is_paid_idle():
    fleet = _outputs([_row()])[0, col.OUT_INFERENCE_ACCELERATORS]
    rents = []
    for committed in (fleet + 100, fleet + 200):
        row = _row(committed_accelerators=committed, commit_discount=0.35)
        rent = _outputs([row])[0, col.OUT_CLOUD_RENT_MONTHLY]
        assert rent == pytest.approx(committed * col.HOURS_PER_MONTH * _rate(row) * 0.65, rel=1e-12)
        rents.append(rent)
    assert rents[1] > rents[0]  # each idle accelerator adds its committed rate


def test_an_autoscaled_fleet_committed_at_its_base_pays_the_peak_on_demand():
    scaled = dict(autoscale=1.0, peak_to_average=2.0, peak_hours_per_day=8.0)
    out = _outputs([_row(**scaled)])[0]
    peak = out[col.OUT_INFERENCE_ACCELERATORS]
    # Solve the off-peak level from the on-demand hours: 730.5 (f L_p + (1 - f) L_o) +
    # 30.44 s (L_p - L_o) with f = 1/3.
    hours = out[col.OUT_CLOUD_RENT_MONTHLY] / _rate(_row(**scaled))
    f, s = 8.0 / 24.0, _row()[col.IN_SCALE_UP_HOURS]
    base = (hours - col.HOURS_PER_MONTH * f * peak - col.DAYS_PER_MONTH * s * peak) / (
        col.HOURS_PER_MONTH * (1.0 - f) - col.DAYS_PER_MONTH * s
    )
    base = round(base)
    assert 0 < base < peak
    row = _row(**scaled, committed_accelerators=base, commit_discount=0.4)
    rent = _outputs([row])[0, col.OUT_CLOUD_RENT_MONTHLY]
    on_demand_hours = col.HOURS_PER_MONTH * f * (peak - base) + col.DAYS_PER_MONTH * s * (
        peak - base
    )
    expected = _rate(row) * (on_demand_hours + 0.6 * base * col.HOURS_PER_MONTH)
    assert rent == pytest.approx(expected, rel=1e-9)


def test_a_fixed_commitment_meets_a_growing_fleet_year_by_year():
    growing = dict(growth_per_month=0.03)
    fleet = _outputs([_row(**growing)])[0, col.OUT_INFERENCE_ACCELERATORS]
    on_demand, committed = _outputs(
        [_row(**growing), _row(**growing, committed_accelerators=fleet, commit_discount=0.35)]
    )
    years = [col.OUTPUT_INDEX[f"cost_year_{k}"] for k in (1, 2, 3)]
    saved = on_demand[years] - committed[years]
    # Every year saves the discount on the committed hours (the fleet grows above them):
    # the same 12 months of C at d R, at each year's rate (no decline here).
    month = 0.35 * fleet * col.HOURS_PER_MONTH * _rate(_row())
    np.testing.assert_allclose(saved, 12.0 * month, rtol=1e-9)
    assert committed[col.OUT_LIFECYCLE_TOTAL] == pytest.approx(sum(committed[years]), rel=1e-12)


def test_the_commitment_is_a_lever_and_the_cloud_fleet_alone_uses_it(tmp_path):
    path = tmp_path / "commit.toml"
    path.write_text(
        'extends = "fleet-cloud"\n[scenario]\nname = "commit"\n[fleet]\n'
        'committed_accelerators = { lever = "range", low = 0, high = 2000, base = 0 }\n'
    )
    ds = tornado(load_scenario(str(path)), ["lifecycle_total"])
    value = ds.value.sel(kpi="lifecycle_total", param="fleet.committed_accelerators").values
    assert value[1] > value[0]  # 2,000 committed is far above the fleet: paid idle
    owned = _row(fleet_cloud=0.0)
    committed_owned = _row(fleet_cloud=0.0, committed_accelerators=300.0)
    out = _outputs([owned, committed_owned])
    assert out[1, col.OUT_LIFECYCLE_TOTAL] == out[0, col.OUT_LIFECYCLE_TOTAL]


def test_the_best_commitment_under_uncertain_demand_is_the_newsvendor_fractile():
    # A committed accelerator costs (1 - d) R an hour, used or not; one on demand R when
    # needed. The expected rent is least where P(fleet <= C) = d (the newsvendor's
    # critical fractile; Arrow, Harris and Marschak 1951): commit the d-quantile of the
    # fleet the uncertain demand will need.
    rng = np.random.default_rng(7)
    demand = np.exp(rng.normal(np.log(4e7), 0.6, 200))
    discount = 0.35
    rows = np.array([_row(requests_per_day=r, commit_discount=discount) for r in demand])
    fleets = _outputs(rows)[:, col.OUT_INFERENCE_ACCELERATORS]
    grid = np.unique(fleets)
    mean_rent = []
    for committed in grid:
        rows[:, col.IN_COMMITTED_ACCELERATORS] = committed
        mean_rent.append(_outputs(rows)[:, col.OUT_CLOUD_RENT_MONTHLY].mean())
    best = grid[int(np.argmin(mean_rent))]
    below = np.mean(fleets < best)
    at_or_below = np.mean(fleets <= best)
    assert below <= discount <= at_or_below, (best, below, at_or_below)
    # And it beats all on demand.
    rows[:, col.IN_COMMITTED_ACCELERATORS] = 0.0
    assert min(mean_rent) < _outputs(rows)[:, col.OUT_CLOUD_RENT_MONTHLY].mean()
